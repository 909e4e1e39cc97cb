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
  return data === 'glyphs' ? `digit ${k}` : data === 'identities' ? `identity ${k}` : `class ${k}`;
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

/** The hover card: a small box over the view, beside the pointer. */
export class InspectCard {
  constructor(container) {
    this.root = el('div', { className: 'inspect-card', hidden: true });
    this.root.setAttribute('role', 'status');
    container.append(this.root);
  }

  /** Show sample facts for a pointer at (x, y) CSS px in the container: in the corner
   *  across from the pointer, so that the sample and its spokes stay in sight. */
  show(facts, data, x, y) {
    const { title, rows } = cardRows(facts, data);
    const swatch = el('span', { className: 'inspect-swatch' });
    swatch.style.background = classColor(facts.label);
    this.root.replaceChildren(el('strong', {}, [swatch, title]),
      el('dl', {}, rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })])));
    this.root.dataset.index = facts.index;
    this.root.hidden = false;
    const box = this.root.parentElement.getBoundingClientRect();
    this.root.classList.toggle('at-left', x > box.width / 2);
    this.root.classList.toggle('at-top', y > box.height / 2);
  }

  hide() { this.root.hidden = true; delete this.root.dataset.index; }

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
