// geometry.js: the angles and decision rules the views draw, as plain functions.
//
// Each loss decides a direction u (a unit feature) the same way at test time,
// argmax_j cos θ_j (Softmax: argmax_j ‖W_j‖ cos θ_j), but trains toward its own,
// stricter boundary: a sample of class k only counts as "inside its margin" when
// its target logit beats every other logit, f_k(cos θ_k) ≥ cos θ_j (LOSSES.md,
// "Base losses"). Between the two lies the margin band the views shade:
//   NormFace  θ_1 = θ_2            (no band)
//   SphereFace mθ_1 = θ_2          (with the annealing mix λ)
//   CosFace   cos θ_1 − m = cos θ_2
//   ArcFace   θ_1 + m = θ_2      (CurricularFace too; its hard negatives are raised)
//   AdaFace, MagFace: a margin that depends on the feature's norm, drawn at one norm
// No module here touches the DOM, so node tests can check it.

const DEG = 180 / Math.PI;

// ψ(θ) = (−1)^k cos(m1 θ + m2) − 2k − m3, k = ⌊(m1 θ + m2)/π⌋: one monotone target function
export function monotonePsi(theta, m1, m2, m3) {
  const phi = m1 * theta + m2;
  const k = Math.floor(phi / Math.PI);
  return (k % 2 ? -1 : 1) * Math.cos(phi) - 2 * k - m3;
}

// AdaFace's clip of the norm before ẑ, and the ε under σ (src/loss.c, ADA_NORM_MIN/MAX, ADA_EPS)
const ADA_NORM = [0.001, 100], ADA_EPS = 1e-3;
const clip = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** AdaFace's ẑ of a feature norm: clip(h (‖x‖ − μ) / (σ + ε), −1, 1), ‖x‖ clipped to
 *  [0.001, 100] first, μ and σ the running statistics (loss.normMean, loss.normStd). */
export function adaZ(loss, norm) {
  if (loss.z !== undefined) return loss.z;     // a curve drawn at one ẑ (curves.js)
  return clip((loss.h * (clip(norm, ...ADA_NORM) - loss.normMean)) / (loss.normStd + ADA_EPS), -1, 1);
}

/** AdaFace's two margins at a norm: g_angle = −m ẑ (added to θ), g_add = m ẑ + m
 *  (taken from the cosine). A high norm (ẑ → 1, a clear sample) gets a negative angle
 *  and 2m off the cosine; a low one (ẑ → −1) ArcFace's +m and nothing off. */
export function adaMargins(loss, norm) {
  const z = adaZ(loss, norm), m = loss.margin ?? 0;
  return { z, gAngle: -m * z, gAdd: m * z + m };
}

/** MagFace's margin at a norm: m(a) = (um − lm)/(ua − la) (a − la) + lm, a = ‖x‖
 *  clipped to [la, ua]: a larger norm gets a larger angular margin. */
export function magMargin(loss, norm) {
  return ((loss.um - loss.lm) / (loss.ua - loss.la)) * (clip(norm, loss.la, loss.ua) - loss.la) + loss.lm;
}

/** ArcFace's cos(θ + m) past θ > π − m, by its fallback (CurricularFace and MagFace share it). */
function arcPsi(theta, m, fallback) {
  const c = Math.cos(theta);
  if (fallback === 'insightface' && theta >= Math.PI - m) return c - m * Math.sin(m);
  if (fallback === 'easy' && c <= 0) return c;
  if (fallback === 'none') return Math.cos(theta + m);
  return monotonePsi(theta, 1, m, 0);
}

/** The norm a margin that depends on it is drawn at when no sample is named: ẑ = 0
 *  (‖x‖ = μ) for AdaFace, the middle of [la, ua] for MagFace. */
export const typicalNorm = (loss) => (loss.kind === 'adaface' ? loss.normMean : (loss.la + loss.ua) / 2);

/** The target logit divided by s (or r), as a function of θ for a loss config
 *  { kind, margin, m1, m2, m3, lambda, fallback, and AdaFace's and MagFace's own }.
 *  Softmax and NormFace: cos θ. AdaFace and MagFace set the margin by the feature's
 *  norm: `norm`, else the loss's `norm` (a view's choice), else typicalNorm. */
export function targetOfTheta(loss, theta, norm = loss.norm) {
  const c = Math.cos(theta), m = loss.margin ?? 0;
  switch (loss.kind) {
    case 'cosface': return c - m;
    case 'arcface': case 'curricularface': return arcPsi(theta, m, loss.fallback);
    case 'magface': return arcPsi(theta, magMargin(loss, norm ?? typicalNorm(loss)), loss.fallback);
    case 'adaface': {
      // cos(θ + g_angle) − g_add, continuous past π; a phase below 0 is held at 0 (src/loss.c)
      const { gAngle, gAdd } = adaMargins(loss, norm ?? typicalNorm(loss));
      return theta + gAngle < 0 ? 1 - gAdd : monotonePsi(theta, 1, gAngle, gAdd);
    }
    case 'combined': return monotonePsi(theta, loss.m1 ?? 1, loss.m2 ?? 0, loss.m3 ?? 0);
    case 'sphereface': {
      const lambda = loss.lambda ?? 0;
      return (lambda * c + monotonePsi(theta, m, 0, 0)) / (1 + lambda);
    }
    default: return c;
  }
}

/** A negative's logit ÷ s: c_j, but CurricularFace's hard negative (c_j above the
 *  target's f_y) gets c_j (t + c_j), t its running mean of cos θ_y (loss.t). */
export function negativeLogit(loss, cj, fy) {
  return loss.kind === 'curricularface' && cj > fy ? cj * ((loss.t ?? 0) + cj) : cj;
}

export const hasMarginBand = (kind) => kind !== 'softmax' && kind !== 'normface';

const clampCos = (c) => Math.min(1, Math.max(-1, c));

/** Classify a unit direction u against unit weights (flat, (c·K)×d; with K sub-centers
 *  per class, class j's rows j·K … j·K + K − 1 and cos θ_j their largest): the predicted
 *  class, and whether u is inside that class's margin (its target beats every other
 *  class's logit). weightNorms scales Softmax's logits. */
export function classifyDirection(u, weights, d, loss, weightNorms = null, K = 1) {
  const c = weights.length / d / K;
  let best = 0, bestScore = -Infinity;
  const cosines = new Array(c);
  for (let j = 0; j < c; j++) {
    let top = -Infinity;
    for (let r = j * K; r < (j + 1) * K; r++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += u[k] * weights[r * d + k];
      top = Math.max(top, dot);
    }
    cosines[j] = clampCos(top);
    const score = loss.kind === 'softmax' && weightNorms ? weightNorms[j] * cosines[j] : cosines[j];
    if (score > bestScore) { bestScore = score; best = j; }
  }
  let inMargin = true;
  if (hasMarginBand(loss.kind)) {
    const fy = targetOfTheta(loss, Math.acos(cosines[best]));
    for (let j = 0; j < c; j++) if (j !== best && negativeLogit(loss, cosines[j], fy) > fy) inMargin = false;
  }
  return { cls: best, inMargin, cosines };
}

/** 2-D: the class weights' directions in degrees [0, 360), sorted, with the angle
 *  (the gap) from each to the next one counter-clockwise; the smallest gap flagged. */
export function neighbourGaps2d(weights) {
  const c = weights.length / 2;
  const dirs = [];
  for (let j = 0; j < c; j++) {
    let a = Math.atan2(weights[2 * j + 1], weights[2 * j]) * DEG;
    if (a < 0) a += 360;
    dirs.push({ cls: j, deg: a });
  }
  dirs.sort((p, q) => p.deg - q.deg);
  const gaps = dirs.map((p, i) => {
    const q = dirs[(i + 1) % c];
    let gap = q.deg - p.deg;
    if (gap < 0 || (c === 1)) gap += 360;
    return { from: p.cls, to: q.cls, startDeg: p.deg, gapDeg: gap };
  });
  let smallest = 0;
  gaps.forEach((g, i) => { if (g.gapDeg < gaps[smallest].gapDeg) smallest = i; });
  gaps.forEach((g, i) => { g.smallest = i === smallest; });
  return gaps;
}

/** 2-D: the decision ring. For `samples` directions around the circle: the predicted
 *  class and whether the direction is inside its margin. */
export function decisionRing2d(weights, loss, weightNorms = null, samples = 720, K = 1) {
  const cls = new Int32Array(samples), inMargin = new Uint8Array(samples);
  const u = [0, 0];
  for (let k = 0; k < samples; k++) {
    const a = (2 * Math.PI * k) / samples;
    u[0] = Math.cos(a); u[1] = Math.sin(a);
    const r = classifyDirection(u, weights, 2, loss, weightNorms, K);
    cls[k] = r.cls;
    inMargin[k] = r.inMargin ? 1 : 0;
  }
  return { cls, inMargin, samples };
}

/** Angle in degrees between two unit vectors of dimension d (rows i and j of flat arrays). */
export function angleDeg(a, i, b, j, d) {
  let dot = 0;
  for (let k = 0; k < d; k++) dot += a[i * d + k] * b[j * d + k];
  return Math.acos(clampCos(dot)) * DEG;
}

/** The pair of class weights with the smallest angle: { i, j, deg }. */
export function closestWeightPair(weights, d) {
  const c = weights.length / d;
  let best = { i: 0, j: 1, deg: Infinity };
  for (let i = 0; i < c; i++)
    for (let j = i + 1; j < c; j++) {
      const deg = angleDeg(weights, i, weights, j, d);
      if (deg < best.deg) best = { i, j, deg };
    }
  return best;
}

/** The IAM teaching curve (LOSSES.md, the IAM term): one sample whose target sits
 *  at thetaY, one wrong class swept over θ_j, the C − 2 others at 90°. Returns the
 *  push on that wrong class, |∂L/∂u_j| per unit s, from cross-entropy,
 *  (1 − p) Q_j, and from β·IAM, β p Q_j; the total is their sum. */
export function iamPush(thetaJ, { scale, beta, classes = 8, thetaY = Math.PI / 6 }) {
  const uy = scale * Math.cos(thetaY), uj = scale * Math.cos(thetaJ), uo = 0; // others at 90°
  const others = classes - 2;
  const maxU = Math.max(uy, uj, uo);
  const ey = Math.exp(uy - maxU), ej = Math.exp(uj - maxU), eo = others * Math.exp(uo - maxU);
  const p = ey / (ey + ej + eo);
  const q = ej / (ej + eo);
  return { ce: (1 - p) * q, iam: beta * p * q, total: (1 - p) * q + beta * p * q, p, q };
}

/** CurricularFace: which samples of a snapshot have a hard negative now, a class j ≠ y
 *  with cos θ_j above the target's f_y = ψ(θ_y + m) (its logit is then raised by t):
 *  a Uint8Array, 1 per such sample. The cosines are to every sub-center, if any. */
export function hardSamples(snap) {
  const { embedding, labels, dim: d, loss } = snap, n = labels.length;
  const K = snap.subcenters ? snap.subcenters.weights.length / d / snap.classes : 1;
  const weights = snap.subcenters?.weights ?? snap.weights, hard = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const { cosines } = classifyDirection(embedding.subarray(i * d, i * d + d), weights, d, { kind: 'normface' }, null, K);
    const fy = targetOfTheta(loss, Math.acos(cosines[labels[i]]));
    hard[i] = cosines.some((cj, j) => j !== labels[i] && cj > fy) ? 1 : 0;
  }
  return hard;
}
