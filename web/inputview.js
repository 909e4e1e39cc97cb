// inputview.js: the input plane (blobs, spiral): what the network does before the loss.
// The decision regions of the whole model (network + class weights) as a heatmap,
// computed in the worker by iam trainer.predict on a grid, and the test samples on top.
// It draws what it is given: it computes no predictions itself.
//
// It is also where points are placed by hand: a click asks for a point of the chosen
// class there, a shift-click for the removal of the nearest point within a few pixels.
// The plane only says so, as an 'input-edit' event that bubbles up to the page
// ({ at: [x, y] in input coordinates, remove, radius }); the page edits the set
// (web/dataset.js) and shows a set that cannot train yet with showSet.
import { classColor, paleRgb } from './palette.js';
import { viewCanvas, sizeCanvas } from './dom.js';

const EDIT_RADIUS_PX = 6;   // a shift-click removes the nearest point within this distance

export class InputView {
  constructor(container, { size = 160 } = {}) {
    this.canvas = viewCanvas(container, 'inputview', 'Input space: decision regions of the trained network, with the test samples');
    this.heat = document.createElement('canvas');
    this.pending = null;
    this.canvas.title = 'click: add a point of the chosen class · shift-click: remove the nearest point';
    this.canvas.addEventListener('pointerdown', (event) => this.edit(event));
    this.resize(size);
  }

  /** The input coordinates under a pixel of the view, [x, y]. */
  inputAt(px, py) {
    const { grid, size } = this;
    return [grid.x0 + (px / size) * (grid.x1 - grid.x0), grid.y1 - (py / size) * (grid.y1 - grid.y0)];
  }

  edit(event) {
    if (!this.grid || event.button !== 0) return;
    const r = this.canvas.getBoundingClientRect();
    const at = this.inputAt(event.clientX - r.left, event.clientY - r.top);
    const radius = (EDIT_RADIUS_PX / this.size) * (this.grid.x1 - this.grid.x0);
    this.canvas.dispatchEvent(new CustomEvent('input-edit', { bubbles: true, detail: { at, remove: event.shiftKey, radius } }));
    event.preventDefault();
  }

  /** Draw this set's points instead of the run's ({ x, labels } 2-D), over a faded
   *  heatmap: an edited set that cannot train yet. The next run's inputs replace it. */
  showSet(set) {
    this.pending = set;
    this.draw();
  }

  resize(size) {
    this.size = size;
    this.ctx = sizeCanvas(this.canvas, size);
    this.draw();
  }

  /** inputs: { x, labels } of the test set (once per run); grid: { x0, x1, y0, y1, size, classes } */
  update({ inputs, grid }) {
    if (inputs && inputs !== this.inputs) this.pending = null;
    if (inputs) this.inputs = inputs;
    if (grid) this.grid = grid;
    this.draw();
  }

  draw() {
    const { ctx, size, grid, pending } = this, inputs = pending ?? this.inputs;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    if (!grid) return;
    const n = grid.size;
    this.heat.width = this.heat.height = n;
    const hctx = this.heat.getContext('2d');
    const image = hctx.createImageData(n, n);
    const pale = [];                        // class → its pale colour, made once per draw
    for (let k = 0; k < n * n; k++) {
      const cls = grid.classes[k];
      const [r, g, b] = (pale[cls] ??= paleRgb(classColor(cls)));
      image.data[4 * k] = r;
      image.data[4 * k + 1] = g;
      image.data[4 * k + 2] = b;
      image.data[4 * k + 3] = 255;
    }
    hctx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.globalAlpha = pending ? 0.3 : 1;   // a set not trained on yet: the old regions, faded
    ctx.drawImage(this.heat, 0, 0, size, size);
    ctx.globalAlpha = 1;
    if (!inputs) return;
    const sx = size / (grid.x1 - grid.x0), sy = size / (grid.y1 - grid.y0);
    for (let i = 0; i < inputs.labels.length; i++) {
      const x = (inputs.x[2 * i] - grid.x0) * sx, y = (grid.y1 - inputs.x[2 * i + 1]) * sy;
      ctx.beginPath();
      ctx.arc(x, y, 1.8, 0, 2 * Math.PI);
      ctx.fillStyle = classColor(inputs.labels[i]);
      ctx.fill();
      ctx.lineWidth = 0.6;
      ctx.strokeStyle = 'rgba(0,0,0,0.6)';
      ctx.stroke();
    }
  }

  dispose() { this.canvas.remove(); }
}
