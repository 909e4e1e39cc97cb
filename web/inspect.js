// inspect.js: one sample in numbers (the hover card) and the force arrows' geometry,
// shared by the circle and the sphere.
//
// Every number is the trainer's own or plain geometry of the snapshot's vectors:
// the losses, the sample margin and the gradients come from trainer.forces()
// (src/train.c, iam_trainer_forces), which the worker sends with each snapshot; the
// two angles are acos of x̂·Ŵ in float64. Nothing here re-derives a loss.
import { classColor } from './palette.js';
import { el } from './dom.js';

/** The arrows' colours: the base loss's pull and IAM's push. */
export const FORCE_COLORS = Object.freeze({ base: '#1a1a1a', iam: '#d4006a' });

const DEG = 180 / Math.PI;

/** v minus its part along the unit vector u: what moves a point on the sphere. */
export function tangent(v, u) {
  let along = 0;
  for (let k = 0; k < u.length; k++) along += v[k] * u[k];
  return Array.from(v, (x, k) => x - along * u[k]);
}

const norm = (v) => Math.hypot(...v);
const row = (flat, i, d) => flat.subarray(i * d, (i + 1) * d);

function angleDeg(u, w) {
  let dot = 0;
  for (let k = 0; k < u.length; k++) dot += u[k] * w[k];
  return Math.acos(Math.min(1, Math.max(-1, dot))) * DEG;
}

/** What the card says of sample i of a snapshot (with its forces). */
export function sampleFacts(snap, i) {
  const d = snap.dim, u = row(snap.embedding, i, d), label = snap.labels[i];
  let other = -1, thetaOther = Infinity;
  for (let j = 0; j < snap.classes; j++) {
    const theta = angleDeg(u, row(snap.weights, j, d));
    if (j !== label && theta < thetaOther) { other = j; thetaOther = theta; }
  }
  const f = snap.forces, beta = snap.loss.beta;
  const pull = norm(tangent(row(f.base, i, d), u)), push = norm(tangent(row(f.iam, i, d), u));
  return {
    index: i, label, other, beta,
    thetaOwn: angleDeg(u, row(snap.weights, label, d)), thetaOther,
    margin: f.margins[i], lossBase: f.lossBase[i], lossIam: f.lossIam[i],
    // how much of the step on this sample's direction is IAM's (0 when nothing moves it)
    iamShare: pull + push > 0 ? push / (pull + push) : 0,
  };
}

/** A class's name in this data set: glyphs are digits, identities are people. */
export function className(data, k) {
  return data === 'glyphs' || data === 'mnist' ? `digit ${k}` : data === 'identities' ? `identity ${k}` : `class ${k}`;
}

const fmt = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits).replace('-', '−') : '–');

/** The card's rows: [label, value] pairs, in the order a lecturer reads them. */
export function cardRows(facts, data) {
  const rows = [
    [`θ to its own W${facts.label}`, `${fmt(facts.thetaOwn, 1)}°`],
    [`θ to the nearest, W${facts.other}`, `${fmt(facts.thetaOther, 1)}°`],
    ['sample margin', `${fmt(facts.margin, 1)}°`],
    ['L_base', fmt(facts.lossBase)],
  ];
  if (facts.beta > 0) rows.push([`β·L_IAM (β = ${facts.beta})`, fmt(facts.beta * facts.lossIam)],
    ['IAM’s share of its push', `${Math.round(100 * facts.iamShare)}%`]);
  return { title: className(data, facts.label), rows };
}

// ---- the digits themselves (data sets of images: MNIST) ----
//
// A snapshot after a reset may carry digits: { pixels: Uint8Array(points·side²), side },
// the shown samples' images (0 black .. 255 white, row-major), in the snapshot's order.
// They are drawn as dark ink on white paper, grey = 255 − pixel, which reads on a
// projector: digitGrey() is the one rule, and the tests read the drawn pixels back by it.

/** The grey (0..255) a digit's pixel is drawn in: its ink dark on white. */
export const digitGrey = (pixel) => 255 - pixel;

function makeCanvas(w, h) {
  if (typeof document !== 'undefined') return Object.assign(document.createElement('canvas'), { width: w, height: h });
  return new OffscreenCanvas(w, h);
}

/** Every shown digit on one canvas, side × side each, made once per digits arrival:
 *  the circle's thumbnails are drawImage()s from it, nothing is made per frame. */
export class DigitSheet {
  constructor({ pixels, side }) {
    const area = side * side, count = Math.floor(pixels.length / area);
    const cols = Math.max(1, Math.ceil(Math.sqrt(count))), rows = Math.max(1, Math.ceil(count / cols));
    Object.assign(this, { side, count, cols });
    this.canvas = makeCanvas(cols * side, rows * side);
    const ctx = this.canvas.getContext('2d'), image = ctx.createImageData(cols * side, rows * side), rgba = image.data;
    rgba.fill(255);
    for (let i = 0; i < count; i++) {
      const x0 = (i % cols) * side, y0 = Math.floor(i / cols) * side;
      for (let r = 0; r < side; r++)
        for (let c = 0; c < side; c++) {
          const g = digitGrey(pixels[i * area + r * side + c]), k = 4 * ((y0 + r) * cols * side + x0 + c);
          rgba[k] = rgba[k + 1] = rgba[k + 2] = g;
        }
    }
    ctx.putImageData(image, 0, 0);
  }

  /** Draw digit i into ctx as a size × size square at (x, y), its pixels kept square. */
  draw(ctx, i, x, y, size) {
    const { side, cols } = this;
    const smooth = ctx.imageSmoothingEnabled;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.canvas, (i % cols) * side, Math.floor(i / cols) * side, side, side, x, y, size, size);
    ctx.imageSmoothingEnabled = smooth;
  }
}

const sheets = new WeakMap();   // digits → its DigitSheet: one per arrival, shared by the card and the view

/** The sheet of a snapshot's digits (made on first use), or null without digits. */
export function digitSheet(digits) {
  if (!digits?.pixels || !(digits.side > 0)) return null;
  let sheet = sheets.get(digits);
  if (!sheet) sheets.set(digits, (sheet = new DigitSheet(digits)));
  return sheet;
}

const CARD_DIGIT_SCALE = 6;   // the card's digit: 14 px drawn 84 px wide

/** The hover card: a small box over the view, beside the pointer. */
export class InspectCard {
  constructor(container) {
    this.root = el('div', { className: 'inspect-card', hidden: true });
    this.root.setAttribute('role', 'status');
    container.append(this.root);
    this.digit = null;   // the card's digit canvas: made once, its pixels rewritten per hover
  }

  /** The hovered sample's digit, large, its own pixels (side × side) scaled up square. */
  drawDigit(digits, i, label) {
    const { side, pixels } = digits;
    if (!this.digit || this.digit.width !== side) {
      this.digit = el('canvas', { className: 'inspect-digit', width: side, height: side });
      this.digit.setAttribute('role', 'img');
      this.digitImage = this.digit.getContext('2d').createImageData(side, side);
      Object.assign(this.digit.style, {
        width: `${CARD_DIGIT_SCALE * side}px`, height: `${CARD_DIGIT_SCALE * side}px`, imageRendering: 'pixelated',
        flex: 'none', boxSizing: 'content-box', borderRadius: '3px', background: '#fff',
      });
    }
    const rgba = this.digitImage.data, area = side * side;
    for (let k = 0; k < area; k++) {
      const g = digitGrey(pixels[i * area + k]);
      rgba[4 * k] = rgba[4 * k + 1] = rgba[4 * k + 2] = g;
      rgba[4 * k + 3] = 255;
    }
    this.digit.getContext('2d').putImageData(this.digitImage, 0, 0);
    this.digit.style.border = `3px solid ${classColor(label)}`;
    this.digit.setAttribute('aria-label', `the image of sample ${i}, labelled ${label}`);
    this.digit.dataset.index = i;
    return this.digit;
  }

  /** Show sample facts for a pointer at (x, y) CSS px in the container: in the corner
   *  across from the pointer, so that the sample and its spokes stay in sight.
   *  digits: the snapshot's images ({ pixels, side }), if its data set has them: the
   *  sample's own digit is drawn large beside its numbers. */
  show(facts, data, x, y, digits = null) {
    const { title, rows } = cardRows(facts, data);
    const swatch = el('span', { className: 'inspect-swatch' });
    swatch.style.background = classColor(facts.label);
    const list = el('dl', {}, rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })]));
    const side = digits?.side ?? 0, hasDigit = side > 0 && digits.pixels?.length >= (facts.index + 1) * side * side;
    if (hasDigit) {
      const body = el('div', { className: 'inspect-body' }, [this.drawDigit(digits, facts.index, facts.label), list]);
      Object.assign(body.style, { display: 'flex', alignItems: 'center', gap: '0.55rem' });
      this.root.replaceChildren(el('strong', {}, [swatch, title]), body);
    } else this.root.replaceChildren(el('strong', {}, [swatch, title]), list);
    this.root.style.maxWidth = hasDigit ? 'none' : '';
    if (hasDigit) this.root.dataset.digit = facts.index;
    else delete this.root.dataset.digit;
    this.root.dataset.index = facts.index;
    this.root.hidden = false;
    const box = this.root.parentElement.getBoundingClientRect();
    this.root.classList.toggle('at-left', x > box.width / 2);
    this.root.classList.toggle('at-top', y > box.height / 2);
  }

  hide() { this.root.hidden = true; delete this.root.dataset.index; delete this.root.dataset.digit; }

  dispose() { this.root.remove(); }
}

/** An arrow's length, in radii of the circle (or the sphere), for a gradient of size g:
 *  max · g / (g + half). One fixed rule in every panel and at every step, so that
 *  lengths compare between the base loss and IAM, between panels and over time (a pull
 *  that dies away is seen to die away); it saturates, because a gradient early in a run
 *  is a hundred times one near the end, and both must be seen. An arrow of half the
 *  longest has size `half`. The class weights' gradients, means over the samples, are
 *  smaller: their rule has a smaller `half`. */
export const ARROWS = Object.freeze({
  sample: { max: 0.4, half: 0.3 },
  weight: { max: 0.4, half: 0.1 },
});

export function arrowLength(g, which = 'sample') {
  const { max, half } = ARROWS[which];
  return g > 0 ? (max * g) / (g + half) : 0;
}
