// loss.test.mjs: the WebAssembly losses against an independent float64 reference.
//
//   node --test tests/loss.test.mjs
//
// Every check runs on both builds (SIMD and scalar). The reference is
// tests/reference.mjs, written from LOSSES.md alone; gradients are checked
// against central finite differences of that reference.
//
// Tolerances (stated once, used everywhere):
// - values (loss, base, iam): |wasm − ref| ≤ 1e-4 · mag + 1e-6, where mag is |ref|
//   for base and iam, and |base| + β|iam| for the total (a float32 sum carries
//   the error of its terms, whatever their cancellation);
// - gradients (dx and dW, each array on its own):
//   |wasm − fd| ≤ 2e-3 · max|fd| + 1e-5 for every element.
// Data: a seeded PRNG (mulberry32); the reference is fed the float32-rounded
// inputs, so the two sides see exactly the same numbers.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { referenceLoss, finiteDifferenceGradient } from './reference.mjs';
import { mulberry32, gaussian } from './helpers.mjs';

const VALUE_REL = 1e-4, VALUE_ABS = 1e-6;
const GRAD_REL = 2e-3, GRAD_ABS = 1e-5;

const builds = [
  { name: 'simd', iam: await loadIAM({ simd: true }) },
  { name: 'scalar', iam: await loadIAM({ simd: false }) },
];

// ---- what the suite saw, printed at the end for the closing note ----
const stats = { maxLossRel: 0, maxLossRelWhere: '', maxGradErr: 0, maxGradErrWhere: '', assertions: 0, gradChecks: 0, valueChecks: 0 };

after(() => {
  console.log(`max loss rel err: ${stats.maxLossRel.toExponential(1)}, ` +
    `max grad err: ${stats.maxGradErr.toExponential(1)} ` +
    `(grad err = max|wasm − fd| / max|fd| per array; ${stats.valueChecks} value checks, ` +
    `${stats.gradChecks} gradient checks, ${stats.assertions} assertions)`);
  console.log(`  worst loss at: ${stats.maxLossRelWhere}`);
  console.log(`  worst grad at: ${stats.maxGradErrWhere}`);
});

function ok(condition, message) {
  stats.assertions++;
  assert.ok(condition, message);
}

// ---- seeded data ----

function unitGaussian(rand, d) {
  const v = new Float64Array(d);
  let s = 0;
  for (let k = 0; k < d; k++) { v[k] = gaussian(rand); s += v[k] * v[k]; }
  s = Math.sqrt(s);
  for (let k = 0; k < d; k++) v[k] /= s;
  return v;
}

function rowNorm(a, offset, d) {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[offset + k] ** 2;
  return Math.sqrt(s);
}

// The target angle θ_iy of sample i, in float64 from the float32 data.
function targetAngle(x, W, labels, i, d) {
  const y = labels[i];
  let dot = 0;
  for (let k = 0; k < d; k++) dot += x[i * d + k] * W[y * d + k];
  return Math.acos(Math.max(-1, Math.min(1, dot / (rowNorm(x, i * d, d) * rowNorm(W, y * d, d)))));
}

// A batch whose target angles θ_iy are spread over [0.05, π − 0.05], so that
// every branch of every target function is visited (θ > π − m included), while
// staying `gap` away from each angle in `avoid` (the jumps of a loss, where the
// float32 and float64 sides may pick different branches and a central
// difference would straddle the step). Each x_i is built as
//   ‖x_i‖ (cos θ Ŵ_y + sin θ v),  v a random unit vector orthogonal to Ŵ_y.
function makeBatch(seed, { n, d, c }, avoid = [], gap = 2e-3) {
  const rand = mulberry32(seed);
  const W = new Float32Array(c * d);
  for (let j = 0; j < c; j++) {
    const u = unitGaussian(rand, d), r = 0.5 + 1.5 * rand();
    for (let k = 0; k < d; k++) W[j * d + k] = r * u[k];
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i < c && n >= c ? i : Math.floor(rand() * c);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const wy = new Float64Array(d);
    const wn = rowNorm(W, y * d, d);
    for (let k = 0; k < d; k++) wy[k] = W[y * d + k] / wn;
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt < 1000, 'makeBatch: cannot place a sample away from the branch switches');
      const theta = 0.05 + (Math.PI - 0.1) * rand();
      const v = unitGaussian(rand, d);
      let along = 0;
      for (let k = 0; k < d; k++) along += v[k] * wy[k];
      for (let k = 0; k < d; k++) v[k] -= along * wy[k];
      const vn = Math.sqrt(v.reduce((s, t) => s + t * t, 0));
      if (vn < 1e-3) continue;
      const r = 0.5 + 2.5 * rand();
      for (let k = 0; k < d; k++) x[i * d + k] = r * (Math.cos(theta) * wy[k] + Math.sin(theta) * v[k] / vn);
      const got = targetAngle(x, W, labels, i, d); // after float32 rounding
      if (got >= 0.04 && got <= Math.PI - 0.04 && avoid.every((a) => Math.abs(got - a) > gap)) break;
    }
  }
  return { x, W, labels, n, d, c };
}

// The angles where a target logit jumps (LOSSES.md, "One monotone target
// function"): insightface's switch at θ = π − m and easy_margin's at c = 0.
// The monotone ψ (continuous fallback, sphereface, combined) is continuous
// with a continuous first derivative at its switches φ = kπ (ψ' = −(−1)^k m1 sin φ
// is 0 from both sides), so a central difference across them is still exact to
// O(h²) and those switches are deliberately NOT avoided: they get tested.
function jumpsOf(cfg) {
  if (cfg.kind !== 'arcface') return [];
  if (cfg.fallback === 'insightface') return [Math.PI - cfg.margin];
  if (cfg.fallback === 'easy') return [Math.PI / 2];
  return [];
}

// ---- comparisons ----

const fmt = (v) => (typeof v === 'number' ? +v.toPrecision(7) : v);
const describe = (cfg, size, build) =>
  `${build} ${JSON.stringify(cfg)} n=${size.n} d=${size.d} c=${size.c}`;

function checkValues(got, ref, cfg, where) {
  const terms = { base: Math.abs(ref.base), iam: Math.abs(ref.iam), loss: Math.abs(ref.base) + cfg.beta * Math.abs(ref.iam) };
  for (const key of ['loss', 'base', 'iam']) {
    const err = Math.abs(got[key] - ref[key]);
    const mag = Math.max(terms[key], Math.abs(ref[key]));
    stats.valueChecks++;
    if (mag >= 1e-3 && err / mag > stats.maxLossRel) {
      stats.maxLossRel = err / mag;
      stats.maxLossRelWhere = `${key} of ${where}`;
    }
    ok(Number.isFinite(got[key]) && err <= VALUE_REL * mag + VALUE_ABS,
      `${key}: wasm ${fmt(got[key])} vs reference ${fmt(ref[key])} (|Δ| ${err.toExponential(2)}) for ${where}`);
  }
}

function checkGradient(name, got, fd, where) {
  assert.equal(got.length, fd.length, `${name} length for ${where}`);
  let maxFd = 0;
  for (const v of fd) maxFd = Math.max(maxFd, Math.abs(v));
  let worst = 0, worstAt = -1, maxErr = 0;
  for (let k = 0; k < fd.length; k++) {
    const err = Math.abs(got[k] - fd[k]);
    maxErr = Math.max(maxErr, err);
    const excess = err / (GRAD_REL * maxFd + GRAD_ABS);
    if (!(excess <= worst)) { worst = excess; worstAt = k; } // catches NaN too
  }
  stats.gradChecks++;
  if (maxFd > 1e-6 && maxErr / maxFd > stats.maxGradErr) {
    stats.maxGradErr = maxErr / maxFd;
    stats.maxGradErrWhere = `${name} of ${where}`;
  }
  ok(worst <= 1, `${name}[${worstAt}]: wasm ${fmt(got[worstAt])} vs finite difference ${fmt(fd[worstAt])} ` +
    `(max|fd| ${maxFd.toExponential(2)}, tolerance ${(GRAD_REL * maxFd + GRAD_ABS).toExponential(2)}) for ${where}`);
}

// Runs one (config, size) on both builds against the reference (and, when
// `gradients`, against finite differences of the reference).
function checkCase(cfg, size, seed, { gradients = true } = {}) {
  const batch = makeBatch(seed, size, jumpsOf(cfg));
  const batch64 = { ...batch, x: Float64Array.from(batch.x), W: Float64Array.from(batch.W) };
  const ref = referenceLoss(cfg, batch64);
  const fd = gradients ? finiteDifferenceGradient(cfg, batch64) : null;
  for (const { name, iam } of builds) {
    const where = describe(cfg, size, name);
    const got = iam.loss(cfg, batch);
    checkValues(got, ref, cfg, where);
    if (fd) {
      checkGradient('dx', got.dx, fd.dx, where);
      checkGradient('dW', got.dW, fd.dW, where);
    }
  }
}

// ---- the configurations: every kind and every option ----

// Every field passed explicitly, so the binding's defaults do not matter.
const full = (o) => ({
  kind: 'normface', scale: 10, margin: 0, beta: 0, m1: 1, m2: 0, m3: 0,
  lambda: 0, featureNorm: false, fallback: 'continuous', ...o,
});

const CONFIGS = {
  softmax: [full({ kind: 'softmax', scale: 10 }), full({ kind: 'softmax', scale: 3 })],
  normface: [full({ kind: 'normface', scale: 10 }), full({ kind: 'normface', scale: 30 })],
  cosface: [full({ kind: 'cosface', scale: 10, margin: 0.2 }), full({ kind: 'cosface', scale: 30, margin: 0.35 })],
  arcface: ['continuous', 'insightface', 'easy'].flatMap((fallback) => [
    full({ kind: 'arcface', scale: 10, margin: 0.3, fallback }),
    full({ kind: 'arcface', scale: 32, margin: 0.5, fallback }),
  ]),
  sphereface: [1, 2, 3, 4, 2.5].flatMap((margin) => [0, 5].flatMap((lambda) => [false, true].map(
    (featureNorm) => full({ kind: 'sphereface', scale: 10, margin, lambda, featureNorm })))),
  combined: [[1, 0.3, 0.2], [1.5, 0.2, 0.1], [2, 0, 0.35], [1, 0.5, 0], [3, 0.1, 0]].map(
    ([m1, m2, m3]) => full({ kind: 'combined', scale: 10, m1, m2, m3 }))
    .concat([full({ kind: 'combined', scale: 30, m1: 1.2, m2: 0.4, m3: 0.15 })]),
};

const BETAS = [0, 0.5, 2];
// C = 2, d = 2, 3, 16, 37, 128; n not a multiple of 4 (and n = 1)
const SIZES = [
  { n: 7, d: 2, c: 2 },
  { n: 13, d: 2, c: 6 },
  { n: 5, d: 3, c: 8 },
  { n: 1, d: 16, c: 3 },
  { n: 9, d: 16, c: 10 },
  { n: 11, d: 37, c: 5 },   // d and c past a multiple of 4: the SIMD remainder loops
  { n: 5, d: 128, c: 6 },
];

let seedCounter = 1;
for (const [kind, configs] of Object.entries(CONFIGS)) {
  test(`${kind}: loss, base, iam and gradients match the float64 reference (both builds)`, () => {
    for (const options of configs)
      for (const beta of BETAS)
        for (const size of SIZES) {
          const cfg = { ...options, beta };
          // finite differences at d = 128 cost the most: one β there is enough
          const gradients = size.d < 128 || beta === 0.5;
          checkCase(cfg, size, seedCounter++, { gradients });
        }
  });
}

// The switches of the monotone ψ are C¹ (see jumpsOf): samples placed right at
// θ = π − m (continuous ArcFace) and θ = kπ/m (SphereFace) must still agree.
test('samples close to the C¹ switches of the monotone ψ match values and gradients', () => {
  const cases = [
    [full({ kind: 'arcface', scale: 10, margin: 0.3, fallback: 'continuous', beta: 0.5 }), [Math.PI - 0.3]],
    [full({ kind: 'combined', scale: 10, m1: 1.5, m2: 0.2, m3: 0.1, beta: 0.5 }), [(Math.PI - 0.2) / 1.5]],
    [full({ kind: 'sphereface', scale: 10, margin: 4, beta: 0.5 }), [Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4]],
    [full({ kind: 'sphereface', scale: 10, margin: 2.5, lambda: 5, featureNorm: true, beta: 0.5 }), [Math.PI / 2.5, 2 * Math.PI / 2.5]],
  ];
  for (const [cfg, switches] of cases)
    for (const theta0 of switches)
      for (const offset of [-3e-4, 3e-4]) {
        const batch = angleBatch([theta0 + offset, 1.0, 2.0], 3, 4, 11);
        compareOnBatch(cfg, batch, `θ_1 = switch ${theta0.toFixed(4)} ${offset > 0 ? '+' : '-'} 3e-4`);
      }
});

// A batch with prescribed target angles: class weights random, x_i placed at
// angle thetas[i] from its W_y, in d dimensions with c classes.
function angleBatch(thetas, d, c, seed) {
  const rand = mulberry32(seed);
  const n = thetas.length;
  const W = new Float32Array(c * d);
  for (let j = 0; j < c; j++) {
    const u = unitGaussian(rand, d);
    for (let k = 0; k < d; k++) W[j * d + k] = (0.7 + 0.1 * j) * u[k];
  }
  const labels = Int32Array.from(thetas, (_, i) => i % c);
  const x = new Float32Array(n * d);
  thetas.forEach((theta, i) => {
    const y = labels[i], wn = rowNorm(W, y * d, d);
    const wy = Array.from({ length: d }, (_, k) => W[y * d + k] / wn);
    const v = unitGaussian(rand, d);
    const along = v.reduce((s, t, k) => s + t * wy[k], 0);
    for (let k = 0; k < d; k++) v[k] -= along * wy[k];
    const vn = Math.hypot(...v);
    for (let k = 0; k < d; k++) x[i * d + k] = 1.5 * (Math.cos(theta) * wy[k] + Math.sin(theta) * v[k] / vn);
  });
  return { x, W, labels, n, d, c };
}

function compareOnBatch(cfg, batch, label) {
  const batch64 = { ...batch, x: Float64Array.from(batch.x), W: Float64Array.from(batch.W) };
  const ref = referenceLoss(cfg, batch64);
  const fd = finiteDifferenceGradient(cfg, batch64);
  for (const { name, iam } of builds) {
    const where = `${name} ${JSON.stringify(cfg)} ${label}`;
    const got = iam.loss(cfg, batch);
    checkValues(got, ref, cfg, where);
    checkGradient('dx', got.dx, fd.dx, where);
    checkGradient('dW', got.dW, fd.dW, where);
  }
}

// ---- edge cases: finite everywhere ----

function assertAllFinite(r, where) {
  for (const key of ['loss', 'base', 'iam']) ok(Number.isFinite(r[key]), `${key} = ${r[key]} is not finite for ${where}`);
  const badDx = r.dx.findIndex((v) => !Number.isFinite(v));
  const badDW = r.dW.findIndex((v) => !Number.isFinite(v));
  ok(badDx < 0, `dx[${badDx}] = ${r.dx[badDx]} is not finite for ${where}`);
  ok(badDW < 0, `dW[${badDW}] = ${r.dW[badDW]} is not finite for ${where}`);
}

// At c = ±1 the library and the reference clamp acos with different ε, which
// moves θ by ~1e-3 rad; the loss is compared loosely there (1e-2 · (1 + |ref|)),
// and only finiteness is asserted for the gradients (∂θ/∂c is infinite at ±1).
function checkEdge(cfg, batch, label) {
  const batch64 = { ...batch, x: Float64Array.from(batch.x), W: Float64Array.from(batch.W) };
  const ref = referenceLoss(cfg, batch64);
  for (const { name, iam } of builds) {
    const where = `${name} ${JSON.stringify(cfg)} ${label}`;
    const got = iam.loss(cfg, batch);
    assertAllFinite(got, where);
    for (const key of ['loss', 'base', 'iam'])
      ok(Math.abs(got[key] - ref[key]) <= 1e-2 * (1 + Math.abs(ref[key])),
        `${key}: wasm ${fmt(got[key])} vs reference ${fmt(ref[key])} for ${where}`);
  }
}

const EDGE_CONFIGS = [
  full({ kind: 'softmax' }),
  full({ kind: 'normface' }),
  full({ kind: 'cosface', margin: 0.35 }),
  ...['continuous', 'insightface', 'easy'].map((fallback) => full({ kind: 'arcface', margin: 0.5, fallback })),
  ...[1, 2, 3, 4, 2.5].flatMap((margin) => [false, true].map((featureNorm) =>
    full({ kind: 'sphereface', margin, lambda: 5, featureNorm }))),
  full({ kind: 'sphereface', margin: 4, lambda: 0 }),
  full({ kind: 'combined', m1: 1, m2: 0.5, m3: 0 }),
  full({ kind: 'combined', m1: 2, m2: 0.3, m3: 0.2 }),
].map((cfg) => ({ ...cfg, beta: 0.5 }));

test('cos = +1 exactly (x_i a positive multiple of W_y) gives finite outputs', () => {
  for (const d of [2, 3, 7]) {
    const W = makeBatch(100 + d, { n: 1, d, c: 3 }).W;
    // x_0 = 2 W_0 and x_1 = 0.5 W_1: exact in float32; x_2 = 3 W_2 is rounded,
    // so its float32 cosine may come out just above 1
    const x = new Float32Array(3 * d);
    for (let k = 0; k < d; k++) { x[k] = 2 * W[k]; x[d + k] = 0.5 * W[d + k]; x[2 * d + k] = 3 * W[2 * d + k]; }
    const batch = { x, W, labels: Int32Array.from([0, 1, 2]), n: 3, d, c: 3 };
    for (const cfg of EDGE_CONFIGS) checkEdge(cfg, batch, `cos = +1, d=${d}`);
  }
});

test('cos = −1 exactly (x_i = −W_y) gives finite outputs', () => {
  for (const d of [2, 3, 7]) {
    const W = makeBatch(200 + d, { n: 1, d, c: 3 }).W;
    const x = new Float32Array(2 * d);
    for (let k = 0; k < d; k++) { x[k] = -W[k]; x[d + k] = -3 * W[2 * d + k]; }
    const batch = { x, W, labels: Int32Array.from([0, 2]), n: 2, d, c: 3 };
    for (const cfg of EDGE_CONFIGS) checkEdge(cfg, batch, `cos = -1, d=${d}`);
  }
});

test('θ > π − m (ArcFace, every fallback; combined) gives finite outputs matching the reference', () => {
  const configs = [
    ...['continuous', 'insightface', 'easy'].flatMap((fallback) => [0.3, 0.5, 1.2].map((margin) =>
      full({ kind: 'arcface', scale: 10, margin, fallback, beta: 0.5 }))),
    full({ kind: 'combined', scale: 10, m1: 1, m2: 0.5, m3: 0, beta: 0.5 }),
    full({ kind: 'combined', scale: 10, m1: 1.3, m2: 0.3, m3: 0.2, beta: 0.5 }),
  ];
  for (const cfg of configs) {
    const m = cfg.kind === 'arcface' ? cfg.margin : cfg.m2;
    // past the switch by half the margin, and nearly antipodal (still off the clamp)
    const thetas = [Math.PI - m / 2, Math.PI - 0.02, Math.PI - m / 3];
    for (const d of [2, 3]) {
      const batch = angleBatch(thetas, d, 3, 7 + d);
      assertAllFinite(builds[0].iam.loss(cfg, batch), `simd ${JSON.stringify(cfg)}`);
      compareOnBatch(cfg, batch, `θ > π − m, d=${d}`);
    }
  }
});

test('C = 2 on every kind gives finite outputs matching the reference', () => {
  for (const cfg of EDGE_CONFIGS) {
    const size = { n: 6, d: 2, c: 2 };
    const batch = makeBatch(300, size, jumpsOf(cfg));
    for (const { name, iam } of builds) assertAllFinite(iam.loss(cfg, batch), `${name} ${JSON.stringify(cfg)} C=2`);
    checkCase(cfg, size, 300);
  }
});

test('very large scale (64 with m 0.5 on 2-D data, and 1000) gives finite outputs', () => {
  const configs = [
    full({ kind: 'arcface', scale: 64, margin: 0.5, fallback: 'continuous' }),
    full({ kind: 'arcface', scale: 64, margin: 0.5, fallback: 'insightface' }),
    full({ kind: 'arcface', scale: 64, margin: 0.5, fallback: 'easy' }),
    full({ kind: 'cosface', scale: 64, margin: 0.5 }),
    full({ kind: 'normface', scale: 64 }),
    full({ kind: 'combined', scale: 64, m1: 1, m2: 0.5, m3: 0.1 }),
    full({ kind: 'sphereface', scale: 64, margin: 4, lambda: 0 }),
    full({ kind: 'softmax', scale: 64 }),
  ];
  for (const base of configs)
    for (const scale of [64, 1000])
      for (const beta of [0, 0.5, 2]) {
        const cfg = { ...base, scale, beta };
        const size = { n: 13, d: 2, c: 8 };
        const batch = makeBatch(400 + scale, size, jumpsOf(cfg));
        const batch64 = { ...batch, x: Float64Array.from(batch.x), W: Float64Array.from(batch.W) };
        const ref = referenceLoss(cfg, batch64);
        for (const { name, iam } of builds) {
          const where = `${name} ${JSON.stringify(cfg)} 2-D n=13 c=8`;
          const got = iam.loss(cfg, batch);
          assertAllFinite(got, where);
          // the logits are ~scale, so float32 holds ~1e-7·scale absolutely
          checkValues(got, ref, cfg, where);
        }
      }
  // and on prepared extremes: c = ±1 and θ right past π − m, at scale 1000
  const W = makeBatch(500, { n: 1, d: 2, c: 4 }).W;
  const x = new Float32Array([2 * W[0], 2 * W[1], -W[2], -W[3], 0, 0]);
  const phi = Math.atan2(W[5], W[4]) + Math.PI - 0.25;
  x[4] = Math.cos(phi); x[5] = Math.sin(phi);
  const batch = { x, W, labels: Int32Array.from([0, 1, 2]), n: 3, d: 2, c: 4 };
  for (const base of configs) checkEdge({ ...base, scale: 1000, beta: 0.5 }, batch, 'scale 1000 at c = ±1 and θ = π − 0.25');
});

// The reference itself, on cases small enough to do by hand, so that a wrong
// reference cannot agree with a wrong library by accident.
test('the float64 reference agrees with hand-computed values', () => {
  // x = (1, 0), W_0 = (1, 0), W_1 = (0, 2), label 0: c = (1, 0)
  const batch = { x: [1, 0], W: [1, 0, 0, 2], labels: [0], n: 1, d: 2, c: 2 };
  const near = (a, b, what) => ok(Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
  // normface s = 10: z = (10, 0); base = log(1 + e^−10); IAM = 0 − LSE(10, 0) − log 1
  let r = referenceLoss(full({ kind: 'normface', scale: 10, beta: 0.5 }), batch);
  near(r.base, Math.log1p(Math.exp(-10)), 'normface base');
  near(r.iam, -(10 + Math.log1p(Math.exp(-10))), 'normface iam');
  near(r.loss, r.base + 0.5 * r.iam, 'normface loss');
  // softmax: z = W·x = (1, 0); IAM still on u = s c = (10, 0)
  r = referenceLoss(full({ kind: 'softmax', scale: 10 }), batch);
  near(r.base, Math.log1p(Math.exp(-1)), 'softmax base');
  near(r.iam, -(10 + Math.log1p(Math.exp(-10))), 'softmax iam');
  // cosface m = 0.2: z = (8, 0)
  r = referenceLoss(full({ kind: 'cosface', scale: 10, margin: 0.2 }), batch);
  near(r.base, Math.log1p(Math.exp(-8)), 'cosface base');
  // x at θ = 3 from W_0 (past π − m for m = 0.3): continuous ψ = −2 − cos(θ + m),
  // insightface ψ = cos θ − m sin m, easy ψ = cos θ; W_1 ⟂ W_0 so c_1 = sin θ
  const theta = 3, m = 0.3;
  const far = { x: [Math.cos(theta), Math.sin(theta)], W: [1, 0, 0, 1], labels: [0], n: 1, d: 2, c: 2 };
  const baseFor = (zy) => Math.log(Math.exp(zy) + Math.exp(10 * Math.sin(theta))) - zy;
  const arc = (fallback) => referenceLoss(full({ kind: 'arcface', scale: 10, margin: m, fallback }), far).base;
  near(arc('continuous'), baseFor(10 * (-2 - Math.cos(theta + m))), 'arcface continuous');
  near(arc('insightface'), baseFor(10 * (Math.cos(theta) - m * Math.sin(m))), 'arcface insightface');
  near(arc('easy'), baseFor(10 * Math.cos(theta)), 'arcface easy');
  // sphereface m = 2, λ = 1, r = ‖x‖ = 1: θ = 3 > π/2, so k = 1 and ψ = −cos 2θ − 2
  const sphere = referenceLoss(full({ kind: 'sphereface', scale: 10, margin: 2, lambda: 1, featureNorm: true }), far);
  const zy = (Math.cos(theta) + (-Math.cos(2 * theta) - 2)) / 2;
  near(sphere.base, Math.log(Math.exp(zy) + Math.exp(Math.sin(theta))) - zy, 'sphereface featureNorm');
});
