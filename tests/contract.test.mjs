// contract.test.mjs: what crosses the C/JS boundary crosses by name, and C owns the
// names (DESIGN.md, "Across the C/JS boundary"): the enums, the struct fields, the
// defaults, the loss the last step used, a divergence, and the parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { TrainingDiverged } from '../wasm/trainer.js';
import { shortestFloat32 } from '../wasm/structs.js';
import { LOSS_LABELS, MARGIN_FIELDS, lossPreset, trainerPreset } from '../wasm/presets.js';
import { randomBatch } from './helpers.mjs';

const iam = await loadIAM();

test('every loss kind the library names has a label and its margin fields, and nothing else does', () => {
  assert.deepEqual(Object.keys(LOSS_LABELS), [...iam.names.kind]);
  assert.deepEqual(Object.keys(MARGIN_FIELDS), [...iam.names.kind]);
  const lossFields = Object.keys(iam.defaults('loss_config'));
  for (const [kind, fields] of Object.entries(MARGIN_FIELDS))
    for (const f of fields) assert.ok(lossFields.includes(f), `${kind}'s margin field ${f} is not a loss option`);
  assert.throws(() => lossPreset('elasticface'), /unknown loss kind 'elasticface'/);
});

test("the defaults are the library's: each kind's own margin, and the training config", () => {
  const margin = (kind) => iam.defaults('loss_config', { kind }).margin;
  assert.equal(margin('arcface'), 0.3);
  assert.equal(margin('cosface'), 0.2);
  assert.equal(margin('sphereface'), 4);
  const d = iam.defaults();
  assert.deepEqual(d.hidden, [64, 64, 64]);
  assert.equal(d.loss.kind, 'normface');
  // a trainer made from {} holds exactly those defaults, and a preset changes only what it says
  const t = iam.trainer({});
  assert.deepEqual(t.config, d);
  t.free();
  const a = iam.trainer(trainerPreset('arcface', { dim: 2 }));
  assert.equal(a.config.loss.margin, 0.2, 'the 2-D ArcFace preset');
  assert.equal(a.config.loss.scale, d.loss.scale);
  a.free();
});

test('the metrics come by the names of the C table, all of them numbers', () => {
  const t = iam.trainer({ classes: 4 });
  t.step(20);
  const { metrics } = t.evaluate({ bins: 0 });
  t.free();
  assert.deepEqual(Object.keys(metrics), iam.tables.get('metrics').fields.map((f) => f.name));
  for (const [name, v] of Object.entries(metrics)) assert.ok(Number.isFinite(v), `${name} = ${v}`);
  assert.equal(metrics.step, 20);
});

test('the last step reports the loss it really used: SphereFace’s annealed λ, or the fixed one', () => {
  const annealed = iam.trainer(trainerPreset('sphereface', { classes: 4 }));
  const d = annealed.config;
  const schedule = (step) => Math.max(d.lambdaMin, d.lambdaBase * (1 + d.lambdaGamma * step) ** -d.lambdaPower);
  assert.equal(annealed.last().step, 0);
  assert.ok(Math.abs(annealed.last().config.lambda - schedule(0)) < 1e-3, 'before a step: what the first step will use');
  for (const steps of [1, 9, 90]) {
    const last = annealed.step(steps);
    // the step just taken is number last.step, and it used λ at t = last.step − 1
    const want = schedule(last.step - 1);
    assert.ok(Math.abs(last.config.lambda - want) <= 1e-4 * want, `step ${last.step}: λ ${last.config.lambda}, schedule ${want}`);
    assert.deepEqual(annealed.snapshot({ points: 4 }).loss, last.config, 'the snapshot carries the same loss');
  }
  annealed.free();
  const fixed = iam.trainer(trainerPreset('sphereface', { classes: 4, anneal: false }, { lambda: 3 }));
  assert.equal(fixed.step(5).config.lambda, 3);
  fixed.free();
});

test('a divergence comes as data: the failed step, the step rolled back to, the reason', () => {
  const t = iam.trainer(trainerPreset('softmax', { optimizer: 'sgd', lr: 0.01 }));
  t.step(300);
  t.setLr(10);
  let caught = null;
  try { t.step(100); } catch (err) { caught = err; }
  assert.ok(caught instanceof TrainingDiverged, `not a TrainingDiverged: ${caught}`);
  const { failedStep, goodStep, reason } = caught.divergence;
  assert.equal(goodStep, 300);
  assert.ok(failedStep > 300 && failedStep <= 400, `failed at ${failedStep}`);
  assert.match(reason, /became NaN|exploded|overflowed/);
  assert.ok(caught.message.includes(reason), 'the sentence and the data agree');
  // an ordinary error is not a divergence
  assert.throws(() => t.step(2_000_000), (err) => !(err instanceof TrainingDiverged) && /number of steps/.test(err.message));
  t.free();
});

test('parameters go out and back in through C: a copy makes the same model; bad ones are refused', () => {
  const a = iam.trainer({ classes: 5, seed: 3 }), b = iam.trainer({ classes: 5, seed: 3 });
  a.step(150);
  b.setParams(a.params());
  assert.deepEqual(b.params(), a.params());
  const ma = a.evaluate({ bins: 0 }).metrics, mb = b.evaluate({ bins: 0 }).metrics;
  for (const key of ['test_acc', 'train_acc', 'min_weight_angle_deg', 'mean_sample_margin_deg'])
    assert.equal(mb[key], ma[key], key);
  assert.deepEqual(b.snapshot({ points: 10 }).weights, a.snapshot({ points: 10 }).weights);
  const bytes = iam.memoryBytes, p = a.params();
  assert.throws(() => b.setParams(p.subarray(1)), /has \d+ parameters \(got an array of \d+\)/);
  p[7] = NaN;
  assert.throws(() => b.setParams(p), /params\[7\].*NaN/);
  assert.throws(() => b.setParams('abc'), /params must be a typed array/);
  assert.deepEqual(b.params(), a.params(), 'a refused call changed nothing');
  assert.equal(iam.memoryBytes, bytes);
  a.free(); b.free();
});

test('config objects: only their own keys count, and names are checked against the tables', () => {
  const batch = randomBatch(4, 3, 3, 2);
  assert.throws(() => iam.loss({ toString: 1 }, batch), /unknown loss option 'toString'/);
  assert.throws(() => iam.trainer({ constructor: 1 }), /unknown trainer option 'constructor'/);
  assert.throws(() => iam.loss({ kind: 'hasOwnProperty' }, batch), /unknown loss kind 'hasOwnProperty'/);
  assert.throws(() => iam.trainer({ hidden: [4, 4, 4, 4, 4, 4] }), /hidden must be an array of at most 5/);
  assert.throws(() => iam.trainer({ nHidden: 2 }), /unknown trainer option 'nHidden'/, 'the count is set through the array');
  assert.throws(() => iam.trainer({ seed: 2 ** 32 }), /seed must be in \[0, 4294967295\]/);
  // inherited keys are not options
  const inherited = Object.create({ kind: 'arcface' });
  assert.equal(iam.loss(inherited, batch).loss, iam.loss({}, batch).loss);
});

test('float32 values come back as their shortest decimals, exactly the same float32', () => {
  for (const v of [0.3, 0.01, 0.12, 1e-8, 1 / 3, 123456.789, -2.5e-20])
    assert.equal(Math.fround(shortestFloat32(Math.fround(v))), Math.fround(v));
  assert.equal(shortestFloat32(Math.fround(0.3)), 0.3);
  assert.equal(iam.defaults().lr, 0.01);
});
