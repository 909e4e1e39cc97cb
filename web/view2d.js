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
import { decisionRing2d, neighbourGaps2d, hasMarginBand } from './geometry.js';
import { classColor, paleCss, HIGHLIGHT } from './palette.js';
import { viewCanvas, sizeCanvas } from './dom.js';

const BAND = '#d4d4d4', INK = '#222';
const RING_SAMPLES = 720;            // directions classified around the ring: one per half degree
const NARROW_GAP_DEG = 15;           // a gap this narrow has no room for its label inside the circle
const DESIGN_SIZE = 340;             // the canvas size the strokes and type below are drawn for

/** Everything the stages need for one snapshot on a canvas of size × size CSS px. */
export function makeFrame(snap, size) {
  const cx = size / 2, cy = size / 2, R = size * 0.33;
  const scale = size / DESIGN_SIZE;
  return {
    snap, size, cx, cy,
    px: (v) => v * Math.max(0.6, scale),              // a stroke or a dot: thinner on a small canvas, not thinner than 60%
    fontPx: (v) => Math.max(11, Math.round(v * scale)), // type: it scales with the canvas, never below 11 px
    R,                               // the unit circle's radius in px
    ringIn: R * 1.07, ringOut: R * 1.22,
    toXY: (ux, uy, r) => [cx + r * ux, cy - r * uy],   // y up, as in a maths figure
    ring: decisionRing2d(snap.weights, snap.loss, snap.weightNorms, RING_SAMPLES),
    gaps: neighbourGaps2d(snap.weights),
  };
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

/** The samples: on the circle, spread a little inward so that dense classes stay readable. */
function samples(ctx, { snap, R, toXY, px }) {
  const { embedding, labels } = snap;
  for (let i = 0; i < labels.length; i++) {
    const ux = embedding[2 * i], uy = embedding[2 * i + 1];
    if (!Number.isFinite(ux) || !Number.isFinite(uy)) continue;
    const spread = ((i * 0.6180339887) % 1) * 0.12;   // golden-ratio steps: no two neighbours at one depth
    const [x, y] = toXY(ux, uy, R * (1 - spread));
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
  const { snap, cx, cy, px } = frame;
  for (let j = 0; j < snap.classes; j++) {
    const [x, y] = spokeTip(frame, j);
    for (const [width, color] of [[px(5.5), INK], [px(3), classColor(j)]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(cx, cy);
      ctx.lineTo(x, y);
      ctx.stroke();
    }
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

/** A caption in the corners, so that an exported PNG explains itself: the step, and
 *  the key to the grey band when this loss has one. */
function caption(ctx, { snap, size, fontPx }) {
  const type = fontPx(13);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.font = `${type}px system-ui, sans-serif`;
  ctx.fillStyle = '#555';
  ctx.fillText(`step ${snap.metrics.step}`, 8, 8);
  if (hasMarginBand(snap.loss.kind)) {
    ctx.textBaseline = 'bottom';
    ctx.fillStyle = BAND;
    ctx.fillRect(8, size - 10 - type, type, type);
    ctx.fillStyle = '#555';
    ctx.fillText('margin band', 14 + type, size - 8);
  }
}

/** The drawing stages, in the order an update draws them (later ones on top). */
export const STAGES = { paper, ring, boundaries, unitCircle, spokes, samples, spokeTips, gapLabels, caption };

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
    const frame = makeFrame(snap, this.size);
    for (const stage of Object.values(STAGES)) stage(this.ctx, frame);
  }

  dispose() { this.canvas.remove(); }
}
