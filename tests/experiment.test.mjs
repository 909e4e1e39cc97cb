// experiment.test.mjs: the experiment runner (experiment/run.mjs) on a tiny sweep, its
// flags, its plan of the full run, the faces it trains on (experiment/faces.mjs), the
// open-set runs (experiment/openset.mjs), the primary comparison and the report's named
// numbers and template (experiment/facesreport.mjs, report.mjs, report.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plan, planTune, tunedMargins, parseArgs, settingsOf, runExperiment, tabulate, FULL, QUICK } from '../experiment/run.mjs';
import { reportValues, fillTemplate, REPORT_TEMPLATE } from '../experiment/report.mjs';
import { chosenBeta, primary, verdict, paired, PRIMARY } from '../experiment/facesreport.mjs';
import { FACES_COLUMNS, CEILING_COLUMNS, ROOM_COLUMNS, COST_COLUMNS, parseCSV, toCSV, mean, std } from '../experiment/table.mjs';
import { makeFaces, FACES } from '../experiment/faces.mjs';
import { cosineLr, testGeometry } from '../experiment/openset.mjs';
import { smallMultiples, niceTicks } from '../experiment/plot.mjs';

const RUNNER = fileURLToPath(new URL('../experiment/run.mjs', import.meta.url));
const run = (...args) => spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 120000 });
const inRange = (v, lo, hi) => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
const withoutMs = (csv) => csv.split('\n').map((line) => line.replace(/,\d+,(ok|diverged[^,]*)$/, ',·,$1')).join('\n');

test('a tiny run (--quick) writes every open-set run, the ceilings, the room sweep, the figures and a report; a rerun gives the same numbers', () => {
  const out = mkdtempSync(join(tmpdir(), 'iam-experiment-'));
  const again = mkdtempSync(join(tmpdir(), 'iam-experiment-again-'));
  try {
    const result = run('--quick', '--out', out, '--jobs', '2');
    assert.equal(result.status, 0, `runner failed: ${result.stderr}`);
    assert.match(result.stdout, /experiment: \d+ runs/);
    const F = QUICK.faces;

    const { header, rows } = parseCSV(readFileSync(join(out, 'faces.csv'), 'utf8'));
    assert.deepEqual(header, FACES_COLUMNS);
    const count = (group) => rows.filter((r) => r.group === group).length;
    const tune = Object.values(F.tune.margins).reduce((a, m) => a + m.length, 0) * F.tune.scales.length + F.tune.probes.length;
    assert.equal(count('tune'), tune);
    assert.equal(rows.filter((r) => r.group === 'tune' && r.margin === null).map((r) => r.lr).join(), F.tune.probes.map((p) => p.lr).join(), 'the probes, at their own rates');
    assert.equal(count('faces'), F.losses.length * F.betas.length * F.seeds);
    assert.equal(count('variant'), F.variants.list.length * F.variants.seeds);
    assert.equal(count('knob'), F.knobs.settings.length * F.knobs.losses.length * F.knobs.betas.length * F.knobs.seeds);
    assert.equal(count('long'), F.long.losses.length * F.long.betas.length * F.long.seeds);
    assert.equal(count('ceiling'), F.linearSeeds, 'a linear network on the first seeds');
    for (const r of rows) {
      assert.equal(r.status, 'ok', `${r.group} ${r.loss} β=${r.beta}: ${r.status}`);
      const [steps, every] = r.group === 'long' ? [F.long.steps, F.long.evalEvery] : [F.steps, F.evalEvery];
      assert.equal(r.steps, steps);
      assert.ok(r.chosen_step >= every && r.chosen_step <= steps && r.chosen_step % every === 0, `chosen step ${r.chosen_step}`);
      assert.ok(r.val_chosen >= r.val_final, 'the chosen checkpoint is the best on validation');
      for (const k of ['val_final', 'val_chosen', 'verify_acc', 'tar_far_1e3', 'tar_far_1e4', 'rank1', 'c_verify_acc', 'c_tar_far_1e3', 'c_tar_far_1e4', 'c_rank1', 'test_acc'])
        assert.ok(inRange(r[k], 0, 1), `${k} = ${r[k]}`);
      assert.ok(r.tar_far_1e4 <= r.tar_far_1e3 + 1e-9, 'a stricter FAR accepts fewer');
      if (r.chosen_step === r.steps)
        for (const k of ['verify_acc', 'tar_far_1e3', 'rank1']) assert.equal(r[`c_${k}`], r[k], 'the chosen checkpoint is the last one');
      for (const k of ['genuine_deg', 'impostor_deg', 'to_weight_deg', 'mean_nn_weight_angle_deg']) assert.ok(inRange(r[k], 0, 180), `${k} = ${r[k]}`);
    }
    // the readings and stops reach the loss: their runs differ from the default reading's
    const def = rows.find((r) => r.group === 'faces' && r.loss === F.variants.loss && r.beta === F.variants.beta && r.seed === 1);
    for (const r of rows.filter((x) => x.group === 'variant'))
      assert.ok(r.iam !== def.iam || r.base !== def.base, `${r.variant} trains differently from the default`);
    // the tuned margin is one of the tried ones, and the runs use it
    const arc = rows.filter((r) => r.group === 'faces' && r.loss === 'arcface');
    assert.ok(F.tune.margins.arcface.includes(arc[0].margin) && arc.every((r) => r.margin === arc[0].margin));

    const ceilings = parseCSV(readFileSync(join(out, 'ceilings.csv'), 'utf8'));
    assert.deepEqual(ceilings.header, CEILING_COLUMNS);
    assert.equal(ceilings.rows.length, 2 * F.seeds + F.linearSeeds, 'raw and LDA on every seed, the linear network on the first');
    const cost = parseCSV(readFileSync(join(out, 'cost.csv'), 'utf8'));
    assert.deepEqual(cost.header, COST_COLUMNS);
    assert.deepEqual(cost.rows.map((r) => r.classes), F.cost.classes);
    for (const r of cost.rows) {
      assert.ok(r.ms_per_step > 0 && r.steps_timed === F.cost.steps, `cost at ${r.classes} classes`);
      assert.equal(r.weight_bytes, 4 * r.classes * r.dim, 'the class weights, C × d floats');
    }
    assert.deepEqual(new Set(ceilings.rows.map((r) => r.method)), new Set(['raw', 'lda', 'linear']));
    const room = parseCSV(readFileSync(join(out, 'room.csv'), 'utf8'));
    assert.deepEqual(room.header, ROOM_COLUMNS);
    assert.equal(room.rows.length, QUICK.room.losses.length * QUICK.room.classes.length * QUICK.room.dims.length * QUICK.room.betas.length);
    for (const r of room.rows) assert.equal(r.packing_limit_deg, 360 / r.classes, '2-D packing limit is 360°/C');

    const report = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    assert.match(report, /^# IAM and open-set verification/);
    assert.match(report, /Reduced run/, 'a quick report says it is reduced');
    assert.match(report, /Jingna Sun, Wenming Yang, Riqiang Gao, Jing-Hao Xue and Qingmin Liao/);
    assert.match(report, /10\.1016\/j\.image\.2019\.115636/);
    for (const heading of ['## In short', '## 1. Open-set verification on synthetic faces', '### The ceilings', "### IAM's readings and stops",
      '### The knobs', '## 2. Low-dimensional geometry', '### Fig. 2 in miniature'])
      assert.ok(report.includes(heading), `report lacks ${heading}`);
    const primaryRows = report.split('\n').filter((line) => /^\| (NormFace|ArcFace) \| (0|0\.5) \| \d/.test(line));
    assert.equal(primaryRows.length, 2, 'a primary row per loss');
    assert.ok(!/NaN|undefined/.test(report), 'no NaN or undefined in the report');
    for (const [, file] of report.matchAll(/\]\((figures\/[^)]+)\)/g)) assert.ok(existsSync(join(out, file)), `${file} is linked but missing`);
    for (const name of ['faces-beta.svg', 'faces-curve.svg', 'room.svg']) {
      const svg = readFileSync(join(out, 'figures', name), 'utf8');
      assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /<polyline points="[\d. ,]+"/);
      assert.ok(!svg.includes('NaN'), `${name} has a NaN coordinate`);
    }

    // the same command again: the same numbers, to the digit (only the times differ)
    const second = run('--quick', '--out', again, '--jobs', '1', '--no-browser');
    assert.equal(second.status, 0, second.stderr);
    for (const name of ['faces.csv', 'ceilings.csv', 'room.csv'])
      assert.equal(withoutMs(readFileSync(join(again, name), 'utf8')), withoutMs(readFileSync(join(out, name), 'utf8')), `${name} is reproducible`);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(again, { recursive: true, force: true });
  }
});

test('bad flags print the usage and exit 2', () => {
  for (const args of [['--bogus'], ['--seeds', '0'], ['--steps', 'many'], ['--jobs'], ['--out']]) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args.join(' ')} exited ${result.status}`);
    assert.match(result.stderr, /usage: \.\/build\.sh experiment/);
  }
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--quick/);
  assert.deepEqual(parseArgs(['--seeds', '3', '--steps', '500', '--jobs', '2', '--out', 'x']),
    { quick: false, out: 'x', seeds: 3, steps: 500, jobs: 2, browser: true, reportOnly: false });
});

test('the full plan: the margins per scale first, then every loss × β × 10 seeds, the readings, the knobs, the ceilings, the room sweep', () => {
  const F = FULL.faces;
  const tune = planTune(FULL);
  assert.equal(tune.length, 3 * 3 + 3, 'a margin per scale, and NormFace at s = 64 at three rates');
  assert.ok(tune.every((j) => j.config.loss.beta === 0 && j.faces.seed === F.tune.seed), 'tuning: β = 0, a seed of its own');
  const probes = tune.filter((j) => j.meta.probe);
  assert.deepEqual(probes.map((j) => [j.config.loss.scale, j.config.lr, j.schedule.lr]), [[64, 0.1, 0.1], [64, 0.3, 0.3], [64, 1, 1]]);
  assert.ok(tune.every((j) => j.faces.seed > F.seeds), 'the tuning faces are none of the test seeds');
  const margins = tunedMargins(tune.map((j, k) => ({ id: j.id, valChosen: j.meta.margin === 0.2 ? 0.5 : 0.1 * k / tune.length })), tune);
  assert.deepEqual(margins, { arcface: { 16: 0.2, 32: 0.2, 64: 0.2 } });

  const jobs = plan(FULL, { seeds: null, steps: FULL.steps }, { arcface: { 16: 0.1, 32: 0.2, 64: 0.35 } });
  const faces = jobs.filter((j) => j.group === 'faces');
  assert.equal(faces.length, 2 * 6 * 10);
  assert.deepEqual(new Set(faces.map((j) => j.meta.beta)), new Set([0, 0.05, 0.1, 0.2, 0.5, 1]));
  assert.deepEqual(new Set(faces.map((j) => j.meta.seed)), new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  for (const j of faces) {
    assert.equal(j.config.loss.beta, j.meta.beta);
    assert.equal(j.config.seed, j.meta.seed);
    assert.equal(j.faces.seed, j.meta.seed, 'a seed fixes the faces too');
    assert.equal(j.config.optimizer, 'sgd');
    assert.ok(j.config.momentum > 0 && j.config.weightDecay > 0);
    assert.equal(j.config.loss.scale, 32);
    assert.equal(j.config.dim, 64);
    if (j.meta.loss === 'arcface') assert.equal(j.config.loss.margin, 0.2, 'the tuned margin at s = 32');
  }
  const knobs = jobs.filter((j) => j.group === 'knob');
  assert.deepEqual(new Set(knobs.map((j) => `${j.config.dim}/${j.config.loss.scale}`)), new Set(['128/32', '64/16']));
  assert.ok(knobs.filter((j) => j.meta.loss === 'arcface').every((j) => j.config.loss.margin === { 16: 0.1, 32: 0.2, 64: 0.35 }[j.config.loss.scale]),
    'each scale with its own margin');
  const long = jobs.filter((j) => j.group === 'long');
  assert.equal(long.length, 2 * 2 * F.long.seeds);
  assert.ok(long.every((j) => j.schedule.steps === 4 * F.steps && j.schedule.lr === F.optim.lr), 'the same schedule, four times as long');
  assert.ok(jobs.indexOf(long[0]) < jobs.indexOf(faces[0]), 'the longest runs first');
  assert.deepEqual(jobs.filter((j) => j.group === 'cost').map((j) => j.faces.train), [1000, 2000, 5000, 10000]);
  const variants = jobs.filter((j) => j.group === 'variant');
  assert.equal(variants.length, 5 * 10);
  assert.deepEqual(new Set(variants.map((j) => j.meta.variant)), new Set(['log-odds', 'push-only', 'stop W', 'stop x', 'weights']));
  assert.ok(variants.every((j) => j.config.loss.beta === F.variants.beta));
  assert.equal(jobs.filter((j) => j.group === 'ceiling').length, 10);
  assert.deepEqual(jobs.filter((j) => j.group === 'ceiling').map((j) => j.linear), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k <= F.linearSeeds));
  assert.ok(jobs.filter((j) => j.group === 'ceiling').every((j) => j.config.hidden.length === 0), 'the linear network has no hidden layer');
  const wide = jobs.filter((j) => j.group === 'wide');
  assert.ok(wide.length > 0 && wide.every((j) => j.faces.train === 2000));
  const room = jobs.filter((j) => j.group === 'room');
  assert.deepEqual(new Set(room.map((j) => j.meta.classes)), new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  assert.equal(new Set(jobs.map((j) => j.id)).size, jobs.length);
  assert.equal(PRIMARY.metric, 'c_tar_far_1e3', 'the primary metric named before the runs');
});

test('the faces: the same seed gives the same faces, the splits differ, the renderer is not linear in the identity', () => {
  const spec = { seed: 3, train: 20, val: 10, test: 12, perTrain: 6, perEval: 4 };
  const a = makeFaces(spec), b = makeFaces(spec), c = makeFaces({ ...spec, seed: 4 });
  assert.deepEqual(a.train.x, b.train.x);
  assert.notDeepEqual(a.train.x, c.train.x);
  assert.equal(a.train.x.length, 20 * 6 * FACES.dim);
  assert.deepEqual([...a.test.labels.slice(0, 13)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0], 'interleaved by identity');
  // the test people do not depend on how many are trained
  assert.deepEqual(makeFaces({ ...spec, train: 30 }).test.x, a.test.x);
  assert.notDeepEqual(a.val.x.slice(0, 64), a.test.x.slice(0, 64));
  // with no pose, no jitter and no noise, one person's images differ only by the nuisance;
  // the pose then moves them far further: it is what only a non-linear map can undo
  const spread = (world) => {
    const f = makeFaces({ ...spec, train: 2, perTrain: 30 }, { ...FACES, ...world });
    const x = f.train.x, D = f.dim, n = x.length / D, m = new Float64Array(D);
    for (let i = 0; i < n; i += 2) for (let k = 0; k < D; k++) m[k] += x[i * D + k] / (n / 2);
    let s = 0;
    for (let i = 0; i < n; i += 2) for (let k = 0; k < D; k++) s += (x[i * D + k] - m[k]) ** 2;
    return s / (n / 2);
  };
  const still = spread({ pose: 0, jitter: 0, noise: 0 }), turned = spread({ jitter: 0, noise: 0 });
  assert.ok(turned > 1.5 * still, `the pose spreads one identity's images (${still.toFixed(3)} → ${turned.toFixed(3)})`);
});

test('the open-set run: the cosine schedule, and the geometry of unseen faces on constructed embeddings', () => {
  assert.equal(cosineLr(0.3, 0, 100), 0.3);
  assert.ok(Math.abs(cosineLr(0.3, 50, 100) - 0.15) < 1e-12);
  assert.ok(Math.abs(cosineLr(0.3, 100, 100)) < 1e-12);
  // two identities, two images each; identity 0 along x, identity 1 along y, images 10° apart
  const r = Math.PI / 180, e = new Float32Array([1, 0, Math.cos(10 * r), Math.sin(10 * r), 0, 1, -Math.sin(10 * r), Math.cos(10 * r)].map((v) => v * 3));
  const g = testGeometry(e, 2, new Int32Array([0, 0, 1, 1]), new Float32Array([1, 0]));
  assert.ok(Math.abs(g.genuine_deg - 10) < 1e-3, `genuine ${g.genuine_deg}`);
  assert.ok(g.impostor_deg > 80 && g.impostor_deg < 100, `impostor ${g.impostor_deg}`);
  assert.ok(Math.abs(g.to_weight_deg - 0) < 1e-3, 'face 0 (the only one sampled) lies on the weight');
});

// Rows made up for the primary comparison: β = 0.2 is best on validation for NormFace, and
// raises the test metric by 2 points on every seed; ArcFace's validation prefers β = 0.
function madeUpRows() {
  const rows = [];
  for (const loss of ['normface', 'arcface'])
    for (const beta of FULL.faces.betas)
      for (let seed = 1; seed <= 10; seed++) {
        const best = loss === 'normface' && beta === 0.2;
        rows.push({ group: 'faces', loss, beta, seed, status: 'ok', val_chosen: (best ? 0.3 : loss === 'arcface' && beta === 0 ? 0.4 : 0.2) + seed * 1e-3,
          [PRIMARY.metric]: 0.2 + seed * 0.01 + (best ? 0.02 + 0.0005 * seed : 0), tar_far_1e3: 0.2 + seed * 0.01 });
      }
  return rows;
}

test('the primary comparison: β chosen on validation only, paired by seed, a verdict only where the CI excludes 0', () => {
  const rows = madeUpRows(), F = FULL.faces;
  assert.equal(chosenBeta(rows, F, 'normface'), 0.2);
  assert.equal(chosenBeta(rows, F, 'arcface'), 0);
  const p = primary(rows, F, 'normface');
  assert.equal(p.beta, 0.2);
  assert.equal(p.chosen.n, 10);
  assert.equal(p.chosen.wins, 10);
  assert.ok(Math.abs(p.chosen.mean - 0.02275) < 1e-9, `mean ${p.chosen.mean}`);
  assert.ok(p.chosen.lo > 0 && p.chosen.hi < 0.03);
  assert.ok(Math.abs(p.chosen.p - 2 / 1024) < 1e-12, 'all ten seeds better: the exact signed-rank p');
  assert.equal(verdict(p.chosen), 'raised');
  assert.equal(verdict({ n: 10, lo: -0.01, hi: 0.02 }), 'did not change detectably');
  assert.equal(verdict({ n: 10, lo: -0.03, hi: -0.01 }), 'lowered');
  // the test metric never enters the choice: making β = 1 best on test changes nothing
  const swapped = rows.map((r) => (r.loss === 'normface' && r.beta === 1 ? { ...r, [PRIMARY.metric]: 0.9 } : r));
  assert.equal(chosenBeta(swapped, F, 'normface'), 0.2);
  // a seed missing on one side is left out of the pairing
  assert.equal(paired(rows.filter((r) => r.beta === 0 && r.loss === 'normface' && r.seed > 1), rows.filter((r) => r.beta === 0.2 && r.loss === 'normface'), PRIMARY.metric).n, 9);
});

test('the template language: values, formats, ranges, sections, and its errors', () => {
  const fill = fillTemplate;
  assert.equal(fill('a {{x}} b {{y|pct}} c {{z|deg}}', { x: 3, y: 0.71234, z: 56.34 }), 'a 3 b 71.2 c 56.3°');
  assert.equal(fill('{{r|pct}} and {{same|fixed2}}', { r: [0.5, 0.75], same: [0.301, 0.299] }), '50.0 to 75.0 and 0.30');
  assert.equal(fill('{{n|signed_pct}} / {{m|signed_pct}} / {{q|deg}}', { n: -0.011, m: 0.02, q: NaN }), '−1.1 / +2.0 / —');
  assert.equal(fill('seed{{one|s}}, seed{{two|s}}: {{k|runs}}', { one: 1, two: 2, k: 0 }), 'seed, seeds: no run');
  assert.equal(fill('a\n{{#on}}\nyes {{v}}\n{{/on}}\n{{^on}}\nno\n{{/on}}\nb', { on: true, v: 1 }), 'a\nyes 1\nb');
  assert.equal(fill('a\n{{#on}}\nyes {{v}}\n{{/on}}\n{{^on}}\nno\n{{/on}}\nb', { on: false, v: 1 }), 'a\nno\nb');
  assert.equal(fill('(C = 4){{#more}} and C = {{c}}{{/more}}.', { more: false }), '(C = 4).');
  assert.equal(fill('{{! a comment\n  on two lines }}\na{{! inline }}b', {}), 'ab', 'comments are left out');
  assert.throws(() => fill('{{x}}', {}), /no value named 'x'/);
  assert.throws(() => fill('text', { x: 1 }), /never names 'x'/);
  assert.throws(() => fill('{{#s}}a{{/s}}', { s: 1 }), /needs a boolean/);
  assert.throws(() => fill('{{#s}}a', { s: true }), /not closed or not well formed/);
  assert.throws(() => fill('{{x|pct}}', { x: 'words' }), /not a number/);
  assert.throws(() => fill('{{x}}', { x: [1, 2] }), /not a string or a number/);
});

// A full-grid run made up (no training), through the runner's own tabulate(): the only way
// short of the 45-minute run to fill the conclusion, whose words exist only for the full grid.
async function syntheticFullRun() {
  const steps = FULL.steps, margins = { arcface: { 16: 0.1, 32: 0.2, 64: 0.35 } };
  const tuneJobs = planTune(FULL), jobs = plan(FULL, { seeds: null, steps }, margins);
  const random = (seed) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const open = (r) => ({ verify_acc: 0.7 + 0.2 * r(), verify_std: 0.01, tar_far_1e3: 0.2 * r(), tar_far_1e4: 0.05 * r(), rank1: 0.1 * r(), impostor_pairs: 200000, genuine_pairs: 45000 });
  const facesResult = (job, r) => {
    const final = open(r);
    return { id: job.id, status: 'ok', ms: 20000, chosenStep: steps, final, chosen: final, valFinal: 0.2 * r(), valChosen: 0.25 * r(),
      geometry: { genuine_deg: 60 + 10 * r(), impostor_deg: 89, to_weight_deg: 60 }, curve: [{ step: steps, val_tar_far_1e3: 0.2, loss: 1 }],
      metrics: { step: steps, test_acc: 0.8, train_acc: 0.9, min_weight_angle_deg: 50, mean_nn_weight_angle_deg: 60 + 10 * r(), mean_sample_margin_deg: 20, base: 1, iam: -7 } };
  };
  const results = jobs.map((job) => {
    const r = random(job.id + 1), { dim, classes } = job.meta;
    if (job.kind === 'faces') return facesResult(job, r);
    if (job.kind === 'ceiling') return { id: job.id, ms: 5000, raw: open(r), lda: open(r), ldaDims: 64, linear: job.linear ? facesResult(job, r) : null, linearMs: 4000 };
    if (job.kind === 'cost') return { id: job.id, ms: 900, msPerStep: 8 * classes / 1000, stepsTimed: 40, batch: 256, weightBytes: 4 * classes * dim, status: 'ok' };
    const minAngle = 5 + 30 * r(), limit = dim === 2 ? 360 / classes : 2 * minAngle + 10;
    const metrics = { step: steps, test_acc: 0.5 + 0.5 * r(), train_acc: 0.9, min_weight_angle_deg: minAngle, mean_nn_weight_angle_deg: minAngle + 20 * r(),
      min_center_angle_deg: 20, mean_nn_center_angle_deg: 40, packing_limit_deg: limit, min_sample_margin_deg: -30, mean_sample_margin_deg: 30, base: 1, iam: -1 };
    return { id: job.id, metrics, ms: 10, status: 'ok', snapshot: job.snapshot ? { metrics } : undefined };
  });
  const tuneResults = tuneJobs.map((job) => facesResult(job, random(job.id + 7)));
  const trained = { jobs, results, tuneJobs, tuneResults };
  const tables = tabulate(trained, FULL);
  const run = {
    grid: FULL, seeds: null, steps, jobs: 2, runs: jobs.length + tuneJobs.length, simd: true, sweepMs: 1000, totalMs: 2000, margins,
    faces: FACES, protocolCounts: { impostor_pairs: 200000, genuine_pairs: 45000 },
    command: './build.sh experiment', date: '2020-01-01', node: process.version,
    runMs: { faces: 500, room: 500 },
  };
  return { run, ...tables, fig2Files: [{ classes: 4, name: 'fig2-4-classes.png' }, { classes: 8, name: 'fig2-8-classes.png' }], fig2Note: '' };
}

test('a full grid fills the whole template, conclusion included', async () => {
  const values = reportValues(await syntheticFullRun());
  assert.equal(values.complete, true);
  assert.equal(values.reduced, false);
  assert.equal(values.geometry_complete, true);
  assert.equal(values.wide, true);
  assert.equal(values.seeds, 10);
  for (const loss of ['normface', 'arcface']) {
    assert.ok(FULL.faces.betas.includes(values[`primary_${loss}_beta`]));
    assert.match(values[`primary_${loss}_verdict`], /^(raised|lowered|did not change detectably|was not compared \(validation chose β = 0\))$/);
  }
  const report = fillTemplate(readFileSync(REPORT_TEMPLATE, 'utf8'), values);
  assert.ok(!/Reduced run/.test(report));
  const short = report.slice(report.indexOf('## In short'), report.indexOf('## 1. Open-set'));
  assert.match(short, /\*\*The regime\.\*\*/);
  assert.ok(!/NaN|undefined|\{\{/.test(report), 'every number is filled in');
  assert.ok(report.includes('### 2000 training identities'));
  assert.ok(report.includes('### Convergence: four times the steps'));
  assert.match(report, /\| 10,000 \| 80\.0 \| 10\.0 \| 2500 KiB \|/, 'the cost of 10,000 classes');
  assert.ok(report.includes('- `figures/fig2-8-classes.png`: drawn by `web/view2d.js` in Chromium (`experiment/render.mjs`).'));
});

test('the table helpers and the plot writer', () => {
  assert.equal(mean([1, 2, 3, NaN]), 2);
  assert.ok(Math.abs(std([1, 2, 3, 4]) - Math.sqrt(5 / 3)) < 1e-12, 'sample std (n − 1)');
  assert.equal(std([5]), 0);
  const csv = toCSV(['a', 'b', 'c'], [{ a: 1, b: 'x,y', c: null }, { a: -2.5, b: 'ok', c: 0 }]);
  assert.equal(csv, 'a,b,c\n1,"x,y",\n-2.5,ok,0\n');
  assert.deepEqual(parseCSV(csv).rows, [{ a: 1, b: 'x,y', c: null }, { a: -2.5, b: 'ok', c: 0 }]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const svg = smallMultiples({ title: 'T', panels: [{ title: 'p', series: [{ label: 's', color: '#000', points: [{ x: 0, y: 1, err: 0.1 }, { x: 1, y: 2 }] }] }], legend: [{ label: 's', color: '#000' }] });
  assert.match(svg, /<polyline points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
});
