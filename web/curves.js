// curves.js: the teaching curves and formulas, redrawn as the sliders move.
//
// Three things, all computed from the current slider values (LOSSES.md):
//   1. "Target logit ψ(θ)": the target logit divided by s, for every margin loss,
//      against NormFace's cos θ. A margin is a way of lowering this curve, so that
//      a sample has to sit closer to its own class to win. A toggle plots instead
//      ψ(θ) − cos θ, what each margin costs, where the losses differ in shape.
//   2. "The IAM push on a wrong class": for one sample, the push away from a wrong
//      class j at angle θ_j, from cross-entropy, (1 − p) Q_j, and from IAM, β p Q_j
//      (LOSSES.md, "The IAM term", its gradient). An easy and a hard sample are
//      compared, which shows what β does to the weighting of hard samples.
//   3. The formulas, typeset with KaTeX, with the current values in them; only the
//      ones whose values changed, on the next frame (update() stays ~1 ms).
// The numbers come from geometry.js (targetOfTheta, iamPush), the same functions
// the views use, so that the curves and the drawings cannot disagree. The curve
// data and the TeX are built by pure functions, exported for the node tests.
// The charts wear the house style of chartstyle.js, the live charts' too.
import uPlot from 'uplot';
import katex from 'katex';
import { iamPush, targetOfTheta } from './geometry.js';
import { PANEL_COLORS } from './palette.js';
import { element } from './dom.js';
import { defaultState, marginsOf } from './state.js';
import {
  appendSubscripted, axisStyle, formatDegrees, formatFixed, formatTrimmed, hoverClassPlugin, hoverOptions,
  legendOptions, NO_VALUE, observeResize, plotSize, plotWidth, ticks, verticalMarkerPlugin, chartPng, download,
} from './chartstyle.js';

const DEG = Math.PI / 180;
const CURVE_POINTS = 361;            // every half degree: smooth enough for SphereFace's cusps
const TYPESET_CACHE_SIZE = 400;      // formulas kept typeset, oldest dropped first
const PLOT_HEIGHTS = { minHeight: 200, maxHeight: 320 };   // a little lower than the live charts
const Y_AXIS_SIZE = 60;              // the y axes' width in px: 2 px narrower than the live charts', as it always was

// the page's defaults (web/state.js), so that the curves start where the panels do
const START = defaultState();
export const DEFAULT_PARAMS = {
  scale: START.scale, beta: START.beta, classes: START.classes, lambda: START.lambda, margins: marginsOf(START),
};

/** The two samples the IAM chart compares, by the angle to their own class. */
export const PUSH_SAMPLES = {
  easy: { thetaYDeg: 20, label: 'easy sample' },
  hard: { thetaYDeg: 60, label: 'hard sample' },
};

/** Fill what the caller left out with the defaults, so a partial params object works. */
export function withDefaults(params = {}) {
  const margins = params.margins ?? {};
  return {
    scale: params.scale ?? DEFAULT_PARAMS.scale,
    beta: params.beta ?? DEFAULT_PARAMS.beta,
    classes: Math.max(2, Math.round(params.classes ?? DEFAULT_PARAMS.classes)),
    lambda: params.lambda ?? DEFAULT_PARAMS.lambda,
    margins: {
      cosface: margins.cosface ?? DEFAULT_PARAMS.margins.cosface,
      arcface: margins.arcface ?? DEFAULT_PARAMS.margins.arcface,
      sphereface: margins.sphereface ?? DEFAULT_PARAMS.margins.sphereface,
      combined: { ...DEFAULT_PARAMS.margins.combined, ...margins.combined },
      curricularface: margins.curricularface ?? DEFAULT_PARAMS.margins.curricularface,
      adaface: { ...DEFAULT_PARAMS.margins.adaface, ...margins.adaface },
      magface: { ...DEFAULT_PARAMS.margins.magface, ...margins.magface },
      momentum: margins.momentum ?? DEFAULT_PARAMS.margins.momentum,
    },
    // the kinds on the page: the curves of CurricularFace, AdaFace and MagFace are drawn
    // only when one of their panels is (six more curves would crowd the chart)
    kinds: params.kinds ?? [],
  };
}

// ---------------------------------------------------------------------------
// Pure curve data.

/** The margin losses of the first chart: the loss config geometry.targetOfTheta
 *  takes, a colour and a legend label. NormFace is the reference, cos θ. */
export function targetLosses(params) {
  const { margins, lambda } = withDefaults(params);
  const { m1, m2, m3 } = margins.combined;
  return [
    { id: 'normface', label: 'NormFace, cos θ', color: '#000000', width: 2,
      loss: { kind: 'normface' } },
    { id: 'sphereface', label: 'SphereFace', color: PANEL_COLORS[5],
      loss: { kind: 'sphereface', margin: margins.sphereface, lambda } },
    { id: 'cosface', label: 'CosFace', color: PANEL_COLORS[2], loss: { kind: 'cosface', margin: margins.cosface } },
    { id: 'arcface', label: 'ArcFace', color: PANEL_COLORS[0],
      loss: { kind: 'arcface', margin: margins.arcface, fallback: 'continuous' } },
    { id: 'combined', label: 'Combined', color: PANEL_COLORS[1], loss: { kind: 'combined', m1, m2, m3 } },
    ...newerLosses(params),
  ];
}

/** The target curves of the newer losses whose panels are on the page. CurricularFace's
 *  target is ArcFace's at its own m (its t raises the hard negatives, not the target).
 *  AdaFace's depends on the norm through ẑ: drawn at ẑ = −1 (a low norm: ArcFace's
 *  cos(θ + m)), 0 (CosFace's cos θ − m) and +1 (cos(θ − m) − 2m). MagFace's at the
 *  ends of its norm range: m(la) = lm and m(ua) = um. */
function newerLosses(params) {
  const { margins, kinds } = withDefaults(params), has = (k) => kinds.includes(k);
  const ada = margins.adaface, mag = margins.magface;
  // colours apart from the five above (PANEL_COLORS[5] is SphereFace's)
  const MAG_COLOR = '#6A3D9A';
  return [
    ...(has('curricularface') ? [{ id: 'curricularface', label: 'CurricularFace', color: PANEL_COLORS[3],
      loss: { kind: 'curricularface', margin: margins.curricularface, fallback: 'continuous' } }] : []),
    ...(has('adaface') ? [[-1, 'adafaceLow', 'low ‖x‖', [6, 3]], [0, 'adafaceMid', '‖x‖ = μ', [2, 3]], [1, 'adafaceHigh', 'high ‖x‖', null]]
      .map(([z, id, what, dash]) => ({ id, label: `AdaFace ẑ = ${z > 0 ? '+' : ''}${z} (${what})`, color: PANEL_COLORS[4], dash,
        loss: { kind: 'adaface', margin: ada.margin, h: ada.h, z } })) : []),
    ...(has('magface') ? [[mag.la, 'magfaceLow', `‖x‖ ≤ ${formatNumber(mag.la)}`, [6, 3]], [mag.ua, 'magfaceHigh', `‖x‖ ≥ ${formatNumber(mag.ua)}`, null]]
      .map(([norm, id, what, dash]) => ({ id, label: `MagFace ${what}`, color: MAG_COLOR, dash,
        loss: { kind: 'magface', ...mag, fallback: 'continuous', norm } })) : []),
  ];
}

/** The first chart's data: θ_y in degrees over [0°, 180°] and, per loss, the target
 *  logit / s at each θ. Also ArcFace's plain cos(θ + m) where it differs from the
 *  monotone continuation (θ > 180° − m, null elsewhere): the part that would reward
 *  a sample for moving further away, which the continuation removes. */
export function targetLogitCurves(params, points = CURVE_POINTS) {
  const losses = targetLosses(params);
  const thetaDeg = Array.from({ length: points }, (_, k) => (180 * k) / (points - 1));
  const curves = { thetaDeg };
  for (const { id, loss } of losses) curves[id] = thetaDeg.map((t) => targetOfTheta(loss, t * DEG));
  const m = withDefaults(params).margins.arcface;
  curves.arcfaceUnguarded = thetaDeg.map((t) => (t * DEG > Math.PI - m ? Math.cos(t * DEG + m) : null));
  return curves;
}

/** The same curves as what each margin costs the target: ψ(θ) − cos θ, so NormFace
 *  is the zero line and the losses differ in shape, not only in a small offset
 *  (CosFace a constant −m, ArcFace ≈ −m sin θ, largest at 90°). */
export function marginCostCurves(curves) {
  const cos = curves.thetaDeg.map((t) => Math.cos(t * DEG));
  const cost = { thetaDeg: curves.thetaDeg };
  for (const [id, values] of Object.entries(curves))
    if (id !== 'thetaDeg') cost[id] = values.map((v, k) => (v == null ? null : v - cos[k]));
  return cost;
}

/** The views of the first chart: the target logit itself, or what the margin costs it. */
export const TARGET_VIEWS = {
  logit: { button: 'ψ(θ)', axis: 'target logit ÷ s' },
  cost: { button: 'ψ(θ) − cos θ: what the margin costs', axis: 'ψ(θ) − cos θ' },
};

/** The y range of the first chart. SphereFace falls by 2 every 180°/m (to −7 at
 *  m = 4), and would flatten every other curve: the range is fitted to the others,
 *  with a floor at −3 for ψ itself, and SphereFace may leave the chart (a note says so). */
export function targetYRange(curves, view) {
  let lowest = 0;
  for (const [id, values] of Object.entries(curves)) {
    if (id === 'thetaDeg' || id === 'sphereface') continue;
    for (const v of values) if (v != null && v < lowest) lowest = v;
  }
  if (view === 'logit') return [Math.max(-3, Math.floor((lowest - 0.1) * 2) / 2), 1.1];
  const depth = Math.max(0.05, -lowest);
  return [-depth * 1.3, depth * 0.15];
}

/** The second chart's data for one sample whose own class sits at thetaYDeg: the
 *  push per unit s on a wrong class at θ_j over [0°, 180°], from cross-entropy,
 *  (1 − p) Q_j, from IAM, β p Q_j, and their sum (geometry.iamPush). */
export function iamPushCurves(params, thetaYDeg, points = CURVE_POINTS) {
  const { scale, beta, classes } = withDefaults(params);
  const thetaJDeg = Array.from({ length: points }, (_, k) => (180 * k) / (points - 1));
  const ce = new Array(points), iam = new Array(points), total = new Array(points);
  const options = { scale, beta, classes, thetaY: thetaYDeg * DEG };
  thetaJDeg.forEach((t, k) => {
    const push = iamPush(t * DEG, options);
    ce[k] = push.ce;
    iam[k] = push.iam;
    total[k] = push.total;
  });
  return { thetaJDeg, ce, iam, total };
}

/** One sentence on what β does to the two samples: the claim of LOSSES.md, checked
 *  on the numbers being drawn rather than asserted. */
export function betaVerdict(params) {
  const { beta } = withDefaults(params);
  const b = formatNumber(beta);
  if (beta === 0) return 'β = 0: no IAM term, plain cross-entropy: its push fades to 0 as a sample becomes easy.';
  if (beta < 1) return `β = ${b} < 1: the hard sample\u2019s total push stays above the easy one\u2019s, so hard samples keep the larger weight.`;
  if (beta === 1) return 'β = 1: both samples get the same total push, Q_j: the magnitude no longer depends on how hard the sample is.';
  return `β = ${b} > 1: the easy sample\u2019s total push is now above the hard one\u2019s: easy samples dominate.`;
}

// ---------------------------------------------------------------------------
// Pure TeX.

/** A number for a formula: at most `digits` decimals, trailing zeros dropped. */
export function formatNumber(v, digits = 2) {
  return String(+(+v).toFixed(digits));
}

/** A margin for a formula: always two decimals, so that "0.20" reads as a margin. */
const formatMargin = (v) => (+v).toFixed(2);

/** The formulas with the current values substituted, in display order:
 *  [{ id, label, tex, group }]. Margins are in radians, as in LOSSES.md. */
export function formulaTex(params) {
  const { scale, beta, classes, lambda, margins } = withDefaults(params);
  const s = formatNumber(scale);
  const sCos = (theta) => `${s}\\cos ${theta}`;
  const { m1, m2, m3 } = margins.combined;
  const arcM = formatMargin(margins.arcface);
  const sphereM = formatNumber(margins.sphereface);
  const others = classes - 1;
  const logOthers = Math.log(others).toFixed(2);

  // SphereFace's ψ is the monotone continuation of cos(mθ) (LOSSES.md); with the
  // annealing mix λ it is blended with cos θ.
  const psi = `\\psi(\\theta) = (-1)^k \\cos(${sphereM}\\,\\theta) - 2k,\\ k = \\lfloor ${sphereM}\\theta/\\pi \\rfloor`;
  const sphereTarget = lambda > 0
    ? `z_y = r\\,\\dfrac{${formatNumber(lambda)}\\cos\\theta_y + \\psi(\\theta_y)}{${formatNumber(1 + lambda)}}`
    : 'z_y = r\\,\\psi(\\theta_y)';
  const combinedPhase = `${m1 === 1 ? '' : `${formatNumber(m1)}\\,`}\\theta_y + ${formatMargin(m2)}`;

  return [
    { group: 'target', id: 'softmax', label: 'Softmax', tex: 'z_y = W_y^{\\top} x \\quad (\\text{no bias})' },
    { group: 'target', id: 'normface', label: 'NormFace', tex: `z_y = ${sCos('\\theta_y')}` },
    { group: 'target', id: 'sphereface', label: 'SphereFace', tex: `${sphereTarget},\\quad ${psi}` },
    { group: 'target', id: 'cosface', label: 'CosFace', tex: `z_y = ${s}\\,(\\cos\\theta_y - ${formatMargin(margins.cosface)})` },
    { group: 'target', id: 'arcface', label: 'ArcFace',
      tex: `z_y = ${s}\\cos(\\theta_y + ${arcM})\\qquad \\small ${arcM}\\ \\text{rad} = ${formatNumber(margins.arcface / DEG, 1)}^\\circ` },
    { group: 'target', id: 'combined', label: 'Combined',
      tex: `z_y = ${s}\\,\\big(\\cos(${combinedPhase}) - ${formatMargin(m3)}\\big)` },
    ...newerFormulas({ s, margins }),
    { group: 'target', id: 'others', label: 'Other classes',
      tex: `z_j = ${sCos('\\theta_j')}\\quad (j \\ne y)` },
    { group: 'loss', id: 'total', label: 'Loss',
      tex: `L = L_{\\text{base}} + ${formatNumber(beta)}\\cdot L_{\\text{IAM}},\\qquad L_{\\text{base}} = -\\frac{1}{N}\\sum_i \\log P_{i,y_i}` },
    { group: 'loss', id: 'iam', label: 'IAM term',
      tex: `L_{\\text{IAM}} = \\frac{1}{N}\\sum_i \\log\\Big(\\frac{1}{${others}}\\sum_{j \\ne y_i} P'_{ij}\\Big)`
        + ` = \\frac{1}{N}\\sum_i \\big[\\log(1 - p_i) - \\log ${others}\\big] \\le -${logOthers}` },
    { group: 'loss', id: 'iamProbabilities', label: 'where',
      tex: `P'_{ij} = \\operatorname{softmax}_j(${sCos('\\theta_{ij}')}),\\quad p_i = P'_{i,y_i}` },
  ];
}

/** The TeX of CurricularFace, AdaFace, MagFace and of sub-centers (LOSSES.md; src/loss.c). */
function newerFormulas({ s, margins }) {
  const ada = margins.adaface, mag = margins.magface, n = (v) => formatNumber(v, 3);
  const slope = formatNumber((mag.um - mag.lm) / (mag.ua - mag.la), 4);
  return [
    { group: 'target', id: 'curricularface', label: 'CurricularFace',
      tex: `z_y = ${s}\\cos(\\theta_y + ${formatMargin(margins.curricularface)}),\\quad `
        + `z_j = ${s}\\begin{cases} c_j\\,(t + c_j) & c_j > \\cos(\\theta_y + m) \\\\ c_j & \\text{else} \\end{cases},\\quad `
        + `t \\leftarrow ${formatNumber(margins.momentum, 3)}\\,\\overline{\\cos\\theta_y} + ${formatNumber(1 - margins.momentum, 3)}\\,t` },
    { group: 'target', id: 'adaface', label: 'AdaFace',
      tex: `z_y = ${s}\\big(\\cos(\\theta_y - ${formatMargin(ada.margin)}\\,\\hat z) - ${formatMargin(ada.margin)}\\,(\\hat z + 1)\\big),\\quad `
        + `\\hat z = \\operatorname{clip}\\Big(${n(ada.h)}\\,\\frac{\\lVert x\\rVert - \\mu}{\\sigma + 10^{-3}}, -1, 1\\Big)` },
    { group: 'target', id: 'magface', label: 'MagFace',
      tex: `z_y = ${s}\\cos(\\theta_y + m(a)),\\ m(a) = ${slope}\\,(a - ${formatNumber(mag.la)}) + ${formatMargin(mag.lm)},\\ `
        + `a = \\operatorname{clip}(\\lVert x\\rVert, ${formatNumber(mag.la)}, ${formatNumber(mag.ua)}),\\quad `
        + `L \\mathrel{+}= \\lambda_g \\Big(\\frac{1}{a} + \\frac{a}{${formatNumber(mag.ua)}^2}\\Big)` },
    { group: 'target', id: 'subcenters', label: 'Sub-centers',
      tex: '\\cos\\theta_j = \\max_{k = 1..K} \\hat W_{jk}^{\\top} \\hat x\\quad (\\text{every loss but Softmax; ElasticFace: } m_i = m + \\sigma\\,\\mathcal N(0, 1))' },
  ];
}

// ---------------------------------------------------------------------------
// DOM.

/** A legend label as text: a string, or an element's text. */
const labelText = (label) => (typeof label === 'string' ? label : label?.textContent ?? '');

/** The PNG button of a figure, top right. */
function exportButton(figure, onClick) {
  const button = element('button', 'chart-export', null);
  Object.assign(button, { type: 'button', textContent: 'PNG', title: 'save this chart as a PNG: title, legend, twice the screen size' });
  button.addEventListener('click', onClick);
  figure.prepend(button);
}

/** Text with "X_sub" read as a subscript (θ_j → θ<sub>j</sub>, chartstyle.js's rule), as
 *  nodes in a span: the captions, buttons and legend labels (uPlot appends an element
 *  label as it is). */
function richText(text, tag = 'span') {
  const el = document.createElement(tag);
  setRichText(el, text);
  return el;
}

function setRichText(el, text) {
  el.replaceChildren();
  appendSubscripted(el, text);
}

// Away from the chart the legend is only a key: no values, and the x entry invites a hover.
const formatValue = (digits) => (u, v, seriesIdx, idx) => (idx == null ? '' : v == null ? NO_VALUE : formatFixed(digits)(v));
const formatAngle = (u, v, seriesIdx, idx) => (idx == null ? 'hover to read values' : formatDegrees(v));

const DEGREE_SPLITS = (u) => (plotWidth(u) > 420 ? [0, 30, 60, 90, 120, 150, 180] : [0, 45, 90, 135, 180]);

function thetaAxis(label) {
  return axisStyle({ label, size: 38, splits: DEGREE_SPLITS, values: ticks(formatDegrees) });
}

function valueAxis(label, format) {
  return axisStyle({ label, size: Y_AXIS_SIZE, values: ticks(format) });
}

/** The teaching curves: new TeachingCurves(container), then update(params) on every slider move. */
export class TeachingCurves {
  #params = withDefaults();
  #sample = 'easy';
  #targetView = 'logit';
  #targetButtons = {};
  #targetYRange = [-3, 1.1];
  #targetChart;
  #pushChart;
  #renderedTex = new Map();     // formula id → the TeX last rendered there
  #typesetCache = new Map();    // TeX → KaTeX's HTML: a slider dragged back and forth repeats itself
  #formulaFrame = null;
  #formulaCells = new Map();    // formula id → its <dd>
  #sphereNote;
  #pushCaption;
  #sampleButtons = {};
  #otherSampleLabel = null;   // the legend label of the grey curve, which names the other sample
  #stopObserving;

  constructor(container) {
    this.element = element('div', 'teaching-curves', container);
    const grid = element('div', 'curves-grid', this.element);
    // Both figures first, then the plots: a plot is sized to its grid cell, and a
    // lone figure would span the whole row.
    const [targetFigure, pushFigure] = [0, 1].map(() => element('figure', 'curve-chart', grid));
    this.#targetChart = this.#createTargetChart(targetFigure);
    this.#pushChart = this.#createPushChart(pushFigure);
    this.#createFormulas(this.element);
    this.update(this.#params);
    this.flush();
    this.#stopObserving = observeResize(this.element, () => this.resize());
  }

  /** Redraw for new slider values. The charts redraw now; the formulas whose TeX
   *  changed are typeset on the next animation frame. Typesetting is the slow part
   *  (about 1 ms a formula), and a dragged slider calls this more often than the
   *  screen refreshes: only the last values of a frame are worth typesetting. */
  update(params) {
    this.#params = withDefaults(params);
    this.#drawTargetChart();
    this.#drawPushChart();
    if (this.#formulaFrame === null)
      this.#formulaFrame = requestAnimationFrame(() => { this.#formulaFrame = null; this.#renderFormulas(); });
  }

  /** Typeset any pending formulas now (for tests and screenshots that cannot wait a frame). */
  flush() {
    if (this.#formulaFrame !== null) cancelAnimationFrame(this.#formulaFrame);
    this.#formulaFrame = null;
    this.#renderFormulas();
  }

  /** Fit the charts to their cells (also done on its own when the element resizes). */
  resize() {
    for (const chart of [this.#targetChart, this.#pushChart]) {
      const size = plotSize(chart.mount, PLOT_HEIGHTS);
      if (size.width !== chart.uplot.width || size.height !== chart.uplot.height) chart.uplot.setSize(size);
    }
  }

  destroy() {
    this.#stopObserving();
    if (this.#formulaFrame !== null) cancelAnimationFrame(this.#formulaFrame);
    this.#targetChart.uplot.destroy();
    this.#pushChart.uplot.destroy();
    this.element.remove();
  }

  // -- 1. the target logit -------------------------------------------------

  #createTargetChart(figure) {
    figure.dataset.chart = 'target-logit';
    const caption = element('figcaption', null, figure);
    element('h3', 'chart-title', caption).textContent = 'Target logit ψ(θ)';
    element('p', 'chart-key', caption).textContent =
      'The target logit ÷ s as the sample moves away from its class. A margin lowers the curve: the sample must get closer to win.';
    this.#targetButtons = toggleGroup(caption, 'what to plot', TARGET_VIEWS, (id) => {
      this.#targetView = id;
      this.#drawTargetChart();
    });
    const mount = element('div', 'chart-plot', figure);
    const options = () => this.#targetOptions(plotSize(mount, PLOT_HEIGHTS));
    const chart = { mount, title: 'Target logit ψ(θ)', options, id: 'target-logit' };
    exportButton(figure, () => this.#exportPng(chart));
    this.#sphereNote = element('p', 'curve-caption', figure);
    return chart;
  }

  #targetOptions(size) {
    const series = [{ label: richText('θ_y'), value: formatAngle }];
    for (const { label, color, width, dash } of targetLosses(this.#params))
      series.push({ label, stroke: color, width: width ?? 3, ...(dash ? { dash } : {}), points: { show: false }, value: formatValue(3) });
    series.push({
      label: 'ArcFace, plain cos(θ + m)', stroke: PANEL_COLORS[0], width: 2, dash: [3, 4],
      points: { show: false }, value: formatValue(3),
    });
    return {
      ...size,
      series,
      scales: {
        x: { time: false, range: [0, 180] },
        // SphereFace falls by 2 every 180°/m, to −7 at m = 4; a floor at −3 keeps the
        // others readable, and the note under the chart says where it goes.
        y: { range: () => this.#targetYRange },
      },
      axes: [
        thetaAxis('θ, angle to its own class'),
        valueAxis('target logit ÷ s', formatTrimmed(2)),
      ],
      legend: legendOptions(),
      ...hoverOptions(),
      plugins: [hoverClassPlugin()],
    };
  }

  /** A PNG of one curve chart: title, the series' names as a legend, the plot, at 2×. */
  async #exportPng(chart) {
    const legend = chart.uplot.series.slice(1).filter((s) => s.show !== false)
      .map((s) => ({ label: labelText(s.label), color: typeof s.stroke === 'function' ? s.stroke(chart.uplot, 1) : s.stroke, dash: s.dash }));
    const url = await chartPng({ title: chart.title, legend, opts: chart.options(), data: chart.uplot.data },
      (opts, data, mount) => new uPlot(opts, data, mount));
    download(`${chart.id}-curve.png`, url);
  }

  #drawTargetChart() {
    const logits = targetLogitCurves(this.#params);
    const curves = this.#targetView === 'logit' ? logits : marginCostCurves(logits);
    const ids = targetLosses(this.#params).map((l) => l.id);
    // the newer losses' curves come and go with their panels: the chart is made again
    if (ids.join() !== this.#targetChart.ids?.join()) {
      const chart = this.#targetChart, opts = chart.options();
      chart.uplot?.destroy();
      chart.uplot = new uPlot(opts, opts.series.map(() => []), chart.mount);
      chart.ids = ids;
    }
    const { uplot } = this.#targetChart;
    uplot.axes[1].label = TARGET_VIEWS[this.#targetView].axis;
    this.#targetYRange = targetYRange(curves, this.#targetView);
    for (const [id, button] of Object.entries(this.#targetButtons)) button.setAttribute('aria-pressed', String(id === this.#targetView));
    uplot.setData([curves.thetaDeg, ...ids.map((id) => curves[id]), curves.arcfaceUnguarded]);
    const sphereEnd = logits.sphereface[logits.sphereface.length - 1];
    const arcM = this.#params.margins.arcface;
    const notes = [];
    const sphereLowest = Math.min(...curves.sphereface);
    if (sphereLowest < this.#targetYRange[0])
      notes.push(`SphereFace leaves the chart: it reaches ${formatFixed(1)(sphereEnd)} at 180°.`);
    if (arcM > 0) notes.push(`Dotted: plain cos(θ + m), which turns up again past ${formatDegrees(180 - arcM / DEG)}; ArcFace\u2019s monotone continuation keeps falling.`);
    this.#sphereNote.textContent = notes.join(' ');
  }

  // -- 2. the IAM push -----------------------------------------------------

  #createPushChart(figure) {
    figure.dataset.chart = 'iam-push';
    const caption = element('figcaption', null, figure);
    element('h3', 'chart-title', caption).textContent = 'The IAM push on a wrong class';
    caption.appendChild(richText(
      'How hard one sample is pushed away from a wrong class j, per unit s, when that class sits at angle θ_j. '
      + 'The other C \u2212 2 classes sit at 90\u00b0.', 'p')).className = 'chart-key';
    const samples = Object.fromEntries(Object.entries(PUSH_SAMPLES)
      .map(([id, sample]) => [id, { button: `${sample.label}, θ_y = ${sample.thetaYDeg}°` }]));
    this.#sampleButtons = toggleGroup(caption, 'which sample', samples, (id) => {
      this.#sample = id;
      this.#drawPushChart();
    });
    const mount = element('div', 'chart-plot', figure);
    this.#otherSampleLabel = document.createElement('span');
    const options = () => this.#pushOptions(plotSize(mount, PLOT_HEIGHTS));
    const chart = { mount, title: 'The IAM push on a wrong class', options, id: 'iam-push' };
    const opts = options();
    chart.uplot = new uPlot(opts, opts.series.map(() => []), mount);
    exportButton(figure, () => this.#exportPng(chart));
    this.#pushCaption = element('p', 'curve-caption', figure);
    return chart;
  }

  #pushOptions(size) {
    const series = [
      { label: richText('θ_j'), value: formatAngle },
      { label: richText('cross-entropy (1 \u2212 p) Q_j'), stroke: PANEL_COLORS[1], width: 3, points: { show: false }, value: formatValue(3) },
      { label: richText('IAM \u03b2 p Q_j'), stroke: PANEL_COLORS[0], width: 3, points: { show: false }, value: formatValue(3) },
      { label: 'total', stroke: '#000000', width: 3.5, points: { show: false }, value: formatValue(3) },
      { label: this.#otherSampleLabel, stroke: '#777777', width: 2.5, dash: [8, 5], points: { show: false }, value: formatValue(3) },
    ];
    return {
      ...size,
      series,
      scales: {
        x: { time: false, range: [0, 180] },
        y: { range: (u, min, max) => [0, Math.max(0.1, Math.ceil((max ?? 1) * 1.08 * 10) / 10)] },
      },
      axes: [
        thetaAxis('θ, angle to the wrong class j'),
        valueAxis('push ÷ s', formatTrimmed(2)),
      ],
      legend: legendOptions(),
      ...hoverOptions(),
      plugins: [
        hoverClassPlugin(),
        // θ_j = θ_y: to its left the wrong class is nearer than the sample's own, so the sample is misclassified.
        verticalMarkerPlugin({
          x: () => PUSH_SAMPLES[this.#sample].thetaYDeg, stroke: '#555', dash: [5, 4], gap: 6,
          labels: [{ text: 'θ_j = θ_y', color: '#333', side: 'right' }],
        }),
      ],
    };
  }

  #drawPushChart() {
    const shown = PUSH_SAMPLES[this.#sample];
    const otherId = this.#sample === 'easy' ? 'hard' : 'easy';
    const other = PUSH_SAMPLES[otherId];
    const curves = iamPushCurves(this.#params, shown.thetaYDeg);
    const otherTotal = iamPushCurves(this.#params, other.thetaYDeg).total;
    const { uplot } = this.#pushChart;
    this.#otherSampleLabel.textContent = `total, ${other.label}`;
    uplot.setData([curves.thetaJDeg, curves.ce, curves.iam, curves.total, otherTotal]);
    for (const [id, button] of Object.entries(this.#sampleButtons)) button.setAttribute('aria-pressed', String(id === this.#sample));
    // The headline is checked on the curve drawn: with β > 1 it stops being true.
    const decreasing = curves.total.every((v, k) => k === 0 || v <= curves.total[k - 1] + 1e-12);
    this.#pushCaption.replaceChildren(
      richText(decreasing ? 'Smaller angles are pushed harder.' : 'Here a nearer wrong class is not always pushed harder.', 'strong'),
      richText(' Cross-entropy\u2019s part fades as the sample becomes easy (p \u2192 1); the IAM part tends to \u03b2 Q_j and does not. '),
      richText(betaVerdict(this.#params), 'strong'),
    );
  }

  // -- 3. the formulas -----------------------------------------------------

  #createFormulas(parent) {
    const figure = element('figure', 'formulas', parent);
    const caption = element('figcaption', null, figure);
    element('h3', 'chart-title', caption).textContent = 'The formulas, with the current values';
    const list = element('dl', 'formula-list', figure);
    let group = null;
    for (const { id, label, group: g } of formulaTex(this.#params)) {
      if (g !== group) {
        group = g;
        list.appendChild(richText(g === 'target'
          ? 'Target logit z_y of the sample\u2019s own class (θ_y: its angle to W_y; margins in radians)'
          : 'The loss (C classes, N samples in the batch)', 'div')).className = 'formula-group chart-key';
      }
      element('dt', null, list).textContent = label;
      this.#formulaCells.set(id, element('dd', null, list));
    }
  }

  #renderFormulas() {
    for (const { id, tex } of formulaTex(this.#params)) {
      if (this.#renderedTex.get(id) === tex) continue;      // typesetting is the slow part: skip the unchanged
      const cell = this.#formulaCells.get(id);
      const cached = this.#typesetCache.get(tex);
      if (cached !== undefined) cell.innerHTML = cached;
      else {
        katex.render(tex, cell, { throwOnError: false });
        if (this.#typesetCache.size >= TYPESET_CACHE_SIZE) this.#typesetCache.delete(this.#typesetCache.keys().next().value);
        this.#typesetCache.set(tex, cell.innerHTML);
      }
      this.#renderedTex.set(id, tex);
    }
  }
}

/** A row of buttons of which one is pressed: options is { id: { button: text } }.
 *  Returns the buttons by id; the caller marks the pressed one when it redraws. */
function toggleGroup(parent, ariaLabel, options, onSelect) {
  const group = element('div', 'curve-toggle', parent);
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', ariaLabel);
  const buttons = {};
  for (const [id, { button: text }] of Object.entries(options)) {
    const button = element('button', null, group);
    button.type = 'button';
    setRichText(button, text);
    button.addEventListener('click', () => onSelect(id));
    buttons[id] = button;
  }
  return buttons;
}
