// experiment.test.mjs: the experiment runner (wasm/experiment.mjs) on a tiny sweep,
// its flags, its plan of the full sweep, and the verification metric it reports,
// checked on constructed embeddings whose answer is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIAM } from '../wasm/iam.js';
import { plan, parseArgs, FULL, QUICK } from '../wasm/experiment.mjs';
import { RESULT_COLUMNS, ROOM_COLUMNS, parseCSV, toCSV, mean, std } from '../wasm/experiment/table.mjs';
import { smallMultiples, niceTicks } from '../wasm/experiment/plot.mjs';

const RUNNER = fileURLToPath(new URL('../wasm/experiment.mjs', import.meta.url));
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

test('verification on constructed embeddings: perfectly separated classes give 1, identical embeddings 0.5', async () => {
  const iam = await loadIAM();
  const ids = 10, per = 10, n = ids * per, d = 12;
  const labels = Int32Array.from({ length: n }, (_, i) => i % ids);
  // each identity on its own axis, with a small spread that keeps every same pair closer than any different one
  const separated = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    separated[i * d + labels[i]] = 1;
    separated[i * d + 10 + (i % 2)] = 0.1 * ((i * 7) % 5) / 5;
  }
  const good = iam.verification(separated, labels, { n, d, pairs: 2000, seed: 3 });
  assert.equal(good.accuracy, 1);
  assert.equal(good.tarAtFar1e2, 1);

  const same = new Float32Array(n * d).fill(0.25);
  const none = iam.verification(same, labels, { n, d, pairs: 2000, seed: 3 });
  assert.ok(Math.abs(none.accuracy - 0.5) < 1e-6, `identical embeddings: accuracy ${none.accuracy}, expected 0.5`);

  // and the reverse of a good embedding is worse than chance: same identities opposite, different ones aligned
  // (two identities, each sample the negation of the previous one within its identity)
  const flipLabels = Int32Array.from({ length: 40 }, (_, i) => Math.floor(i / 20));
  const flipped = new Float32Array(40 * 2);
  for (let i = 0; i < 40; i++) { flipped[2 * i] = (i % 2 ? -1 : 1); flipped[2 * i + 1] = 0.01 * flipLabels[i]; }
  const bad = iam.verification(flipped, flipLabels, { n: 40, d: 2, pairs: 2000, seed: 3 });
  assert.ok(bad.accuracy < 0.75, `an embedding that ignores identity cannot verify well (${bad.accuracy})`);
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
