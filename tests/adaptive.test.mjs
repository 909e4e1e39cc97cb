// adaptive.test.mjs: the losses and options of issue 15 through the binding, on both
// builds: CurricularFace, AdaFace, MagFace, sub-centers, ElasticFace's random margin,
// detachMargin and the 'none' fallback.
//
//   node --test tests/adaptive.test.mjs
//
// Values and gradients are checked against the independent float64 reference
// (tests/reference.mjs, written from the formulas, not from src/loss.c), the
// library's own gradients against finite differences of its own loss, the SIMD
// build against the scalar one, the running state's update against a float64
// reference, the edge cases the issue names (θ near 0 and π), every bad option,
// and a trainer resumed from its state against one trained straight.
//
// Tolerances, as in loss.test.mjs (stated once, used everywhere):
// - values (loss, base, iam): |wasm − ref| ≤ 1e-4 · mag + 1e-6, mag = |ref| (|base| + β|iam|
//   for the total);
// - gradients against finite differences of the reference, each array on its own:
//   |wasm − fd| ≤ 2e-3 · max|fd| + 1e-5 for every element.
// The reference is fed the float32-rounded inputs, so both sides see the same numbers.
// The checks that are not against the reference state their own bound where they are
// made: the library's directional differences (3e-3 · ‖g‖), SIMD against scalar (2e-6
// and 3e-5), θ near 0 and π (max(1e-3, 4·2^-24/sin θ)), the running state (2e-6).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { referenceLoss, finiteDifferenceGradient, referenceUpdateState, elasticMargins } from './reference.mjs';
import { mulberry32, gaussian } from './helpers.mjs';
import { fullConfig, unitGaussian, where, checkValues, relErr, checkGradient, fmt } from './lossChecks.mjs';

const builds = [
  { name: 'simd', iam: await loadIAM({ simd: true }) },
  { name: 'scalar', iam: await loadIAM({ simd: false }) },
];
const iam = builds[0].iam;

const full = fullConfig; // every field spelt out (lossChecks.mjs)
const curricular = (o) => full({ kind: 'curricularface', margin: 0.3, t: 0, momentum: 0.01, ...o });
const ada = (o) => full({ kind: 'adaface', margin: 0.25, h: 0.333, normMean: 20, normStd: 100, momentum: 0.01, ...o });
const mag = (o) => full({ kind: 'magface', la: 1, ua: 10, lm: 0.1, um: 0.4, lambdaG: 1, ...o });

// ---- seeded data ----

const rowNorm = (a, offset, d) => Math.hypot(...a.subarray(offset, offset + d));
const to64 = (batch) => ({ ...batch, x: Float64Array.from(batch.x), W: Float64Array.from(batch.W) });

// x at angle θ from the unit vector w: r (cos θ w + sin θ v), v a random unit vector ⟂ w.
function atAngle(rand, w, theta, r) {
  const d = w.length, v = unitGaussian(rand, d);
  const along = v.reduce((s, t, k) => s + t * w[k], 0);
  for (let k = 0; k < d; k++) v[k] -= along * w[k];
  const vn = Math.hypot(...v);
  return Float64Array.from(w, (wk, k) => r * (Math.cos(theta) * wk + Math.sin(theta) * v[k] / vn));
}

// A batch of n samples, c classes of K sub-centers each (W is (c·K, d), ‖W_r‖ in
// [0.5, 2]); sample i sits at a target angle spread over [0.05, π − 0.05] from a random
// sub-center of its class, with ‖x_i‖ uniform in `norms`, so that every branch of the
// targets (θ + m > π included) and both sides of AdaFace's and MagFace's norm clips are
// visited.
function makeBatch(seed, { n, d, c, K = 1 }, norms = [0.5, 3]) {
  const rand = mulberry32(seed);
  const W = new Float32Array(c * K * d);
  for (let r = 0; r < c * K; r++) {
    const u = unitGaussian(rand, d), len = 0.5 + 1.5 * rand();
    for (let k = 0; k < d; k++) W[r * d + k] = len * u[k];
  }
  const labels = Int32Array.from({ length: n }, (_, i) => (n >= c && i < c ? i : Math.floor(rand() * c)));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = labels[i] * K + Math.floor(rand() * K), wn = rowNorm(W, row * d, d);
    const w = Float64Array.from({ length: d }, (_, k) => W[row * d + k] / wn);
    x.set(atAngle(rand, w, 0.05 + (Math.PI - 0.1) * rand(), norms[0] + (norms[1] - norms[0]) * rand()), i * d);
  }
  return { x, W, labels, n, d, c };
}

// How far (in cosine, angle or norm) the batch is from the nearest place where the loss
// jumps or its gradient switches: CurricularFace's hard-negative mask c_ij = f(θ_iy) (its
// logit jumps there), insightface's θ = π − m and easy_margin's c = 0, a tie of two
// sub-centers, and MagFace's norm clips ‖x‖ = la, ua. A central difference that
// straddles one is wrong, and float32 and float64 may pick different sides of it.
function switchDistance(cfg, batch) {
  const { x, W, labels, n, d, c } = batch, K = cfg.subcenters ?? 1;
  const { offsets, margins } = referenceLoss(cfg, batch);
  const arcLike = ['arcface', 'curricularface', 'magface'].includes(cfg.kind);
  let gap = Infinity;
  for (let i = 0; i < n; i++) {
    const xn = rowNorm(x, i * d, d), best = [];
    for (let j = 0; j < c; j++) {
      const cos = [];
      for (let k = 0; k < K; k++) {
        let dot = 0;
        for (let q = 0; q < d; q++) dot += x[i * d + q] * W[(j * K + k) * d + q];
        cos.push(dot / (xn * rowNorm(W, (j * K + k) * d, d)));
      }
      cos.sort((a, b) => b - a);
      if (K > 1) gap = Math.min(gap, cos[0] - cos[1]);
      best.push(cos[0]);
    }
    const y = labels[i], f = best[y] + (offsets[i] ?? 0);
    if (cfg.kind === 'curricularface')
      for (let j = 0; j < c; j++) if (j !== y) gap = Math.min(gap, Math.abs(best[j] - f));
    if (arcLike && cfg.fallback === 'insightface')
      gap = Math.min(gap, Math.abs(Math.acos(best[y]) - (Math.PI - margins[i].angle)));
    if (arcLike && cfg.fallback === 'easy') gap = Math.min(gap, Math.abs(best[y]));
    if (cfg.kind === 'magface') gap = Math.min(gap, Math.abs(xn - cfg.la), Math.abs(xn - cfg.ua));
  }
  return gap;
}

// makeBatch's first seed from `seed` on whose batch the switches are at least `gap` away.
function cleanBatch(cfg, seed, size, { gap = 2e-3, norms } = {}) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const batch = makeBatch(seed * 1000 + attempt, size, norms);
    if (switchDistance(cfg, to64(batch)) > gap) return batch;
  }
  throw new Error(`no batch clear of the switches for ${JSON.stringify(cfg)}`);
}

// ---- comparisons ----

// One config on one batch, both builds, against the reference's values and the central
// differences of the reference.
function checkAgainstReference(cfg, batch) {
  const b64 = to64(batch), ref = referenceLoss(cfg, b64), fd = finiteDifferenceGradient(cfg, b64);
  for (const { name, iam } of builds) {
    const at = where(cfg, batch, name), got = iam.loss(cfg, batch);
    checkValues(got, ref, cfg, at);
    checkGradient('dx', got.dx, fd.dx, at);
    checkGradient('dW', got.dW, fd.dW, at);
  }
}

const SIZES = [
  { n: 7, d: 2, c: 4 },
  { n: 9, d: 3, c: 6 },
  { n: 5, d: 16, c: 5 },
  { n: 4, d: 37, c: 3 },   // d past a multiple of 4: the SIMD remainder loops
];

function checkConfigs(configs, seed, sizes = SIZES) {
  for (const cfg of configs)
    for (const [s, size] of sizes.entries())
      for (const beta of [0, 0.5]) {
        const c = { ...cfg, beta };
        checkAgainstReference(c, cleanBatch(c, seed + s, { ...size, K: c.subcenters }));
      }
}

// ---- 1. values and gradients against the float64 reference ----

test('curricularface: every fallback, several t, against the float64 reference (both builds)', () => {
  checkConfigs([
    ...['continuous', 'insightface', 'easy', 'none'].map((fallback) => curricular({ fallback })),
    curricular({ t: 0.4 }), curricular({ t: -0.3 }), curricular({ scale: 32, margin: 0.5, t: 0.7, fallback: 'none' }),
  ], 100);
});

test('adaface: norms below, at and above the running mean, and clipped ẑ, against the float64 reference', () => {
  checkConfigs([
    ada({}),                                                  // the paper's start: ẑ ≈ −0.06
    ada({ normMean: 1.5, normStd: 0.5 }),                     // ẑ over [−0.67, 1]
    ada({ margin: 0.4, h: 1, normMean: 1.5, normStd: 0.2 }),  // ẑ mostly clipped to ±1
    ada({ scale: 32, normMean: 2, normStd: 1 }),
  ], 200);
});

test('magface: the margin and g(a) inside and outside [la, ua], against the float64 reference', () => {
  checkConfigs([
    mag({}),
    mag({ la: 0.8, ua: 2.5, lm: 0.1, um: 0.5, lambdaG: 2 }),
    mag({ la: 0.8, ua: 2.5, lm: 0.3, um: 0.3, lambdaG: 0, fallback: 'none' }),
    mag({ la: 1.2, ua: 2, lm: 0.2, um: 0.6, fallback: 'insightface' }),
  ], 300);
});

test('sub-centers K = 1, 2, 3 on arcface, normface and cosface against the float64 reference', () => {
  const configs = [1, 2, 3].flatMap((subcenters) => [
    full({ kind: 'arcface', margin: 0.3, subcenters }),
    full({ kind: 'normface', subcenters }),
    full({ kind: 'cosface', margin: 0.2, subcenters }),
  ]);
  checkConfigs(configs, 400, SIZES.slice(0, 3));
});

test('ElasticFace (marginStd) on arcface and cosface: the per-sample draws are the library stream', () => {
  const configs = [
    full({ kind: 'arcface', margin: 0.3, marginStd: 0.05, marginSeed: 1 }),
    full({ kind: 'arcface', margin: 0.5, marginStd: 0.3, marginSeed: 2 }),
    full({ kind: 'arcface', margin: 0.3, marginStd: 1, marginSeed: 3 }),     // many clipped to 0 and π/2
    full({ kind: 'arcface', margin: 0.4, marginStd: 0.2, marginSeed: 4, fallback: 'insightface' }),
    full({ kind: 'arcface', margin: 0.3, marginStd: 0.1, marginSeed: 4294967295, subcenters: 2 }),
    full({ kind: 'cosface', margin: 0.2, marginStd: 0.05, marginSeed: 5 }),
    full({ kind: 'cosface', margin: 0.35, marginStd: 0.5, marginSeed: 6 }),  // clipped to [0, 1]
  ];
  checkConfigs(configs, 500, SIZES.slice(0, 3));
  // the draws vary per sample and with the seed, and the seed changes the loss
  const m = elasticMargins(configs[1], 8);
  assert.ok(new Set(m).size === 8, `eight samples, eight margins: ${m}`);
  const batch = makeBatch(7, { n: 8, d: 3, c: 4 });
  for (const { iam } of builds)
    assert.notEqual(iam.loss(configs[1], batch).loss, iam.loss({ ...configs[1], marginSeed: 3 }, batch).loss);
});

test('detachMargin on every margin kind: the same values, the gradient with dψ/dc = 1', () => {
  const configs = [
    full({ kind: 'cosface', margin: 0.2 }),
    ...['continuous', 'insightface', 'easy', 'none'].map((fallback) => full({ kind: 'arcface', margin: 0.3, fallback })),
    full({ kind: 'sphereface', margin: 4 }),
    full({ kind: 'sphereface', margin: 2.5, lambda: 5, featureNorm: true }),
    full({ kind: 'combined', m1: 1.5, m2: 0.2, m3: 0.1 }),
    curricular({ t: 0.3 }),
    ada({ normMean: 1.5, normStd: 0.5 }),
    mag({ la: 0.8, ua: 2.5, lm: 0.1, um: 0.5 }),
    full({ kind: 'arcface', margin: 0.3, marginStd: 0.2, marginSeed: 9 }),
  ].map((cfg) => ({ ...cfg, detachMargin: true }));
  checkConfigs(configs, 600, SIZES.slice(0, 3));
  // and the cut is real: ArcFace's dx differs from the undetached one
  const cfg = configs[1], batch = makeBatch(8, { n: 6, d: 3, c: 4 });
  for (const { iam } of builds)
    assert.ok(relErr(iam.loss(cfg, batch).dx, iam.loss({ ...cfg, detachMargin: false }, batch).dx) > 1e-2);
});

test("the 'none' fallback: plain cos(θ + m) past θ > π − m, for arcface, curricularface and magface", () => {
  checkConfigs([
    full({ kind: 'arcface', margin: 0.3, fallback: 'none' }),
    full({ kind: 'arcface', scale: 32, margin: 0.5, fallback: 'none' }),
  ], 700);
  // past π − m it rises again, unlike the continuous ψ: a sample at θ = π − 0.05
  const batch = angleBatch([Math.PI - 0.05], 3, 9);
  for (const kind of ['arcface', 'curricularface', 'magface']) {
    const none = full({ kind, margin: 0.3, la: 1, ua: 10, lm: 0.3, um: 0.3, fallback: 'none' });
    const r = referenceLoss(none, to64(batch));
    assert.ok(Math.abs(r.offsets[0] - (Math.cos(Math.PI - 0.05 + 0.3) + Math.cos(0.05))) < 1e-6, `${kind}: ${r.offsets[0]}`);
    checkAgainstReference(none, batch);
  }
});

// ---- 2. the library's gradients against finite differences of its own loss ----

// Directional derivatives: for a few random directions u, (L(v + hu) − L(v − hu))/2h
// from the float32 loss against the library's g·(v₊ − v₋)/2h, where v± are the
// float32-rounded points actually evaluated. With h = 1e-3 the loss's float32 rounding
// and the truncation together come to at most 3.2e-4 · ‖g‖ here (measured), well below
// the tolerance, 3e-3 · ‖g‖; a gradient 1% off is not.
function directionalCheck(lib, cfg, batch, which, { tangent = false, directions = 4, h = 1e-3, seed = 1 } = {}) {
  const rand = mulberry32(seed), { x, W, n, d } = batch;
  const v = which === 'x' ? x : W, g = lib.loss(cfg, batch)[which === 'x' ? 'dx' : 'dW'];
  const gNorm = Math.hypot(...g);
  for (let q = 0; q < directions; q++) {
    const u = Float64Array.from(v, () => gaussian(rand));
    if (tangent) // keep every ‖x_i‖: u_i ⟂ x_i
      for (let i = 0; i < n; i++) {
        const xi = x.subarray(i * d, i * d + d), ui = u.subarray(i * d, i * d + d);
        const along = ui.reduce((s, t, k) => s + t * xi[k], 0) / xi.reduce((s, t) => s + t * t, 0);
        for (let k = 0; k < d; k++) ui[k] -= along * xi[k];
      }
    const un = Math.hypot(...u);
    const plus = Float32Array.from(v, (t, k) => t + h * u[k] / un), minus = Float32Array.from(v, (t, k) => t - h * u[k] / un);
    const at = (p) => lib.loss(cfg, which === 'x' ? { ...batch, x: p } : { ...batch, W: p }).loss;
    const fd = (at(plus) - at(minus)) / (2 * h);
    const analytic = g.reduce((s, gk, k) => s + gk * (plus[k] - minus[k]), 0) / (2 * h);
    assert.ok(Math.abs(fd - analytic) <= 3e-3 * gNorm + 1e-5,
      `d${which} along direction ${q}${tangent ? ' (tangent)' : ''}: finite difference ${fmt(fd)} vs ` +
      `g·u ${fmt(analytic)} (‖g‖ ${gNorm.toExponential(2)}) for ${JSON.stringify(cfg)} d=${d}`);
  }
}

test("finite differences of the library's own loss confirm its gradients (state held fixed, both builds)", () => {
  const size = { n: 5, d: 3, c: 4 };
  for (const { iam: lib } of builds)
    for (const beta of [0, 0.5]) {
      // AdaFace: ẑ is a constant of ‖x‖ in the margin (as the paper's code), so its dx is
      // the derivative along directions that keep every ‖x_i‖; W has no such subtlety
      for (const cfg of [ada({ beta, normMean: 1.5, normStd: 0.5 }), ada({ beta, margin: 0.4, h: 1, normMean: 1.5, normStd: 0.2 })]) {
        const batch = makeBatch(11, size);
        directionalCheck(lib, cfg, batch, 'x', { tangent: true });
        directionalCheck(lib, cfg, batch, 'W');
        // and so dx_i has no part along x_i
        const dx = lib.loss(cfg, batch).dx;
        for (let i = 0; i < size.n; i++) {
          const xi = batch.x.subarray(i * 3, i * 3 + 3), gi = dx.subarray(i * 3, i * 3 + 3);
          const radial = gi.reduce((s, t, k) => s + t * xi[k], 0) / Math.hypot(...xi);
          assert.ok(Math.abs(radial) <= 1e-5 * Math.hypot(...dx), `adaface dx_${i} radial part ${radial}`);
        }
      }
      // CurricularFace: a hard negative's logit jumps from s c to s c (t + c) as c crosses
      // f(θ_y), so the points are chosen 2e-2 away from that mask boundary, farther than
      // any step here moves a cosine
      for (const cfg of [curricular({ beta, t: 0.4 }), curricular({ beta, t: -0.2, fallback: 'none' })]) {
        const batch = cleanBatch(cfg, 12, size, { gap: 2e-2 });
        directionalCheck(lib, cfg, batch, 'x');
        directionalCheck(lib, cfg, batch, 'W');
      }
      // MagFace: the gradient flows through a = ‖x‖ (the margin m(a) and g(a)): plain
      // differences, with every norm 2e-2 from the clips la and ua
      for (const cfg of [mag({ beta, la: 0.8, ua: 2.5, lm: 0.1, um: 0.5, lambdaG: 2 }), mag({ beta })]) {
        const batch = cleanBatch(cfg, 13, size, { gap: 2e-2 });
        directionalCheck(lib, cfg, batch, 'x');
        directionalCheck(lib, cfg, batch, 'W');
      }
    }
});

// ---- 3. the SIMD build against the scalar build ----

test('the SIMD build agrees with the scalar build on every new kind and option, d = 2, 3, 64, 512', () => {
  const configs = [
    curricular({ t: 0.3, beta: 0.5 }),
    ada({ normMean: 1.5, normStd: 0.5, beta: 0.5 }),
    mag({ la: 0.8, ua: 2.5, lm: 0.1, um: 0.5, beta: 0.5 }),
    full({ kind: 'arcface', margin: 0.3, subcenters: 3, beta: 0.5 }),
    full({ kind: 'arcface', margin: 0.3, marginStd: 0.2, marginSeed: 5 }),
    full({ kind: 'cosface', margin: 0.2, marginStd: 0.1, marginSeed: 6 }),
    full({ kind: 'arcface', margin: 0.3, detachMargin: true }),
    full({ kind: 'arcface', margin: 0.3, fallback: 'none' }),
  ];
  const [simd, scalar] = builds.map((b) => b.iam);
  for (const cfg of configs)
    for (const d of [2, 3, 64, 512]) {
      const batch = cleanBatch(cfg, 800 + d, { n: 9, d, c: 7, K: cfg.subcenters }, { gap: 1e-3 });
      const a = simd.loss(cfg, batch), b = scalar.loss(cfg, batch), at = `${JSON.stringify(cfg)} d=${d}`;
      // the builds differ only in the order of float32 sums (measured: 1.6e-7 and 3e-6)
      for (const key of ['loss', 'base', 'iam'])
        assert.ok(Math.abs(a[key] - b[key]) <= 2e-6 * (1 + Math.abs(b[key])), `${key}: simd ${a[key]} vs scalar ${b[key]} for ${at}`);
      assert.ok(relErr(a.dx, b.dx) <= 3e-5, `dx: simd vs scalar ${relErr(a.dx, b.dx).toExponential(2)} for ${at}`);
      assert.ok(relErr(a.dW, b.dW) <= 3e-5, `dW: simd vs scalar ${relErr(a.dW, b.dW).toExponential(2)} for ${at}`);
      checkValues(a, referenceLoss(cfg, to64(batch)), cfg, `simd ${at}`); // and both are right
    }
});

// ---- 4. edge cases ----

// One sample of class 0 at exactly angle θ from W_0, in d dimensions; W_1 at 0.7 rad from
// W_0 keeps the loss from saturating (and is never a hard negative at these angles).
function angleBatch(thetas, d, seed, r = 1.5) {
  const rand = mulberry32(seed);
  const w0 = unitGaussian(rand, d), w1 = atAngle(rand, w0, 0.7, 1);
  const W = Float32Array.from([...w0.map((t) => 0.9 * t), ...w1.map((t) => 1.2 * t)]);
  const w0f = Float64Array.from(W.subarray(0, d)), wn = Math.hypot(...w0f);
  const x = new Float32Array(thetas.length * d);
  thetas.forEach((theta, i) => x.set(atAngle(rand, w0f.map((t) => t / wn), theta, r), i * d));
  return { x, W, labels: new Int32Array(thetas.length), n: thetas.length, d, c: 2 };
}

// The numbers: the old code's target gradient erred 1.7% at θ = 3e-3, and 9% on
// the scalar build at d = 512. The float64 side is a central difference with h = 1e-9,
// whose truncation error (h/θ)² is below 1e-9 even at θ = 1e-4. One sample and β = 0, so
// dW's row 0 is the target's path alone; six random placements of x per case. The bound
// is 1e-3, or 4·2^-24/sin θ where that is larger (2.4e-3 at θ = 1e-4): the float32
// rounding of x̂ and Ŵ alone, 2^-24 of each component, is 2^-24/sin θ of Ŵ − c x̂, whose
// length is sin θ; both builds reach 1.5e-3 at θ = 1e-4.
const EDGE_KINDS = [
  full({ kind: 'arcface', margin: 0.3 }),
  curricular({ t: 0.2 }),
  mag({ la: 1, ua: 10, lm: 0.1, um: 0.4 }),
];
const EDGE_THETAS = [3e-3, 1.4e-3, 1e-4, Math.PI - 3e-3];
const edgeBound = (theta) => Math.max(1e-3, 4 * 2 ** -24 / Math.sin(theta));

// The worst relative errors { dx, dW } of one case over six placements, against float64.
function edgeErrors(cfg, theta, d, lib) {
  const worst = { dx: 0, dW: 0 };
  for (let seed = 0; seed < 6; seed++) {
    const batch = angleBatch([theta], d, 21 + d + seed);
    const b64 = to64(batch), fd = finiteDifferenceGradient(cfg, b64, { h: 1e-9 });
    const got = lib.loss(cfg, batch);
    checkValues(got, referenceLoss(cfg, b64), cfg, `${cfg.kind} θ=${theta} d=${d}`);
    worst.dx = Math.max(worst.dx, relErr(got.dx, fd.dx));
    worst.dW = Math.max(worst.dW, relErr(got.dW, fd.dW));
  }
  return worst;
}

test('θ near 0 and π: the target gradient of arcface, curricularface and magface within max(1e-3, 4·2^-24/sin θ) of float64', () => {
  const worst = {};
  for (const cfg of EDGE_KINDS)
    for (const theta of EDGE_THETAS)
      for (const d of [2, 512])
        for (const { name, iam } of builds) {
          for (const [key, err] of Object.entries(edgeErrors(cfg, theta, d, iam))) {
            worst[key] = Math.max(worst[key] ?? 0, err);
            assert.ok(err <= edgeBound(theta), `${key}: relative error ${err.toExponential(2)} against float64 ` +
              `(bound ${edgeBound(theta).toExponential(1)}) for ${name} ${cfg.kind} θ=${theta.toPrecision(4)} d=${d}`);
          }
        }
  console.log(`θ near 0 and π: worst relative error dx ${worst.dx.toExponential(1)}, dW ${worst.dW.toExponential(1)}`);
});

// The scalar build sums the 512 products of c = x̂·Ŵ in one float32 accumulator; its
// rounding δc (~1e-7) would stay in the target's vectors x̂ − c Ŵ and Ŵ − c x̂ as a radial
// part, δc/sin θ of the gradient: 7e-3 at θ = 1e-4 before loss.c's target_backward made
// each vector exactly tangent. This test found it, and holds the bound at θ = 1e-4 above.

test('adaface with a zero running σ (normStd 0) gives finite values and gradients matching the reference', () => {
  for (const normMean of [1.5, 0.001, 20])
    for (const beta of [0, 0.5]) {
      const cfg = ada({ normMean, normStd: 0, beta });
      const batch = makeBatch(30, { n: 7, d: 3, c: 4 });
      for (const { iam } of builds) {
        const got = iam.loss(cfg, batch);
        assert.ok([got.loss, ...got.dx, ...got.dW].every(Number.isFinite), `non-finite output for ${JSON.stringify(cfg)}`);
      }
      checkAgainstReference(cfg, batch);
    }
});

test('K = 1, marginStd 0 and detachMargin on NormFace change nothing, to the bit', () => {
  const batch = makeBatch(40, { n: 9, d: 5, c: 4 });
  for (const { name, iam } of builds) {
    const same = (a, b, what) => assert.deepEqual(iam.loss(a, batch), iam.loss(b, batch), `${name}: ${what}`);
    const arc = { kind: 'arcface', margin: 0.3, beta: 0.5 }, cos = { kind: 'cosface', margin: 0.2, beta: 0.5 };
    same({ ...arc, subcenters: 1 }, arc, 'K = 1 is plain ArcFace');
    same({ ...arc, marginStd: 0, marginSeed: 12345 }, arc, 'marginStd 0 is plain ArcFace');
    same({ ...cos, marginStd: 0, marginSeed: 777 }, cos, 'marginStd 0 is plain CosFace');
    same({ kind: 'normface', beta: 0.5, detachMargin: true }, { kind: 'normface', beta: 0.5 }, 'detachMargin on NormFace');
    same({ ...cos, detachMargin: true }, cos, 'detachMargin on CosFace (dψ/dc is 1 already)');
  }
});

test('K = 2 with both sub-centers equal is plain ArcFace: the gradient goes to the first (the winner) only', () => {
  const d = 4, c = 5, batch = makeBatch(41, { n: 8, d, c });
  const twice = new Float32Array(2 * c * d);
  for (let j = 0; j < c; j++) for (const k of [0, 1]) twice.set(batch.W.subarray(j * d, j * d + d), (2 * j + k) * d);
  const cfg = { kind: 'arcface', margin: 0.3, beta: 0.5 };
  for (const { name, iam } of builds) {
    const one = iam.loss(cfg, batch), two = iam.loss({ ...cfg, subcenters: 2 }, { ...batch, W: twice });
    for (const key of ['loss', 'base', 'iam']) assert.equal(two[key], one[key], `${name} ${key}`);
    assert.deepEqual(two.dx, one.dx, `${name} dx`);
    for (let j = 0; j < c; j++) {
      assert.deepEqual(two.dW.subarray(2 * j * d, 2 * j * d + d), one.dW.subarray(j * d, j * d + d), `${name} dW of class ${j}`);
      assert.ok(two.dW.subarray((2 * j + 1) * d, (2 * j + 2) * d).every((v) => v === 0), `${name} the loser of class ${j}`);
    }
  }
});

// ---- 5. the running state ----

test('updateState moves t (curricularface) and normMean, normStd (adaface) as the float64 reference; others keep theirs', () => {
  const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 2e-6 * (1 + Math.abs(b)), `${what}: wasm ${a} vs reference ${b}`);
  const cases = [
    [curricular({ t: 0 }), { n: 9, d: 3, c: 4 }],
    [curricular({ t: 0.2, momentum: 0.3 }), { n: 9, d: 3, c: 4 }],
    [curricular({ t: -0.9, momentum: 1 }), { n: 5, d: 16, c: 3, K: 3 }],
    [curricular({ t: 0.5, momentum: 0.5, subcenters: 2 }), { n: 1, d: 3, c: 2, K: 2 }],
    [ada({}), { n: 9, d: 3, c: 4 }],
    [ada({ normMean: 1, normStd: 0.1, momentum: 0.5 }), { n: 6, d: 16, c: 3 }],
    [ada({ normMean: 1, normStd: 0.1, momentum: 1 }), { n: 2, d: 2, c: 2 }],
  ];
  for (const [seed, [cfg, size]] of cases.entries()) {
    const batch = makeBatch(50 + seed, size, [1, 120]); // norms past AdaFace's clip at 100 ...
    batch.x.set(batch.x.subarray(0, size.d).map((v) => v * 5e-4 / rowNorm(batch.x, 0, size.d))); // ... and at 0.001
    const ref = referenceUpdateState({ ...cfg, subcenters: size.K ?? 1 }, to64(batch));
    for (const { name, iam } of builds) {
      const got = iam.updateState({ ...cfg, subcenters: size.K ?? 1 }, batch), at = `${name} ${JSON.stringify(cfg)} n=${size.n}`;
      for (const key of ['t', 'normMean', 'normStd']) near(got[key], ref[key], `${key} for ${at}`);
    }
  }
  // n = 1: μ moves, σ stays (torch's unbiased std of one value is NaN)
  const one = makeBatch(60, { n: 1, d: 3, c: 2 }), cfg = ada({ normMean: 1, normStd: 0.7, momentum: 0.5 });
  for (const { iam } of builds) {
    const s = iam.updateState(cfg, one);
    assert.equal(s.normStd, 0.7); // exactly as given
    near(s.normMean, 0.5 * Math.hypot(...one.x) + 0.5, 'normMean with n = 1');
  }
  // the other kinds have no state: it comes back as given
  const batch = makeBatch(61, { n: 6, d: 3, c: 4 }), state = { t: 0.25, normMean: 3, normStd: 2 };
  for (const { iam } of builds)
    for (const kind of iam.names.kind.filter((k) => k !== 'curricularface' && k !== 'adaface'))
      assert.deepEqual(iam.updateState({ kind, ...state }, batch), state, kind);
});

// ---- 6. bad options ----

test('every bad option is refused with an Error naming it (loss, updateState and the trainer)', () => {
  const batch = makeBatch(70, { n: 4, d: 3, c: 3 });
  // C's sentences name the fields as C spells them (margin_std, norm_std), JS as camelCase
  const cases = [
    [{ kind: 'arcface', subcenters: 0 }, /subcenters must be in \[1, 64\] \(got 0\)/],
    [{ kind: 'arcface', subcenters: 65 }, /subcenters must be in \[1, 64\] \(got 65\)/],
    [{ kind: 'softmax', subcenters: 2 }, /subcenters .*not softmax/],
    [{ kind: 'arcface', marginStd: -0.1 }, /margin_?std must be in \[0, 1\]/i],
    [{ kind: 'cosface', marginStd: 1.5 }, /margin_?std must be in \[0, 1\]/i],
    [{ kind: 'normface', marginStd: 0.1 }, /margin_?std .*not normface/i],
    [{ kind: 'magface', la: 3, ua: 3 }, /la must be below ua/],
    [{ kind: 'magface', la: 5, ua: 3 }, /la must be below ua/],
    [{ kind: 'magface', lm: 0.5, um: 0.2 }, /lm must be at most um/],
    [{ kind: 'adaface', h: 0 }, /\bh must be in/],
    [{ kind: 'adaface', h: -1 }, /\bh must be in/],
    [{ kind: 'curricularface', momentum: 0 }, /momentum must be in/],
    [{ kind: 'adaface', momentum: 0 }, /momentum must be in/],
    [{ kind: 'curricularface', t: 1.5 }, /\bt must be in \[-1, 1\]/],
    [{ kind: 'curricularface', t: -1.01 }, /\bt must be in \[-1, 1\]/],
    [{ kind: 'adaface', normStd: -1 }, /norm_?std must be in/i],
    [{ kind: 'arcface', fallback: 'nonsense' }, /fallback 'nonsense'/],
  ];
  for (const { name, iam } of builds)
    for (const [cfg, message] of cases) {
      assert.throws(() => iam.loss(cfg, batch), message, `${name} loss ${JSON.stringify(cfg)}`);
      assert.throws(() => iam.updateState(cfg, batch), message, `${name} updateState ${JSON.stringify(cfg)}`);
    }
  for (const [cfg, message] of cases) assert.throws(() => iam.trainer({ loss: cfg }), message, `trainer ${JSON.stringify(cfg)}`);
  // W must hold c·K rows with sub-centers
  for (const fn of ['loss', 'updateState'])
    assert.throws(() => iam[fn]({ kind: 'arcface', subcenters: 2 }, batch), /W has length 9 but c\*subcenters\*d = 18/, fn);
});

// ---- 7. the trainer ----

// The statistics of a trainer's train-set features as they are now, computed here from
// embedRaw (unnormalized) and the class weights: mean cos θ_y, and the mean and the
// unbiased std of ‖e‖.
function featureStatistics(trainer) {
  const { embedding, labels } = trainer.embedRaw({ set: 'train', points: trainer.nTrain });
  const n = labels.length, d = trainer.dim, W = trainer.snapshot({ points: 1 }).weights;
  const norms = Array.from({ length: n }, (_, i) => Math.hypot(...embedding.subarray(i * d, i * d + d)));
  let meanCos = 0;
  for (let i = 0; i < n; i++) {
    const e = embedding.subarray(i * d, i * d + d), w = W.subarray(labels[i] * d, labels[i] * d + d);
    meanCos += e.reduce((s, v, k) => s + v * w[k], 0) / (norms[i] * Math.hypot(...w)) / n;
  }
  const mean = norms.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(norms.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { meanCos, mean, std };
}

// A trainer trained 400 steps straight, and one trained 200, its state() given to a fresh
// trainer that trains 200 more, end bit for bit the same: parameters and the running state.
// The loss's momentum 0.05 (not the papers' 0.01) lets the state follow the last ~20
// batches, so that after 400 steps it is near what the features are now.
test('curricularface and adaface trainers resume from state() to the bit, and their running state follows the features', () => {
  const base = { data: 'blobs', classes: 8, dim: 2, hidden: [16], trainPerClass: 40, testPerClass: 10, batchSize: 32, seed: 5 };
  const runs = builds.flatMap(({ name, iam }) =>
    ['curricularface', 'adaface'].map((kind) => ({ name, iam, config: { ...base, loss: { kind, momentum: 0.05 } } })));
  for (const { name, iam, config } of runs) {
    const kind = config.loss.kind, at = `${name} ${kind}`;
    const straight = iam.trainer(config);
    straight.step(400);
    const first = iam.trainer(config);
    first.step(200);
    const mid = first.last().config;
    const second = iam.trainer(config);
    second.setState(first.state());
    first.free();
    assert.deepEqual(second.last().config, mid, `${at}: the state carries the running state`);
    second.step(200);
    assert.deepEqual(second.params(), straight.params(), `${at}: parameters differ`);
    const a = straight.last().config, b = second.last().config;
    for (const key of ['t', 'normMean', 'normStd']) assert.equal(b[key], a[key], `${at}: ${key}`);

    const now = featureStatistics(straight);
    if (kind === 'curricularface') {
      console.log(`${at} after 400 steps: t ${a.t.toFixed(4)}; the train set's mean cos θ_y ${now.meanCos.toFixed(4)}`);
      assert.notEqual(a.t, 0, `${at}: t left 0`);
      assert.ok(Math.sign(a.t) === Math.sign(now.meanCos) && Math.abs(a.t - now.meanCos) <= 0.25 * Math.abs(now.meanCos),
        `${at}: t ${a.t} vs the train set's mean cos θ_y ${now.meanCos}`);
      assert.deepEqual([a.normMean, a.normStd], [20, 100], `${at}: no norm statistics`);
    } else {
      console.log(`${at} after 400 steps: normMean ${a.normMean.toFixed(3)}, normStd ${a.normStd.toFixed(3)}; ` +
        `the train set's mean ‖e‖ ${now.mean.toFixed(3)}, std ${now.std.toFixed(3)}`);
      assert.notEqual(a.normMean, 20, `${at}: normMean left 20`);
      assert.ok(Math.abs(a.normMean - now.mean) <= 0.25 * now.mean, `${at}: normMean ${a.normMean} vs the train set's mean norm ${now.mean}`);
      assert.ok(a.normStd > 0.5 * now.std && a.normStd < 2 * now.std, `${at}: normStd ${a.normStd} vs the train set's std ${now.std}`);
      assert.equal(a.t, 0, `${at}: no t`);
    }
    straight.free();
    second.free();
  }
});
