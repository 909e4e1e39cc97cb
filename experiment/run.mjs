// run.mjs: the paper's claim, tested, behind `./build.sh experiment -- …` (the entry point;
// the other files of experiment/ are its helpers).
//
//   ./build.sh experiment                 # the full run (46 minutes on 2 cores): docs/faces.csv,
//                                         # docs/ceilings.csv, docs/room.csv, docs/figures/*, docs/RESULTS.md
//   ./build.sh experiment -- --quick --out /tmp/x   # a tiny run in seconds (the tests run this)
//   ./build.sh experiment -- --report-only          # RESULTS.md again from the last run, after editing report.md
//
// It asks two questions of Sun et al. (2020):
//   1. the open-set study (the primary question): does IAM improve verification of people the
//      network never saw? Synthetic faces (experiment/faces.mjs) that no linear map can
//      verify, three disjoint sets of identities (train, validation, test), SGD on a cosine
//      schedule (and the same schedule four times as long, to see what more steps change),
//      β and the checkpoint chosen on validation, the protocol of experiment/protocol.mjs
//      on the test identities, ≥ 10 seeds paired, with the readings and stops of IAM, the
//      dimension and the scale (margins retuned per scale), 2,000 identities, and what a
//      step costs up to 10,000. Stage 1 tunes the margins on validation; stage 2 runs the rest.
//   2. low-dimensional geometry: the room sweep (C = 3…12 blobs, 2-D and 3-D, β ∈ {0, 0.5}:
//      where does IAM stop widening the angles and start merging classes, LOSSES.md, "IAM
//      needs room"?) and Fig. 2 in miniature (2-D features of every loss without and with
//      IAM, drawn by the demo's own CircleView in headless Chromium).
//
// Runs go to a pool of worker threads (experiment/worker.mjs), each with its own
// loadIAM() from the binding in wasm/. Every run is a pure function of its job and
// seeds, so the CSVs do not depend on --jobs or on the order the runs finish in; only
// the ms column does. The report's prose lives in experiment/report.md, a template
// whose named numbers report.mjs and facesreport.mjs fill in from the runs each time.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, flagHelp, between } from '../wasm/flags.js';
import { trainerPreset, lossPreset, LOSS_LABELS } from '../wasm/presets.js';
import { smallMultiples, niceTicks } from './plot.mjs';
import { renderFeatureGrid } from './render.mjs';
import { FACES } from './faces.mjs';
import { writeReport } from './report.mjs';
import { FACES_COLUMNS, FACES_CURVE_COLUMNS, CEILING_COLUMNS, ROOM_COLUMNS, toCSV, facesRow, facesCurveRows, ceilingRows, roomRow, costRow, COST_COLUMNS, mean, std } from './table.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The full sweep (the defaults) and the tiny one (--quick). Seeds can be overridden by a
// flag; everything else is fixed here, so that a report names its grid.
//
// faces: the open-set study (experiment/openset.mjs). Its primary comparison, named here
// before any run: per loss, the β chosen on the validation identities against β = 0,
// on the test identities' TAR at FAR = 1e-3 at the checkpoint chosen on validation,
// paired over seeds (95% CI, signed-rank test). Everything else is secondary.
const FACES_FULL = Object.freeze({
  data: { train: 1000, val: 500, test: 1000, perTrain: 50, perEval: 10 },
  net: { hidden: [128, 128], dim: 64 },
  // SGD with momentum and weight decay, a cosine schedule from lr to 0: 2,400 steps of 256
  // faces, about 13 epochs of the 47,500 training faces (the validation score has flattened)
  optim: { optimizer: 'sgd', lr: 0.3, momentum: 0.9, weightDecay: 5e-4, batchSize: 256, testFraction: 0.05, evalRows: 4000 },
  steps: 2400, evalEvery: 300, lrEvery: 50,
  scale: 32,
  losses: ['normface', 'arcface'],
  betas: [0, 0.05, 0.1, 0.2, 0.5, 1],
  seeds: 10,
  // the margins, retuned for each scale on validation (one seed of its own, β = 0); and
  // NormFace at s = 64 with other learning rates (at lr 0.3 it does not train)
  tune: { seed: 1001, scales: [16, 32, 64], margins: { arcface: [0.1, 0.2, 0.35] },
    probes: [0.1, 0.3, 1].map((lr) => ({ loss: 'normface', scale: 64, lr })) },
  // β = 1 below: the β that validation chose for both losses in the last full run, fixed
  // before this one (so that the runs which use it need no third stage)
  // the knobs: the dimension and the scale (s = 64 is left to stage 1: it does not train), fewer seeds
  knobs: { seeds: 4, losses: ['normface', 'arcface'], betas: [0, 1], settings: [{ dim: 128, scale: 32 }, { dim: 64, scale: 16 }] },
  // the readings and the stops of IAM (iamVariant, iamStop), NormFace at one β
  variants: { loss: 'normface', beta: 1, seeds: 10,
    list: [{ iamVariant: 'log-odds' }, { iamVariant: 'push-only' }, { iamStop: 'W' }, { iamStop: 'x' }, { iamVariant: 'weights' }] },
  // convergence: four times the steps (the same cosine schedule, stretched), fewer seeds
  long: { steps: 9600, evalEvery: 600, seeds: 2, losses: ['normface', 'arcface'], betas: [0, 1] },
  // more identities: 2,000 (25 faces each), NormFace; and what a step costs up to 10,000
  wide: { train: 2000, perTrain: 25, seeds: 2, loss: 'normface', betas: [0, 1] },
  cost: { classes: [1000, 2000, 5000, 10000], warmup: 10, steps: 40 },
  // the linear network of the ceilings (a full training run each): the first seeds only
  linearSeeds: 3,
  protocol: { seed: 77, valImpostors: 100000, test: { folds: 10, same: 300, diff: 300, impostors: 200000, probeFraction: 0.5 } },
});

const FACES_QUICK = Object.freeze({
  ...FACES_FULL,
  data: { train: 40, val: 20, test: 40, perTrain: 8, perEval: 6 },
  net: { hidden: [32], dim: 16 },
  optim: { ...FACES_FULL.optim, batchSize: 64, evalRows: 200, testFraction: 0.2 },
  steps: 60, evalEvery: 20, lrEvery: 20,
  betas: [0, 0.5], seeds: 2,
  tune: { seed: 1001, scales: [32], margins: { arcface: [0.2, 0.3] }, probes: [{ loss: 'normface', scale: 32, lr: 0.1 }] },
  knobs: { seeds: 1, losses: ['normface'], betas: [0, 0.5], settings: [{ dim: 32, scale: 16 }] },
  variants: { loss: 'normface', beta: 0.5, seeds: 1, list: [{ iamVariant: 'push-only' }, { iamStop: 'x' }] },
  long: { steps: 120, evalEvery: 40, seeds: 1, losses: ['normface'], betas: [0, 0.5] },
  wide: null,
  cost: { classes: [40, 80], warmup: 2, steps: 4 },
  linearSeeds: 1,
  protocol: { seed: 77, valImpostors: 2000, test: { folds: 4, same: 20, diff: 20, impostors: 5000, probeFraction: 0.5 } },
});

export const FULL = Object.freeze({
  name: 'full',
  seeds: 5,   // the room sweep's; the faces study has its own
  steps: 2000,
  faces: FACES_FULL,
  room: { losses: ['normface', 'arcface'], classes: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], dims: [2, 3], betas: [0, 0.5] },
  // Fig. 2: one roomy circle (C = 4) and one crowded one (C = 8), seed 1, every loss
  fig2: { losses: ['softmax', 'normface', 'sphereface', 'cosface', 'arcface'], classes: [4, 8], betas: [0, 0.5], seed: 1, points: 320 },
});

export const QUICK = Object.freeze({
  name: 'quick',
  seeds: 1,
  steps: 60,
  faces: FACES_QUICK,
  room: { losses: ['normface'], classes: [3, 8], dims: [2], betas: [0, 0.5] },
  fig2: { losses: ['normface', 'arcface'], classes: [4], betas: [0, 0.5], seed: 1, points: 120 },
});

// The flags, once: what util.parseArgs needs (type, short) and what usage() prints.
const positive = between(1, 1e9);
const FLAGS = {
  '--quick': { help: 'a tiny run (40 identities, 2 losses × 2 β × 2 seeds, 60 steps) in seconds, for the tests' },
  '--out': { value: (v) => (v && !v.startsWith('--') ? v : undefined), arg: 'DIR',
    help: 'where to write faces.csv, ceilings.csv, room.csv, RESULTS.md, figures/ (default docs/)' },
  '--seeds': { value: positive, arg: 'N', help: 'seeds per cell (default: 10 for the faces, 5 for the room sweep)' },
  '--steps': { value: positive, arg: 'N', help: 'steps of a room-sweep and Fig. 2 run (default 2000; --quick: 60)' },
  '--jobs': { value: positive, arg: 'N', help: `worker threads (default: the number of cores, here ${availableParallelism()})` },
  '--no-browser': { help: 'skip the Chromium-rendered Fig. 2 (the rest of the report is written)' },
  '--report-only': { help: 'no training: rewrite RESULTS.md, the CSVs and the SVG figures from the last run of this grid (build/experiment/)' },
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
    jobs: f.jobs ?? null, browser: !f['no-browser'], reportOnly: f['report-only'] ?? false };
}

/** A faces run's job: the data of a seed, the trainer's config, the schedule, the protocol. */
function facesJob(F, { loss, beta, seed, dim = F.net.dim, scale = F.scale, margin, options = {}, data = {}, hidden = F.net.hidden,
  lr = F.optim.lr, steps = F.steps, evalEvery = F.evalEvery }) {
  const lossConfig = { ...lossPreset(loss, 3), scale, beta, ...(margin !== undefined ? { margin } : {}), ...options };
  return {
    kind: 'faces',
    faces: { seed, ...F.data, ...data },
    config: { ...F.optim, lr, hidden, dim, seed, loss: lossConfig },
    schedule: { steps, lr, evalEvery, lrEvery: F.lrEvery },
    protocol: { ...F.protocol, test: { ...F.protocol.test, seed: F.protocol.seed } },
  };
}

/** A cost job: a faces job with 5 faces per identity, one of them held out (the trainer holds
 *  out a whole number per class), timed instead of trained to the end. */
const costJob = (job, cost) => ({ ...job, kind: 'cost', cost, config: { ...job.config, testFraction: 0.2 } });

const variantName = (options) => options.iamVariant ?? (options.iamStop ? `stop ${options.iamStop}` : 'default');

/** Stage one of the faces study: the margins of each scale, on validation (β = 0); and the
 *  probes, other learning rates at one scale (meta.lr set; they tune nothing). */
export function planTune(grid) {
  const F = grid.faces, jobs = [], seed = F.tune.seed;
  const add = (meta, job) => jobs.push({ id: jobs.length, group: 'tune', meta: { beta: 0, seed, dim: F.net.dim, variant: 'default', lr: F.optim.lr, classes: F.data.train, ...meta }, ...job });
  for (const [loss, margins] of Object.entries(F.tune.margins))
    for (const scale of F.tune.scales)
      for (const margin of margins) add({ loss, scale, margin }, facesJob(F, { loss, beta: 0, seed, scale, margin }));
  for (const { loss, scale, lr } of F.tune.probes ?? [])
    add({ loss, scale, margin: null, lr, probe: true }, facesJob(F, { loss, beta: 0, seed, scale, lr }));
  return jobs;
}

/** The margin of each (loss, scale) with the best validation score: { arcface: { 32: 0.2, … } }. */
export function tunedMargins(tuneResults, jobs) {
  const best = {};
  for (const r of tuneResults) {
    if (jobs[r.id].meta.probe) continue;
    const { loss, scale, margin } = jobs[r.id].meta;
    best[loss] ??= {};
    if (!best[loss][scale] || r.valChosen > best[loss][scale].score) best[loss][scale] = { margin, score: r.valChosen };
  }
  return Object.fromEntries(Object.entries(best).map(([loss, by]) => [loss, Object.fromEntries(Object.entries(by).map(([s, b]) => [s, b.margin]))]));
}

/** Stage two, every other run: the faces study with the tuned margins, the room sweep, Fig. 2. */
export function plan(grid, { seeds, steps }, margins = {}) {
  const jobs = [], F = grid.faces;
  const add = (group, meta, job) => jobs.push({ id: jobs.length, group, meta, ...job });
  const marginOf = (loss, scale) => margins[loss]?.[scale];
  const faces = (group, { loss, beta, seed, dim = F.net.dim, scale = F.scale, options = {}, data, classes = F.data.train, hidden, steps, evalEvery }) =>
    add(group, { loss, beta, seed, dim, scale, margin: marginOf(loss, scale) ?? null, variant: variantName(options), classes, lr: F.optim.lr },
      facesJob(F, { loss, beta, seed, dim, scale, margin: marginOf(loss, scale), options, data, hidden, steps, evalEvery }));
  const faceSeeds = seeds ?? F.seeds;
  // what a step costs as the identities grow (timed on the pool, beside the other runs)
  for (const classes of F.cost?.classes ?? [])
    add('cost', { loss: 'normface', beta: 0, seed: 1, dim: F.net.dim, scale: F.scale, classes },
      costJob(facesJob(F, { loss: 'normface', beta: 0, seed: 1, data: { train: classes, perTrain: 5, val: 2, test: 2, perEval: 2 } }), F.cost));
  // the longest runs first, so that the pool ends together; a seed's runs together (one data set)
  if (F.long)
    for (let seed = 1; seed <= F.long.seeds; seed++)
      for (const loss of F.long.losses)
        for (const beta of F.long.betas) faces('long', { loss, beta, seed, steps: F.long.steps, evalEvery: F.long.evalEvery });
  if (F.wide)
    for (let seed = 1; seed <= F.wide.seeds; seed++)
      for (const beta of F.wide.betas)
        faces('wide', { loss: F.wide.loss, beta, seed, classes: F.wide.train, data: { train: F.wide.train, perTrain: F.wide.perTrain } });
  for (let seed = 1; seed <= faceSeeds; seed++) {
    for (const loss of F.losses)
      for (const beta of F.betas) faces('faces', { loss, beta, seed });
    if (seed <= F.variants.seeds)
      for (const options of F.variants.list) faces('variant', { loss: F.variants.loss, beta: F.variants.beta, seed, options });
    if (seed <= F.knobs.seeds)
      for (const { dim, scale } of F.knobs.settings)
        for (const loss of F.knobs.losses)
          for (const beta of F.knobs.betas) faces('knob', { loss, beta, seed, dim, scale });
    // the ceilings: raw inputs and LDA (no training), and a linear network trained like the others
    add('ceiling', { loss: 'normface', beta: 0, seed, dim: F.net.dim, scale: F.scale, margin: null, variant: 'linear', classes: F.data.train, lr: F.optim.lr },
      { ...facesJob(F, { loss: 'normface', beta: 0, seed, hidden: [] }), kind: 'ceiling', linear: seed <= (F.linearSeeds ?? Infinity) });
  }
  const roomSeeds = seeds ?? grid.seeds;
  for (const dim of grid.room.dims)
    for (const classes of grid.room.classes)
      for (const loss of grid.room.losses)
        for (const beta of grid.room.betas)
          for (let seed = 1; seed <= roomSeeds; seed++)
            add('room', { loss, beta, seed, dim, classes, data: 'blobs' },
              { kind: 'trainer', steps, config: trainerPreset(loss, { data: 'blobs', classes, dim, seed }, { beta }) });
  for (const classes of grid.fig2.classes)
    for (const beta of grid.fig2.betas)
      for (const loss of grid.fig2.losses)
        add('fig2', { loss, beta, seed: grid.fig2.seed, dim: 2, classes, data: 'blobs' },
          { kind: 'trainer', steps, config: trainerPreset(loss, { data: 'blobs', classes, dim: 2, seed: grid.fig2.seed }, { beta }),
            snapshot: { points: grid.fig2.points } });
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

const facesOk = (rows, where) => rows.filter((r) => r.status === 'ok' && Object.entries(where).every(([k, v]) => r[k] === v));

/** The faces study's figure: a column per loss, a row per metric, against β; the test
 *  numbers at the validation-chosen checkpoint, with the seed's linear ceilings as lines. */
export function facesSVG(rows, ceilings, grid) {
  const F = grid.faces;
  const ceiling = (method, metric) => mean(ceilings.filter((r) => r.method === method).map((r) => r[metric]));
  const metrics = [
    ['c_tar_far_1e3', 'test TAR at FAR = 1e-3', true],
    ['c_rank1', 'test rank-1 (gallery + distractors)', true],
    ['c_verify_acc', 'test verification accuracy', true],
    ['val_chosen', 'validation TAR at FAR = 1e-3', false],
    ['mean_nn_weight_angle_deg', 'mean NN weight angle (°)', false],
    ['genuine_deg', 'genuine angle, test (°)', false],
  ];
  const panels = [];
  for (const [metric, what, withCeilings] of metrics)
    for (const loss of F.losses)
      panels.push({
        title: `${label(loss)}: ${what}`, xlabel: 'β (evenly spaced, not to scale)', ylabel: what.replace(/ \(.*\)$/, ''),
        xticks: F.betas.map((b, i) => ({ x: i, label: String(b) })),
        hlines: withCeilings ? [['raw', 'raw inputs'], ['lda', 'LDA'], ['linear', 'linear net']].map(([m, l]) => ({ y: ceiling(m, metric.slice(2)), label: l })) : [],
        series: [{
          label: label(loss), color: LOSS_COLORS[loss],
          points: F.betas.map((beta, i) => {
            const v = facesOk(rows, { group: 'faces', loss, beta }).map((r) => r[metric]);
            return { x: i, y: mean(v), err: std(v), dots: v };
          }),
        }],
      });
  return smallMultiples({
    title: `IAM's β on ${F.data.train} identities, tested on ${F.data.test} others: mean ± std over seeds, single seeds as dots`,
    subtitle: 'test numbers at the checkpoint chosen on the validation identities; grey lines: the ceilings of linear methods on the same pairs',
    panels, cols: F.losses.length, panelWidth: 420, panelHeight: 220,
    legend: F.losses.map((loss) => ({ label: label(loss), color: LOSS_COLORS[loss] })),
  });
}

export const BETA_COLORS = ['#222222', '#1f78b4', '#33a02c', '#ff7f00', '#e31a1c', '#6a3d9a'];

/** The validation TAR along training: a panel per loss, a line per β. */
export function facesCurveSVG(curve, grid) {
  const F = grid.faces;
  const steps = [...new Set(curve.filter((r) => r.group === 'faces').map((r) => r.step))].sort((a, b) => a - b);
  const xticks = niceTicks(0, steps[steps.length - 1] ?? 1, 5).map((x) => ({ x, label: String(x) }));
  const panels = F.losses.map((loss) => ({
    title: `${label(loss)}: validation TAR at FAR = 1e-3`, xlabel: 'step', ylabel: 'TAR', xticks,
    series: F.betas.map((beta, bi) => ({
      label: `β = ${beta}`, color: BETA_COLORS[bi % BETA_COLORS.length],
      points: steps.map((step) => {
        const v = curve.filter((r) => r.group === 'faces' && r.loss === loss && r.beta === beta && r.step === step).map((r) => r.val_tar_far_1e3);
        return { x: step, y: mean(v), err: 0 };
      }),
    })),
  }));
  return smallMultiples({
    title: 'Along training: the validation identities (what the checkpoint is chosen by)',
    subtitle: `mean over seeds; SGD with momentum, a cosine schedule to 0 at step ${F.steps}`,
    panels, cols: F.losses.length, panelWidth: 420, panelHeight: 240,
    legend: F.betas.map((beta, bi) => ({ label: `β = ${beta}`, color: BETA_COLORS[bi % BETA_COLORS.length] })),
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
    cells: grid.fig2.losses.map((loss) => {
      const r = fig2Results.find((x) => x.meta.loss === loss && x.meta.beta === beta && x.meta.classes === classes);
      const m = r.snapshot.metrics;
      return { snapshot: r.snapshot, caption: `min ${m.min_weight_angle_deg.toFixed(1)}° of ${m.packing_limit_deg.toFixed(0)}° · test acc ${m.test_acc.toFixed(3)}` };
    }),
  }));
  return {
    heading: `Fig. 2 in miniature: ${classes} blobs, 2-D embedding, seed ${grid.fig2.seed}, ${fig2Results[0].snapshot.step} steps`,
    note: 'Dots: test features on the unit circle; spokes: class weights; outer ring: each direction\'s class, margin band in grey; the smallest angle between neighbouring weights in red.',
    columns: grid.fig2.losses.map(label), rows,
  };
}

/** What a run of the experiment is asked to do: the grid, its sizes, where to write. */
export function settingsOf(args, argv = []) {
  const grid = args.quick ? QUICK : FULL;
  const out = resolve(args.out ?? join(ROOT, 'docs'));
  return {
    grid, seeds: args.seeds, steps: args.steps ?? grid.steps, jobs: args.jobs ?? availableParallelism(),
    out, figures: join(out, 'figures'), browser: args.browser,
    command: `./build.sh experiment${argv.length ? ' -- ' + argv.join(' ') : ''}`,
  };
}

/** Jobs on the pool, with a progress bar on a terminal. */
async function runJobs(jobs, settings, t0, what) {
  const showBar = process.stderr.isTTY;
  if (showBar) { process.stderr.write(`${what}\n`); progressBar(0, jobs.length, t0); }
  const out = await runPool(jobs, settings.jobs, (done, total) => { if (showBar) progressBar(done, total, t0); });
  if (showBar) process.stderr.write('\n');
  return out;
}

/** Both stages: the margins on validation, then every other run with them. */
async function train(settings, t0) {
  const tuneJobs = planTune(settings.grid);
  const tune = await runJobs(tuneJobs, settings, t0, 'stage 1: the margins, on the validation identities');
  const margins = tunedMargins(tune.results, tuneJobs);
  const jobs = plan(settings.grid, settings, margins);
  const { results, simd } = await runJobs(jobs, settings, performance.now(), 'stage 2: every other run');
  return { jobs, results, tuneJobs, tuneResults: tune.results, margins, simd, sweepMs: performance.now() - t0 };
}

/** The results as rows: the faces runs (tuning first), their curves and ceilings, the room
 *  sweep, and Fig. 2's snapshots with their metrics. */
export function tabulate({ jobs, results, tuneJobs, tuneResults }, grid) {
  const byGroup = (g) => results.filter((r) => jobs[r.id].group === g).map((r) => ({ ...r, group: g, meta: jobs[r.id].meta }));
  const tuned = tuneResults.map((r) => ({ ...r, group: 'tune', meta: tuneJobs[r.id].meta }));
  const faceRuns = [...tuned, ...['faces', 'variant', 'knob', 'long', 'wide'].flatMap(byGroup)];
  return {
    facesRows: faceRuns.map(facesRow),
    facesCurve: faceRuns.flatMap(facesCurveRows),
    ceilings: byGroup('ceiling').flatMap(ceilingRows),
    linearRows: byGroup('ceiling').filter((r) => r.linear).map((r) => facesRow({ ...r.linear, id: r.id, ms: r.linearMs, group: 'ceiling', meta: r.meta })),
    costRows: byGroup('cost').map(costRow),
    roomRows: byGroup('room').map(roomRow),
    fig2Results: byGroup('fig2'),
    fig2Metrics: byGroup('fig2').map((r) => ({ ...r.snapshot.metrics, ...r.meta })), // meta's loss is the kind
  };
}

function writeTablesAndPlots({ out, figures, grid }, { facesRows, facesCurve, ceilings, linearRows, roomRows, costRows = [] }) {
  writeFileSync(join(out, 'faces.csv'), toCSV(FACES_COLUMNS, [...facesRows, ...linearRows]));
  writeFileSync(join(out, 'cost.csv'), toCSV(COST_COLUMNS, costRows));
  writeFileSync(join(out, 'ceilings.csv'), toCSV(CEILING_COLUMNS, ceilings));
  writeFileSync(join(out, 'room.csv'), toCSV(ROOM_COLUMNS, roomRows));
  writeFileSync(join(figures, 'faces-curve.csv'), toCSV(FACES_CURVE_COLUMNS, facesCurve));
  writeFileSync(join(figures, 'faces-beta.svg'), facesSVG(facesRows, ceilings, grid));
  writeFileSync(join(figures, 'faces-curve.svg'), facesCurveSVG(facesCurve, grid));
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

/** How many pairs the protocol scored on the test identities (the same for every run). */
function protocolCounts({ results, jobs }) {
  const r = results.find((x) => jobs[x.id].kind === 'faces');
  return { impostor_pairs: r?.final.impostor_pairs ?? 0, genuine_pairs: r?.final.genuine_pairs ?? 0 };
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
    grid, seeds, steps, jobs: Math.min(settings.jobs, trained.jobs.length), runs: trained.jobs.length + trained.tuneJobs.length,
    simd: trained.simd, margins: trained.margins, faces: FACES, protocolCounts: protocolCounts(trained),
    sweepMs: trained.sweepMs, totalMs: performance.now() - t0, command,
    date: new Date().toISOString().slice(0, 10), node: process.version,
    runMs: { faces: [...tables.facesRows, ...tables.linearRows].reduce((a, r) => a + r.ms, 0), room: tables.roomRows.reduce((a, r) => a + r.ms, 0) },
  };
  const results = { run, ...tables, fig2Files, fig2Note };
  // what the report is made of, kept for --report-only (Fig. 2's snapshots are in its PNGs)
  mkdirSync(LAST_RUN_DIR, { recursive: true });
  writeFileSync(lastRunPath(grid), JSON.stringify({ ...results, fig2Results: [] }));
  return results;
}

const LAST_RUN_DIR = join(ROOT, 'build', 'experiment');
const lastRunPath = (grid) => join(LAST_RUN_DIR, `${grid.name}-last.json`);

function printSummary({ out, figures }, { run, facesRows, linearRows, roomRows, fig2Results }) {
  const rel = (p) => relative(process.cwd(), p) || '.';
  const rows = [...facesRows, ...linearRows];
  console.log(`experiment: ${run.runs} runs (${rows.length} faces, ${roomRows.length} room, ${fig2Results.length} Fig. 2) ` +
    `on ${run.jobs} worker${run.jobs > 1 ? 's' : ''} in ${clock(run.totalMs)} (training ${clock(run.sweepMs)}), ${run.simd ? 'SIMD' : 'scalar'} wasm`);
  const diverged = [...rows, ...roomRows].filter((r) => r.status !== 'ok').length;
  if (diverged) console.log(`experiment: ${diverged} run(s) diverged (status column of the CSVs)`);
  console.log(`experiment: wrote ${rel(join(out, 'RESULTS.md'))}, ${rel(join(out, 'faces.csv'))}, ${rel(join(out, 'ceilings.csv'))}, ${rel(join(out, 'room.csv'))}, ${rel(figures)}/`);
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
  if (args.reportOnly) {
    const path = lastRunPath(settings.grid);
    if (!existsSync(path)) { console.error(`experiment: --report-only needs a run of the ${settings.grid.name} grid first (no ${relative(process.cwd(), path)})`); return 2; }
    const last = JSON.parse(readFileSync(path, 'utf8'));
    writeTablesAndPlots({ ...settings, grid: last.run.grid }, last);   // the same CSVs, the SVGs as drawn now
    writeReport(join(settings.out, 'RESULTS.md'), last);
    console.log(`experiment: rewrote ${relative(process.cwd(), join(settings.out, 'RESULTS.md'))} from ${relative(process.cwd(), path)}`);
    return 0;
  }
  const results = await runExperiment(settings);
  writeReport(join(settings.out, 'RESULTS.md'), results);
  printSummary(settings, results);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await main(process.argv.slice(2));
