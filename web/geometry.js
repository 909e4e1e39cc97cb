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
//   ArcFace   θ_1 + m = θ_2
// No module here touches the DOM, so node tests can check it.

const DEG = 180 / Math.PI;

// ψ(θ) = (−1)^k cos(m1 θ + m2) − 2k − m3, k = ⌊(m1 θ + m2)/π⌋: one monotone target function
export function monotonePsi(theta, m1, m2, m3) {
  const phi = m1 * theta + m2;
  const k = Math.floor(phi / Math.PI);
  return (k % 2 ? -1 : 1) * Math.cos(phi) - 2 * k - m3;
}

/** The target logit divided by s (or r), as a function of θ for a loss config
 *  { kind, margin, m1, m2, m3, lambda, fallback }. Softmax and NormFace: cos θ. */
export function targetOfTheta(loss, theta) {
  const c = Math.cos(theta), m = loss.margin ?? 0;
  switch (loss.kind) {
    case 'cosface': return c - m;
    case 'arcface':
      if (loss.fallback === 'insightface' && theta >= Math.PI - m) return c - m * Math.sin(m);
      if (loss.fallback === 'easy' && c <= 0) return c;
      return monotonePsi(theta, 1, m, 0);
    case 'combined': return monotonePsi(theta, loss.m1 ?? 1, loss.m2 ?? 0, loss.m3 ?? 0);
    case 'sphereface': {
      const lambda = loss.lambda ?? 0;
      return (lambda * c + monotonePsi(theta, m, 0, 0)) / (1 + lambda);
    }
    default: return c;
  }
}

export const hasMarginBand = (kind) => kind !== 'softmax' && kind !== 'normface';

const clampCos = (c) => Math.min(1, Math.max(-1, c));

/** Classify a unit direction u against unit weights (flat, c×d): the predicted class,
 *  and whether u is inside that class's margin. weightNorms scales Softmax's logits. */
export function classifyDirection(u, weights, d, loss, weightNorms = null) {
  const c = weights.length / d;
  let best = 0, bestScore = -Infinity, bestCos = 0, secondCos = -Infinity;
  const cosines = new Array(c);
  for (let j = 0; j < c; j++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += u[k] * weights[j * d + k];
    cosines[j] = clampCos(dot);
    const score = loss.kind === 'softmax' && weightNorms ? weightNorms[j] * cosines[j] : cosines[j];
    if (score > bestScore) { bestScore = score; best = j; }
  }
  bestCos = cosines[best];
  for (let j = 0; j < c; j++) if (j !== best && cosines[j] > secondCos) secondCos = cosines[j];
  const inMargin = !hasMarginBand(loss.kind) || targetOfTheta(loss, Math.acos(bestCos)) >= secondCos;
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
export function decisionRing2d(weights, loss, weightNorms = null, samples = 720) {
  const cls = new Int32Array(samples), inMargin = new Uint8Array(samples);
  const u = [0, 0];
  for (let k = 0; k < samples; k++) {
    const a = (2 * Math.PI * k) / samples;
    u[0] = Math.cos(a); u[1] = Math.sin(a);
    const r = classifyDirection(u, weights, 2, loss, weightNorms);
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
