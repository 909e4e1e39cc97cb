// run.mjs: the paper in miniature, behind `./build.sh experiment -- …` (the entry point;
// the other files of experiment/ are its helpers).
//
//   ./build.sh experiment                 # the full sweep: docs/results.csv, docs/room.csv,
//                                         # docs/figures/*, docs/RESULTS.md
//   ./build.sh experiment -- --quick --out /tmp/x   # a tiny sweep (the tests run this)
//
// It asks three questions of Sun et al. (2020), at toy scale:
//   1. the β sweep: every base loss × β ∈ {0, 0.1, 0.3, 0.5, 1, 2} × seeds, on the
//      `identities` data (C trained identities in R^32, plus held-out identities for
//      open-set verification), with a 3-D and a 16-D embedding. Does IAM widen the
//      angles between classes, and does that help verification?
//   2. Fig. 2 in miniature: 2-D features of every loss without and with IAM, drawn
//      by the demo's own CircleView (web/view2d.js) in headless Chromium.
//   3. the room sweep: C = 3…12 blobs, 2-D and 3-D, β ∈ {0, 0.5}: where does IAM
//      stop widening the angles and start merging classes (LOSSES.md, "IAM needs room")?
//
// Runs go to a pool of worker threads (experiment/worker.mjs), each with its own
// loadIAM() from the binding in wasm/. Every run is a pure function of its config and
// seed, so the CSVs do not depend on --jobs or on the order the runs finish in; only
// the ms column does. The report's prose lives in experiment/report.md, a template
// whose named numbers report.mjs fills in from the runs each time.
//
// What it deliberately is not: a hyper-parameter search. Every loss uses its preset
// from wasm/presets.js (the 3-D one for 16-D too), unchanged.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, flagHelp, between } from '../wasm/flags.js';
import { trainerPreset, lossPreset, LOSS_LABELS } from '../wasm/presets.js';
import { loadIAM } from '../wasm/iam.js';
import { smallMultiples, niceTicks } from './plot.mjs';
import { renderFeatureGrid } from './render.mjs';
import { writeReport } from './report.mjs';
import { RESULT_COLUMNS, ROOM_COLUMNS, CURVE_COLUMNS, toCSV, resultRow, roomRow, curveRows, mean, std } from './table.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The full sweep (the defaults) and the tiny one (--quick). Steps and seeds can be
// overridden by flags; everything else is fixed here, so a report names its grid.
export const FULL = Object.freeze({
  name: 'full',
  losses: ['softmax', 'normface', 'sphereface', 'cosface', 'arcface'],
  betas: [0, 0.1, 0.3, 0.5, 1, 2],
  dims: [3, 16],
  identities: 50,          // trained identities (and 50 held-out ones for verification)
  seeds: 5,
  steps: 2000,
  // the 16-D runs are also evaluated along the way: open-set verification against steps
  curve: { dims: [16], checkpoints: [0, 25, 50, 100, 150, 200, 300, 500, 750, 1000, 1500] },
  // does the verification result depend on having only 50 identities? 200, in 16-D
  wide: { identities: 200, dim: 16, losses: ['normface', 'arcface'], betas: [0, 0.5] },
  room: { losses: ['normface', 'arcface'], classes: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], dims: [2, 3], betas: [0, 0.5] },
  // Fig. 2: one roomy circle (C = 4) and one crowded one (C = 8), seed 1, every loss
  fig2: { classes: [4, 8], betas: [0, 0.5], seed: 1, points: 320 },
});

export const QUICK = Object.freeze({
  name: 'quick',
  losses: ['normface', 'arcface'],
  betas: [0, 0.5],
  dims: [3, 16],
  identities: 10,
  seeds: 1,
  steps: 60,
  curve: { dims: [16], checkpoints: [0, 20, 40] },
  wide: null,
  room: { losses: ['normface'], classes: [3, 8], dims: [2], betas: [0, 0.5] },
  fig2: { classes: [4], betas: [0, 0.5], seed: 1, points: 120 },
});

// The flags, once: what util.parseArgs needs (type, short) and what usage() prints.
const positive = between(1, 1e9);
const FLAGS = {
  '--quick': { help: 'a tiny sweep (2 losses × 2 β × 1 seed, 60 steps) in seconds, for the tests' },
  '--out': { value: (v) => (v && !v.startsWith('--') ? v : undefined), arg: 'DIR',
    help: 'where to write results.csv, room.csv, RESULTS.md, figures/ (default docs/)' },
  '--seeds': { value: positive, arg: 'N', help: 'seeds per cell (default 5; --quick: 1)' },
  '--steps': { value: positive, arg: 'N', help: 'optimizer steps per run (default 2000; --quick: 60)' },
  '--jobs': { value: positive, arg: 'N', help: `worker threads (default: the number of cores, here ${availableParallelism()})` },
  '--no-browser': { help: 'skip the Chromium-rendered Fig. 2 (the rest of the report is written)' },
  '--help': { short: 'h', help: 'this text' },
};

export function usage() {
  return `usage: ./build.sh experiment -- [flags]\n\n${flagHelp(FLAGS, 16)}\n\n` +
    'example: ./build.sh experiment -- --seeds 3 --jobs 2 --out /tmp/iam-results';
}

/** The flags as { quick, out, seeds, steps, jobs, browser }, or { help: true }; throws a
 *  sentence on a bad one (wasm/flags.js, as the other command lines). */
export function parseArgs(argv) {
  const f = parseFlags(argv, FLAGS);
  if (f.help) return { help: true };
  return { quick: f.quick ?? false, out: f.out ?? null, seeds: f.seeds ?? null, steps: f.steps ?? null,
    jobs: f.jobs ?? null, browser: !f['no-browser'] };
}

/** The plan: every run, as a job for a worker. */
export function plan(grid, { seeds, steps }) {
  const jobs = [];
  const add = (group, meta, config, extra = {}) => jobs.push({ id: jobs.length, group, meta, config, steps, ...extra });
  const checkpoints = (dim) => (grid.curve.dims.includes(dim) ? grid.curve.checkpoints.filter((k) => k < steps) : undefined);
  // the longest runs first, so that the pool ends together
  if (grid.wide)
    for (const loss of grid.wide.losses)
      for (const beta of grid.wide.betas)
        for (let seed = 1; seed <= seeds; seed++)
          add('wide', { loss, beta, seed, dim: grid.wide.dim, classes: grid.wide.identities, data: 'identities' },
            trainerPreset(loss, { data: 'identities', classes: grid.wide.identities, dim: grid.wide.dim, seed }, { beta }),
            { heldout: true, checkpoints: checkpoints(grid.wide.dim) });
  for (const dim of [...grid.dims].sort((a, b) => b - a))
    for (const loss of grid.losses)
      for (const beta of grid.betas)
        for (let seed = 1; seed <= seeds; seed++)
          add('beta', { loss, beta, seed, dim, classes: grid.identities, data: 'identities' },
            trainerPreset(loss, { data: 'identities', classes: grid.identities, dim, seed }, { beta }),
            { heldout: true, checkpoints: checkpoints(dim) });
  for (const dim of grid.room.dims)
    for (const classes of grid.room.classes)
      for (const loss of grid.room.losses)
        for (const beta of grid.room.betas)
          for (let seed = 1; seed <= seeds; seed++)
            add('room', { loss, beta, seed, dim, classes, data: 'blobs' },
              trainerPreset(loss, { data: 'blobs', classes, dim, seed }, { beta }));
  for (const classes of grid.fig2.classes)
    for (const beta of grid.fig2.betas)
      for (const loss of grid.losses)
        add('fig2', { loss, beta, seed: grid.fig2.seed, dim: 2, classes, data: 'blobs' },
          trainerPreset(loss, { data: 'blobs', classes, dim: 2, seed: grid.fig2.seed }, { beta }),
          { snapshot: { points: grid.fig2.points } });
  return jobs;
}

const clock = (ms) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function progressBar(done, total, t0) {
  const width = 30, frac = total ? done / total : 1;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const elapsed = performance.now() - t0;
  const left = done ? (elapsed / done) * (total - done) : 0;
  process.stderr.write(`\r[${bar}] ${done}/${total} runs  ${clock(elapsed)} elapsed  ~${clock(left)} left `);
}

/** Run the jobs on `workers` threads; returns the results in job order. */
export async function runPool(jobs, workers, onDone = () => {}) {
  const results = new Array(jobs.length);
  let next = 0, finished = 0, simd = null;
  const url = new URL('./worker.mjs', import.meta.url);
  await new Promise((resolveAll, rejectAll) => {
    const pool = [];
    let failed = false;
    const fail = (err) => {
      if (failed) return;
      failed = true;
      pool.forEach((w) => w.terminate());
      rejectAll(err);
    };
    const feed = (w) => {
      if (next < jobs.length) w.postMessage(jobs[next++]);
      else w.terminate();
    };
    const count = Math.max(1, Math.min(workers, jobs.length));
    for (let k = 0; k < count; k++) {
      const w = new Worker(url);
      pool.push(w);
      w.on('message', (msg) => {
        if (msg.ready) { simd = msg.simd; feed(w); return; }
        if (msg.error) { fail(new Error(`run ${JSON.stringify(jobs[msg.id].meta)}: ${msg.error}`)); return; }
        results[msg.id] = msg;
        finished++;
        onDone(finished, jobs.length);
        if (finished === jobs.length) { pool.forEach((x) => x.terminate()); resolveAll(); }
        else feed(w);
      });
      w.on('error', fail);
    }
  });
  return { results, simd };
}

const LOSS_COLORS = { softmax: '#4477AA', normface: '#EE6677', sphereface: '#228833', cosface: '#CCBB44', arcface: '#222222' };
const label = (loss) => LOSS_LABELS[loss] ?? loss;

/** The β-sweep figure: rows of metrics, a column per embedding dimension, a line per loss. */
export function betaSweepSVG(rows, grid) {
  const metrics = [
    ['verify_acc', 'verification accuracy (held-out ids)'],
    ['tar_far_1e2', 'TAR at FAR = 1e-2'],
    ['min_weight_angle_deg', 'min weight angle (°)'],
    ['mean_nn_weight_angle_deg', 'mean NN weight angle (°)'],
    ['test_acc', 'test accuracy (closed set)'],
  ];
  const panels = [];
  const nLoss = grid.losses.length;
  for (const [metric, what] of metrics)
    for (const dim of grid.dims)
      panels.push({
        title: `${what}, ${dim}-D`, xlabel: 'β (evenly spaced, not to scale)', ylabel: what.replace(/ \(.*\)$/, ''),
        xticks: grid.betas.map((b, i) => ({ x: i, label: String(b) })),
        series: grid.losses.map((loss, li) => ({
          label: label(loss), color: LOSS_COLORS[loss], offset: (li - (nLoss - 1) / 2) * 0.06,
          points: grid.betas.map((beta, i) => {
            const v = rows.filter((r) => r.loss === loss && r.dim === dim && r.beta === beta && r.classes === grid.identities && r.status === 'ok')
              .map((r) => r[metric]);
            return { x: i, y: mean(v), err: std(v) };
          }),
        })),
      });
  return smallMultiples({
    title: `IAM's β on ${grid.identities} identities: mean ± std over seeds`,
    subtitle: 'β = 0 is the base loss alone; each loss uses its preset (wasm/presets.js, the 3-D one for 16-D too)',
    panels, cols: grid.dims.length, panelWidth: 420, panelHeight: 240,
    legend: grid.losses.map((loss) => ({ label: label(loss), color: LOSS_COLORS[loss] })),
  });
}

export const BETA_COLORS = ['#222222', '#1f78b4', '#33a02c', '#ff7f00', '#e31a1c', '#6a3d9a'];

/** Verification along training, 16-D: a panel per loss, a line per β; the last panel
 *  shows the mean NN weight angle of NormFace, which keeps growing meanwhile. */
export function curveSVG(curve, grid) {
  const dim = grid.curve.dims[0], classes = grid.identities;
  const steps = [...new Set(curve.filter((r) => r.dim === dim && r.classes === classes).map((r) => r.step))].sort((a, b) => a - b);
  const series = (loss, metric) => grid.betas.map((beta, bi) => ({
    label: `β = ${beta}`, color: BETA_COLORS[bi % BETA_COLORS.length],
    points: steps.map((step) => {
      const v = curve.filter((r) => r.loss === loss && r.beta === beta && r.step === step && r.dim === dim && r.classes === classes).map((r) => r[metric]);
      return { x: step, y: mean(v), err: std(v) };
    }),
  }));
  const xticks = niceTicks(0, steps[steps.length - 1] ?? 1, 4).map((x) => ({ x, label: String(x) }));
  const panels = grid.losses.map((loss) => ({
    title: `${label(loss)}: verification, ${dim}-D`, xlabel: 'step', ylabel: 'verification accuracy', xticks, series: series(loss, 'verify_acc'),
  }));
  const angleLoss = grid.losses.includes('normface') ? 'normface' : grid.losses[0];
  panels.push({ title: `${label(angleLoss)}: mean NN weight angle, ${dim}-D`, xlabel: 'step', ylabel: 'degrees', xticks, series: series(angleLoss, 'mean_nn_weight_angle_deg') });
  return smallMultiples({
    title: `Open-set verification along training (${classes} identities, ${dim}-D, held-out identities)`,
    subtitle: 'mean ± std over seeds at each checkpoint; the same runs as the β sweep',
    panels, cols: 3, panelWidth: 340, panelHeight: 230,
    legend: grid.betas.map((beta, bi) => ({ label: `β = ${beta}`, color: BETA_COLORS[bi % BETA_COLORS.length] })),
  });
}

/** The room figure: min weight angle / packing limit against C, a panel per dimension. */
export function roomSVG(roomRows, grid) {
  const { room } = grid;
  const panels = [];
  for (const [metric, what, hline] of [['packing_ratio', 'min weight angle / packing limit', 1], ['test_acc', 'test accuracy', null]])
    for (const dim of room.dims)
      panels.push({
        title: `${what}, ${dim}-D`, xlabel: 'classes C', ylabel: what,
        xticks: room.classes.map((c) => ({ x: c, label: String(c) })),
        ydomain: metric === 'packing_ratio' ? [0, 1.05] : undefined,
        hlines: hline ? [{ y: hline, label: 'packing limit' }] : [],
        series: room.losses.flatMap((loss, li) => room.betas.map((beta, bi) => ({
          label: `${label(loss)} β=${beta}`, color: LOSS_COLORS[loss], dash: bi ? '5 3' : '', hollow: bi > 0,
          offset: (li * room.betas.length + bi - (room.losses.length * room.betas.length - 1) / 2) * 0.08,
          points: room.classes.map((classes) => {
            const v = roomRows.filter((r) => r.loss === loss && r.beta === beta && r.dim === dim && r.classes === classes && r.status === 'ok')
              .map((r) => r[metric]);
            return { x: classes, y: mean(v), err: 0, dots: v };
          }),
        }))),
      });
  return smallMultiples({
    title: 'IAM needs room: blobs on a ring, C classes',
    subtitle: 'lines: mean over seeds; faint dots: single seeds (a dot near 0 is a merged pair of classes)',
    panels, cols: room.dims.length, panelWidth: 440, panelHeight: 260,
    legend: room.losses.flatMap((loss) => room.betas.map((beta, bi) => ({ label: `${label(loss)} β=${beta}`, color: LOSS_COLORS[loss], dash: bi ? '5 3' : '', hollow: bi > 0 }))),
  });
}

/** Fig. 2 in miniature, one grid per C: a column per loss, a row per β. */
function fig2Grid(fig2Results, grid, classes) {
  const rows = grid.fig2.betas.map((beta) => ({
    label: beta === 0 ? 'β = 0 (base loss)' : `β = ${beta} (+ IAM)`,
    cells: grid.losses.map((loss) => {
      const r = fig2Results.find((x) => x.meta.loss === loss && x.meta.beta === beta && x.meta.classes === classes);
      const m = r.snapshot.metrics;
      return { snapshot: r.snapshot, caption: `min ${m.min_weight_angle_deg.toFixed(1)}° of ${m.packing_limit_deg.toFixed(0)}° · test acc ${m.test_acc.toFixed(3)}` };
    }),
  }));
  return {
    heading: `Fig. 2 in miniature: ${classes} blobs, 2-D embedding, seed ${grid.fig2.seed}, ${fig2Results[0].snapshot.step} steps`,
    note: 'Dots: test features on the unit circle; spokes: class weights; outer ring: each direction\'s class, margin band in grey; the smallest angle between neighbouring weights in red.',
    columns: grid.losses.map(label), rows,
  };
}

/** What a run of the experiment is asked to do: the grid, its sizes, where to write. */
export function settingsOf(args, argv = []) {
  const grid = args.quick ? QUICK : FULL;
  const out = resolve(args.out ?? join(ROOT, 'docs'));
  return {
    grid, seeds: args.seeds ?? grid.seeds, steps: args.steps ?? grid.steps, jobs: args.jobs ?? availableParallelism(),
    out, figures: join(out, 'figures'), browser: args.browser,
    command: `./build.sh experiment${argv.length ? ' -- ' + argv.join(' ') : ''}`,
  };
}

/** Every run of the plan on the pool, with a progress bar on a terminal. */
async function train(settings, t0) {
  const jobs = plan(settings.grid, settings);
  const showBar = process.stderr.isTTY;
  if (showBar) progressBar(0, jobs.length, t0);
  const { results, simd } = await runPool(jobs, settings.jobs, (done, total) => { if (showBar) progressBar(done, total, t0); });
  if (showBar) process.stderr.write('\n');
  return { jobs, results, simd, sweepMs: performance.now() - t0 };
}

/** The results as rows: the β sweep (with the wide check) in report order, the room sweep,
 *  the checkpoints, and Fig. 2's snapshots with their metrics. */
export function tabulate({ jobs, results }, grid) {
  const byGroup = (g) => results.filter((r) => jobs[r.id].group === g).map((r) => ({ ...r, meta: jobs[r.id].meta }));
  const order = (r) => [r.classes, r.dim, grid.losses.indexOf(r.loss), r.beta, r.seed];
  const byOrder = (a, b) => { const x = order(a), y = order(b); for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return x[k] - y[k]; return 0; };
  return {
    rows: [...byGroup('beta'), ...byGroup('wide')].map(resultRow).sort(byOrder),
    roomRows: byGroup('room').map(roomRow),
    curve: [...byGroup('beta'), ...byGroup('wide')].flatMap(curveRows),
    fig2Results: byGroup('fig2'),
    fig2Metrics: byGroup('fig2').map((r) => ({ ...r.snapshot.metrics, ...r.meta })), // meta's loss is the kind
  };
}

function writeTablesAndPlots({ out, figures, grid }, { rows, roomRows, curve }) {
  writeFileSync(join(out, 'results.csv'), toCSV(RESULT_COLUMNS, rows));
  writeFileSync(join(out, 'room.csv'), toCSV(ROOM_COLUMNS, roomRows));
  writeFileSync(join(figures, 'verification-curve.csv'), toCSV(CURVE_COLUMNS, curve));
  writeFileSync(join(figures, 'beta-sweep.svg'), betaSweepSVG(rows, grid));
  writeFileSync(join(figures, 'verification-curve.svg'), curveSVG(curve, grid));
  writeFileSync(join(figures, 'room.svg'), roomSVG(roomRows, grid));
}

/** Fig. 2 as PNGs, one per C; a failure to draw becomes a note in the report, not an error. */
async function drawFig2({ grid, figures, browser }, fig2Results) {
  if (!browser) return { fig2Files: [], fig2Note: 'Fig. 2 was not rendered (--no-browser).' };
  const fig2Files = [];
  try {
    for (const classes of grid.fig2.classes) {
      const name = `fig2-${classes}-classes.png`;
      await renderFeatureGrid(fig2Grid(fig2Results, grid, classes), join(figures, name));
      fig2Files.push({ classes, name });
    }
  } catch (err) {
    const fig2Note = `Fig. 2 was not rendered: ${err.message}`;
    console.error(`experiment: ${fig2Note}`);
    return { fig2Files, fig2Note };
  }
  return { fig2Files, fig2Note: '' };
}

/** What the runs trained with, from the library itself: its training defaults, and
 *  each loss as its preset resolves (the 3-D one, as every run above 2-D uses). */
export async function libraryDefaults(grid) {
  const iam = await loadIAM();
  const losses = Object.fromEntries(grid.losses.map((loss) => [loss, iam.defaults('loss_config', lossPreset(loss, 3))]));
  return { train: iam.defaults(), losses };
}

/**
 * The whole experiment but its report: trains every run, writes the CSVs and the
 * figures, and returns what report.mjs makes RESULTS.md of.
 */
export async function runExperiment(settings) {
  mkdirSync(settings.figures, { recursive: true });
  const t0 = performance.now();
  const trained = await train(settings, t0);
  const tables = tabulate(trained, settings.grid);
  writeTablesAndPlots(settings, tables);
  const { fig2Files, fig2Note } = await drawFig2(settings, tables.fig2Results);
  const { grid, seeds, steps, command } = settings;
  const run = {
    library: await libraryDefaults(grid),
    grid, seeds, steps, jobs: Math.min(settings.jobs, trained.jobs.length), runs: trained.jobs.length, simd: trained.simd,
    sweepMs: trained.sweepMs, totalMs: performance.now() - t0, command,
    date: new Date().toISOString().slice(0, 10), node: process.version,
    runMs: { beta: tables.rows.reduce((a, r) => a + r.ms, 0), room: tables.roomRows.reduce((a, r) => a + r.ms, 0) },
  };
  return { run, ...tables, fig2Files, fig2Note };
}

function printSummary({ out, figures }, { run, rows, roomRows, fig2Results }) {
  const rel = (p) => relative(process.cwd(), p) || '.';
  console.log(`experiment: ${run.runs} runs (${rows.length} β-sweep, ${roomRows.length} room, ${fig2Results.length} Fig. 2) ` +
    `on ${run.jobs} worker${run.jobs > 1 ? 's' : ''} in ${clock(run.totalMs)} (training ${clock(run.sweepMs)}), ${run.simd ? 'SIMD' : 'scalar'} wasm`);
  const diverged = [...rows, ...roomRows].filter((r) => r.status !== 'ok').length;
  if (diverged) console.log(`experiment: ${diverged} run(s) diverged (status column of the CSVs)`);
  console.log(`experiment: wrote ${rel(join(out, 'RESULTS.md'))}, ${rel(join(out, 'results.csv'))}, ${rel(join(out, 'room.csv'))}, ${rel(figures)}/`);
}

export async function main(argv) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`experiment: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (args.help) { console.log(usage()); return 0; }
  const settings = settingsOf(args, argv);
  const results = await runExperiment(settings);
  writeReport(join(settings.out, 'RESULTS.md'), results);
  printSummary(settings, results);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await main(process.argv.slice(2));
