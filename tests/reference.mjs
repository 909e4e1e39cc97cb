// reference.mjs: a plain float64 JavaScript reference of the losses in LOSSES.md.
//
// It is written from the math pages alone (/work/shared/LOSSES.md; for the losses
// after 2019, CurricularFace, AdaFace, MagFace, sub-centers and ElasticFace, the
// formulas of issue 15 as src/loss.c's comments state them), not from the C code,
// so that the tests compare two independent implementations. It is meant to be
// read by a student: one loop per sample, every formula spelled out, no tricks, no
// speed. It computes only the forward pass; gradients come from central finite
// differences of this same function (finiteDifferenceGradient), which is the
// slowest but least arguable way to get them.
//
// What it deliberately is not: fast, float32, or a copy of src/loss.c. The one
// float32 computation in it is ElasticFace's margin draw, which must reproduce the
// library's random stream (src/rng.h) to know which margin each sample got.
//
//   import { referenceLoss, finiteDifferenceGradient } from './reference.mjs';
//   const r = referenceLoss({ kind: 'arcface', scale: 10, margin: 0.3, beta: 0.5,
//                             fallback: 'continuous' }, { x, W, labels, n, d, c });
//   // r = { loss, base, iam }   (means over the batch, JS numbers)
//   //     and per sample: margins [{ angle, add }], offsets f(θ_iy) − c_iy

// The binding's documented defaults (wasm/iam.js, DESIGN.md). Tests pass every
// field explicitly, so these only matter to a reader calling this by hand.
export const REFERENCE_DEFAULTS = Object.freeze({
  kind: 'normface', scale: 10, beta: 0,
  m1: 1, m2: 0.3, m3: 0.2,
  lambda: 0, featureNorm: false, fallback: 'continuous',
  momentum: 0.01, h: 0.333, la: 1, ua: 10, lm: 0.1, um: 0.4, lambdaG: 1,
  subcenters: 1, marginStd: 0, marginSeed: 0, detachMargin: false,
  t: 0, normMean: 20, normStd: 100, iamVariant: 'default', iamStop: 'none',
});
const MARGIN_DEFAULTS = {
  softmax: 0, normface: 0, sphereface: 4, cosface: 0.2, arcface: 0.3, combined: 0,
  curricularface: 0.3, adaface: 0.25, magface: 0,
};

// LOSSES.md clamps c to [−1 + ε, 1 − ε] before θ = acos(c), a float32 device that
// moves a small θ a long way (acos(1 − 1e-7) = 4.5e-4). The reference needs none:
// it takes θ exactly, in float64, from the vectors (targetAngle). Kept for readers.
export const ACOS_CLAMP = 1e-7;

// AdaFace's code: norms clipped to [0.001, 100], σ + 1e-3 in the denominator.
export const ADAFACE_NORM_RANGE = [0.001, 100];
export const ADAFACE_EPS = 1e-3;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// LOSSES.md, "One monotone target function for every margin":
//   φ = m1 θ + m2,  k = ⌊φ/π⌋,  ψ(θ) = (−1)^k cos(φ) − 2k − m3
export function monotonePsi(theta, m1, m2, m3) {
  const phi = m1 * theta + m2;
  const k = Math.floor(phi / Math.PI);
  const sign = k % 2 === 0 ? 1 : -1;
  return sign * Math.cos(phi) - 2 * k - m3;
}

// log Σ_j exp(v_j) over the indices j where keep(j) is true, with the max
// subtracted first (LOSSES.md, "Notation": never log(exp(..))).
function logSumExp(values, keep = () => true) {
  let max = -Infinity;
  for (let j = 0; j < values.length; j++) if (keep(j) && values[j] > max) max = values[j];
  let sum = 0;
  for (let j = 0; j < values.length; j++) if (keep(j)) sum += Math.exp(values[j] - max);
  return max + Math.log(sum);
}

function norm(v, offset, d) {
  let s = 0;
  for (let k = 0; k < d; k++) s += v[offset + k] * v[offset + k];
  return Math.sqrt(s);
}

// The angle between row a (at aOff) and row b (at bOff), exactly: with x̂ and Ŵ the
// unit vectors and c = x̂·Ŵ, sin θ = ‖Ŵ − c x̂‖ (Ŵ less its part along x̂), θ = atan2(sin θ, c).
function targetAngle(a, aOff, b, bOff, d) {
  const na = norm(a, aOff, d), nb = norm(b, bOff, d);
  let c = 0;
  for (let k = 0; k < d; k++) c += (a[aOff + k] / na) * (b[bOff + k] / nb);
  let s2 = 0;
  for (let k = 0; k < d; k++) s2 += (b[bOff + k] / nb - c * (a[aOff + k] / na)) ** 2;
  return Math.atan2(Math.sqrt(s2), c);
}

// ---- ElasticFace's per-sample margin: the library's stream, replayed ----
//
// src/rng.h: splitmix64 seeded mix(seed + 0x632BE59BD9B4E019); each u32 is the top
// half of mix(state += 0x9E3779B97F4A7C15); a normal is Box–Muller in float32 on
// u1 = ((u >> 8) + 0.5)/2^24 and u2 = (u >> 8)/2^24, one draw per sample in order.
// Math.fround rounds each float32 step as C does (logf and cosf may differ in the
// last bit: a margin off by 1e-7, far below the tests' tolerance).
const MASK64 = (1n << 64n) - 1n;
function mix64(z) {
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK64;
  return z ^ (z >> 31n);
}

/** The library's u32 stream for a seed (src/rng.h), as a function returning the next draw. */
export function splitmix32(seed) {
  let state = mix64((BigInt(seed >>> 0) + 0x632BE59BD9B4E019n) & MASK64);
  return () => {
    state = (state + 0x9E3779B97F4A7C15n) & MASK64;
    return Number(mix64(state) >> 32n);
  };
}

/** The library's standard normal (iam_rng_normal) from such a stream, in float32. */
export function float32Normal(next) {
  const f = Math.fround;
  const u1 = f(f((next() >>> 8) + 0.5) / 16777216);
  const u2 = f((next() >>> 8) / 16777216);
  return f(f(Math.sqrt(f(-2 * f(Math.log(u1))))) * f(Math.cos(f(f(6.28318530717959) * u2))));
}

/** ElasticFace: sample i's margin m + σ z_i, clipped to [0, π/2] (ArcFace) or [0, 1] (CosFace). */
export function elasticMargins(cfg, n) {
  const f = Math.fround, next = splitmix32(cfg.marginSeed);
  const upper = cfg.kind === 'cosface' ? 1 : f(Math.PI / 2);
  return Array.from({ length: n }, () => clamp(f(f(cfg.margin) + f(f(cfg.marginStd) * float32Normal(next))), 0, upper));
}

// ---- each sample's margins, and its target ----

// The sample's angular margin (added to θ_iy) and additive margin (taken from the
// cosine), from its feature norm ‖x_i‖ (AdaFace, MagFace) or its ElasticFace draw.
function sampleMargins(cfg, featureNorm, elastic) {
  const m = elastic ?? cfg.margin;
  switch (cfg.kind) {
    case 'cosface': return { angle: 0, add: m };
    case 'arcface': case 'curricularface': return { angle: m, add: 0 };
    case 'adaface': {
      // ẑ = clip(h (‖x‖ − μ)/(σ + ε), −1, 1): g_angle = −m ẑ, g_add = m ẑ + m
      const a = clamp(featureNorm, ...ADAFACE_NORM_RANGE);
      const z = clamp(cfg.h * (a - cfg.normMean) / (cfg.normStd + ADAFACE_EPS), -1, 1);
      return { angle: -m * z, add: m * z + m };
    }
    case 'magface': {
      // m(a) = (um − lm)/(ua − la) (a − la) + lm, a = ‖x‖ clipped to [la, ua]
      const a = clamp(featureNorm, cfg.la, cfg.ua);
      return { angle: (cfg.um - cfg.lm) / (cfg.ua - cfg.la) * (a - cfg.la) + cfg.lm, add: 0 };
    }
    default: return { angle: 0, add: 0 };
  }
}

// cos(θ + m) and ArcFace's ways past θ > π − m, where it would rise again
// (CurricularFace's and MagFace's target too, at their own m).
function arcTarget(cos, theta, m, fallback) {
  switch (fallback) {
    case 'continuous': return monotonePsi(theta, 1, m, 0);
    // insightface / pytorch-metric-learning: past θ > π − m use c − m sin m
    case 'insightface': return cos <= Math.cos(Math.PI - m) ? cos - m * Math.sin(m) : Math.cos(theta + m);
    // easy_margin: the margin only where c > 0
    case 'easy': return cos > 0 ? Math.cos(theta + m) : cos;
    // insightface since 2022: plain cos(θ + m) everywhere
    case 'none': return Math.cos(theta + m);
    default: throw new Error(`unknown arcface fallback '${fallback}'`);
  }
}

// f, the target on the cosine's scale: the target logit is z_iy = r f (LOSSES.md,
// "Base losses"; r = s, or ‖x‖ for SphereFace with featureNorm).
function targetValue(cfg, cos, theta, { angle, add }) {
  switch (cfg.kind) {
    case 'normface': return cos;
    case 'cosface': return cos - add;
    case 'arcface': case 'curricularface': case 'magface': return arcTarget(cos, theta, angle, cfg.fallback);
    case 'adaface':
      // cos(θ + g_angle) − g_add with the continuous ψ; a phase below 0 is held at 0
      return theta + angle < 0 ? 1 - add : monotonePsi(theta, 1, angle, add);
    case 'sphereface':
      // (λ c + ψ(θ)) / (1 + λ), ψ the monotone function with (m1, m2, m3) = (m, 0, 0)
      return (cfg.lambda * cos + monotonePsi(theta, cfg.margin, 0, 0)) / (1 + cfg.lambda);
    case 'combined': return monotonePsi(theta, cfg.m1, cfg.m2, cfg.m3);
    default: throw new Error(`targetValue: no angular target for kind '${cfg.kind}'`);
  }
}

/**
 * The float64 reference loss: { loss, base, iam }, means over the batch, and per
 * sample its margins [{ angle, add }] and offset f(θ_iy) − c_iy (the margin's part
 * of the target).
 * config: { kind, scale, margin, beta, m1, m2, m3, lambda, featureNorm, fallback,
 *           momentum, h, la, ua, lm, um, lambdaG, subcenters, marginStd, marginSeed,
 *           detachMargin, t, normMean, normStd }
 * batch:  { x (n*d), W (c*K*d: class j's sub-centers are rows jK .. jK+K−1), labels (n),
 *           n, d, c }; any array of numbers is read as float64.
 * frozen (optional): held constant, as the library's backward does: margins (AdaFace's
 *           ẑ is a constant of the norm) and offsets (detachMargin: z_iy = r (c_iy + offset)).
 */
export function referenceLoss(config, { x, W, labels, n, d, c }, frozen = null) {
  const cfg = { ...REFERENCE_DEFAULTS, margin: MARGIN_DEFAULTS[config.kind ?? 'normface'], ...config };
  const K = cfg.subcenters;
  const elastic = cfg.marginStd > 0 ? elasticMargins(cfg, n) : null;

  // ‖W_r‖ once per row
  const weightNorm = new Float64Array(c * K);
  for (let r = 0; r < c * K; r++) weightNorm[r] = norm(W, r * d, d);

  let baseSum = 0, iamSum = 0, gSum = 0;
  const margins = [], offsets = [];
  const cosines = new Float64Array(c); // c_ij = max_k x̂_i · Ŵ_jk for the current sample
  const winner = new Int32Array(c);    // the row of W that gave it
  const logits = new Float64Array(c);  // z_ij
  const angular = new Float64Array(c); // u_ij = s c_ij, the IAM term's logits

  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const featureNorm = norm(x, i * d, d);

    // c_ij, the best of class j's sub-centers, and the plain dot products W_j · x_i for softmax
    for (let j = 0; j < c; j++) {
      cosines[j] = -Infinity;
      for (let k = 0; k < K; k++) {
        const r = j * K + k;
        let dot = 0;
        for (let q = 0; q < d; q++) dot += x[i * d + q] * W[r * d + q];
        const cos = dot / (featureNorm * weightNorm[r]);
        if (cos > cosines[j]) { cosines[j] = cos; winner[j] = r; }
        if (cfg.kind === 'softmax') logits[j] = dot;
      }
    }

    // z_ij: every kind but softmax is r c_ij off the target (CurricularFace's hard
    // negatives, c_ij > f, get r c_ij (t + c_ij)); z_iy = r f(θ_iy)
    if (cfg.kind !== 'softmax') {
      const radius = cfg.kind === 'sphereface' && cfg.featureNorm ? featureNorm : cfg.scale;
      const theta = targetAngle(x, i * d, W, winner[y] * d, d);
      const m = frozen?.margins?.[i] ?? sampleMargins(cfg, featureNorm, elastic?.[i]);
      const f = frozen?.offsets ? cosines[y] + frozen.offsets[i] : targetValue(cfg, cosines[y], theta, m);
      margins.push(m);
      offsets.push(f - cosines[y]);
      for (let j = 0; j < c; j++) {
        const hard = cfg.kind === 'curricularface' && cosines[j] > f;
        logits[j] = hard ? radius * cosines[j] * (cfg.t + cosines[j]) : radius * cosines[j];
      }
      logits[y] = radius * f;
    }

    // cross-entropy: LSE_j z_ij − z_iy
    baseSum += logSumExp(logits) - logits[y];

    // MagFace's regularizer g(a) = 1/a + a/ua², a = ‖x‖ clipped to [la, ua]
    if (cfg.kind === 'magface') {
      const a = clamp(featureNorm, cfg.la, cfg.ua);
      gSum += 1 / a + a / (cfg.ua * cfg.ua);
    }

    // IAM on u = s c_ij for every kind, in the reading iamVariant names
    for (let j = 0; j < c; j++) angular[j] = cfg.scale * cosines[j];
    iamSum += iamTerm(cfg, angular, y, c, W, d, weightNorm);
  }

  const base = (baseSum + cfg.lambdaG * gSum) / n, iam = iamSum / n;
  return { loss: base + cfg.beta * iam, base, iam, margins, offsets };
}

/**
 * One sample's L_IAM in each reading (docs/LOSSES.md, "IAM's readings and stops"), from its
 * angular logits u_j = s c_j:
 *   default     log((1/(C−1)) Σ_{j≠y} P'_j)            = LSE_{j≠y} u − LSE_j u − log(C−1)
 *   log-odds    log((1/(C−1)) Σ_{j≠y} e^{u_j} / e^{u_y}) = LSE_{j≠y} u − u_y − log(C−1)
 *   push-only   log((1/(C−1)) Σ_{j≠y} e^{u_j})           = LSE_{j≠y} u − log(C−1)
 *   weights     log((1/(C−1)) Σ_{k≠y} e^{s Ŵ_y·Ŵ_k}): push-only with the sample's direction
 *               replaced by its class weight's (one row per class: K = 1)
 */
function iamTerm(cfg, angular, y, c, W, d, weightNorm) {
  const others = (j) => j !== y, logC1 = Math.log(c - 1);
  switch (cfg.iamVariant) {
    case 'default': return logSumExp(angular, others) - logSumExp(angular) - logC1;
    case 'log-odds': return logSumExp(angular, others) - angular[y] - logC1;
    case 'push-only': return logSumExp(angular, others) - logC1;
    case 'weights': {
      if (cfg.subcenters !== 1) throw new Error("iamVariant 'weights' is for one weight per class");
      const between = new Float64Array(c); // s cos(W_y, W_k)
      for (let k = 0; k < c; k++) {
        let dot = 0;
        for (let q = 0; q < d; q++) dot += W[y * d + q] * W[k * d + q];
        between[k] = cfg.scale * dot / (weightNorm[y] * weightNorm[k]);
      }
      return logSumExp(between, others) - logC1;
    }
    default: throw new Error(`unknown iamVariant '${cfg.iamVariant}'`);
  }
}

/**
 * The running state's step for one batch, as the papers' code takes it before the loss:
 *   t ← α mean_i cos θ_iy + (1 − α) t                 (CurricularFace; cos θ_iy the best sub-center)
 *   μ ← α mean_i ‖x_i‖ + (1 − α) μ,  σ ← α std_i ‖x_i‖ + (1 − α) σ   (AdaFace; ‖x‖ clipped to
 *   [0.001, 100]; std unbiased, as torch's; n = 1 leaves σ)
 * Returns { t, normMean, normStd }; the other kinds have no state and get theirs back.
 */
export function referenceUpdateState(config, { x, W, labels, n, d, c }) {
  const cfg = { ...REFERENCE_DEFAULTS, ...config };
  const K = cfg.subcenters, alpha = cfg.momentum;
  let { t, normMean, normStd } = cfg;
  if (cfg.kind === 'curricularface') {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let best = -Infinity;
      for (let k = 0; k < K; k++) best = Math.max(best, Math.cos(targetAngle(x, i * d, W, (labels[i] * K + k) * d, d)));
      sum += best;
    }
    t = clamp(alpha * sum / n + (1 - alpha) * t, -1, 1);
  } else if (cfg.kind === 'adaface') {
    const norms = Array.from({ length: n }, (_, i) => clamp(norm(x, i * d, d), ...ADAFACE_NORM_RANGE));
    const mean = norms.reduce((s, v) => s + v, 0) / n;
    normMean = alpha * mean + (1 - alpha) * normMean;
    if (n > 1) {
      const std = Math.sqrt(norms.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
      normStd = alpha * std + (1 - alpha) * normStd;
    }
  }
  return { t, normMean, normStd };
}

/**
 * ∂loss/∂x and ∂loss/∂W of referenceLoss by central finite differences:
 *   g_k ≈ (L(v + h_k e_k) − L(v − h_k e_k)) / (2 h_k),  h_k = h · max(1, |v_k|).
 * The truncation error is O(h²) and the rounding error O(ε_64 / h), both far
 * below float32 resolution at h = 1e-5. Returns { dx, dW } as Float64Arrays.
 * What the library holds constant in its backward is held here too, at its value
 * at the point: AdaFace's margins (no gradient through ẑ) and, with detachMargin,
 * the margin's part of the target (dψ/dc taken as 1; MagFace's m(a) cut from a).
 * With iamStop the stopped side's gradient is the base loss's alone (β = 0) and the other
 * side's the whole loss's: 'W' keeps IAM's part out of dW, 'x' out of dx.
 * Wrong near a jump of the loss (the insightface and easy fallbacks, CurricularFace's
 * hard-negative switch c_ij = f, a tie of two sub-centers): the caller must keep
 * the batch away from those switches.
 */
export function finiteDifferenceGradient(config, { x, W, labels, n, d, c }, { h = 1e-5 } = {}) {
  const xs = Float64Array.from(x), Ws = Float64Array.from(W);
  const batch = { x: xs, W: Ws, labels, n, d, c };
  const at = referenceLoss(config, batch);
  const frozen = {
    margins: config.kind === 'adaface' ? at.margins : null,
    offsets: config.detachMargin && config.kind !== 'softmax' ? at.offsets : null,
  };
  const partial = (v, k) => {
    const saved = v[k];
    const step = h * Math.max(1, Math.abs(saved));
    v[k] = saved + step;
    const plus = referenceLoss(config, batch, frozen).loss;
    v[k] = saved - step;
    const minus = referenceLoss(config, batch, frozen).loss;
    v[k] = saved;
    return (plus - minus) / (2 * step);
  };
  const dx = new Float64Array(n * d), dW = new Float64Array(Ws.length);
  for (let k = 0; k < n * d; k++) dx[k] = partial(xs, k);
  for (let k = 0; k < Ws.length; k++) dW[k] = partial(Ws, k);
  const stop = config.iamStop ?? 'none';
  if (stop === 'none') return { dx, dW };
  if (stop !== 'W' && stop !== 'x') throw new Error(`unknown iamStop '${stop}'`);
  const base = finiteDifferenceGradient({ ...config, beta: 0, iamStop: 'none' }, batch, { h });
  return stop === 'W' ? { dx, dW: base.dW } : { dx: base.dx, dW };
}
