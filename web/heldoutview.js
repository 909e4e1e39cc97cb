// heldoutview.js: the open-set question at a glance, for the identities data set.
//
// Verification asks whether two faces of people the network never saw are the same
// person. This small view draws the normalized features x̂ of held-out identities
// (the worker's snapshot.heldout) beside the trained ones: if the network learned what
// makes an identity, each held-out identity forms its own tight cluster; if it only
// learned its training classes, the held-out ones pile onto the trained directions.
// 2-D: the unit circle. 3-D: the sphere seen from +z, the far half as hollow rings.
// The trained classes' directions are grey ticks on the rim.
import { viewCanvas, sizeCanvas } from './dom.js';

// Held-out identity k (0, 1, … in the held-out set; not a training class) gets a hue of
// its own by golden-angle steps: not the class palette, so no held-out person looks
// like the training class of the same number.
const personColor = (k) => `hsl(${(k * 137.508) % 360}, 70%, 42%)`;

export class HeldoutView {
  constructor(container, { size = 150 } = {}) {
    this.canvas = viewCanvas(container, 'heldoutview', 'Held-out identities: the normalized features of people the network never trained on, one colour per person');
    this.resize(size);
  }

  resize(size) {
    this.size = size;
    this.ctx = sizeCanvas(this.canvas, size);
    if (this.last) this.update(this.last);
  }

  /** heldout: { embedding (n × dim), labels }; weights: the trained class weights Ŵ (c × dim). */
  update({ heldout, weights, dim }) {
    this.last = { heldout, weights, dim };
    const { ctx, size } = this, c = size / 2, R = size * 0.4;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.arc(c, c, R, 0, 2 * Math.PI);
    ctx.stroke();
    // the trained classes' directions, as short grey ticks: where the training put them
    ctx.strokeStyle = '#bbb';
    ctx.lineWidth = 2;
    for (let j = 0; j < weights.length / dim; j++) {
      const [x, y] = [weights[j * dim], weights[j * dim + 1]];
      ctx.beginPath();
      ctx.moveTo(c + R * 0.82 * x, c - R * 0.82 * y);
      ctx.lineTo(c + R * 1.12 * x, c - R * 1.12 * y);
      ctx.stroke();
    }
    const { embedding, labels } = heldout;
    for (let i = 0; i < labels.length; i++) {
      const x = embedding[i * dim], y = embedding[i * dim + 1], far = dim === 3 && embedding[i * dim + 2] < 0;
      const r = R * (1 - ((i * 0.6180339887) % 1) * 0.14);   // spread inward, as the main view does
      ctx.beginPath();
      ctx.arc(c + r * x, c - r * y, 2.6, 0, 2 * Math.PI);
      ctx.strokeStyle = personColor(labels[i]);
      ctx.fillStyle = personColor(labels[i]);
      ctx.lineWidth = 1.2;
      if (far) ctx.stroke();
      else ctx.fill();
    }
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText('held-out identities', 4, 3);
  }

  dispose() { this.canvas.remove(); }
}
