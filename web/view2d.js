// view2d.js: the 2-D embedding on the unit circle, drawn on a canvas.
//
// What a student should read off it:
//   - each sample's normalized feature x̂ as a dot on the circle, in its class colour;
//   - each class weight Ŵ_j as a spoke;
//   - the ring outside the circle: which class each direction belongs to, by THIS
//     loss's rule, with the margin band (directions no class owns with its
//     margin) in grey, and thin lines at the loss's own boundaries;
//   - the angle between neighbouring class weights, the smallest one in red.
// One update is a list of drawing stages, each a function of (ctx, frame), where
// the frame holds what every stage needs, computed once (makeFrame). The stages are
// exported so that a figure (experiment/render.mjs) can draw only some of them.
// It does no geometry of its own: who owns a direction is geometry.js's answer.
// The newer losses add what their margins read: AdaFace and MagFace set a sample's
// margin by its norm, so there each dot sits at radius ‖x‖ (the largest at the circle);
// sub-centers are drawn faintly, the dominant one as the spoke; CurricularFace rings
// the samples whose negatives are "hard" now and says its t.
import { decisionRing2d, neighbourGaps2d, hasMarginBand, hardSamples, typicalNorm } from './geometry.js';
import { classColor, paleCss, HIGHLIGHT } from './palette.js';
import { viewCanvas, sizeCanvas } from './dom.js';
import { FORCE_COLORS, ARROWS, arrowLength, sampleFacts, tangent, digitSheet } from './inspect.js';

const BAND = '#d4d4d4', INK = '#222';
const RING_SAMPLES = 720;            // directions classified around the ring: one per half degree
const NARROW_GAP_DEG = 15;           // a gap this narrow has no room for its label inside the circle
const DESIGN_SIZE = 340;             // the canvas size the strokes and type below are drawn for

/** Everything the stages need for one snapshot on a canvas of size × size CSS px;
 *  options: forces (draw the arrows), focus (a sample index to light up), sheet (the
 *  shown samples' digits, inspect.js's DigitSheet: thumbnails round the focus). */
export function makeFrame(snap, size, { forces = false, focus = null, sheet = null } = {}) {
  const cx = size / 2, cy = size / 2, R = size * 0.33;
  const scale = size / DESIGN_SIZE;
  const normScale = normRadius(snap), K = subcentersOf(snap);
  // a margin set by the norm is drawn on the ring at one norm: ẑ = 0 (AdaFace), or the
  // median of the shown samples' (MagFace)
  const ringLoss = normScale ? { ...snap.loss, norm: ringNorm(snap) } : snap.loss;
  return {
    snap, size, cx, cy, forces: forces && !!snap.forces, focus: snap.forces ? focus : null,
    sheet: sheet && sheet.count === snap.labels.length ? sheet : null,   // a sheet of another run's samples is not drawn
    normScale,                       // AdaFace, MagFace: the norm drawn at radius R (the largest shown), else null
    points: samplePoints(snap, cx, cy, R, normScale),   // where each sample's dot is drawn (the arrows start there; picking)
    px: (v) => v * Math.max(0.6, scale),              // a stroke or a dot: thinner on a small canvas, not thinner than 60%
    fontPx: (v) => Math.max(11, Math.round(v * scale)), // type: it scales with the canvas, never below 11 px
    R,                               // the unit circle's radius in px
    ringIn: R * 1.07, ringOut: R * 1.22,
    toXY: (ux, uy, r) => [cx + r * ux, cy - r * uy],   // y up, as in a maths figure
    ringLoss,
    ring: decisionRing2d(snap.subcenters?.weights ?? snap.weights, ringLoss, snap.weightNorms, RING_SAMPLES, K),
    gaps: neighbourGaps2d(snap.weights),
    hard: snap.loss.kind === 'curricularface' ? hardSamples(snap) : null,
  };
}

/** AdaFace and MagFace read each feature's norm: the norm drawn at the circle's radius
 *  (the largest of the shown samples'), or null for the losses that see only directions. */
export function normRadius(snap) {
  if (!NORM_KINDS.includes(snap.loss.kind) || !snap.norms?.length) return null;
  let top = 0;
  for (const v of snap.norms) if (Number.isFinite(v) && v > top) top = v;
  return top > 0 ? top : null;
}
const NORM_KINDS = ['adaface', 'magface'];

/** The sub-centers per class (1 without). */
export const subcentersOf = (snap) => (snap.subcenters ? snap.subcenters.weights.length / snap.dim / snap.classes : 1);

/** The norm the ring's margin band is drawn at (AdaFace: μ, where ẑ = 0; MagFace: the
 *  median norm of the shown samples). */
export function ringNorm(snap) {
  if (snap.loss.kind === 'adaface') return typicalNorm(snap.loss);
  const sorted = Float64Array.from(snap.norms).filter(Number.isFinite).sort();
  return sorted.length ? sorted[sorted.length >> 1] : typicalNorm(snap.loss);
}

/** The class a ring sample shows, or −1 inside the margin band (no owner drawn). */
const ringOwner = (ring, k) => (ring.inMargin[k] ? ring.cls[k] : -1);

/** White paper, so that an exported PNG is not transparent. */
function paper(ctx, { size }) {
  ctx.clearRect(0, 0, size, size);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
}

/** The decision ring: this loss's regions in pale class colours, its margin band in grey. */
function ring(ctx, { ring, cx, cy, ringIn, ringOut }) {
  const step = (2 * Math.PI) / ring.samples;
  for (let k = 0; k < ring.samples;) { // one filled arc per run of equal samples
    let end = k + 1;
    while (end < ring.samples && ringOwner(ring, end) === ringOwner(ring, k)) end++;
    const a0 = k * step - step / 2, a1 = end * step - step / 2 + 0.002;
    ctx.beginPath();
    ctx.arc(cx, cy, ringOut, -a0, -a1, true);
    ctx.arc(cx, cy, ringIn, -a1, -a0, false);
    ctx.closePath();
    ctx.fillStyle = ring.inMargin[k] ? paleCss(classColor(ring.cls[k])) : BAND;
    ctx.fill();
    k = end;
  }
}

/** The loss's own boundaries: wherever the ring changes owner or enters/leaves the band. */
function boundaries(ctx, { ring, ringIn, ringOut, toXY }) {
  const step = (2 * Math.PI) / ring.samples;
  ctx.strokeStyle = INK;
  ctx.lineWidth = 1.2;
  for (let k = 0; k < ring.samples; k++) {
    const prev = (k + ring.samples - 1) % ring.samples;
    if (ringOwner(ring, k) === ringOwner(ring, prev)) continue;
    const a = k * step - step / 2, ux = Math.cos(a), uy = Math.sin(a);
    ctx.beginPath();
    ctx.moveTo(...toXY(ux, uy, ringIn));
    ctx.lineTo(...toXY(ux, uy, ringOut));
    ctx.stroke();
  }
}

function unitCircle(ctx, { cx, cy, R }) {
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.arc(cx, cy, R, 0, 2 * Math.PI);
  ctx.stroke();
}

/** The radius sample i is drawn at: on the circle, spread a little inward so that dense
 *  classes stay readable (golden-ratio steps: no two neighbours at one depth). */
const sampleRadius = (R, i) => R * (1 - ((i * 0.6180339887) % 1) * 0.12);

/** Where each sample's dot goes (x, y per sample; NaN for a non-finite feature): on the
 *  circle (spread a little inward), or, where the loss reads the norm, at radius
 *  R ‖x‖ / normScale. */
function samplePoints({ embedding, labels, norms }, cx, cy, R, normScale = null) {
  const points = new Float32Array(2 * labels.length).fill(NaN);
  for (let i = 0; i < labels.length; i++) {
    const ux = embedding[2 * i], uy = embedding[2 * i + 1];
    if (!Number.isFinite(ux) || !Number.isFinite(uy)) continue;
    const r = normScale ? (R * norms[i]) / normScale : sampleRadius(R, i);
    if (!Number.isFinite(r)) continue;
    points[2 * i] = cx + r * ux;
    points[2 * i + 1] = cy - r * uy;
  }
  return points;
}

/** The norms that mean something to the loss, as dashed circles: AdaFace's μ (ẑ = 0) and
 *  μ ± σ/h (ẑ = ±1, where its margin stops changing), MagFace's la and ua (its margin's
 *  ends), each labelled; the outer circle is the largest norm shown. */
function normCircles(ctx, { snap, normScale, cx, cy, R, px, fontPx }) {
  if (!normScale) return;
  const L = snap.loss;
  const marks = L.kind === 'adaface'
    ? [[L.normMean - L.normStd / L.h, 'ẑ = −1'], [L.normMean, 'μ'], [L.normMean + L.normStd / L.h, 'ẑ = +1']]
    : [[L.la, 'lₐ'], [L.ua, 'uₐ']];
  ctx.font = `${fontPx(11)}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.setLineDash([px(3), px(4)]);
  ctx.lineWidth = px(1);
  for (const [norm, label] of marks) {
    const r = (R * norm) / normScale;
    if (!(r > px(6) && r < R * 1.2)) continue;      // off the picture, or a dot at the centre
    ctx.strokeStyle = '#8a8a8a';
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillStyle = '#666';
    ctx.fillText(label, cx + r * 0.72 + 2, cy - r * 0.69);
  }
  ctx.setLineDash([]);
}

/** Every sub-center, faintly: a thin spoke in its class colour; the dominant one (the
 *  spoke drawn on top, snap.weights) is the one the metrics and the arrows use. */
function subcenterSpokes(ctx, frame) {
  const { snap, cx, cy, R, px } = frame;
  frame.subcentersDrawn = 0;
  if (!snap.subcenters) return;
  const { weights, dominant } = snap.subcenters, K = subcentersOf(snap);
  ctx.globalAlpha = 0.45;
  ctx.lineWidth = px(2);
  ctx.setLineDash([px(4), px(3)]);
  for (let r = 0; r < weights.length / 2; r++) {
    const j = Math.floor(r / K);
    if (r === j * K + dominant[j]) continue;
    frame.subcentersDrawn++;
    ctx.strokeStyle = classColor(j);
    ctx.beginPath();
    ctx.moveTo(cx, cy);
    ctx.lineTo(cx + R * 1.2 * weights[2 * r], cy - R * 1.2 * weights[2 * r + 1]);
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(cx + R * 1.2 * weights[2 * r], cy - R * 1.2 * weights[2 * r + 1], px(3.5), 0, 2 * Math.PI);
    ctx.fillStyle = classColor(j);
    ctx.fill();
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}

/** CurricularFace: a dark ring round each sample with a hard negative now (a class
 *  nearer than its own target f_y: its logit is raised to c_j (t + c_j)). */
function hardRings(ctx, { hard, points, px }) {
  if (!hard) return;
  ctx.strokeStyle = INK;
  ctx.lineWidth = px(1.6);
  ctx.beginPath();
  for (let i = 0; i < hard.length; i++) {
    if (!hard[i] || !Number.isFinite(points[2 * i])) continue;
    ctx.moveTo(points[2 * i] + px(6.5), points[2 * i + 1]);
    ctx.arc(points[2 * i], points[2 * i + 1], px(6.5), 0, 2 * Math.PI);
  }
  ctx.stroke();
}

/** The samples, in their class colours, where samplePoints put them. */
function samples(ctx, { snap, px, points }) {
  const { labels } = snap;
  for (let i = 0; i < labels.length; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    if (!Number.isFinite(x)) continue;
    ctx.beginPath();
    ctx.arc(x, y, px(3.4), 0, 2 * Math.PI);
    ctx.fillStyle = classColor(labels[i]);
    ctx.fill();
    ctx.lineWidth = px(0.8);
    ctx.strokeStyle = 'rgba(0,0,0,0.55)';
    ctx.stroke();
  }
}

/** Where class j's spoke ends: just outside the ring. */
const spokeTip = ({ snap, ringOut, toXY, px }, j) => toXY(snap.weights[2 * j], snap.weights[2 * j + 1], ringOut + px(6));

/** The class weights as spokes from the centre out through the ring. They are drawn
 *  before the samples, so that a sample on a spoke stays visible on top of it. */
function spokes(ctx, frame) {
  for (let j = 0; j < frame.snap.classes; j++) spoke(ctx, frame, j, frame.px(5.5), frame.px(3));
}

/** Class j's spoke: an ink line `outer` wide with the class colour `inner` wide on it. */
function spoke(ctx, frame, j, outer, inner) {
  const { cx, cy } = frame, [x, y] = spokeTip(frame, j);
  for (const [width, color] of [[outer, INK], [inner, classColor(j)]]) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(cx, cy);
    ctx.lineTo(x, y);
    ctx.stroke();
  }
}

/** A dot at each spoke's tip, on top of everything on the ring. */
function spokeTips(ctx, frame) {
  const { snap, px } = frame;
  for (let j = 0; j < snap.classes; j++) {
    const [x, y] = spokeTip(frame, j);
    ctx.beginPath();
    ctx.arc(x, y, px(5.5), 0, 2 * Math.PI);
    ctx.fillStyle = classColor(j);
    ctx.fill();
    ctx.lineWidth = px(1.5);
    ctx.strokeStyle = INK;
    ctx.stroke();
  }
}

/** The angles between neighbouring class weights: per gap an arc inside the circle
 *  and its label, the smallest gap in red. */
function gapLabels(ctx, frame) {
  const { gaps, cx, cy, R, px, fontPx } = frame;
  const decimals = gaps.length > 8 ? 0 : 1;
  for (const gap of gaps) {
    const a0 = (gap.startDeg * Math.PI) / 180, a1 = a0 + (gap.gapDeg * Math.PI) / 180;
    ctx.strokeStyle = gap.smallest ? HIGHLIGHT : '#777';
    ctx.lineWidth = px(gap.smallest ? 3 : 1.2);
    ctx.beginPath();
    ctx.arc(cx, cy, R * (gap.smallest ? 0.42 : 0.36), -a0, -a1, true);
    ctx.stroke();
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const placed = [];
  // the smallest gap's label first: it is always drawn; another one only where it covers
  // no label already placed (on a small canvas some must give way)
  for (const gap of [...gaps].sort((p, q) => q.smallest - p.smallest)) {
    const text = `${gap.gapDeg.toFixed(decimals)}°`;
    ctx.font = `${gap.smallest ? 'bold ' : ''}${fontPx(14)}px system-ui, sans-serif`;
    const box = placeLabel(frame, gap, ctx.measureText(text).width + 8, fontPx(14) + 6, placed);
    if (!gap.smallest && placed.some((q) => overlaps(box, q))) continue;
    placed.push(box);
    if (gap.smallest) {
      ctx.fillStyle = HIGHLIGHT;
      ctx.fillRect(box.x - box.w / 2, box.y - box.h / 2, box.w, box.h);
      ctx.fillStyle = '#fff';
    } else ctx.fillStyle = '#333';
    ctx.fillText(text, box.x, box.y);
  }
}

const overlaps = (p, q) => Math.abs(p.x - q.x) < (p.w + q.w) / 2 && Math.abs(p.y - q.y) < (p.h + q.h) / 2;

/** Where a gap's label goes: inside the circle at its middle angle, or, for a narrow
 *  gap, outside the ring, moved further out while it would cover a label already
 *  placed (three narrow gaps side by side get three rows); always on the canvas. */
function placeLabel({ size, R, ringOut, toXY }, gap, w, h, placed) {
  const mid = ((gap.startDeg + gap.gapDeg / 2) * Math.PI) / 180;
  const narrow = gap.gapDeg < NARROW_GAP_DEG;
  let box = null;
  for (let row = 0; row < (narrow ? 4 : 1); row++) {
    const r = narrow ? ringOut + h * (0.9 + row) : R * 0.62;
    const [x, y] = toXY(Math.cos(mid), Math.sin(mid), r);
    box = { x: Math.min(size - w / 2, Math.max(w / 2, x)), y: Math.min(size - h / 2, Math.max(h / 2, y)), w, h };
    if (!placed.some((q) => overlaps(box, q))) break;
  }
  return box;
}

/** A caption in the corners, so that an exported PNG explains itself: the step, what
 *  the radius means where it is the norm, CurricularFace's t and its hard samples, and
 *  the key to the grey band when this loss has one (and the norm it is drawn at). */
function caption(ctx, { snap, size, fontPx, normScale, hard, ringLoss }) {
  const type = fontPx(13);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.font = `${type}px system-ui, sans-serif`;
  ctx.fillStyle = '#555';
  ctx.fillText(`step ${snap.metrics.step}`, 8, 8);
  const lines = [];
  if (normScale) lines.push(`radius = ‖x‖, circle ${formatNorm(normScale)}`);
  const hardCount = hard?.reduce((a, b) => a + b, 0);
  if (hard) lines.push(`t = ${snap.loss.t.toFixed(3)}`, hardCount ? `${hardCount} ringed: a hard negative` : 'no hard negative now');
  if (snap.subcenters) lines.push(`K = ${subcentersOf(snap)} sub-centers`);
  // ElasticFace: each sample's margin is drawn anew every step; the band shows the mean m
  if (snap.loss.marginStd > 0) lines.push(`margin m + σN(0, 1), σ = ${snap.loss.marginStd}`);
  lines.forEach((text, k) => ctx.fillText(text, 8, 8 + (k + 1) * (type + 3)));
  if (hasMarginBand(snap.loss.kind)) {
    ctx.textBaseline = 'bottom';
    ctx.fillStyle = BAND;
    ctx.fillRect(8, size - 10 - type, type, type);
    ctx.fillStyle = '#555';
    const at = normScale ? ` at ‖x‖ = ${formatNorm(ringLoss.norm)}` : snap.loss.marginStd > 0 ? ' of the mean m' : '';
    ctx.fillText(`margin band${at}`, 14 + type, size - 8);
  }
}

const formatNorm = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** An arrow from (x, y) by (dx, dy) px, with a small head. */
function arrow(ctx, x, y, dx, dy, head) {
  const len = Math.hypot(dx, dy);
  if (len < 0.5) return;
  const ux = dx / len, uy = dy / len, h = Math.min(head, len * 0.6);
  ctx.moveTo(x, y);
  ctx.lineTo(x + dx, y + dy);
  ctx.moveTo(x + dx - h * (ux - 0.5 * uy), y + dy - h * (uy + 0.5 * ux));
  ctx.lineTo(x + dx, y + dy);
  ctx.lineTo(x + dx - h * (ux + 0.5 * uy), y + dy - h * (uy - 0.5 * ux));
}

/** The descent step −∇ of one part on a unit vector u, as a screen vector (y down),
 *  its length by inspect.js's rule for a view of radius R. */
function screenStep(grad, u, R, which) {
  const [tx, ty] = tangent(grad, u), g = Math.hypot(tx, ty);
  if (!(g > 0)) return [0, 0];
  const len = R * arrowLength(g, which);
  return [(-tx / g) * len, (ty / g) * len];
}

/** The forces on the samples: for each dot, the base loss's step and IAM's, in two
 *  colours, from the library's own gradients (snap.forces), tangent to the circle. */
function sampleForces(ctx, frame) {
  if (!frame.forces) return;
  const { snap, points, R, px } = frame, f = snap.forces;
  ctx.lineWidth = px(1.2);
  // under the dots, which stay readable; each arrow comes out of its dot
  for (const part of ['base', 'iam']) {
    ctx.strokeStyle = FORCE_COLORS[part];
    ctx.beginPath();
    for (let i = 0; i < snap.labels.length; i++) {
      if (!Number.isFinite(points[2 * i])) continue;
      const u = snap.embedding.subarray(2 * i, 2 * i + 2);
      const [dx, dy] = screenStep(f[part].subarray(2 * i, 2 * i + 2), u, R, 'sample');
      arrow(ctx, points[2 * i], points[2 * i + 1], dx, dy, px(3.5));
    }
    ctx.stroke();
  }
}

/** The forces on the class weights, at their tips: ∂/∂Ŵ_j at its norm (‖W_j‖ ∂/∂W_j). */
function weightForces(ctx, frame) {
  if (!frame.forces) return;
  const { snap, px, R } = frame, f = snap.forces;
  ctx.lineWidth = px(2.6);
  for (let j = 0; j < snap.classes; j++) {
    const u = snap.weights.subarray(2 * j, 2 * j + 2), r = snap.weightNorms[j], [x, y] = spokeTip(frame, j);
    for (const [part, color] of [['weightBase', FORCE_COLORS.base], ['weightIam', FORCE_COLORS.iam]]) {
      const [dx, dy] = screenStep(Array.from(f[part].subarray(2 * j, 2 * j + 2), (v) => v * r), u, R, 'weight');
      ctx.strokeStyle = color;
      ctx.beginPath();
      arrow(ctx, x, y, dx, dy, px(7));
      ctx.stroke();
    }
  }
}

/** The key to the arrows, top right: what the two colours are, and the length of a
 *  sample arrow of |∇| = ARROWS.sample.half (half the longest; inspect.js, arrowLength). */
function forcesKey(ctx, { forces, size, fontPx, snap, R }) {
  if (!forces) return;
  const type = fontPx(12);
  ctx.font = `${type}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  const lines = [['base loss −∇ ⟶', FORCE_COLORS.base]];
  if (snap.loss.beta > 0) lines.push(['IAM −∇ ⟶', FORCE_COLORS.iam]);
  lines.forEach(([text, color], k) => { ctx.fillStyle = color; ctx.fillText(text, size - 8, 8 + k * (type + 3)); });
  const len = R * arrowLength(ARROWS.sample.half), y = 8 + lines.length * (type + 3) + type / 2;
  ctx.fillStyle = '#555';
  ctx.fillText(`|∇| ${ARROWS.sample.half}`, size - 14 - len, y - type / 2);
  ctx.strokeStyle = '#555';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(size - 8 - len, y);
  ctx.lineTo(size - 8, y);
  ctx.stroke();
}

/** The sample under the pointer, lit up: a ring around it and its two spokes (its own
 *  class's and the nearest other's, dashed), drawn again on top. */
function focus(ctx, frame) {
  if (frame.focus === null || !Number.isFinite(frame.points[2 * frame.focus])) return;
  const { snap, points, cx, cy, px } = frame, i = frame.focus, facts = sampleFacts(snap, i);
  for (const [j, dash] of [[facts.other, [px(6), px(4)]], [facts.label, []]]) {
    if (j < 0) continue;
    ctx.setLineDash(dash);
    spoke(ctx, frame, j, px(8), px(5));
  }
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  ctx.lineTo(points[2 * i], points[2 * i + 1]);
  ctx.strokeStyle = INK;
  ctx.lineWidth = px(1.5);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(points[2 * i], points[2 * i + 1], px(8), 0, 2 * Math.PI);
  ctx.lineWidth = px(3);
  ctx.stroke();
}

// The thumbnails' scratch: the nearest samples and their places, reused by every frame.
const THUMBS_MAX = 8;
const near = new Int32Array(THUMBS_MAX), nearCos = new Float64Array(THUMBS_MAX), nearAngle = new Float64Array(THUMBS_MAX);
const slotAngle = new Float64Array(THUMBS_MAX);

/** The larger of |Δx| and |Δy| between two points at radius r and angles a, b. */
const chebyshev = (r, a, b) => r * Math.max(Math.abs(Math.cos(a) - Math.cos(b)), Math.abs(Math.sin(a) - Math.sin(b)));

/** How many thumbnails fit on the arc, and their size: 14 px digits at 2× (3× on a large
 *  view, a projector's), a whole number so that the pixels stay square and sharp. */
export function thumbLayout(size, side) {
  const scale = size >= 460 ? 3 : 2, t = side * scale, gap = Math.max(4, Math.round(t * 0.18));
  const R = size * 0.33, r = R * 0.66;                 // the arc inside the circle, clear of the dots
  const count = Math.max(5, Math.min(THUMBS_MAX, 1 + Math.floor((2.2 * r) / (t + gap))));   // mostly within ~150°
  return { t, gap, r, count };
}

/** Digit thumbnails of the focused sample and of its nearest shown neighbours on the
 *  circle, each on an arc just inside the circle by its own dot's direction, pushed
 *  apart only as much as they need, a thin leader from its dot, a frame in its class
 *  colour (the focused sample's thicker, in ink round it). Only with digits and a focus. */
function thumbs(ctx, frame) {
  const { sheet, snap, points, cx, cy, px } = frame, i0 = frame.focus;
  if (!sheet || i0 === null || !Number.isFinite(points[2 * i0])) return;
  const { embedding, labels } = snap, { t, gap, r, count } = thumbLayout(frame.size, sheet.side);
  const ux = embedding[2 * i0], uy = embedding[2 * i0 + 1], a0 = Math.atan2(uy, ux);
  // the `count` samples nearest to the focus by angle (the focus itself first: cos 1)
  let found = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(points[2 * i])) continue;
    const c = i === i0 ? 2 : embedding[2 * i] * ux + embedding[2 * i + 1] * uy;
    if (found === count && c <= nearCos[count - 1]) continue;
    let k = found < count ? found++ : count - 1;
    while (k > 0 && nearCos[k - 1] < c) { near[k] = near[k - 1]; nearCos[k] = nearCos[k - 1]; k--; }
    near[k] = i; nearCos[k] = c;
  }
  // by signed angle from the focus, so that the leaders never cross
  for (let k = 0; k < found; k++) {
    const i = near[k];
    nearAngle[k] = Math.atan2(ux * embedding[2 * i + 1] - uy * embedding[2 * i], ux * embedding[2 * i] + uy * embedding[2 * i + 1]);
  }
  for (let k = 1; k < found; k++)
    for (let m = k; m > 0 && nearAngle[m - 1] > nearAngle[m]; m--) {
      const a = nearAngle[m]; nearAngle[m] = nearAngle[m - 1]; nearAngle[m - 1] = a;
      const n = near[m]; near[m] = near[m - 1]; near[m - 1] = n;
    }
  // slots: the focus's thumbnail on its own direction, the others outward from it on
  // either side, each at its own angle or, where that would touch its inner neighbour
  // (boxes are upright: the Chebyshev distance), turned on just far enough
  let centre = 0;
  while (near[centre] !== i0) centre++;
  slotAngle[centre] = 0;
  const apart = t + gap, nudge = 0.02;
  for (const dir of [1, -1])
    for (let k = centre + dir; k >= 0 && k < found; k += dir) {
      const prev = slotAngle[k - dir];
      let a = dir > 0 ? Math.max(nearAngle[k], prev) : Math.min(nearAngle[k], prev);
      for (let n = 0; n < 200 && chebyshev(r, a0 + prev, a0 + a) < apart; n++) a += dir * nudge;
      slotAngle[k] = a;
    }
  const shift = 0;
  // leaders first, under every thumbnail
  ctx.lineWidth = px(1.2);
  ctx.strokeStyle = 'rgba(34,34,34,0.7)';
  ctx.beginPath();
  for (let k = 0; k < found; k++) {
    const a = a0 + slotAngle[k] + shift, i = near[k];
    ctx.moveTo(points[2 * i], points[2 * i + 1]);
    ctx.lineTo(cx + (r + t / 2) * Math.cos(a), cy - (r + t / 2) * Math.sin(a));
  }
  ctx.stroke();
  for (let k = 0; k < found; k++) {
    const a = a0 + slotAngle[k] + shift, i = near[k], focused = i === i0;
    const x = Math.round(cx + r * Math.cos(a) - t / 2), y = Math.round(cy - r * Math.sin(a) - t / 2);
    const frameW = px(focused ? 3.5 : 2.2);
    ctx.fillStyle = INK;                                  // an ink edge: the class colour reads on white and on the ring
    ctx.fillRect(x - frameW - 1, y - frameW - 1, t + 2 * frameW + 2, t + 2 * frameW + 2);
    ctx.fillStyle = classColor(labels[i]);
    ctx.fillRect(x - frameW, y - frameW, t + 2 * frameW, t + 2 * frameW);
    sheet.draw(ctx, i, x, y, t);
  }
}

/** The drawing stages, in the order an update draws them (later ones on top). */
export const STAGES = {
  paper, ring, boundaries, unitCircle, normCircles, subcenterSpokes, spokes, sampleForces, samples, hardRings, spokeTips, weightForces,
  gapLabels, caption, forcesKey, focus, thumbs,
};

export class CircleView {
  constructor(container, { size = 360 } = {}) {
    this.canvas = viewCanvas(container, 'view2d', 'Normalized features on the unit circle, class weights as spokes, decision regions and margin bands on the outer ring');
    this.resize(size);
  }

  resize(size) {
    const dpr = globalThis.devicePixelRatio || 1;
    if (size === this.size && dpr === this.dpr) return;
    this.size = size;
    this.dpr = dpr;
    this.ctx = sizeCanvas(this.canvas, size);
    if (this.last) this.update(this.last);
  }

  /** @param {import('../wasm/trainer.js').Snapshot} snap  a 2-D snapshot */
  update(snap) {
    this.last = snap;
    this.frame = makeFrame(snap, this.size, { forces: this.showForces, focus: this.focusIndex ?? null, sheet: this.sheet ?? null });
    for (const stage of Object.values(STAGES)) stage(this.ctx, this.frame);
  }

  /** Draw the force arrows or not (redraws at once). */
  setForces(on) {
    if (this.showForces === on) return;
    this.showForces = on;
    if (this.last) this.update(this.last);
  }

  /** Light up sample i, or none (null). */
  setFocus(i) {
    if ((this.focusIndex ?? null) === i) return;
    this.focusIndex = i;
    if (this.last) this.update(this.last);
  }

  /** The shown samples' digits ({ pixels, side }, the snapshot's order), or null: with
   *  a focus, their thumbnails are drawn round it. The sheet is made once per digits. */
  setDigits(digits) {
    const sheet = digitSheet(digits);
    if (sheet === (this.sheet ?? null)) return;
    this.sheet = sheet;
    if (this.last && (this.focusIndex ?? null) !== null) this.update(this.last);
  }

  /** What is under a point (CSS px in the canvas): { weight: j } within reach of a spoke's
   *  tip, else { sample: i } for the nearest dot within reach, else null. */
  pick(x, y) {
    const frame = this.frame;
    if (!frame) return null;
    const reach = Math.max(10, frame.px(8));
    for (let j = 0; j < frame.snap.classes; j++) {
      const [tx, ty] = spokeTip(frame, j);
      if (Math.hypot(x - tx, y - ty) <= reach + 2) return { weight: j };
    }
    let best = -1, bestD = reach;
    for (let i = 0; i < frame.snap.labels.length; i++) {
      const d = Math.hypot(x - frame.points[2 * i], y - frame.points[2 * i + 1]);
      if (d < bestD) { bestD = d; best = i; }
    }
    return best >= 0 ? { sample: best } : null;
  }

  /** The unit direction from the centre to a point (CSS px), for a dragged spoke. */
  directionAt(x, y) {
    const { cx, cy } = this.frame ?? makeFrame(this.last, this.size);
    return [x - cx, cy - y];
  }

  /** How many faint sub-centers the last update drew. */
  subcentersDrawn() { return this.frame?.subcentersDrawn ?? 0; }

  /** The norm drawn at the circle (AdaFace, MagFace: radius = ‖x‖), else null; and the circle's radius in px. */
  normScale() { return this.frame ? { norm: this.frame.normScale, R: this.frame.R, centre: [this.frame.cx, this.frame.cy] } : null; }

  /** Where sample i's dot is drawn (CSS px), or null. */
  samplePosition(i) {
    const p = this.frame?.points;
    return p && Number.isFinite(p[2 * i]) ? [p[2 * i], p[2 * i + 1]] : null;
  }

  dispose() { this.canvas.remove(); }
}
