// lossChecks.mjs: what the loss-option test files (adaptive.test.mjs, iam-variants.test.mjs)
// share: a loss config with every field spelt out, seeded unit vectors, and the comparisons of
// wasm against the float64 reference (values) and its central differences (gradients), with
// one set of tolerances. It holds no test of its own.
import assert from 'node:assert/strict';
import { gaussian } from './helpers.mjs';

export const VALUE_REL = 1e-4, VALUE_ABS = 1e-6;
export const GRAD_REL = 2e-3, GRAD_ABS = 1e-5;

/** Every field that matters passed explicitly, so neither side's defaults decide. */
export const fullConfig = (o) => ({
  kind: 'normface', scale: 10, margin: 0, beta: 0, m1: 1, m2: 0, m3: 0, lambda: 0, featureNorm: false,
  fallback: 'continuous', subcenters: 1, marginStd: 0, marginSeed: 0, detachMargin: false,
  iamVariant: 'default', iamStop: 'none', ...o,
});

/** A unit vector in R^d, normal in direction, from a uniform generator. */
export function unitGaussian(rand, d) {
  const v = Float64Array.from({ length: d }, () => gaussian(rand));
  const s = Math.hypot(...v);
  return v.map((t) => t / s);
}

export const fmt = (v) => (typeof v === 'number' ? +v.toPrecision(7) : v);
/** Where a check ran: the build, the config and the sizes. */
export const where = (cfg, batch, build) => `${build} ${JSON.stringify(cfg)} n=${batch.n} d=${batch.d} c=${batch.c}`;

/** The loss, base and IAM values of wasm against the reference's, relative to their terms. */
export function checkValues(got, ref, cfg, at) {
  const terms = { base: Math.abs(ref.base), iam: Math.abs(ref.iam), loss: Math.abs(ref.base) + cfg.beta * Math.abs(ref.iam) };
  for (const key of ['loss', 'base', 'iam']) {
    const err = Math.abs(got[key] - ref[key]), mag = Math.max(terms[key], Math.abs(ref[key]));
    assert.ok(Number.isFinite(got[key]) && err <= VALUE_REL * mag + VALUE_ABS,
      `${key}: wasm ${fmt(got[key])} vs reference ${fmt(ref[key])} (|Δ| ${err.toExponential(2)}) for ${at}`);
  }
}

/** The largest |a − b| over the largest |b|: one number per array (NaN counts as infinite). */
export function relErr(a, b) {
  let err = 0, mag = 0;
  for (let k = 0; k < b.length; k++) {
    err = Math.max(err, Number.isNaN(a[k]) ? Infinity : Math.abs(a[k] - b[k]));
    mag = Math.max(mag, Math.abs(b[k]));
  }
  return mag > 0 ? err / mag : err;
}

/** A gradient of wasm against central differences, elementwise within GRAD_REL · max|fd| + GRAD_ABS. */
export function checkGradient(name, got, fd, at) {
  assert.equal(got.length, fd.length, `${name} length for ${at}`);
  const maxFd = fd.reduce((m, v) => Math.max(m, Math.abs(v)), 0), tol = GRAD_REL * maxFd + GRAD_ABS;
  let worst = 0, worstAt = 0;
  for (let k = 0; k < fd.length; k++) {
    const excess = Math.abs(got[k] - fd[k]) / tol;
    if (!(excess <= worst)) { worst = excess; worstAt = k; } // catches NaN too
  }
  assert.ok(worst <= 1, `${name}[${worstAt}]: wasm ${fmt(got[worstAt])} vs finite difference ${fmt(fd[worstAt])} ` +
    `(max|fd| ${maxFd.toExponential(2)}, tolerance ${tol.toExponential(2)}) for ${at}`);
}
