// train.test.mjs: the trainer really trains, the presets are reliable, IAM does what
// LOSSES.md measured ("IAM needs room"), and the trainer is deterministic and
// survives a divergence. Everything runs through the binding, as the page does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { trainerPreset } from '../wasm/presets.js';
import { TrainingDiverged } from '../wasm/trainer.js';

const iam = await loadIAM();
const KINDS = iam.names.kind;
const mean = (values) => values.reduce((s, v) => s + v, 0) / values.length;

// train a preset and return its metrics (the trainer is freed)
function train(kind, trainOverrides, lossOverrides, steps) {
  const t = iam.trainer(trainerPreset(kind, trainOverrides, lossOverrides));
  try {
    t.step(steps);
    return t.evaluate({ bins: 0 }).metrics;
  } finally {
    t.free();
  }
}

for (const dim of [2, 3]) {
  test(`every preset trains on blobs, C = 8, ${dim}-D, to test accuracy >= 0.95 within 3,000 steps`, () => {
    for (const kind of KINDS) {
      const t = iam.trainer(trainerPreset(kind, { dim }));
      const before = t.evaluate({ bins: 0 }).metrics;
      const first = t.step(1);
      t.step(2999);
      const after = t.evaluate({ bins: 0 }).metrics;
      t.free();
      assert.ok(after.test_acc >= 0.95, `${kind} ${dim}-D: test accuracy ${after.test_acc}`);
      // and the metrics move the right way
      assert.ok(after.test_acc > before.test_acc, `${kind}: accuracy did not rise (${before.test_acc} → ${after.test_acc})`);
      assert.ok(after.mean_sample_margin_deg > before.mean_sample_margin_deg + 10,
        `${kind}: mean sample margin ${before.mean_sample_margin_deg}° → ${after.mean_sample_margin_deg}°`);
      assert.ok(after.base < 0.5 * first.base, `${kind}: batch cross-entropy ${first.base} → ${after.base}`);
    }
  });
}

// glyphs: 8×8 digit-like images, 10 classes, 64-D input. A 2-D embedding of 10
// noisy digit classes generalizes less well than blobs; the bar stated here is
// what every preset reaches reliably: test accuracy >= 0.6 in 2-D, >= 0.8 in 3-D. Training
// accuracy: > 0.95 in 3-D; > 0.75 in 2-D, where the other kinds reach 1.00 on seed 1 but
// SphereFace ends at 0.84 and CurricularFace at 0.80 (SphereFace over seeds 1–4: 0.84 to 1.00
// on the SIMD build, 0.69 to 1.00 on the scalar one).
test('every preset learns glyphs (10 classes, 64-D input): test accuracy >= 0.6 in 2-D, >= 0.8 in 3-D', () => {
  for (const kind of KINDS)
    for (const [dim, bar, trainBar] of [[2, 0.6, 0.75], [3, 0.8, 0.95]]) {
      const m = train(kind, { data: 'glyphs', classes: 10, dim }, {}, 1500);
      assert.ok(m.test_acc >= bar, `${kind} ${dim}-D glyphs: test accuracy ${m.test_acc} < ${bar}`);
      assert.ok(m.train_acc > trainBar, `${kind} ${dim}-D glyphs: train accuracy ${m.train_acc} <= ${trainBar}`);
    }
});

// LOSSES.md, "IAM needs room": where there is room, β = 0.5 drives the class
// weights toward the packing limit.
const SEEDS = [1, 2, 3, 4];
function minWeightAngles(kind, train, beta, steps = 2000) {
  return SEEDS.map((seed) => train_(kind, { ...train, seed }, { beta }, steps).min_weight_angle_deg);
}
const train_ = train;

for (const kind of ['normface', 'arcface']) {
  test(`${kind}: in 2-D with C = 4, IAM (β = 0.5) reaches > 90% of the packing limit, above β = 0`, () => {
    const with0 = mean(minWeightAngles(kind, { classes: 4, dim: 2 }, 0));
    const withIam = mean(minWeightAngles(kind, { classes: 4, dim: 2 }, 0.5));
    console.log(`# ${kind} 2-D C=4: min weight angle β=0 ${with0.toFixed(1)}°, β=0.5 ${withIam.toFixed(1)}° (limit 90°)`);
    assert.ok(withIam > 0.9 * 90, `β = 0.5: ${withIam}°`);
    assert.ok(withIam > with0, `β = 0.5 (${withIam}°) not above β = 0 (${with0}°)`);
  });

  test(`${kind}: in 3-D with C = 8, IAM (β = 0.5) widens the seed-averaged minimum weight angle`, () => {
    const with0 = mean(minWeightAngles(kind, { classes: 8, dim: 3 }, 0));
    const withIam = mean(minWeightAngles(kind, { classes: 8, dim: 3 }, 0.5));
    console.log(`# ${kind} 3-D C=8: min weight angle β=0 ${with0.toFixed(1)}°, β=0.5 ${withIam.toFixed(1)}° (limit 74.86°)`);
    assert.ok(withIam > with0 + 2, `β = 0.5 (${withIam}°) not above β = 0 (${with0}°)`);
  });
}

// The crowded circle: 8 classes in 2-D. What really happens with NormFace at
// β = 0.5 (measured): IAM merges pairs of classes, the minimum weight angle
// collapses to a few degrees and accuracy falls, while β = 0 stays near 45°.
test('crowded circle (2-D, C = 8): NormFace with β = 0.5 merges pairs of classes', () => {
  const runs0 = SEEDS.map((seed) => train('normface', { classes: 8, dim: 2, seed }, { beta: 0 }, 2000));
  const runs5 = SEEDS.map((seed) => train('normface', { classes: 8, dim: 2, seed }, { beta: 0.5 }, 2000));
  const angle0 = mean(runs0.map((m) => m.min_weight_angle_deg)), angle5 = mean(runs5.map((m) => m.min_weight_angle_deg));
  const acc0 = mean(runs0.map((m) => m.test_acc)), acc5 = mean(runs5.map((m) => m.test_acc));
  console.log(`# crowded 2-D C=8 NormFace: min weight angle β=0 ${angle0.toFixed(1)}°, β=0.5 ${angle5.toFixed(1)}°; test acc ${acc0.toFixed(3)} → ${acc5.toFixed(3)}`);
  assert.ok(angle0 > 35, `β = 0 should spread the 8 classes (got ${angle0}°)`);
  assert.ok(angle5 < 15, `β = 0.5 should merge a pair of classes (got ${angle5}°)`);
  assert.ok(acc5 < acc0 - 0.05, `merging classes should cost accuracy (${acc0} → ${acc5})`);
});

test('the same seed and build give the same numbers; another seed does not', () => {
  const run = (seed) => {
    const t = iam.trainer(trainerPreset('arcface', { seed }, { beta: 0.5 }));
    t.step(300);
    const out = { params: t.params(), metrics: t.evaluate().metrics, snap: t.snapshot({ points: 50 }) };
    t.free();
    return out;
  };
  const a = run(7), b = run(7), c = run(8);
  assert.deepEqual(a.params, b.params);
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.snap.embedding, b.snap.embedding);
  assert.notDeepEqual(a.params, c.params);
});

test('panels with the same seed start from the same data and weights, whatever the loss', () => {
  const first = (kind) => {
    const t = iam.trainer(trainerPreset(kind, { seed: 3 }));
    const out = { params: t.params(), inputs: t.inputs('train') };
    t.free();
    return out;
  };
  const a = first('softmax'), b = first('arcface');
  assert.deepEqual(a.params, b.params);
  assert.deepEqual(a.inputs.x, b.inputs.x);
});

test('a diverging run is stopped, rolled back to where the call began, and can go on', () => {
  // plain softmax has unnormalized logits: SGD at lr 10 blows them up within a few steps
  const t = iam.trainer(trainerPreset('softmax', { optimizer: 'sgd', lr: 0.01 }));
  t.step(300);
  const good = t.params(), goodLast = t.last();
  t.setLr(10);
  assert.throws(() => t.step(100), /training diverged at step 30\d \(.*\); rolled back to step 300/);
  assert.deepEqual(t.params(), good, 'the parameters are not those the call began from');
  assert.deepEqual(t.last(), goodLast);
  const snap = t.snapshot({ points: 100 });
  assert.ok(snap.embedding.every(Number.isFinite) && snap.weights.every(Number.isFinite));
  assert.ok(Object.values(snap.metrics).every(Number.isFinite), 'a metric is not finite');
  // the same call fails the same way: nothing was half-applied
  assert.throws(() => t.step(100), /rolled back to step 300/);
  assert.deepEqual(t.params(), good);
  // recover: a sane learning rate trains on from the rolled-back state
  t.setLr(0.01);
  t.step(300);
  assert.equal(t.last().step, 600);
  assert.ok(t.evaluate().metrics.test_acc > 0.9, 'the recovered run does not classify');
  t.free();
});

test('snapshot: unit-norm embeddings and weights, labels, metrics and a margin histogram', () => {
  const t = iam.trainer(trainerPreset('cosface', { dim: 3, classes: 5 }));
  t.step(200);
  const s = t.snapshot({ points: 120, set: 'test', bins: 24 });
  assert.equal(s.embedding.length, 120 * 3);
  assert.equal(s.labels.length, 120);
  assert.equal(s.weights.length, 5 * 3);
  for (let i = 0; i < 120; i++) {
    const norm = Math.hypot(s.embedding[3 * i], s.embedding[3 * i + 1], s.embedding[3 * i + 2]);
    assert.ok(Math.abs(norm - 1) < 1e-5, `embedding ${i} has norm ${norm}`);
    assert.ok(s.labels[i] >= 0 && s.labels[i] < 5);
  }
  assert.equal(s.histogram.length, 24);
  assert.equal(s.histogram.reduce((a, b) => a + b, 0), t.nTrain, 'the histogram counts every training sample');
  assert.equal(s.metrics.packing_limit_deg.toFixed(2), '90.00');
  const grid = t.predict(new Float32Array([0, 0, 0.5, 0.5, -1, 0.2]));
  assert.equal(grid.length, 3);
  assert.ok(grid.every((c) => c >= 0 && c < 5));
  t.free();
});

test('identities: open-set verification numbers are reported', () => {
  const t = iam.trainer(trainerPreset('arcface', { data: 'identities', classes: 20, dim: 16 }));
  const before = t.evaluate({ bins: 0 }).metrics;
  t.step(400);
  const m = t.evaluate({ bins: 0 }).metrics;
  t.free();
  assert.ok(m.verify_acc > 0.5 && m.verify_acc <= 1, `verify_acc ${m.verify_acc}`);
  assert.ok(m.tar_far_1e2 >= 0 && m.tar_far_1e2 <= 1, `tar ${m.tar_far_1e2}`);
  assert.ok(m.verify_acc > before.verify_acc, `verification did not improve (${before.verify_acc} → ${m.verify_acc})`);
});

test('bad trainer configs throw clear errors and leak nothing', () => {
  const bytes = iam.memoryBytes;
  const cases = [
    [{ data: 'cifar' }, /unknown data 'cifar'/],
    [{ data: 'mnist' }, /data 'mnist' needs its rows/],
    [{ data: 'glyphs', augmentShift: 4 }, /augment_shift must be in \[0, 3\]/],
    [{ data: 'blobs', augmentShift: 1 }, /augment_shift moves images/],
    [{ testFraction: 0.95 }, /test_fraction must be in \[0.01, 0.9\]/],
    [{ classes: 1 }, /classes/],
    [{ lr: -1 }, /lr must be in \(0, 10\]/],
    [{ dim: 1 }, /embedding dimension must be in \[2, 128\]/],
    [{ hidden: [64, 0] }, /hidden must be an array/],
    [{ optimizer: 'rmsprop' }, /unknown optimizer 'rmsprop'/],
    [{ batchSize: 0 }, /batch_size must be in \[1, 4096\]/],
    [{ lrate: 0.1 }, /unknown trainer option 'lrate'/],
    [{ loss: { kind: 'arcface', margin: -1 } }, /margin must be in/],
    [{ data: 'glyphs', classes: 12 }, /classes/],
    [{ seed: 1.5 }, /seed must be an integer/],
  ];
  for (let round = 0; round < 50; round++)
    for (const [config, expected] of cases) assert.throws(() => iam.trainer(config), expected, JSON.stringify(config));
  const t = iam.trainer({});
  assert.throws(() => t.step(-1), /step count/);
  assert.throws(() => t.snapshot({ set: 'validation' }), /unknown set/);
  assert.throws(() => t.predict(new Float32Array(3)), /multiple of the input dimension 2/);
  t.free();
  assert.throws(() => t.step(1), /freed/);
  assert.equal(iam.memoryBytes, bytes, 'failed configs grew wasm memory');
});

// issue 16: a narrow ReLU net maps a sample to the zero embedding, which has no direction;
// the first step failed with "training diverged … lower the learning rate", and so did evaluate
test('a sample the network maps to the zero embedding is left out of the step, said in zeroEmbeddings, and evaluate works', () => {
  const small = { hidden: [8], data: 'blobs', classes: 3, trainPerClass: 10, testPerClass: 5, batchSize: 8 };
  const t = iam.trainer({ ...small, seed: 80, loss: { kind: 'sphereface' } });
  const before = t.evaluate().metrics;
  assert.ok(Object.values(before).every(Number.isFinite), 'a metric is not finite');
  const first = t.step(1);
  assert.ok(first.zeroEmbeddings >= 1 && first.zeroEmbeddings < 8, `zeroEmbeddings = ${first.zeroEmbeddings}`);
  assert.ok(Number.isFinite(first.loss));
  t.step(200);
  const after = t.evaluate().metrics;
  assert.ok(Object.values(after).every(Number.isFinite));
  assert.ok(after.train_acc > 0.6, `train accuracy ${after.train_acc}`);
  t.free();
  // a network that maps every sample of a batch to 0 cannot train: the sentence says what helps,
  // it is not called a divergence, and evaluate still answers (those samples count as wrong)
  const dead = iam.trainer({ ...small, hidden: [1], seed: 34 });
  assert.throws(() => dead.step(5), (err) => {
    assert.equal(err.name, 'Error');
    assert.match(err.message, /step 1: the network maps every sample of the batch to the zero embedding.*try another seed or a wider layer/);
    return true;
  });
  const m = dead.evaluate().metrics;
  assert.ok(Object.values(m).every(Number.isFinite));
  dead.free();
});

// issue 16: step(3) at lr 10 ended finite (loss 2e13) and became the rollback point, from
// which no learning rate could train on; and setLr('0.1') was accepted
test('a finite state on its way to Inf is no rollback point: after a divergence a lower rate trains on', () => {
  const t = iam.trainer(trainerPreset('softmax', { optimizer: 'sgd', lr: 10 }));
  const start = t.params();
  const three = t.step(3);
  assert.ok(Number.isFinite(three.loss) && three.loss > 1e6, `step 3's loss ${three.loss}`);
  assert.throws(() => t.step(500), (err) => {
    assert.ok(err instanceof TrainingDiverged);
    assert.equal(err.divergence.goodStep, 0, 'rolled back to the exploding state');
    assert.match(err.message, /rolled back to step 0, the last good state/);
    return true;
  });
  assert.deepEqual(t.params(), start);
  assert.throws(() => t.setLr('0.1'), /lr must be a number \(got "0.1"\)/);
  assert.throws(() => t.setLr(NaN), /lr must be in \(0, 10\] \(got nan\)/);
  t.setLr(1e-6);
  assert.doesNotThrow(() => t.step(10), 'a tiny rate does not train on');
  t.setLr(0.01);
  t.step(300);
  assert.ok(t.evaluate().metrics.test_acc > 0.9, 'the recovered run does not classify');
  t.free();
});
