// datanote.js: a line under the caption about the data set the panels train on, and
// what it shows: for glyphs, a few of the input images themselves (8×8 pixels, a
// strip per class); for identities, what the open-set numbers in each panel mean.
import { classColor } from './palette.js';
import { el } from './dom.js';

const GLYPH_PX = 4;   // screen px per glyph pixel

/** One example image (dim = side²) as a small canvas, grey levels of its values. */
function glyphCanvas(x, offset, side, color) {
  const canvas = el('canvas', { width: side, height: side, className: 'glyph' });
  Object.assign(canvas.style, { width: `${side * GLYPH_PX}px`, height: `${side * GLYPH_PX}px`, borderColor: color });
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

  /** Show the note for a data set; `examples` ({ x, labels, dim }) when its inputs are images. */
  update(data, examples = null) {
    const key = `${data}:${examples ? examples.labels.length : 0}`;
    if (key === this.shown) return;
    this.shown = key;
    const parts = [];
    if (data === 'glyphs' && examples) {
      const side = Math.round(Math.sqrt(examples.dim));
      parts.push(el('span', { textContent: 'The inputs: 8×8 digit-like images with jitter and noise, three of each class (border: its colour). ' }));
      for (let r = 0; r < examples.labels.length; r++)
        parts.push(glyphCanvas(examples.x, r * examples.dim, side, classColor(examples.labels[r])));
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
