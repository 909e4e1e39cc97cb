// iam-variants.test.mjs: the IAM term's readings (iamVariant: default, log-odds, push-only,
// weights) and stops (iamStop: none, W, x) through the binding, on both builds.
//
//   node --test tests/iam-variants.test.mjs
//
// Checked against the independent float64 reference (tests/reference.mjs's iamTerm,
// written from docs/LOSSES.md's formulas, not from src/loss.c): every reading's values on
// softmax, normface, cosface and arcface at random sizes and several β; dx and dW against
// central differences of the reference for every reading and every stop (a stopped side's
// reference is the base loss's alone); SIMD against scalar; the log-odds identity
// L_base + β L_logodds = (1+β)(L_base + β′ L_default), β′ = β/(1+β), for NormFace; the
// default is bit-identical to a config that does not name the fields; bad values are
// refused in a sentence; and in training, 'weights' spreads the class weights, while a
// stopped side's IAM forces are exactly zero.
//
// Tolerances, as in adaptive.test.mjs: values |wasm − ref| ≤ 1e-4 · mag + 1e-6; gradients
// |wasm − fd| ≤ 2e-3 · max|fd| + 1e-5 element by element; SIMD against scalar 2e-6 (values)
// and 3e-5 (gradients, max|Δ|/max|b|). The reference is fed the float32-rounded inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { trainerPreset } from '../wasm/presets.js';
import { referenceLoss, finiteDifferenceGradient } from './reference.mjs';
import { mulberry32 } from './helpers.mjs';
import { fullConfig, unitGaussian, where, checkValues, relErr, checkGradient } from './lossChecks.mjs';

const builds = [
  { name: 'simd', iam: await loadIAM({ simd: true }) },
  { name: 'scalar', iam: await loadIAM({ simd: false }) },
];
const iam = builds[0].iam;
const VARIANTS = ['default', 'log-odds', 'push-only', 'weights'];
const STOPS = ['none', 'W', 'x'];

const full = fullConfig; // every field spelt out (lossChecks.mjs)
// the kinds of the brief; ArcFace's continuous target has no switch to straddle
const KINDS = {
  softmax: full({ kind: 'softmax' }),
  normface: full({ kind: 'normface' }),
  cosface: full({ kind: 'cosface', margin: 0.2 }),
  arcface: full({ kind: 'arcface', margin: 0.3 }),
};

// ---- seeded data ----

const to64 = (batch) => ({ ...batch, x: Float64Array.from(batch.x), W: Float64Array.from(batch.W) });

// n samples of c classes with K rows each: ‖W_r‖ in [0.5, 2], ‖x_i‖ in [0.5, 3], x_i a mix
// of a random row of its class and noise, so that targets sit at every angle.
function makeBatch(seed, { n, d, c, K = 1 }) {
  const rand = mulberry32(seed);
  const W = new Float32Array(c * K * d);
  for (let r = 0; r < c * K; r++) {
    const u = unitGaussian(rand, d), len = 0.5 + 1.5 * rand();
    for (let k = 0; k < d; k++) W[r * d + k] = len * u[k];
  }
  const labels = Int32Array.from({ length: n }, (_, i) => (i < c ? i : Math.floor(rand() * c)));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = labels[i] * K + Math.floor(rand() * K), pull = 2 * rand(), noise = unitGaussian(rand, d);
    const v = Float64Array.from({ length: d }, (_, k) => pull * W[row * d + k] + noise[k]);
    const len = (0.5 + 2.5 * rand()) / Math.hypot(...v);
    for (let k = 0; k < d; k++) x[i * d + k] = v[k] * len;
  }
  return { x, W, labels, n, d, c };
}

// With sub-centers: the smallest gap between a class's best two rows over every sample (a
// tie is where the pooling switches, and a central difference across it is wrong).
function tieGap({ x, W, n, d, c }, K) {
  let gap = Infinity;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < c; j++) {
      const cos = [];
      for (let k = 0; k < K; k++) {
        let dot = 0, xx = 0, ww = 0;
        for (let q = 0; q < d; q++) {
          const a = x[i * d + q], b = W[(j * K + k) * d + q];
          dot += a * b; xx += a * a; ww += b * b;
        }
        cos.push(dot / Math.sqrt(xx * ww));
      }
      cos.sort((a, b) => b - a);
      gap = Math.min(gap, cos[0] - cos[1]);
    }
  return gap;
}

// Random sizes from a seed: n in [2, 9], d in [2, 6], c in [2, 7] (c = 2: log(C−1) = 0).
function randomSizes(seed, count) {
  const rand = mulberry32(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  return Array.from({ length: count }, () => ({ n: int(2, 9), d: int(2, 6), c: int(2, 7) }));
}

// ---- comparisons ----

// the same bits, array by array (NaN and −0 included)
const bits = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
function assertSameBits(a, b, what) {
  for (const key of Object.keys(b)) {
    const same = ArrayBuffer.isView(b[key]) ? bits(a[key]).equals(bits(b[key])) : Object.is(Math.fround(a[key]), Math.fround(b[key]));
    assert.ok(same, `${what}: ${key} differs`);
  }
}

// the worst relative gradient error seen per reading and stop, for the report
const worst = new Map();
function note(key, err) { worst.set(key, Math.max(worst.get(key) ?? 0, err)); }

// One config on one batch, both builds: values against the reference, dx and dW against its
// central differences (with the stop's rule: the stopped side is the base loss's).
function checkAgainstReference(cfg, batch) {
  const b64 = to64(batch), ref = referenceLoss(cfg, b64), fd = finiteDifferenceGradient(cfg, b64);
  for (const { name, iam: lib } of builds) {
    const at = where(cfg, batch, name), got = lib.loss(cfg, batch);
    checkValues(got, ref, cfg, at);
    checkGradient('dx', got.dx, fd.dx, at);
    checkGradient('dW', got.dW, fd.dW, at);
    note(`${cfg.iamVariant}/${cfg.iamStop} dx`, relErr(got.dx, fd.dx));
    note(`${cfg.iamVariant}/${cfg.iamStop} dW`, relErr(got.dW, fd.dW));
  }
}

// ---- (a) values against the float64 reference ----

test('(a) every reading of L_IAM on softmax, normface, cosface, arcface, random sizes and β: the float64 reference', () => {
  let checked = 0;
  for (const [k, cfg0] of Object.values(KINDS).entries())
    for (const [v, iamVariant] of VARIANTS.entries())
      for (const [s, size] of randomSizes(100 + 10 * k + v, 4).entries())
        for (const beta of [0.25, 1, 3]) {
          const cfg = { ...cfg0, iamVariant, beta }, batch = makeBatch(1000 * k + 100 * v + s, size);
          const ref = referenceLoss(cfg, to64(batch));
          for (const { name, iam: lib } of builds) checkValues(lib.loss(cfg, batch), ref, cfg, where(cfg, batch, name));
          checked++;
        }
  assert.equal(checked, 4 * 4 * 4 * 3);
});

test('(a) the readings differ as their formulas say: log-odds − default = softplus(−h), push-only − log-odds = u_y', () => {
  // one sample, one class's cosine known: u_y = s c_y; the reference's readings, by hand
  const batch = makeBatch(7, { n: 1, d: 3, c: 4 }), b64 = to64(batch);
  const { x, W, d, c } = b64, y = batch.labels[0], s = 10;
  const cos = Array.from({ length: c }, (_, j) => {
    let dot = 0, xx = 0, ww = 0;
    for (let q = 0; q < d; q++) { dot += x[q] * W[j * d + q]; xx += x[q] ** 2; ww += W[j * d + q] ** 2; }
    return dot / Math.sqrt(xx * ww);
  });
  const others = cos.map((v, j) => (j === y ? -Infinity : s * v));
  const lse = Math.log(others.reduce((sum, u) => sum + Math.exp(u), 0)), h = s * cos[y] - lse;
  const at = (iamVariant) => iam.loss(full({ iamVariant }), batch).iam;
  const softplus = (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  assert.ok(Math.abs(at('default') - (-softplus(h) - Math.log(c - 1))) < 1e-5, 'default');
  assert.ok(Math.abs(at('log-odds') - (-h - Math.log(c - 1))) < 1e-5, 'log-odds');
  assert.ok(Math.abs(at('push-only') - (lse - Math.log(c - 1))) < 1e-5, 'push-only');
  assert.ok(Math.abs(at('log-odds') - at('default') - softplus(-h)) < 1e-5, 'log-odds = default + softplus(−h)');
});

// ---- (b) dx and dW against central differences, every reading and every stop ----

for (const kind of Object.keys(KINDS))
  test(`(b) ${kind}: dx and dW of every reading and stop against central differences of the float64 reference`, () => {
    for (const [v, iamVariant] of VARIANTS.entries())
      for (const iamStop of STOPS)
        for (const [s, size] of randomSizes(200 + v, 3).entries()) {
          const beta = [0.5, 1, 2][s];
          const cfg = { ...KINDS[kind], iamVariant, iamStop, beta };
          checkAgainstReference(cfg, makeBatch(5000 + 100 * v + 10 * s + kind.length, size));
        }
  });

test('(b) sub-centers K = 2, 3 with the cosine readings and every stop: the pooling runs again after a stop', () => {
  for (const iamVariant of ['default', 'log-odds', 'push-only'])
    for (const iamStop of STOPS)
      for (const [kind, K] of [['arcface', 2], ['cosface', 3], ['normface', 2]]) {
        const cfg = { ...KINDS[kind], subcenters: K, iamVariant, iamStop, beta: 0.8 };
        let seed = 9000, batch;
        do batch = makeBatch(seed++, { n: 6, d: 3, c: 4, K }); while (tieGap(to64(batch), K) < 2e-3);
        checkAgainstReference(cfg, batch);
      }
});

test('(b) the stops: the stopped side is the base loss\'s gradient to the bit, the other side the whole loss\'s', () => {
  for (const { name, iam: lib } of builds)
    for (const kind of Object.keys(KINDS))
      for (const iamVariant of VARIANTS) {
        const batch = makeBatch(77 + kind.length, { n: 8, d: 5, c: 6 }), cfg = { ...KINDS[kind], iamVariant, beta: 0.7 };
        const whole = lib.loss(cfg, batch), base = lib.loss({ ...cfg, beta: 0 }, batch);
        const stopW = lib.loss({ ...cfg, iamStop: 'W' }, batch), stopX = lib.loss({ ...cfg, iamStop: 'x' }, batch);
        const at = `${name} ${kind} ${iamVariant}`;
        assertSameBits({ dW: stopW.dW }, { dW: base.dW }, `${at}: stop W leaves IAM out of dW`);
        assertSameBits({ dx: stopX.dx }, { dx: base.dx }, `${at}: stop x leaves IAM out of dx`);
        assert.ok(relErr(stopW.dx, whole.dx) <= 1e-6, `${at}: stop W's dx is the whole one's`);
        assert.ok(relErr(stopX.dW, whole.dW) <= 1e-6, `${at}: stop x's dW is the whole one's`);
        // the values do not depend on the stop
        for (const key of ['loss', 'base', 'iam']) assert.equal(stopW[key], whole[key], `${at}: ${key}`);
        // and IAM really reaches the side that is not stopped (at β = 0.7 it moves both, but for 'weights' on dx)
        if (iamVariant !== 'weights') assert.ok(relErr(whole.dx, base.dx) > 1e-3, `${at}: IAM moves x`);
        else assertSameBits({ dx: whole.dx }, { dx: base.dx }, `${at}: 'weights' never moves x`);
        assert.ok(relErr(whole.dW, base.dW) > 1e-3, `${at}: IAM moves W`);
        if (iamVariant === 'weights') assertSameBits(stopW, { ...base, iam: whole.iam, loss: whole.loss }, `${at}: 'weights' with stop W does nothing`);
      }
});

// ---- (c) the SIMD build against the scalar build ----

test('(c) the SIMD build agrees with the scalar build on every reading and stop, d = 2, 3, 64, 512', () => {
  const [simd, scalar] = builds.map((b) => b.iam);
  for (const kind of ['softmax', 'normface', 'arcface'])
    for (const iamVariant of VARIANTS)
      for (const iamStop of STOPS)
        for (const d of [2, 3, 64, 512]) {
          const cfg = { ...KINDS[kind], iamVariant, iamStop, beta: 0.5 }, batch = makeBatch(300 + d, { n: 9, d, c: 7 });
          const a = simd.loss(cfg, batch), b = scalar.loss(cfg, batch), at = `${JSON.stringify(cfg)} d=${d}`;
          for (const key of ['loss', 'base', 'iam'])
            assert.ok(Math.abs(a[key] - b[key]) <= 2e-6 * (1 + Math.abs(b[key])), `${key}: simd ${a[key]} vs scalar ${b[key]} for ${at}`);
          assert.ok(relErr(a.dx, b.dx) <= 3e-5, `dx: simd vs scalar ${relErr(a.dx, b.dx).toExponential(2)} for ${at}`);
          assert.ok(relErr(a.dW, b.dW) <= 3e-5, `dW: simd vs scalar ${relErr(a.dW, b.dW).toExponential(2)} for ${at}`);
          checkValues(a, referenceLoss(cfg, to64(batch)), cfg, `simd ${at}`); // and both are right
        }
});

// ---- (d) the log-odds identity ----

// −h = −softplus(h) + softplus(−h), and softplus(−h_i) is NormFace's cross-entropy at the
// same s: L_base + β L_logodds = (1+β) L_base + β L_default = (1+β)(L_base + β′ L_default).
test('(d) NormFace + β·log-odds = (1+β)·(NormFace + β/(1+β)·default): values and gradients, reference and both builds', () => {
  for (const [s, size] of randomSizes(400, 5).entries())
    for (const beta of [0.1, 0.5, 1, 4]) {
      const batch = makeBatch(4000 + s, size), b64 = to64(batch), scale = [10, 4, 30, 10, 16][s];
      const odds = full({ scale, beta, iamVariant: 'log-odds' }), main = full({ scale, beta: beta / (1 + beta) });
      // the float64 reference: the identity is exact, no constant left over
      const rOdds = referenceLoss(odds, b64), rMain = referenceLoss(main, b64);
      assert.ok(Math.abs(rOdds.loss - (1 + beta) * rMain.loss) <= 1e-12 * (1 + Math.abs(rOdds.loss)),
        `reference: ${rOdds.loss} vs (1+β)·${rMain.loss}`);
      assert.ok(Math.abs(rOdds.iam - (rMain.iam + rMain.base)) <= 1e-12 * (1 + Math.abs(rOdds.iam)), 'log-odds = default + NormFace');
      const gOdds = finiteDifferenceGradient(odds, b64), gMain = finiteDifferenceGradient(main, b64);
      for (const key of ['dx', 'dW'])
        assert.ok(relErr(gOdds[key], gMain[key].map((v) => (1 + beta) * v)) <= 1e-6, `reference ${key}`);
      for (const { name, iam: lib } of builds) {
        const a = lib.loss(odds, batch), b = lib.loss(main, batch), at = `${name} s=${scale} β=${beta} ${JSON.stringify(size)}`;
        assert.ok(Math.abs(a.loss - (1 + beta) * b.loss) <= 2e-6 * (Math.abs(a.base) + beta * Math.abs(a.iam)) + 1e-6,
          `${at}: loss ${a.loss} vs (1+β)·${b.loss}`);
        assert.ok(Math.abs(a.iam - (b.iam + b.base)) <= 2e-6 * (Math.abs(b.iam) + b.base) + 1e-6, `${at}: iam`);
        for (const key of ['dx', 'dW']) {
          const err = relErr(a[key], b[key].map((v) => (1 + beta) * v));
          note(`log-odds identity ${key}`, err);
          assert.ok(err <= 1e-5, `${at}: ${key} off by ${err.toExponential(2)}`);
        }
      }
    }
});

test('(d) with Adam the two train alike: NormFace + β·log-odds and NormFace + β′·default, same seed, near the same weights', () => {
  const beta = 1, settings = { dim: 3, classes: 6, seed: 2 };
  const a = iam.trainer(trainerPreset('normface', settings, { beta, iamVariant: 'log-odds' }));
  const b = iam.trainer(trainerPreset('normface', settings, { beta: beta / (1 + beta) }));
  const plain = iam.trainer(trainerPreset('normface', settings, { beta: 0 }));
  for (const t of [a, b, plain]) t.step(100);
  const [pa, pb, p0] = [a, b, plain].map((t) => t.params());
  // Adam divides the gradient by its running size: the factor 1 + β cancels but in ε
  const same = relErr(pa, pb), apart = relErr(pa, p0);
  assert.ok(same < 0.1 * apart, `log-odds vs β′ default: ${same.toExponential(2)}, vs β = 0: ${apart.toExponential(2)}`);
  for (const t of [a, b, plain]) t.free();
});

// ---- (e) the defaults ----

test('(e) iamVariant default and iamStop none are bit-identical to a config that does not name them', () => {
  for (const { iam: lib } of builds) {
    const resolved = lib.defaults('loss_config', { kind: 'arcface' });
    assert.equal(resolved.iamVariant, 'default');
    assert.equal(resolved.iamStop, 'none');
    for (const kind of lib.names.kind)
      for (const beta of [0, 0.5]) {
        const K = kind === 'softmax' ? 1 : 2, batch = makeBatch(60 + beta * 10 + kind.length, { n: 9, d: 5, c: 4, K });
        const plain = lib.loss({ kind, beta, subcenters: K }, batch);
        const named = lib.loss({ kind, beta, subcenters: K, iamVariant: 'default', iamStop: 'none' }, batch);
        assertSameBits(named, plain, `${kind} β=${beta}`);
      }
    const t1 = lib.trainer({ loss: { beta: 0.5 }, seed: 4 }), t2 = lib.trainer({ loss: { beta: 0.5, iamVariant: 'default', iamStop: 'none' }, seed: 4 });
    t1.step(50); t2.step(50);
    assertSameBits({ p: t2.params() }, { p: t1.params() }, 'a trainer too');
    assert.equal(t2.last().config.iamVariant, 'default');
    t1.free(); t2.free();
  }
});

// ---- (f) bad values ----

test('(f) bad values: an unknown name, an integer, weights with sub-centers, in the trainer too, each in a sentence', () => {
  const batch = makeBatch(5, { n: 4, d: 3, c: 3 });
  const refuses = (config, pattern) => assert.throws(() => iam.loss(config, batch), pattern, JSON.stringify(config));
  refuses({ iamVariant: 'log_odds' }, /^Error: unknown loss iamVariant 'log_odds' \(expected one of default, log-odds, push-only, weights\)$/);
  refuses({ iamVariant: 'Weights' }, /unknown loss iamVariant 'Weights' \(expected one of default, log-odds, push-only, weights\)/);
  // by name only: the C numbers never cross, so an integer (in range or not) is a bad name
  refuses({ iamVariant: 1 }, /unknown loss iamVariant '1' \(expected one of default, log-odds, push-only, weights\)/);
  refuses({ iamVariant: 7 }, /unknown loss iamVariant '7'/);
  refuses({ iamStop: 'w' }, /^Error: unknown loss iamStop 'w' \(expected one of none, W, x\)$/);
  refuses({ iamStop: 2 }, /unknown loss iamStop '2' \(expected one of none, W, x\)/);
  refuses({ iamStop: true }, /unknown loss iamStop 'true'/);
  refuses({ kind: 'normface', iamVariant: 'weights', subcenters: 2 },
    /^Error: iam_variant weights pushes one weight per class apart, so it needs subcenters = 1 \(got subcenters 2\)$/);
  // the trainer refuses the same before it allocates anything
  assert.throws(() => iam.trainer({ loss: { kind: 'arcface', iamVariant: 'weights', subcenters: 3 } }),
    /iam_variant weights .* subcenters = 1 \(got subcenters 3\)/);
  assert.throws(() => iam.trainer({ loss: { iamStop: 'both' } }), /unknown loss iamStop 'both' \(expected one of none, W, x\)/);
  // the names are the library's
  assert.deepEqual([...iam.names.iamVariant], VARIANTS);
  assert.deepEqual([...iam.names.iamStop], STOPS);
  // allowed: 'weights' with stop W (it then does nothing), weights with K = 1 on every cosine kind
  const r = iam.loss({ iamVariant: 'weights', iamStop: 'W', beta: 1 }, batch), base = iam.loss({ beta: 0 }, batch);
  assertSameBits({ dx: r.dx, dW: r.dW }, { dx: base.dx, dW: base.dW }, "'weights' with stop W");
  assert.ok(Number.isFinite(r.iam) && r.iam !== 0, 'the term is still reported');
});

// ---- (g) training ----

test('(g) training: NormFace with the weight-only control at β = 1 spreads the class weights over β = 0 (blobs, 3-D, seeds 1–3)', () => {
  for (const seed of [1, 2, 3]) {
    const angles = {};
    for (const [label, loss] of [['β = 0', { beta: 0 }], ['weights β = 1', { beta: 1, iamVariant: 'weights' }]]) {
      const t = iam.trainer(trainerPreset('normface', { dim: 3, classes: 8, seed }, loss));
      t.step(600);
      angles[label] = t.evaluate({ bins: 0 }).metrics;
      t.free();
    }
    const [plain, spread] = [angles['β = 0'], angles['weights β = 1']];
    // measured: min 57/52/52° → 73°, the Tammes limit for 8 is 74.9°
    assert.ok(spread.min_weight_angle_deg > plain.min_weight_angle_deg + 5,
      `seed ${seed}: min weight angle ${plain.min_weight_angle_deg}° → ${spread.min_weight_angle_deg}°`);
    assert.ok(spread.mean_nn_weight_angle_deg > plain.mean_nn_weight_angle_deg,
      `seed ${seed}: mean nearest weight angle ${plain.mean_nn_weight_angle_deg}° → ${spread.mean_nn_weight_angle_deg}°`);
    assert.ok(spread.test_acc >= 0.95, `seed ${seed}: accuracy ${spread.test_acc}`);
  }
});

// max |a_k| over an array
const largest = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

test('(g) forces: a stopped side\'s IAM arrows are exactly zero, and every part matches the float64 reference', () => {
  const POINTS = 16;
  for (const iamVariant of VARIANTS)
    for (const iamStop of STOPS) {
      const t = iam.trainer(trainerPreset('normface', { dim: 3, classes: 6, seed: 3 }, { beta: 0.5, iamVariant, iamStop }));
      t.step(80);
      const snap = t.snapshot({ points: POINTS }), f = t.forces({ points: POINTS });
      const { dim: d, classes: c } = t, n = snap.labels.length, at = `${iamVariant}/${iamStop}`;
      const samplesStill = iamVariant === 'weights' || iamStop === 'x', weightsStill = iamStop === 'W';
      assert.equal(f.iam.every((v) => v === 0), samplesStill, `${at}: the samples' IAM arrows are ${samplesStill ? '' : 'not '}zero`);
      assert.equal(f.weightIam.every((v) => v === 0), weightsStill, `${at}: the weights' IAM part is ${weightsStill ? '' : 'not '}zero`);
      assert.ok(f.lossIam.every(Number.isFinite) && largest(f.lossIam) > 0, `${at}: L_IAM is reported`);
      // against the reference at x̂ (NormFace's loss of x̂ is the loss of e): the stopped side's reference is the base's
      const cfg = { ...t.last().config, featureNorm: false };
      const batch = { x: snap.embedding, W: t.params().slice(-c * d), labels: snap.labels, n, d, c };
      const whole = finiteDifferenceGradient(cfg, batch), base = finiteDifferenceGradient({ ...cfg, beta: 0, iamStop: 'none' }, batch);
      const perSample = (g) => g.dx.map((v) => v * n);
      const iamPart = perSample(whole).map((v, k) => v - perSample(base)[k]);
      assert.ok(relErr(f.base, perSample(base)) < 2e-3, `${at}: base arrows ${relErr(f.base, perSample(base))}`);
      if (!samplesStill) assert.ok(relErr(f.iam, iamPart) < 5e-3, `${at}: IAM arrows ${relErr(f.iam, iamPart)}`);
      else assert.ok(largest(iamPart) < 1e-6 * largest(perSample(base)) + 1e-9, `${at}: the reference moves no sample either`);
      const wSum = f.weightBase.map((v, k) => v + f.weightIam[k]);
      assert.ok(relErr(wSum, whole.dW) < 2e-3, `${at}: weights, whole ${relErr(wSum, whole.dW)}`);
      t.free();
    }
});

test('the worst relative gradient errors against finite differences, per reading and stop', (t) => {
  assert.ok(worst.size > 0, 'the gradient tests ran first');
  for (const [key, err] of [...worst].sort()) t.diagnostic(`${key}: ${err.toExponential(2)}`);
  assert.ok([...worst.values()].every((e) => e < 5e-3));
});
