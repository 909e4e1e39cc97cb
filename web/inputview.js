// inputview.js: the input plane (blobs, spiral): what the network does before the loss.
// The decision regions of the whole model (network + class weights) as a heatmap,
// computed in the worker by iam trainer.predict on a grid, and the test samples on top.
// It draws what it is given: it computes no predictions itself.
import { classColor, paleRgb } from './palette.js';
import { viewCanvas, sizeCanvas } from './dom.js';

export class InputView {
  constructor(container, { size = 160 } = {}) {
    this.canvas = viewCanvas(container, 'inputview', 'Input space: decision regions of the trained network, with the test samples');
    this.heat = document.createElement('canvas');
    this.resize(size);
  }

  resize(size) {
    this.size = size;
    this.ctx = sizeCanvas(this.canvas, size);
    this.draw();
  }

  /** inputs: { x, labels } of the test set (once per run); grid: { x0, x1, y0, y1, size, classes } */
  update({ inputs, grid }) {
    if (inputs) this.inputs = inputs;
    if (grid) this.grid = grid;
    this.draw();
  }

  draw() {
    const { ctx, size, grid, inputs } = this;
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
    ctx.drawImage(this.heat, 0, 0, size, size);
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
