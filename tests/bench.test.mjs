// bench.test.mjs: the benchmark harness (bench/) runs, and it compares like with like.
//
// Speed is not asserted here (that is what bench/RESULTS.md reports, from one run
// on a quiet machine). What is asserted: the harness runs every implementation on
// tiny configurations in seconds and reports sane rows; all the implementations
// (wasm SIMD, wasm scalar, native C, TensorFlow.js and its tuned variant) compute
// the same loss at step 0 from the same parameters and batch, so that they are timed
// doing the same work, and that comparison can fail (another margin, another batch);
// the tuned tfjs product has tfjs's own gradient; the SIMD kernels that the benchmark
// times give the scalar build's gradients; and the command line keeps its contract
// (--json lines, usage and exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { loadIAM } from '../wasm/iam.js';
import { CONFIGS, IMPLS, checkGoals, runBench, trainerBatchSampler, trainerConfig } from '../bench/harness.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// float32 sums in different orders (and glibc's libm against Emscripten's for the
// native data) move a loss of about 10 by a few 1e-6; a wrong margin, scale or
// parameter layout moves it by 1e-2 or more
const LOSS_RTOL = 1e-5;
const lossAgrees = (a, b) => Math.abs(a - b) <= LOSS_RTOL * Math.max(1, Math.abs(b));

const run = await runBench({ configs: ['tiny', 'tiny-head'] });

test('the harness runs every implementation on the tiny configurations and reports sane rows', () => {
  assert.ok(run.peak.gflops > 0.5 && run.peak.gflops < 1e4, `peak ${run.peak.gflops} GFLOP/s`);
  assert.equal(run.rows.length, 2 * IMPLS.length);
  for (const config of ['tiny', 'tiny-head'])
    for (const impl of IMPLS) {
      const row = run.rows.find((r) => r.config === config && r.impl === impl);
      assert.ok(row, `a row for ${config} ${impl}`);
      const plan = CONFIGS[config];
      assert.equal(row.timed_steps, plan.rounds * plan.steps);
      assert.ok(row.ms_p25 <= row.ms_per_step && row.ms_per_step <= row.ms_p75, JSON.stringify(row));
      assert.ok(row.ms_per_step > 0 && Number.isFinite(row.ms_per_step), JSON.stringify(row));
      assert.ok(row.gflops > 0 && Math.abs(row.peak_share - row.gflops / run.peak.gflops) < 1e-3 * row.peak_share + 1e-6);
      assert.ok(Number.isFinite(row.loss_step0) && row.loss_step0 > 0, JSON.stringify(row));
    }
});

test('all implementations compute the same loss at step 0 (same parameters, same batch)', () => {
  for (const config of ['tiny', 'tiny-head']) {
    const reference = run.rows.find((r) => r.config === config && r.impl === 'wasm-simd').loss_step0;
    for (const row of run.rows.filter((r) => r.config === config))
      assert.ok(lossAgrees(row.loss_step0, reference),
        `${config} ${row.impl}: loss at step 0 is ${row.loss_step0}, wasm-simd has ${reference}`);
  }
});

test('the step-0 comparison can fail: a tfjs head with another margin does not agree', async () => {
  const { initTfjs, tfjsHead } = await import('../bench/tfjs_step.mjs');
  await initTfjs();
  const iam = await loadIAM({ simd: true });
  const n = 16, d = 8, c = 5;
  let seed = 3;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const batch = { x: Float32Array.from({ length: n * d }, rand), W: Float32Array.from({ length: c * d }, rand),
    labels: Int32Array.from({ length: n }, (_, i) => i % c), n, d, c };
  const ours = iam.loss({ kind: 'arcface', scale: 10, margin: 0.3 }, batch).loss;
  for (const [margin, same] of [[0.3, true], [0.31, false], [0.29, false]]) {
    const head = tfjsHead({ ...batch, scale: 10, margin });
    assert.equal(lossAgrees(head.step(), ours), same, `tfjs margin ${margin} against ours at 0.3`);
    head.dispose();
  }
});

test("the tfjs peer trains on the C trainer's batches: another seed's batch does not agree", async () => {
  // the port of rng.h and train.c's batch draw in harness.mjs is what makes the
  // tfjs step-0 loss above match; with the batch of another seed it must not
  const { initTfjs, tfjsTrainer } = await import('../bench/tfjs_step.mjs');
  await initTfjs();
  const cfg = CONFIGS.tiny, iam = await loadIAM({ simd: true });
  const t = iam.trainer(trainerConfig(cfg));
  const params = t.params(), { x, labels } = t.inputs('train');
  const ours = t.step(1).loss;
  const { scale, margin } = t.config.loss;   // the loss the trainer resolved: the preset, then C's defaults
  t.free();
  for (const [seed, same] of [[1, true], [2, false]]) {
    const rows = trainerBatchSampler(seed, labels.length)(cfg.batch);
    const bx = new Float32Array(cfg.batch * cfg.in), by = new Int32Array(cfg.batch);
    rows.forEach((r, b) => { bx.set(x.subarray(r * cfg.in, (r + 1) * cfg.in), b * cfg.in); by[b] = labels[r]; });
    const peer = tfjsTrainer({ params, sizes: [cfg.in, ...cfg.hidden, cfg.dim], classes: cfg.classes, scale, margin });
    assert.equal(lossAgrees(peer.step(bx, by), ours), same, `the batch of seed ${seed}`);
    peer.dispose();
  }
});

test("tfjs-wasm-tuned's hand-written product gradient is tfjs's own", async () => {
  const { initTfjs, matMulVariants, tf } = await import('../bench/tfjs_step.mjs');
  await initTfjs();
  let seed = 5;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const a = tf.tensor2d(Float32Array.from({ length: 7 * 5 }, rand), [7, 5]);
  const b = tf.tensor2d(Float32Array.from({ length: 3 * 5 }, rand), [3, 5]);
  const weights = tf.tensor2d(Float32Array.from({ length: 7 * 3 }, rand), [7, 3]);
  const [plain, tuned] = ['plain', 'tuned'].map((v) =>
    tf.grads((x, y) => tf.sum(tf.mul(weights, matMulVariants[v](x, y))))([a, b]).map((g) => g.arraySync()));
  for (const k of [0, 1])
    plain[k].flat().forEach((v, q) => assert.ok(Math.abs(v - tuned[k].flat()[q]) < 1e-5, `gradient ${k}[${q}]`));
  tf.dispose([a, b, weights]);
});

test('goals are read from the rows of one run', () => {
  const rows = [
    ['small', 'wasm-simd', 1], ['small', 'tfjs-wasm', 9], ['small', 'native', 0.8],
  ].map(([config, impl, ms]) => ({ config, impl, ms_per_step: ms }));
  const goals = checkGoals(rows);
  assert.deepEqual(goals.map((g) => [g.goal, g.met]), [
    ['small: tfjs-wasm / wasm-simd >= 10', false],
    ['small: wasm-simd / native <= 1.5', true],
  ]);
});

test('the command line: --json prints one JSON object per (config, impl); bad flags print usage and exit 2', () => {
  const cli = (...args) => spawnSync(process.execPath, ['bench/run.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  const json = cli('--json', '--config', 'tiny-head', '--impl', 'wasm-simd,native', '--rounds', '1', '--steps', '2', '--warmup', '0');
  assert.equal(json.status, 0, json.stderr);
  const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((l) => [l.config, l.impl]), [['tiny-head', 'wasm-simd'], ['tiny-head', 'native']]);
  for (const l of lines)
    for (const key of ['ms_per_step', 'gflops', 'peak_share']) assert.equal(typeof l[key], 'number', `${key} in ${JSON.stringify(l)}`);

  for (const bad of [['--bogus'], ['--config', 'huge'], ['--impl', 'cuda'], ['--steps', '0'], ['--rounds']]) {
    const r = cli(...bad);
    assert.equal(r.status, 2, `${bad.join(' ')} exits 2`);
    assert.match(r.stderr, /usage: \.\/build\.sh bench/, `${bad.join(' ')} prints the usage`);
    assert.equal(r.stdout, '', 'and nothing on stdout');
  }
});
