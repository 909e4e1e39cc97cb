// normplot.js: the margin as a function of the feature's norm, for the losses that
// set it by the norm (LOSSES.md; src/loss.c sample_margins_forward):
//   AdaFace  ẑ = clip(h (‖x‖ − μ) / (σ + ε), −1, 1),  g_angle = −m ẑ,  g_add = m ẑ + m:
//            a clear sample (large norm, ẑ → 1) gets a negative angular margin and 2m off
//            its cosine; a poor one (ẑ → −1) ArcFace's +m and nothing off. μ and σ are
//            the running statistics of the batches' norms (snapshot.loss.normMean/normStd).
//   MagFace  m(a) = (um − lm)/(ua − la) (a − la) + lm, a = ‖x‖ clipped to [la, ua].
// Under the curves, a tick per shown sample at its norm (its class colour), and a dot
// on each curve where it sits: the margin each sample trains with now. The curve data
// come from pure functions (exported for the tests) over geometry.js's margins, the
// ones the ring and the curves use.
import { adaMargins, magMargin } from './geometry.js';
import { classColor } from './palette.js';
import { viewCanvas, sizeCanvas } from './dom.js';

const CURVE_POINTS = 121;
export const NORM_PLOT_KINDS = ['adaface', 'magface'];

/** The x range of the plot: from 0 past the largest shown norm and the loss's own
 *  landmarks (AdaFace: μ + σ/h, where ẑ reaches 1; MagFace: ua). */
export function normRange(loss, norms) {
  let top = 0;
  for (const v of norms ?? []) if (Number.isFinite(v)) top = Math.max(top, v);
  const mark = loss.kind === 'adaface' ? loss.normMean + loss.normStd / loss.h : loss.ua;
  return [0, 1.08 * Math.max(top, Math.min(mark, 3 * top || mark), 1e-3)];
}

/** The margin curves of a loss config over the norms [0, xMax]: { norm, series: [{ id,
 *  label, color, values }] }, each value the margin (radians, or the cosine's part) at
 *  that norm. AdaFace: g_angle and g_add; MagFace: m(a). */
export function marginCurves(loss, xMax, points = CURVE_POINTS) {
  const norm = Array.from({ length: points }, (_, k) => (xMax * k) / (points - 1));
  if (loss.kind === 'adaface') {
    const at = norm.map((a) => adaMargins(loss, a));
    return { norm, series: [
      { id: 'gAngle', label: 'g_angle', color: '#1f5fbf', values: at.map((g) => g.gAngle) },
      { id: 'gAdd', label: 'g_add', color: '#c2410c', values: at.map((g) => g.gAdd) },
    ] };
  }
  return { norm, series: [{ id: 'm', label: 'm(a)', color: '#1f5fbf', values: norm.map((a) => magMargin(loss, a)) }] };
}

/** The margins each shown sample trains with now: per series, its value at the sample's norm. */
export function sampleMargins(loss, norms) {
  const curves = marginCurves(loss, 1, 2);   // only for the series' ids
  return Object.fromEntries(curves.series.map(({ id }) => [id, Array.from(norms, (a) =>
    (loss.kind === 'adaface' ? adaMargins(loss, a)[id] : magMargin(loss, a)))]));
}

export class NormPlot {
  constructor(container, { size = 150 } = {}) {
    this.canvas = viewCanvas(container, 'normplot', 'The margin as a function of the feature norm, the shown samples marked at their norms');
    this.canvas.classList.add('norm-plot');
    this.resize(size);
  }

  resize(size) {
    if (size === this.size) return;
    this.size = size;
    this.ctx = sizeCanvas(this.canvas, size);
    if (this.last) this.update(this.last);
  }

  /** Draw a snapshot's loss (AdaFace or MagFace) and its samples' norms. this.data keeps
   *  what was drawn: { xRange, yRange, curves, toX, toY } (the tests read the values). */
  update(snap) {
    this.last = snap;
    const { ctx, size } = this, loss = snap.loss;
    const xRange = normRange(loss, snap.norms), curves = marginCurves(loss, xRange[1]);
    const all = curves.series.flatMap((s) => s.values);
    const yRange = [Math.min(0, ...all) - 0.03, Math.max(...all) + 0.05];
    const pad = { l: 30, r: 6, t: 16, b: 26 };
    const toX = (v) => pad.l + ((v - xRange[0]) / (xRange[1] - xRange[0])) * (size - pad.l - pad.r);
    const toY = (v) => size - pad.b - ((v - yRange[0]) / (yRange[1] - yRange[0])) * (size - pad.t - pad.b);
    this.data = { xRange, yRange, curves };
    ctx.clearRect(0, 0, size, size);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    // axes: margin 0, and the frame
    ctx.strokeStyle = '#bbb';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.l, toY(0)); ctx.lineTo(size - pad.r, toY(0));
    ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, size - pad.b); ctx.lineTo(size - pad.r, size - pad.b);
    ctx.stroke();
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#555';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const v of [yRange[0] + 0.03, 0, yRange[1] - 0.05].filter((v, k, a) => a.indexOf(v) === k))
      ctx.fillText(v.toFixed(2), pad.l - 3, toY(v));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(`‖x‖  (0 – ${xRange[1].toFixed(1)})`, (pad.l + size - pad.r) / 2, size - pad.b + 12);
    // the samples' norms: a tick each under the plot
    ctx.lineWidth = 1;
    for (let i = 0; i < snap.labels.length; i++) {
      const x = toX(snap.norms[i]);
      if (!Number.isFinite(x)) continue;
      ctx.strokeStyle = classColor(snap.labels[i]);
      ctx.beginPath();
      ctx.moveTo(x, size - pad.b + 1); ctx.lineTo(x, size - pad.b + 9);
      ctx.stroke();
    }
    // the curves, and a dot on each where every sample sits
    const at = sampleMargins(loss, snap.norms);
    curves.series.forEach(({ id, label, color, values }, k) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      values.forEach((v, q) => (q ? ctx.lineTo(toX(curves.norm[q]), toY(v)) : ctx.moveTo(toX(curves.norm[q]), toY(v))));
      ctx.stroke();
      ctx.fillStyle = color;
      for (let i = 0; i < snap.labels.length; i++) {
        const x = toX(snap.norms[i]);
        if (Number.isFinite(x) && snap.norms[i] <= xRange[1]) ctx.fillRect(x - 1.5, toY(at[id][i]) - 1.5, 3, 3);
      }
      // the first label at the left, the second at the right
      ctx.textAlign = k ? 'right' : 'left';
      ctx.fillText(label, k ? size - pad.r : pad.l + 2, 2);
    });
  }

  dispose() { this.canvas.remove(); }
}
