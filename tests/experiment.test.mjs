// experiment.test.mjs: the experiment runner (experiment/run.mjs) on a tiny sweep,
// its flags, its plan of the full sweep, the report's named numbers and its template
// (experiment/report.md), and the verification metric it reports, checked on
// constructed embeddings whose answer is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plan, parseArgs, settingsOf, runExperiment, tabulate, libraryDefaults, FULL, QUICK } from '../experiment/run.mjs';
import { reportValues, fillTemplate, REPORT_TEMPLATE } from '../experiment/report.mjs';
import { RESULT_COLUMNS, ROOM_COLUMNS, parseCSV, toCSV, mean, std } from '../experiment/table.mjs';
import { smallMultiples, niceTicks } from '../experiment/plot.mjs';

const RUNNER = fileURLToPath(new URL('../experiment/run.mjs', import.meta.url));
const run = (...args) => spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 50000 });

const inRange = (v, lo, hi) => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;

test('a tiny sweep (--quick) writes a well-formed CSV of every run, the room CSV, the figures and a report', () => {
  const out = mkdtempSync(join(tmpdir(), 'iam-experiment-'));
  try {
    const result = run('--quick', '--out', out, '--jobs', '2');
    assert.equal(result.status, 0, `runner failed: ${result.stderr}`);
    assert.match(result.stdout, /experiment: \d+ runs/);

    const { header, rows } = parseCSV(readFileSync(join(out, 'results.csv'), 'utf8'));
    assert.deepEqual(header, RESULT_COLUMNS);
    // 2 losses × 2 β × 1 seed × 2 embedding dims
    assert.equal(rows.length, QUICK.losses.length * QUICK.betas.length * QUICK.dims.length);
    assert.equal(rows.length, 8);
    const cells = new Set(rows.map((r) => `${r.loss} ${r.beta} ${r.dim} ${r.seed}`));
    assert.equal(cells.size, rows.length, 'every (loss, β, dim, seed) appears once');
    for (const r of rows) {
      assert.ok(QUICK.losses.includes(r.loss), r.loss);
      assert.ok(QUICK.betas.includes(r.beta), String(r.beta));
      assert.ok(QUICK.dims.includes(r.dim));
      assert.equal(r.seed, 1);
      assert.equal(r.steps, QUICK.steps);
      assert.equal(r.status, 'ok');
      for (const key of ['test_acc', 'train_acc', 'verify_acc', 'tar_far_1e2', 'input_verify_acc'])
        assert.ok(inRange(r[key], 0, 1), `${key} = ${r[key]}`);
      assert.ok(r.verify_acc >= 0.4, `verification near or above chance (${r.verify_acc})`);
      for (const key of ['min_weight_angle_deg', 'mean_nn_weight_angle_deg', 'min_center_angle_deg', 'heldout_to_weight_deg'])
        assert.ok(inRange(r[key], 0, 180), `${key} = ${r[key]}`);
      assert.ok(r.min_weight_angle_deg <= r.mean_nn_weight_angle_deg + 1e-6, 'the minimum is at most the mean');
      assert.ok(inRange(r.mean_sample_margin_deg, -180, 180));
      assert.ok(inRange(r.ms, 0, 60000));
      // 10 classes in 16-D have a known packing limit (a simplex); in 3-D, 10 is in the Tammes table
      assert.ok(inRange(r.packing_limit_deg, 1, 180), `packing limit ${r.packing_limit_deg}`);
      assert.ok(Math.abs(r.packing_ratio - r.min_weight_angle_deg / r.packing_limit_deg) < 1e-3);
      assert.ok(r.packing_ratio <= 1.01, `no run beats the packing limit (${r.packing_ratio})`);
    }

    const room = parseCSV(readFileSync(join(out, 'room.csv'), 'utf8'));
    assert.deepEqual(room.header, ROOM_COLUMNS);
    assert.equal(room.rows.length, QUICK.room.losses.length * QUICK.room.classes.length * QUICK.room.dims.length * QUICK.room.betas.length);
    for (const r of room.rows) {
      assert.equal(r.packing_limit_deg, 360 / r.classes, '2-D packing limit is 360°/C');
      assert.ok(inRange(r.packing_ratio, 0, 1.01));
      assert.equal(r.merged, r.packing_ratio < 0.25 ? 1 : 0);
    }

    const report = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    assert.match(report, /^# The paper in miniature/);
    assert.match(report, /Reduced run/, 'a quick report says it is reduced');
    for (const heading of ['## Conclusion', '## 1. The β sweep', '## 2. Fig. 2 in miniature', '## 3. IAM needs room'])
      assert.ok(report.includes(heading), `report lacks ${heading}`);
    // the means ± std table has a row per (loss, β) for each dimension, with numbers in it
    const tableRows = report.split('\n').filter((line) => /^\| (NormFace|ArcFace|) \| (0|0\.5) \| \d/.test(line));
    assert.equal(tableRows.length, 8);
    assert.ok(tableRows.every((line) => line.includes('±')));
    assert.ok(!/NaN|undefined/.test(report), 'no NaN or undefined in the report');
    // every figure the report links exists; the SVGs are SVG and have lines in them
    for (const [, file] of report.matchAll(/\]\((figures\/[^)]+)\)/g)) assert.ok(existsSync(join(out, file)), `${file} is linked but missing`);
    for (const name of ['beta-sweep.svg', 'room.svg', 'verification-curve.svg']) {
      const svg = readFileSync(join(out, 'figures', name), 'utf8');
      assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /<\/svg>\n$/);
      assert.match(svg, /<polyline points="[\d. ,]+"/);
      assert.ok(!svg.includes('NaN'), `${name} has a NaN coordinate`);
    }
    if (existsSync('/usr/bin/chromium')) {
      const png = readFileSync(join(out, 'figures', 'fig2-4-classes.png'));
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
      assert.ok(png.length > 20000, `the Fig. 2 PNG is suspiciously small (${png.length} bytes)`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
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
    { quick: false, out: 'x', seeds: 3, steps: 500, jobs: 2, browser: true });
});

test('the full plan covers every loss × β × seed × dim on identities, and the room sweep', () => {
  const jobs = plan(FULL, { seeds: 5, steps: 2000 });
  const beta = jobs.filter((j) => j.group === 'beta');
  assert.equal(beta.length, 5 * 6 * 5 * 2);
  assert.deepEqual(new Set(beta.map((j) => j.meta.loss)), new Set(['softmax', 'normface', 'sphereface', 'cosface', 'arcface']));
  assert.deepEqual(new Set(beta.map((j) => j.meta.beta)), new Set([0, 0.1, 0.3, 0.5, 1, 2]));
  assert.deepEqual(new Set(beta.map((j) => j.meta.dim)), new Set([3, 16]));
  assert.ok(beta.every((j) => j.config.data === 'identities' && j.config.loss.beta === j.meta.beta && j.config.seed === j.meta.seed));
  const room = jobs.filter((j) => j.group === 'room');
  assert.deepEqual(new Set(room.map((j) => j.meta.classes)), new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  assert.deepEqual(new Set(room.map((j) => j.meta.dim)), new Set([2, 3]));
  assert.ok(room.every((j) => j.config.data === 'blobs'));
  assert.ok(new Set(room.map((j) => j.meta.loss)).has('normface') && new Set(room.map((j) => j.meta.loss)).has('arcface'));
  assert.equal(new Set(jobs.map((j) => j.id)).size, jobs.length);
});

// The plausible range of each named number of the report, by its name (the scheme is
// at the top of experiment/report.mjs); the first rule that matches a name decides.
// A name that no rule matches fails: a new kind of number needs a rule here.
const integer = (lo = 0) => (v) => Number.isInteger(v) && v >= lo;
const within = (lo, hi) => (v) => inRange(v, lo, hi);
const NUMBER_RULES = [
  [/_share_of_b2_/, (v) => Number.isFinite(v)],
  [/(_paired_|_minus_).*_acc$/, within(-1, 1)],                 // a difference of accuracies
  [/(_paired_|_minus_).*_deg$/, within(-180, 180)],
  [/(_acc|_1e2)$/, within(0, 1)],
  [/_packing_ratio$/, within(0, 1.01)],
  [/_sample_margin_deg$/, within(-180, 180)],
  [/_deg$/, within(0, 180)],
  [/(_runs|_wins|_rows|_step|_classes|_identities|_per_class|_seeds|^seeds|^steps|^runs|^jobs|^identities|^batch_size|^room_c_first|^room_c_last|^fig2_seed|_dim)$/, integer()],
  [/_ms$/, within(0, 3.6e6)],
  [/^(lr|merged_ratio)$/, within(1e-6, 1)],
  [/(^fig2_beta|^room_beta_base|^room_beta_iam)$/, within(0, 10)],
];
const STRINGS = /^(table:|list:|figure:)|^(command|wasm|node|date|grid_name|hidden_layers|[a-z_]+_set|[a-z_]+_list)$/;
const SECTIONS = ['reduced', 'diverged', 'complete', 'wide', 'fig2_crowded', 'fig2_softmax_note'];

function checkValues(values) {
  for (const [name, value] of Object.entries(values)) {
    if (SECTIONS.includes(name)) { assert.equal(typeof value, 'boolean', `section ${name}`); continue; }
    if (STRINGS.test(name)) {
      assert.equal(typeof value, 'string', `${name} is text`);
      assert.ok(!/NaN|undefined|null/.test(value), `${name} has no NaN, undefined or null: ${value}`);
      continue;
    }
    const rule = NUMBER_RULES.find(([re]) => re.test(name.replace(/_range$/, '')));
    assert.ok(rule, `no plausible range is known for '${name}' (add a rule)`);
    const numbers = name.endsWith('_range') ? value : [value];
    if (name.endsWith('_range')) assert.ok(Array.isArray(value) && value.length === 2 && value[0] <= value[1], `${name} = [min, max]: ${JSON.stringify(value)}`);
    for (const v of numbers) assert.ok(rule[1](v), `${name} = ${JSON.stringify(value)} is out of its plausible range`);
  }
}

test('the named numbers of a quick run are numbers in their plausible ranges, and fill the template', async () => {
  const out = mkdtempSync(join(tmpdir(), 'iam-experiment-values-'));
  try {
    const argv = ['--quick', '--out', out, '--no-browser', '--jobs', '2'];
    const values = reportValues(await runExperiment(settingsOf(parseArgs(argv), argv)));
    checkValues(values);
    assert.equal(values.reduced, true);
    assert.equal(values.complete, false, 'the quick grid leaves the conclusion out');
    assert.equal(values.runs, 16);
    assert.equal(values.result_rows, QUICK.losses.length * QUICK.betas.length * QUICK.dims.length);
    assert.equal(values.identities, QUICK.identities);
    assert.ok(values.input_verify_acc >= 0.5, `the raw inputs verify above chance (${values.input_verify_acc})`);
    assert.ok(!Object.keys(values).some((name) => name.startsWith('normface_16d_')), 'no conclusion numbers without the conclusion');

    const template = readFileSync(REPORT_TEMPLATE, 'utf8');
    const report = fillTemplate(template, values);
    assert.match(report, /^# The paper in miniature/);
    assert.ok(report.includes('_Fig. 2 was not rendered (--no-browser)._'));
    // a missing name, a name the template never uses, a bad format: each fails loudly
    const { identities, ...withoutIdentities } = values;
    assert.ok(identities);
    assert.throws(() => fillTemplate(template, withoutIdentities), /no value named 'identities'/);
    assert.throws(() => fillTemplate(template, { ...values, verify_acc_of_nobody: 0.5 }), /never names 'verify_acc_of_nobody'/);
    assert.throws(() => fillTemplate(template.replace('{{lr}}', '{{lr|percent}}'), values), /unknown format 'percent'/);
    assert.throws(() => fillTemplate(template.replace('{{lr}}', '{{lr'), values), /not closed or not well formed/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the template language: values, formats, ranges, sections, and its errors', () => {
  const fill = fillTemplate;
  assert.equal(fill('a {{x}} b {{y|pct}} c {{z|deg}}', { x: 3, y: 0.71234, z: 56.34 }), 'a 3 b 71.2 c 56.3°');
  assert.equal(fill('{{r|pct}} and {{same|fixed2}}', { r: [0.5, 0.75], same: [0.301, 0.299] }), '50.0 to 75.0 and 0.30');
  assert.equal(fill('{{n|signed_pct}} / {{m|signed_pct}} / {{q|deg}}', { n: -0.011, m: 0.02, q: NaN }), '−1.1 / +2.0 / —');
  assert.equal(fill('seed{{one|s}}, seed{{two|s}}: {{k|runs}}', { one: 1, two: 2, k: 0 }), 'seed, seeds: no run');
  // a section tag alone on its line takes the line; {{^x}} is the section for false
  assert.equal(fill('a\n{{#on}}\nyes {{v}}\n{{/on}}\n{{^on}}\nno\n{{/on}}\nb', { on: true, v: 1 }), 'a\nyes 1\nb');
  assert.equal(fill('a\n{{#on}}\nyes {{v}}\n{{/on}}\n{{^on}}\nno\n{{/on}}\nb', { on: false, v: 1 }), 'a\nno\nb');
  assert.equal(fill('(C = 4){{#more}} and C = {{c}}{{/more}}.', { more: false }), '(C = 4).',
    'a value named only inside a left-out section may be missing');
  assert.equal(fill('{{! a comment\n  on two lines }}\na{{! inline }}b', {}), 'ab', 'comments are left out');
  assert.throws(() => fill('{{x}}', {}), /no value named 'x'/);
  assert.throws(() => fill('text', { x: 1 }), /never names 'x'/);
  assert.throws(() => fill('{{#s}}a{{/s}}', { s: 1 }), /needs a boolean/);
  assert.throws(() => fill('{{#s}}a', { s: true }), /not closed or not well formed/);
  assert.throws(() => fill('{{x|pct}}', { x: 'words' }), /not a number/);
  assert.throws(() => fill('{{x}}', { x: [1, 2] }), /not a string or a number/);
});

// A full-grid run made up (no training), through the runner's own tabulate(): the
// only way short of the 7-minute sweep to fill the conclusion, whose numbers exist
// only for the full grid.
async function syntheticFullRun() {
  const seeds = 2, steps = 100, jobs = plan(FULL, { seeds, steps });
  const random = (seed) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const results = jobs.map((job) => {
    const r = random(job.id + 1), { dim, classes } = job.meta;
    const minAngle = 5 + 30 * r(), limit = dim === 2 ? 360 / classes : dim === 3 ? 2 * minAngle + 10 : 0;
    const metrics = {
      step: steps, test_acc: 0.5 + 0.5 * r(), train_acc: 0.5 + 0.5 * r(), verify_acc: 0.5 + 0.4 * r(), tar_far_1e2: 0.3 * r(),
      min_weight_angle_deg: minAngle, mean_nn_weight_angle_deg: minAngle + 20 * r(), min_center_angle_deg: 20 * r(),
      mean_nn_center_angle_deg: 40 * r(), packing_limit_deg: limit, min_sample_margin_deg: -30 * r(), mean_sample_margin_deg: 30 * r(),
      base: 1 + r(), iam: -r(),
    };
    const at = [...(job.checkpoints ?? []), steps];
    return {
      id: job.id, metrics, ms: 10, status: 'ok',
      heldout: job.heldout ? { input_verify_acc: 0.8, input_tar_far_1e2: 0.3, heldout_to_weight_deg: 10 + 30 * r() } : undefined,
      curve: job.checkpoints ? at.map((step) => ({ ...metrics, step, verify_acc: 0.5 + 0.4 * r() })) : undefined,
      snapshot: job.snapshot ? { metrics } : undefined,
    };
  });
  const tables = tabulate({ jobs, results }, FULL);
  const run = {
    grid: FULL, seeds, steps, jobs: 2, runs: jobs.length, simd: true, sweepMs: 1000, totalMs: 2000,
    command: './build.sh experiment -- --seeds 2 --steps 100', date: '2020-01-01', node: process.version,
    runMs: { beta: 500, room: 500 }, library: await libraryDefaults(FULL),
  };
  return { run, ...tables, fig2Files: [{ classes: 4, name: 'fig2-4-classes.png' }, { classes: 8, name: 'fig2-8-classes.png' }], fig2Note: '' };
}

test('a full grid fills the whole template, conclusion included, with plausible numbers', async () => {
  const values = reportValues(await syntheticFullRun());
  checkValues(values);
  assert.equal(values.complete, true);
  assert.equal(values.wide, true);
  assert.equal(values.fig2_crowded, true);
  assert.equal(values.fig2_softmax_note, true);
  assert.equal(values.room_seeds, 2);
  assert.ok(Object.keys(values).length > 100, `${Object.keys(values).length} named values`);
  const report = fillTemplate(readFileSync(REPORT_TEMPLATE, 'utf8'), values);
  assert.match(report, /Reduced run/, 'two seeds and 100 steps are a reduced run');
  const conclusion = report.slice(report.indexOf('## Conclusion'), report.indexOf('## 1. The β sweep'));
  assert.match(conclusion, /\*\*In short\.\*\*/);
  assert.match(conclusion, /\*\*3\. Which β\?/);
  assert.ok(!/—|NaN|undefined|\{\{/.test(conclusion), 'every number of the conclusion is filled in');
  assert.ok(report.includes('### With 200 identities instead of 50 (16-D)'));
  assert.ok(report.includes('- `figures/fig2-8-classes.png`: drawn by `web/view2d.js` in Chromium (`experiment/render.mjs`).'));
});

test('the statistics and the plot writer', () => {
  assert.equal(mean([1, 2, 3, NaN]), 2);
  assert.ok(Math.abs(std([1, 2, 3, 4]) - Math.sqrt(5 / 3)) < 1e-12, 'sample std (n − 1)');
  assert.equal(std([5]), 0);
  const csv = toCSV(['a', 'b', 'c'], [{ a: 1, b: 'x,y', c: null }, { a: -2.5, b: 'ok', c: 0 }]);
  assert.equal(csv, 'a,b,c\n1,"x,y",\n-2.5,ok,0\n');
  assert.deepEqual(parseCSV(csv).rows, [{ a: 1, b: 'x,y', c: null }, { a: -2.5, b: 'ok', c: 0 }]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  const svg = smallMultiples({ title: 'T', panels: [{ title: 'p', series: [{ label: 's', color: '#000', points: [{ x: 0, y: 1, err: 0.1 }, { x: 1, y: 2 }] }] }], legend: [{ label: 's', color: '#000' }] });
  assert.match(svg, /<polyline points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
  assert.equal((svg.match(/<svg /g) ?? []).length, 1);
});
