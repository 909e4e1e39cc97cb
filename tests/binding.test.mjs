// binding.test.mjs: the JS binding's own contract (DESIGN.md, "JS binding"):
// it picks the right build, turns every bad input into a clear Error that loses
// nothing, allocates nothing per call, and the SIMD build agrees with the scalar one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM, simdSupported } from '../wasm/iam.js';
import { randomBatch } from './helpers.mjs';
import { referenceLoss } from './reference.mjs';
import { checkValues, relErr } from './lossChecks.mjs';

const simd = await loadIAM({ simd: true });
const scalar = await loadIAM({ simd: false });

test('loadIAM picks the SIMD build where SIMD validates, and can be forced to scalar', async () => {
  assert.equal(simdSupported(), true, 'Node 20 validates wasm SIMD');
  const auto = await loadIAM();
  assert.equal(auto.simd, true);
  assert.equal(simd.simd, true);
  assert.equal(scalar.simd, false);
});

// [what, config, batch change, expected sentence]
const BAD_INPUTS = [
  ['NaN in x', {}, (b) => { b.x[5] = NaN; }, /x\[5\] \(row 1, column 2\) is NaN/],
  ['Inf in W', {}, (b) => { b.W[7] = -Infinity; }, /W\[7\] .* is infinite/],
  ['label = c', {}, (b) => { b.labels[2] = b.c; }, /labels\[2\] = 5 is out of range \[0, 5\)/],
  ['negative label', {}, (b) => { b.labels[0] = -1; }, /labels\[0\] = -1 is out of range/],
  ['fractional label', {}, (b) => { b.labels = [...b.labels]; b.labels[1] = 1.5; }, /labels\[1\] = 1.5 is not an integer/],
  ['zero-norm x row', {}, (b) => { b.x.fill(0, 6, 9); }, /row 2 of x has zero norm/],
  ['zero-norm W row', {}, (b) => { b.W.fill(0, 3, 6); }, /row 1 of W has zero norm/],
  ['s = 0', { scale: 0 }, null, /scale must be > 0 .*got 0/],
  ['s < 0', { scale: -2 }, null, /scale must be > 0 .*got -2/],
  ['s = NaN', { scale: NaN }, null, /scale must be > 0 .*got nan/i],
  ['beta < 0', { beta: -0.5 }, null, /beta must be >= 0 .*got -0.5/],
  ['negative arcface margin', { margin: -0.1 }, null, /margin must be in \[0, 1.5708\] for arcface \(got -0.1\)/],
  ['negative cosface margin', { kind: 'cosface', margin: -0.2 }, null, /margin must be in \[0, 1\] for cosface/],
  ['sphereface m < 1', { kind: 'sphereface', margin: 0.5 }, null, /margin must be in \[1, 8\] for sphereface/],
  ['negative lambda', { kind: 'sphereface', margin: 2, lambda: -1 }, null, /lambda must be >= 0/],
  ['negative m2', { kind: 'combined', m2: -0.3 }, null, /m2 must be in/],
  ['unknown kind', { kind: 'elasticface' }, null, /unknown loss kind 'elasticface' \(expected one of softmax, normface/],
  ['unknown fallback', { fallback: 'hard' }, null, /unknown loss fallback 'hard' \(expected one of continuous, insightface, easy, none\)/],
  ['unknown option', { margn: 0.3 }, null, /unknown loss option 'margn'/],
  ['margin as a string', { margin: '0.3' }, null, /margin must be a number/],
  ['C < 2', {}, (b) => { b.c = 1; b.W = b.W.subarray(0, b.d); b.labels.fill(0); }, /c must be an integer >= 2 \(got 1\)/],
  ['x length != n*d', {}, (b) => { b.x = b.x.subarray(1); }, /x has length 23 but n\*d = 24/],
  ['W length != c*d', {}, (b) => { b.W = new Float32Array(7); }, /W has length 7 but c\*d = 15/],
  ['labels length != n', {}, (b) => { b.labels = b.labels.subarray(0, 3); }, /labels has length 3 but n = 8/],
  ['n not an integer', {}, (b) => { b.n = 2.5; }, /n must be an integer/],
  ['d missing', {}, (b) => { delete b.d; }, /d must be an integer >= 1 \(got undefined\)/],
  ['x not an array', {}, (b) => { b.x = 'abc'; }, /x must be a typed array/],
  // issue 16: a label past 32 bits was wrapped (2**32 trained as class 0)
  ['label 2**32', {}, (b) => { b.labels = [...b.labels]; b.labels[0] = 2 ** 32; }, /labels\[0\] = 4294967296 is out of range \[0, 5\)/],
  ['label as a string', {}, (b) => { b.labels = [...b.labels]; b.labels[3] = '1'; }, /labels\[3\] = "1" is not an integer/],
  ['x holds a string', {}, (b) => { b.x = [...b.x]; b.x[4] = '0.5'; }, /x\[4\] must be a number \(got "0.5"\)/],
  ['n past a C int', {}, (b) => { b.n = 2 ** 32 + 8; }, /n must be at most 2147483647/],
];

for (const [lib, name] of [[simd, 'SIMD'], [scalar, 'scalar']]) {
  test(`every bad input throws the library's sentence and loses nothing (${name})`, () => {
    const good = randomBatch(8, 3, 5, 3);
    const goodCfg = { kind: 'arcface', scale: 10, margin: 0.3, beta: 0.5 };
    const before = lib.loss(goodCfg, good);
    for (const [what, cfgChange, batchChange, expected] of BAD_INPUTS) {
      const b = { ...good, x: good.x.slice(), W: good.W.slice(), labels: good.labels.slice() };
      batchChange?.(b);
      assert.throws(() => lib.loss({ ...goodCfg, ...cfgChange }, b), (err) => {
        assert.ok(err instanceof Error, `${what}: not an Error`);
        assert.match(err.message, expected, `${what}: message was "${err.message}"`);
        return true;
      }, what);
    }
    // the caller's arrays are untouched and the library answers exactly as before
    const after = lib.loss(goodCfg, good);
    assert.equal(after.loss, before.loss);
    assert.deepEqual(after.dx, before.dx);
    assert.deepEqual(after.dW, before.dW);
  });

  test(`10,000 calls leave wasm memory where it was (${name})`, () => {
    const b = randomBatch(32, 16, 10, 5);
    const cfg = { kind: 'cosface', scale: 10, margin: 0.2, beta: 0.5 };
    const first = lib.loss(cfg, b);
    const bytes = lib.memoryBytes, arena = lib.arena.ptr;
    for (let k = 0; k < 10000; k++) lib.loss(cfg, b);
    try { lib.loss({ ...cfg, scale: -1 }, b); } catch { /* an error path must not leak either */ }
    const last = lib.loss(cfg, b);
    assert.equal(lib.memoryBytes, bytes, 'wasm memory grew');
    assert.equal(lib.arena.ptr, arena, 'the scratch block moved');
    assert.equal(last.loss, first.loss, 'the same input gave a different loss');
  });
}

test('outputs are fresh arrays, not views into wasm memory', () => {
  const b = randomBatch(4, 3, 3, 9);
  const r1 = simd.loss({ kind: 'normface' }, b);
  const keep = r1.dx.slice();
  simd.loss({ kind: 'normface' }, randomBatch(4, 3, 3, 10));
  assert.deepEqual(r1.dx, keep, 'a later call overwrote an earlier result');
  assert.notEqual(r1.dx.buffer, simd.ex.memory.buffer);
});

test('plain arrays and Float64Arrays are accepted like Float32Arrays', () => {
  const b = randomBatch(6, 4, 3, 11);
  const cfg = { kind: 'arcface', scale: 8, margin: 0.25, beta: 0.3 };
  const typed = simd.loss(cfg, b);
  const plain = simd.loss(cfg, { ...b, x: [...b.x], W: Float64Array.from(b.W), labels: [...b.labels] });
  assert.equal(plain.loss, typed.loss);
  assert.deepEqual(plain.dW, typed.dW);
});

// SIMD and scalar sum in different orders: they agree to float32 rounding.
const SIZES = [[5, 2, 3], [7, 3, 8], [33, 17, 11], [64, 128, 200], [9, 130, 1000]];
const CONFIGS = [
  { kind: 'softmax', beta: 0.5 }, { kind: 'normface', scale: 10 },
  { kind: 'cosface', scale: 30, margin: 0.35, beta: 0.5 }, { kind: 'arcface', scale: 64, margin: 0.5, beta: 1 },
  { kind: 'sphereface', margin: 4, lambda: 5, featureNorm: true, beta: 0.2 }, { kind: 'combined', m1: 1.2, m2: 0.3, m3: 0.1 },
];
test('the SIMD build agrees with the scalar build on every kind and size', () => {
  let worstLoss = 0, worstGrad = 0;
  for (const [n, d, c] of SIZES) {
    const b = randomBatch(n, d, c, n * 31 + c);
    for (const cfg of CONFIGS) {
      const a = simd.loss(cfg, b), s = scalar.loss(cfg, b);
      for (const key of ['loss', 'base', 'iam']) {
        const err = Math.abs(a[key] - s[key]) / Math.max(1e-3, Math.abs(s[key]));
        worstLoss = Math.max(worstLoss, err);
        assert.ok(err < 1e-5, `${cfg.kind} ${n}x${d}x${c} ${key}: simd ${a[key]} scalar ${s[key]}`);
      }
      for (const key of ['dx', 'dW']) {
        let big = 0, diff = 0;
        for (let k = 0; k < s[key].length; k++) {
          big = Math.max(big, Math.abs(s[key][k]));
          diff = Math.max(diff, Math.abs(a[key][k] - s[key][k]));
        }
        worstGrad = Math.max(worstGrad, diff / big);
        assert.ok(diff <= 1e-4 * big, `${cfg.kind} ${n}x${d}x${c} ${key}: max diff ${diff}, largest ${big}`);
      }
    }
  }
  console.log(`# SIMD vs scalar: max loss rel diff ${worstLoss.toExponential(2)}, max grad diff/largest ${worstGrad.toExponential(2)}`);
});

// The SIMD build's softmax numerators use its own e^x (src/simd.h, f32x4_exp): rows whose
// logits lie hundreds apart send most arguments below −87.3, where it returns 0 and expf
// a subnormal; the values still match float64 and the gradients the scalar build's.
test("the SIMD build's e^x: logits hundreds apart agree with float64 and with the scalar build", () => {
  const b = randomBatch(48, 16, 300, 77);
  const wide = { ...b, x: b.x.map((v) => 60 * v) }; // softmax logits up to a few hundred
  for (const cfg of [{ kind: 'softmax', beta: 0.5 }, { kind: 'arcface', scale: 64, margin: 0.5, beta: 1 }]) {
    const batch = cfg.kind === 'softmax' ? wide : b;
    const a = simd.loss(cfg, batch), s = scalar.loss(cfg, batch);
    checkValues(a, referenceLoss(cfg, batch), cfg, `simd ${cfg.kind}`);
    for (const key of ['dx', 'dW']) {
      const err = relErr(a[key], s[key]);
      assert.ok(err < 1e-5, `${cfg.kind} ${key}: SIMD against scalar ${err.toExponential(2)} of the largest`);
    }
  }
});

test("the network's SIMD kernels give the scalar build's gradients: one SGD step of a trainer", () => {
  // one plain SGD step (lr 1, no momentum) from the same parameters: p1 = p0 − ∂L/∂p
  const builds = [simd, scalar];
  const configs = [
    { data: 'glyphs', classes: 5, dim: 3, hidden: [13, 9], batchSize: 7 },    // remainders of every blocked loop
    { data: 'blobs', classes: 10, dim: 2, hidden: [64, 64], batchSize: 256 }, // small
    { data: 'glyphs', classes: 10, dim: 3, hidden: [20, 128], batchSize: 33 },
    { data: 'blobs', classes: 6, dim: 5, hidden: [9], batchSize: 11 },        // short rows: 2-D input, d < 8
  ];
  for (const cfg of configs) {
    const full = { ...cfg, optimizer: 'sgd', lr: 1, momentum: 0, loss: { kind: 'arcface', scale: 10, margin: 0.2 } };
    const grads = builds.map((iam) => {
      const t = iam.trainer(full);
      const p0 = t.params();
      t.step(1);
      const p1 = t.params();
      t.free();
      return { p0, g: p0.map((v, k) => v - p1[k]) };
    });
    assert.deepEqual(grads[0].p0, grads[1].p0, 'both builds start from the same parameters');
    let big = 0, diff = 0;
    for (let k = 0; k < grads[0].g.length; k++) {
      big = Math.max(big, Math.abs(grads[1].g[k]));
      diff = Math.max(diff, Math.abs(grads[0].g[k] - grads[1].g[k]));
    }
    assert.ok(big > 0, 'a nonzero gradient');
    assert.ok(diff <= 1e-4 * big, `${JSON.stringify(cfg)}: SIMD and scalar gradients differ by ${diff} (largest ${big})`);
  }
});

// issue 16: n = 1, d = 4096, c = 100000 asked malloc for 4.9 GB, which its 32-bit size
// wrapped to a block that succeeded; the binding then wrote over a live trainer
test('sizes past C\'s limits are refused with its sentence before any memory is taken, and nothing is harmed', () => {
  const t = simd.trainer({ classes: 3, trainPerClass: 20, testPerClass: 5, seed: 2 });
  t.step(5);
  const params = t.params(), bytes = simd.memoryBytes;
  const huge = { x: new Float32Array(4), W: new Float32Array(4), labels: [0] };
  for (const [n, d, c, expected] of [
    [1, 4096, 100000, /\(n \+ c\)\*d = 409604096 is too large: at most 16777216/],
    [65536, 1, 100000, /n\*c = 6553600000 is too large: at most 16777216/],
    [1e7, 2, 2, /n must be in \[1, 65536\] \(got 10000000\)/],
  ])
    assert.throws(() => simd.loss({}, { ...huge, n, d, c }), expected);
  assert.throws(() => simd.loss({ scale: -1 }, randomBatch(4096, 64, 1000, 1)), /scale must be > 0/);
  assert.equal(simd.memoryBytes, bytes, 'a refused call grew wasm memory');
  // the arena refuses what a 32-bit wasm cannot hold, and owns nothing it did not get
  assert.throws(() => simd.arena.reset(2 ** 32 + 64), /needs 4294967360 bytes of wasm memory, more than the 2 GB/);
  assert.throws(() => simd.arena.reset(2 ** 31 - 64), /out of wasm memory: this call needs 2147483584 bytes/);
  assert.equal(simd.arena.bytes, 0);
  assert.deepEqual(t.params(), params, 'the trainer was written over');
  assert.doesNotThrow(() => t.step(1));
  assert.ok(Number.isFinite(simd.loss({}, randomBatch(4, 3, 3, 1)).loss));
  t.free();
});

test('trainer.predict takes any number of points in chunks: wasm memory does not grow with them', () => {
  const t = simd.trainer({ classes: 3, trainPerClass: 20, testPerClass: 5, seed: 2 });
  const rand = Float32Array.from({ length: 2 * 5000 }, (_, k) => Math.sin(k));
  const few = t.predict(rand);
  const bytes = simd.memoryBytes;
  const many = new Float32Array(2 * ((1 << 20) + 5000));   // past C's 2^20 points per call
  many.set(rand, 2 << 20);
  const all = t.predict(many);
  assert.equal(all.length, (1 << 20) + 5000);
  assert.deepEqual(all.subarray(1 << 20), few, 'the last chunk differs from the same points alone');
  assert.equal(simd.memoryBytes, bytes, 'predict grew wasm memory');
  many[2 * 20000 + 1] = NaN;
  assert.throws(() => t.predict(many), /inputs\[7233\] \(row 3616, column 1\) is NaN.*\(counting from point 16384\)/);
  assert.equal(simd.memoryBytes, bytes);
  t.free();
});
