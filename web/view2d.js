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
import { classColor, paleCss } from './palette.js';

const BAND = '#d4d4d4', INK = '#222', HIGHLIGHT = '#c0392b';
const RING_SAMPLES = 720;            // directions classified around the ring: one per half degree
const NARROW_GAP_DEG = 15;           // a gap this narrow has no room for its label inside the circle

/** Everything the stages need for one snapshot on a canvas of size × size CSS px. */
export function makeFrame(snap, size) {
  const cx = size / 2, cy = size / 2, R = size * 0.33;
  return {
    snap, size, cx, cy,
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
function samples(ctx, { snap, R, toXY }) {
  const { embedding, labels } = snap;
  for (let i = 0; i < labels.length; i++) {
    const ux = embedding[2 * i], uy = embedding[2 * i + 1];
    if (!Number.isFinite(ux) || !Number.isFinite(uy)) continue;
    const spread = ((i * 0.6180339887) % 1) * 0.12;   // golden-ratio steps: no two neighbours at one depth
    const [x, y] = toXY(ux, uy, R * (1 - spread));
    ctx.beginPath();
    ctx.arc(x, y, 3.4, 0, 2 * Math.PI);
    ctx.fillStyle = classColor(labels[i]);
    ctx.fill();
    ctx.lineWidth = 0.8;
    ctx.strokeStyle = 'rgba(0,0,0,0.55)';
    ctx.stroke();
  }
}

/** The class weights: spokes from the centre out through the ring, a dot at the tip. */
function spokes(ctx, { snap, cx, cy, ringOut, toXY }) {
  for (let j = 0; j < snap.classes; j++) {
    const ux = snap.weights[2 * j], uy = snap.weights[2 * j + 1];
    const [x, y] = toXY(ux, uy, ringOut + 6);
    for (const [width, color] of [[5.5, INK], [3, classColor(j)]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(cx, cy);
      ctx.lineTo(x, y);
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(x, y, 5.5, 0, 2 * Math.PI);
    ctx.fillStyle = classColor(j);
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = INK;
    ctx.stroke();
  }
}

/** The angles between neighbouring class weights: per gap an arc inside the circle
 *  and its label, the smallest gap in red (arc and label in turn, gap by gap). */
function gapLabels(ctx, { gaps, size, cx, cy, R, ringOut, toXY }) {
  const decimals = gaps.length > 8 ? 0 : 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const gap of gaps) {
    const a0 = (gap.startDeg * Math.PI) / 180, a1 = a0 + (gap.gapDeg * Math.PI) / 180;
    const arcR = R * (gap.smallest ? 0.42 : 0.36);
    ctx.strokeStyle = gap.smallest ? HIGHLIGHT : '#777';
    ctx.lineWidth = gap.smallest ? 3 : 1.2;
    ctx.beginPath();
    ctx.arc(cx, cy, arcR, -a0, -a1, true);
    ctx.stroke();
    // a narrow gap has no room inside: its label goes outside the ring
    const labelR = gap.gapDeg < NARROW_GAP_DEG ? ringOut + 17 : R * 0.62;
    const mid = (a0 + a1) / 2;
    let [lx, ly] = toXY(Math.cos(mid), Math.sin(mid), labelR);
    const text = `${gap.gapDeg.toFixed(decimals)}°`;
    ctx.font = `${gap.smallest ? 'bold ' : ''}${size < 300 ? 12 : 14}px system-ui, sans-serif`;
    const half = ctx.measureText(text).width / 2 + 5;
    lx = Math.min(size - half, Math.max(half, lx)); // keep labels outside the ring on the canvas
    ly = Math.min(size - 11, Math.max(11, ly));
    if (gap.smallest) {
      const w = ctx.measureText(text).width + 8;
      ctx.fillStyle = HIGHLIGHT;
      ctx.fillRect(lx - w / 2, ly - 10, w, 20);
      ctx.fillStyle = '#fff';
    } else ctx.fillStyle = '#333';
    ctx.fillText(text, lx, ly);
  }
}

/** A caption in the corners, so that an exported PNG explains itself: the step, and
 *  the key to the grey band when this loss has one. */
function caption(ctx, { snap, size }) {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.font = '13px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  ctx.fillText(`step ${snap.metrics.step}`, 8, 8);
  if (hasMarginBand(snap.loss.kind)) {
    ctx.textBaseline = 'bottom';
    ctx.fillStyle = BAND;
    ctx.fillRect(8, size - 24, 14, 14);
    ctx.fillStyle = '#555';
    ctx.fillText('margin band', 28, size - 8);
  }
}

/** The drawing stages, in the order an update draws them (later ones on top). */
export const STAGES = { paper, ring, boundaries, unitCircle, samples, spokes, gapLabels, caption };

export class CircleView {
  constructor(container, { size = 360 } = {}) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'view2d';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Normalized features on the unit circle, class weights as spokes, decision regions and margin bands on the outer ring');
    container.appendChild(this.canvas);
    this.resize(size);
  }

  resize(size) {
    const dpr = globalThis.devicePixelRatio || 1;
    this.size = size;
    this.canvas.width = Math.round(size * dpr);
    this.canvas.height = Math.round(size * dpr);
    this.canvas.style.width = this.canvas.style.height = `${size}px`;
    this.ctx = this.canvas.getContext('2d');
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (this.last) this.update(this.last);
  }

  update(snap) {
    this.last = snap;
    const frame = makeFrame(snap, this.size);
    for (const stage of Object.values(STAGES)) stage(this.ctx, frame);
  }

  dispose() { this.canvas.remove(); }
}
