// reference.mjs: a plain float64 JavaScript reference of the losses in LOSSES.md.
//
// It is written from the math page alone (/work/shared/LOSSES.md), not from the C
// code, so that the tests compare two independent implementations. It is meant
// to be read by a student: one loop per sample, every formula spelled out, no
// tricks, no speed. It computes only the forward pass; gradients come from
// central finite differences of this same function (finiteDifferenceGradient),
// which is the slowest but least arguable way to get them.
//
// What it deliberately is not: fast, float32, or a copy of src/loss.c.
//
//   import { referenceLoss, finiteDifferenceGradient } from './reference.mjs';
//   const r = referenceLoss({ kind: 'arcface', scale: 10, margin: 0.3, beta: 0.5,
//                             fallback: 'continuous' }, { x, W, labels, n, d, c });
//   // r = { loss, base, iam }   (means over the batch, JS numbers)

// The binding's documented defaults (wasm/iam.js, DESIGN.md). Tests pass every
// field explicitly, so these only matter to a reader calling this by hand.
export const REFERENCE_DEFAULTS = Object.freeze({
  kind: 'normface', scale: 10, beta: 0,
  m1: 1, m2: 0.3, m3: 0.2,
  lambda: 0, featureNorm: false, fallback: 'continuous',
});
const MARGIN_DEFAULTS = { softmax: 0, normface: 0, sphereface: 4, cosface: 0.2, arcface: 0.3, combined: 0 };

// "Wherever θ = acos(c) is needed, clamp c to [−1 + ε, 1 − ε]" (LOSSES.md,
// "From logits to features and weights"). The reference uses ε = 1e-7.
export const ACOS_CLAMP = 1e-7;

function clampedAcos(cos) {
  return Math.acos(Math.min(1 - ACOS_CLAMP, Math.max(-1 + ACOS_CLAMP, cos)));
}

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

// The target logit z_iy of one sample, given its cosine to its own class and,
// for sphereface, its radius r (LOSSES.md, "Base losses").
function targetLogit(cfg, cosTarget, radius) {
  const s = cfg.scale, m = cfg.margin;
  switch (cfg.kind) {
    case 'normface':
      return s * cosTarget;
    case 'cosface':
      return s * (cosTarget - m);
    case 'arcface': {
      const theta = clampedAcos(cosTarget);
      if (cfg.fallback === 'continuous') return s * monotonePsi(theta, 1, m, 0);
      if (cfg.fallback === 'insightface') {
        // insightface / pytorch-metric-learning: past θ > π − m use c − m sin m
        return cosTarget <= Math.cos(Math.PI - m)
          ? s * (cosTarget - m * Math.sin(m))
          : s * Math.cos(theta + m);
      }
      if (cfg.fallback === 'easy') {
        // easy_margin: the margin only where c > 0
        return cosTarget > 0 ? s * Math.cos(theta + m) : s * cosTarget;
      }
      throw new Error(`unknown arcface fallback '${cfg.fallback}'`);
    }
    case 'sphereface': {
      // r (λ c + ψ(θ)) / (1 + λ), ψ the monotone function with (m1, m2, m3) = (m, 0, 0)
      const theta = clampedAcos(cosTarget);
      const psi = monotonePsi(theta, m, 0, 0);
      return radius * (cfg.lambda * cosTarget + psi) / (1 + cfg.lambda);
    }
    case 'combined': {
      const theta = clampedAcos(cosTarget);
      return s * monotonePsi(theta, cfg.m1, cfg.m2, cfg.m3);
    }
    default:
      throw new Error(`targetLogit: no angular target for kind '${cfg.kind}'`);
  }
}

/**
 * The float64 reference loss: { loss, base, iam }, means over the batch.
 * config: { kind, scale, margin, beta, m1, m2, m3, lambda, featureNorm, fallback }
 * batch:  { x (n*d), W (c*d, one row per class), labels (n), n, d, c }; any array
 *         of numbers (Float32Array, Float64Array, plain arrays) is read as float64.
 */
export function referenceLoss(config, { x, W, labels, n, d, c }) {
  const cfg = { ...REFERENCE_DEFAULTS, margin: MARGIN_DEFAULTS[config.kind ?? 'normface'], ...config };

  // ‖W_j‖ once per class
  const weightNorm = new Float64Array(c);
  for (let j = 0; j < c; j++) weightNorm[j] = norm(W, j * d, d);

  let baseSum = 0, iamSum = 0;
  const cosines = new Float64Array(c); // c_ij for the current sample
  const logits = new Float64Array(c);  // z_ij
  const angular = new Float64Array(c); // u_ij = s c_ij, the IAM term's logits

  for (let i = 0; i < n; i++) {
    const y = labels[i];
    const featureNorm = norm(x, i * d, d);

    // c_ij = x̂_i · Ŵ_j, and the plain dot products W_j · x_i for softmax
    for (let j = 0; j < c; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x[i * d + k] * W[j * d + k];
      cosines[j] = dot / (featureNorm * weightNorm[j]);
      if (cfg.kind === 'softmax') logits[j] = dot;
    }

    // z_ij: every kind but softmax is r c_ij off the target; only z_iy differs
    if (cfg.kind !== 'softmax') {
      const radius = cfg.kind === 'sphereface' && cfg.featureNorm ? featureNorm : cfg.scale;
      for (let j = 0; j < c; j++) logits[j] = radius * cosines[j];
      logits[y] = targetLogit(cfg, cosines[y], radius);
    }

    // cross-entropy: LSE_j z_ij − z_iy
    baseSum += logSumExp(logits) - logits[y];

    // IAM: LSE_{j≠y} u_ij − LSE_j u_ij − log(C − 1), u = s c_ij for every kind
    for (let j = 0; j < c; j++) angular[j] = cfg.scale * cosines[j];
    iamSum += logSumExp(angular, (j) => j !== y) - logSumExp(angular) - Math.log(c - 1);
  }

  const base = baseSum / n, iam = iamSum / n;
  return { loss: base + cfg.beta * iam, base, iam };
}

/**
 * ∂loss/∂x and ∂loss/∂W of referenceLoss by central finite differences:
 *   g_k ≈ (L(v + h_k e_k) − L(v − h_k e_k)) / (2 h_k),  h_k = h · max(1, |v_k|).
 * The truncation error is O(h²) and the rounding error O(ε_64 / h), both far
 * below float32 resolution at h = 1e-5. Returns { dx, dW } as Float64Arrays.
 * Wrong near a jump of the loss (the insightface and easy fallbacks): the
 * caller must keep the target angles away from those switches.
 */
export function finiteDifferenceGradient(config, { x, W, labels, n, d, c }, { h = 1e-5 } = {}) {
  const xs = Float64Array.from(x), Ws = Float64Array.from(W);
  const batch = { x: xs, W: Ws, labels, n, d, c };
  const partial = (v, k) => {
    const saved = v[k];
    const step = h * Math.max(1, Math.abs(saved));
    v[k] = saved + step;
    const plus = referenceLoss(config, batch).loss;
    v[k] = saved - step;
    const minus = referenceLoss(config, batch).loss;
    v[k] = saved;
    return (plus - minus) / (2 * step);
  };
  const dx = new Float64Array(n * d), dW = new Float64Array(c * d);
  for (let k = 0; k < n * d; k++) dx[k] = partial(xs, k);
  for (let k = 0; k < c * d; k++) dW[k] = partial(Ws, k);
  return { dx, dW };
}
