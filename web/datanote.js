// datanote.js: a line under the caption about the data set the panels train on, and
// what it shows: for glyphs and MNIST, a few of the input images themselves (8×8 and
// 14×14 pixels, a strip per class), and what MNIST's numbers are measured on; for
// identities, what the open-set numbers in each panel mean; for a set of your own, its
// size, and whether the link holds it.
import { classColor } from './palette.js';
import { el } from './dom.js';

const GLYPH_CSS_PX = 30;   // an example image's size on the screen, about (8×8 glyphs at 4 px a pixel, 14×14 digits at 2)

/** One example image (dim = side²) as a small canvas, grey levels of its values. */
function glyphCanvas(x, offset, side, color) {
  const canvas = el('canvas', { width: side, height: side, className: 'glyph' });
  const px = Math.max(1, Math.round(GLYPH_CSS_PX / side));
  Object.assign(canvas.style, { width: `${side * px}px`, height: `${side * px}px`, borderColor: color });
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < side * side; k++) { lo = Math.min(lo, x[offset + k]); hi = Math.max(hi, x[offset + k]); }
  const ctx = canvas.getContext('2d'), image = ctx.createImageData(side, side);
  for (let k = 0; k < side * side; k++) {
    const v = 255 - Math.round((255 * (x[offset + k] - lo)) / (hi - lo || 1));   // ink dark on paper
    image.data.set([v, v, v, 255], 4 * k);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

export class DataNote {
  constructor(box) { this.box = box; this.shown = ''; }

  /** Show the note for a data set; `examples` ({ x, labels, dim }) when its inputs are images;
   *  own: { rows, dim, inLink } of a set of your own; evalRows: the rows of each set the
   *  metrics are measured on (0: all). */
  update(data, examples = null, { own = null, evalRows = 0 } = {}) {
    const key = `${data}:${examples ? examples.labels.length : 0}:${JSON.stringify(own)}:${evalRows}`;
    if (key === this.shown) return;
    this.shown = key;
    const parts = [];
    if ((data === 'glyphs' || data === 'mnist') && examples) {
      const side = Math.round(Math.sqrt(examples.dim));
      parts.push(el('span', { textContent: data === 'glyphs'
        ? 'The inputs: 8×8 digit-like images with jitter and noise, three of each class (border: its colour). '
        : 'The inputs: real MNIST digits, downsampled to 14×14, 8,000 to train on and 2,000 held out; three of each class (border: its colour). ' }));
      for (let r = 0; r < examples.labels.length; r++)
        parts.push(glyphCanvas(examples.x, r * examples.dim, side, classColor(examples.labels[r])));
      if (evalRows) parts.push(el('span', { className: 'data-note-eval', textContent: ` Test accuracy and the angles are measured on ${evalRows.toLocaleString('en-US')} held-out digits ` +
        `(and train accuracy on ${evalRows.toLocaleString('en-US')} training digits), every class alike, to keep the page fast.` }));
    } else if (data === 'rows' && own) {
      parts.push(el('span', { textContent: `Your own set: ${own.rows.toLocaleString('en-US')} points of ${own.dim} values, ` +
        `a fifth of each class held out for the test accuracy (by the seed). ` + (own.inLink ? 'The link holds them.'
          : 'They are too many for the link (or not 2-D, or named): Save the run, or Export the CSV, to keep them.') }));
    } else if (data === 'identities') {
      parts.push(el('span', { textContent: 'Open-set verification, as a face system is used: identities never trained on ' +
        'are paired; “verify” is the share of pairs told correctly same or different by the cosine of their features, ' +
        'at the threshold chosen on the other folds (10-fold, as LFW); “TAR” is the share of same pairs accepted when ' +
        'only 1% of different pairs are.' }));
    }
    this.box.replaceChildren(...parts);
    this.box.hidden = parts.length === 0;
  }
}
