// rows.test.mjs: data the caller passes (MNIST's digits, a CSV, placed points) and the
// trainer's state. The split by seed is checked against a split written here from
// iam.h's sentence; the state against a run that never stopped, to the bit; every bad
// input against its sentence, with nothing lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { trainerPreset } from '../wasm/presets.js';
import { loadMnist, mnistRows } from '../wasm/mnist.js';
import { mulberry32 } from './helpers.mjs';

const iam = await loadIAM();
const scalar = await loadIAM({ simd: false });

/** n rows of dim values in `classes` classes, labels in a shuffled order, from the seed. */
function randomRows(n, dim, classes, seed = 1) {
  const rand = mulberry32(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [labels[i], labels[j]] = [labels[j], labels[i]]; }
  const x = Float32Array.from({ length: n * dim }, (_, k) => labels[Math.floor(k / dim)] * 3 + rand() - 0.5);
  return { x, labels };
}

const rowsTrainer = (rows, config = {}, lib = iam) => lib.trainer({ data: 'rows', classes: 3, ...config }, rows);
const key = (x, dim, i) => Array.from(x.subarray(i * dim, (i + 1) * dim)).join(',');

test('the split keeps every row once, round(f·n_k) of each class in test, the classes interleaved', () => {
  // classes of unequal sizes: 50, 31, 7 rows
  const sizes = [50, 31, 7], dim = 3, n = sizes.reduce((a, b) => a + b);
  const labels = Int32Array.from(sizes.flatMap((s, c) => Array(s).fill(c)));
  const x = Float32Array.from({ length: n * dim }, (_, k) => k);   // every row distinct
  for (const fraction of [0.2, 0.5]) {
    const t = rowsTrainer({ x, labels }, { testFraction: fraction, seed: 7 });
    const train = t.inputs('train'), testSet = t.inputs('test');
    const expectTest = sizes.map((s) => Math.min(s - 1, Math.floor(fraction * s + 0.5)));
    assert.equal(t.nTest, expectTest.reduce((a, b) => a + b));
    assert.equal(t.nTrain, n - t.nTest);
    for (let c = 0; c < 3; c++) assert.equal(testSet.labels.filter((l) => l === c).length, expectTest[c], `class ${c}`);
    // every row in exactly one split, with its own label
    const all = new Map();
    for (let i = 0; i < n; i++) all.set(key(x, dim, i), labels[i]);
    const seen = new Set();
    for (const set of [train, testSet])
      for (let i = 0; i < set.labels.length; i++) {
        const k = key(set.x, dim, i);
        assert.equal(all.get(k), set.labels[i]);
        assert.ok(!seen.has(k), 'a row appears twice');
        seen.add(k);
      }
    assert.equal(seen.size, n);
    // interleaved: the first rows of train go through the classes in turn
    assert.deepEqual(Array.from(train.labels.subarray(0, 9)), [0, 1, 2, 0, 1, 2, 0, 1, 2]);
    t.free();
  }
});

test('the same rows and seed give the same split; another seed another', () => {
  const rows = randomRows(300, 2, 3, 3);
  const a = rowsTrainer(rows, { seed: 5 }), b = rowsTrainer(rows, { seed: 5 }), c = rowsTrainer(rows, { seed: 6 });
  assert.deepEqual(a.inputs('test').x, b.inputs('test').x);
  assert.notDeepEqual(a.inputs('test').x, c.inputs('test').x);
  for (const t of [a, b, c]) t.free();
});

test('rows train: three separated clusters reach test accuracy 1 and the metrics move', () => {
  const t = rowsTrainer(randomRows(600, 4, 3, 2), { dim: 2 });
  const before = t.evaluate({ bins: 0 }).metrics;
  t.step(600);
  const after = t.evaluate({ bins: 0 }).metrics;
  t.free();
  assert.ok(after.test_acc >= 0.99, `test accuracy ${after.test_acc}`);
  assert.ok(after.mean_sample_margin_deg > before.mean_sample_margin_deg + 10);
});

test('bad rows are refused with a sentence, and wasm memory does not grow', () => {
  const good = randomRows(30, 2, 3);
  const cases = [
    [{ data: 'rows', classes: 3 }, undefined, /needs its rows/],
    [{ data: 'blobs' }, good, /rows are for the data kinds mnist and rows/],
    [{ data: 'rows', classes: 3 }, { x: good.x, labels: [] }, /labels must be a non-empty array/],
    [{ data: 'rows', classes: 3 }, { x: good.x.subarray(1), labels: good.labels }, /x must be an array of n·dim numbers/],
    [{ data: 'rows', classes: 3 }, { x: good.x, labels: Array.from(good.labels, (l, i) => (i === 4 ? 1.5 : l)) }, /labels\[4\] = 1.5 is not an integer/],
    [{ data: 'rows', classes: 3 }, { x: good.x, labels: Int32Array.from(good.labels, (l, i) => (i === 4 ? 3 : l)) }, /labels\[4\] = 3 is out of range \[0, 3\)/],
    [{ data: 'rows', classes: 4 }, good, /class 3 has no rows/],
    [{ data: 'rows', classes: 3 }, { x: Float32Array.from(good.x, (v, k) => (k === 7 ? NaN : v)), labels: good.labels }, /the rows.*row 3, column 1/],
    [{ data: 'rows', classes: 3, testFraction: 0.01 }, good, /no row is left for the test set/],
    [{ data: 'rows', classes: 3 }, { x: new Float32Array(2 * 1025), labels: new Int32Array(2) }, /dimension must be in \[1, 1024\]/],
  ];
  iam.trainer({}).free();
  const bytes = iam.memoryBytes;
  for (let round = 0; round < 20; round++)
    for (const [config, rows, expected] of cases) assert.throws(() => iam.trainer(config, rows), expected, String(expected));
  assert.equal(iam.memoryBytes, bytes, 'refused rows grew wasm memory');
});

// a run that stops at `at`, goes to bytes and comes back in a new trainer, against one that never stopped
function resumedEqualsStraight(lib, config, rows, at, total) {
  // the same calls as the resumed run makes (a step() call's start is its rollback point, state too)
  const straight = lib.trainer(config, rows), first = lib.trainer(config, rows);
  straight.step(at);
  straight.step(total - at);
  first.step(at);
  const state = first.state();
  first.free();
  const second = lib.trainer(config, rows);
  second.setState(state);
  assert.equal(second.last().step, at);
  second.step(total - at);
  assert.deepEqual(second.params(), straight.params(), 'parameters differ');
  assert.deepEqual(second.state(), straight.state(), 'whole state differs');
  assert.deepEqual(second.evaluate().metrics, straight.evaluate().metrics);
  straight.free();
  second.free();
}

test('a state taken and given back trains on to the bit: every kind, both builds, rows and generated data', () => {
  for (const lib of [iam, scalar])
    for (const kind of iam.names.kind) {
      const config = trainerPreset(kind, { classes: 4, trainPerClass: 50, seed: 3, loss: undefined }, { beta: 0.5 });
      resumedEqualsStraight(lib, config, undefined, 37, 80);
    }
  resumedEqualsStraight(iam, { data: 'rows', classes: 3, batchSize: 16 }, randomRows(90, 3, 3), 25, 60);
  // SGD's velocity and a learning rate changed mid-run are state too
  const sgd = { optimizer: 'sgd', lr: 0.05, seed: 2 };
  const a = iam.trainer(sgd), b = iam.trainer(sgd);
  a.step(30); a.setLr(0.01); a.step(30);
  b.step(30); b.setLr(0.01);
  const c = iam.trainer(sgd);
  c.setState(b.state());
  c.step(30);
  assert.deepEqual(c.params(), a.params());
  for (const t of [a, b, c]) t.free();
});

test('a state is refused, changing nothing, when it is not one, of another shape, or not finite', () => {
  const t = iam.trainer({ classes: 4, seed: 1 });
  t.step(5);
  const good = t.state(), before = t.params();
  const other = iam.trainer({ classes: 5 });
  const bad = (edit) => { const s = good.slice(); edit(new DataView(s.buffer), s); return s; };
  const floats = (s) => new Float32Array(s.buffer);
  const cases = [
    [good.subarray(0, 10), /at least \d+ bytes/],
    [bad((v) => v.setUint32(0, 1, true)), /not a trainer state \(wrong magic\)/],
    [bad((v) => v.setUint32(4, 4, true)), /format 4, not 3/],
    [good.subarray(0, good.length - 4), /this trainer is \d+ bytes/],
    [bad((v, s) => { floats(s)[floats(s).length - 1] = NaN; }), /rollback copy\[\d+\] is not finite/],
    [bad((v) => v.setInt32(24, -1, true)), /step counts are inconsistent/],
    ['not bytes', /must be a Uint8Array/],
  ];
  for (const [state, expected] of cases) assert.throws(() => t.setState(state), expected, String(expected));
  assert.throws(() => other.setState(good), /trainer with \d+ parameters \(4 classes, 2-D inputs, 2-D embedding\)/);
  assert.deepEqual(t.params(), before);
  assert.equal(t.last().step, 5);
  other.free();
  t.free();
});

test('augmentShift moves each batch image by whole pixels: glyphs train with it (3-D), and 0 changes nothing', () => {
  const plain = iam.trainer({ data: 'glyphs', classes: 10, seed: 4 }), zero = iam.trainer({ data: 'glyphs', classes: 10, seed: 4, augmentShift: 0 });
  plain.step(20); zero.step(20);
  assert.deepEqual(plain.params(), zero.params());
  plain.free(); zero.free();
  const shifted = iam.trainer({ data: 'glyphs', classes: 10, seed: 4, augmentShift: 1, dim: 3 });
  shifted.step(1500);
  const m = shifted.evaluate({ bins: 0 }).metrics;
  shifted.free();
  assert.ok(m.test_acc >= 0.9, `glyphs with shifts: test accuracy ${m.test_acc}`);
  // rows that are not square images cannot move: refused, where they once read past the row
  const x = new Float32Array(3 * 40).map((_, k) => (k % 7) / 7), labels = new Int32Array(40).map((_, k) => k % 2);
  assert.throws(() => iam.trainer({ data: 'mnist', classes: 2, augmentShift: 1 }, { x, labels, dim: 3 }),
    /augment_shift moves square images, and rows of 3 values are not one/);
  const still = iam.trainer({ data: 'mnist', classes: 2, augmentShift: 0 }, { x, labels, dim: 3 });
  still.step(5);
  assert.equal(still.last().step, 5);
  still.free();
});

test('evalRows measures on a balanced prefix of each set; shownInputs are the rows a snapshot shows', async () => {
  const m = await loadMnist();
  const rows = mnistRows(m);
  const config = trainerPreset('normface', { data: 'mnist', dim: 2, seed: 1 });
  const all = iam.trainer(config, rows), part = iam.trainer({ ...config, evalRows: 1000 }, rows);
  assert.equal(all.nTrain + all.nTest, 10000);
  assert.equal(all.inputDim, 196);
  all.step(300); part.step(300);
  const full = all.evaluate({ bins: 0 }).metrics, prefix = part.evaluate({ bins: 0 }).metrics;
  // the prefix: the first 1,000 rows of each set, 100 of each class
  const test1000 = all.inputs('test').labels.subarray(0, 1000);
  for (let c = 0; c < 10; c++) assert.equal(test1000.filter((l) => l === c).length, 100);
  assert.ok(Math.abs(prefix.test_acc - full.test_acc) < 0.05, `${prefix.test_acc} vs ${full.test_acc}`);
  // shownInputs: the inputs of the samples a snapshot shows, in its order: the network's
  // class for each of them (predict) is the nearest class weight to its shown feature
  const shown = all.shownInputs({ points: 60 }), snap = all.snapshot({ points: 60 });
  assert.deepEqual(shown.labels, snap.labels);
  const predicted = all.predict(shown.x);
  for (let i = 0; i < 60; i++) {
    const cos = Array.from({ length: 10 }, (_, j) => snap.embedding[2 * i] * snap.weights[2 * j] + snap.embedding[2 * i + 1] * snap.weights[2 * j + 1]);
    assert.equal(predicted[i], cos.indexOf(Math.max(...cos)), `sample ${i}`);
  }
  all.free(); part.free();
});

test('embedInputs is f(x) of any inputs (what embedRaw gives for the trainer\'s own), weights() its class weights; 10,000 classes fit, 10,001 do not', () => {
  const rows = randomRows(300, 4, 3, 5);
  const t = rowsTrainer(rows, { dim: 3, seed: 2 });
  t.step(30);
  const raw = t.embedRaw({ points: 20, set: 'test' }), shown = t.shownInputs({ points: 20, set: 'test' });
  const e = t.embedInputs(shown.x);
  assert.equal(e.length, 20 * 3);
  for (let k = 0; k < e.length; k++) assert.equal(e[k], raw.embedding[k], `value ${k}`);
  // any inputs, in chunks: an input identical to row 0 gives row 0's embedding anywhere in the batch
  const many = new Float32Array(4 * 20000);
  for (let i = 0; i < 20000; i++) many.set(shown.x.subarray(0, 4), i * 4);
  const big = t.embedInputs(many);
  assert.deepEqual(Array.from(big.subarray(19999 * 3, 20000 * 3)), Array.from(e.subarray(0, 3)));
  assert.throws(() => t.embedInputs(new Float32Array(5)), /multiple of the input dimension 4/);
  assert.throws(() => t.embedInputs(new Float32Array([1, 2, NaN, 4])), /not a finite number|NaN/);
  const { weights, norms } = t.weights();
  assert.equal(weights.length, 3 * 3);
  assert.deepEqual(Array.from(norms), Array.from(t.weightNorms()));
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(Math.hypot(...weights.subarray(j * 3, j * 3 + 3)) - 1) < 1e-5, 'normalized');
  t.free();
  // the largest data set of classes: 10,000 identities of two rows each
  const classes = 10000, x = new Float32Array(classes * 2 * 4), labels = Int32Array.from({ length: classes * 2 }, (_, i) => i % classes);
  for (let k = 0; k < x.length; k++) x[k] = Math.sin(k * 0.37);
  const wide = iam.trainer({ data: 'rows', classes, dim: 8, testFraction: 0.5, evalRows: 100 }, { x, labels });
  assert.equal(wide.classes, classes);
  wide.step(2);
  assert.ok(Number.isFinite(wide.last().loss));
  wide.free();
  const more = Int32Array.from({ length: 10001 * 2 }, (_, i) => i % 10001);
  assert.throws(() => iam.trainer({ data: 'rows', classes: 10001, dim: 8, testFraction: 0.5 }, { x: new Float32Array(more.length * 4).fill(1), labels: more }), /classes must be in \[2, 10000\]/);
});
