// charts.js: the live training charts. One uPlot per chart, one series per panel.
//
// Four charts follow the panels while they train (LOSSES.md, "Angular metrics"):
//   1. Loss parts: cross-entropy L_base and the IAM term L_IAM, on two y-axes,
//      because L_base falls from log C toward 0 while L_IAM ≤ −log(C−1) falls away
//      below it; on one axis one of them would be a flat line.
//   2. Accuracy: test and train.
//   3. The smallest angle between class weights, against the packing limit.
//   4. The latest histogram of sample margins, θ_nearest_other − θ_target.
// It is not a general chart layer: each chart is a small spec (title, axes, which
// metric each series reads) and LiveCharts owns the data and the redraw clock.
//
// Panels train at their own pace, so their steps differ, but uPlot wants one x
// array per chart. Every panel is resampled onto one shared grid of steps, about
// one point per pixel column (the eye sees no more), plus each panel's latest
// step, so the hover legend has a value for every panel at every x.
// Fonts, axes, formatters and the drawn extras (packing limit, zero-margin line)
// are the house style of chartstyle.js, shared with the teaching curves.
import uPlot from 'uplot';
import { panelColor } from './palette.js';
import { element } from './dom.js';
import {
  appendSubscripted, axisStyle, formatDegrees, formatDegreesFixed, formatFixed, formatPercent, formatPercentPrecise,
  formatShareFixed, formatStep, hoverOptions, legendOptions, limitLinesPlugin, LIMIT_LINE, NO_VALUE,
  observeResize, plotSize, plotWidth, ticks, verticalMarkerPlugin, stepTicks, chartPng, download,
} from './chartstyle.js';

const HISTORY_CAPACITY = 1500;      // points kept per panel; older ones are thinned, not dropped
const REDRAW_INTERVAL_MS = 333;     // at most 3 redraws a second, however often push() is called
const DASHED = [9, 6];
const LINE_WIDTH = 2.5;

/** The metrics a panel's history keeps, the ones the charts draw. */
export const HISTORY_KEYS = ['base', 'iam', 'train_acc', 'test_acc', 'min_weight_angle_deg', 'packing_limit_deg'];

// ---------------------------------------------------------------------------
// Pure data helpers (no DOM): exported so that node tests can check them.

/** One panel's metrics over steps, in fixed typed arrays. When it is full, every
 *  other point is dropped and from then on a point is kept once per 2× as many
 *  pushes (the stride), so the whole run stays evenly sampled. The newest push
 *  always overwrites the open slot, so the last point is always the latest. */
export class PanelHistory {
  constructor(keys = HISTORY_KEYS, capacity = HISTORY_CAPACITY) {
    this.keys = keys;
    this.capacity = Math.max(4, capacity);
    this.steps = new Float64Array(this.capacity);
    this.columns = Object.fromEntries(keys.map((k) => [k, new Float64Array(this.capacity)]));
    this.clear();
  }

  clear() {
    this.length = 0;
    this.stride = 1;          // pushes per kept point
    this.pushesInSlot = 0;    // pushes written into the open (last) slot
  }

  get firstStep() { return this.length ? this.steps[0] : NaN; }
  get lastStep() { return this.length ? this.steps[this.length - 1] : NaN; }

  push(step, metrics) {
    // A step that goes back is a restart nobody announced; the resampling below
    // needs increasing steps, so start over rather than draw a zigzag.
    if (this.length && step < this.lastStep) this.clear();
    const sameStep = this.length && step === this.lastStep;
    if (!sameStep && (this.length === 0 || this.pushesInSlot >= this.stride)) {
      if (this.length === this.capacity) this.#halve();
      this.length++;
      this.pushesInSlot = 0;
    }
    const slot = this.length - 1;
    this.steps[slot] = step;
    for (const key of this.keys) {
      const value = metrics[key];
      this.columns[key][slot] = Number.isFinite(value) ? value : NaN;
    }
    this.pushesInSlot++;
  }

  /** The latest value of one metric (NaN when empty). */
  latest(key) { return this.length ? this.columns[key][this.length - 1] : NaN; }

  #halve() {
    let kept = 0;
    for (let src = 0; src < this.length; src += 2, kept++) {
      this.steps[kept] = this.steps[src];
      for (const key of this.keys) this.columns[key][kept] = this.columns[key][src];
    }
    this.length = kept;
    this.stride *= 2;
  }
}

/** The shared x axis of the time charts: up to maxPoints evenly spaced steps over
 *  the union of the histories' ranges, never closer than one step, plus each
 *  history's first and last step (so every panel's newest value is on the grid). */
export function stepGrid(histories, maxPoints) {
  let lo = Infinity, hi = -Infinity;
  const ends = [];
  for (const h of histories) {
    if (!h.length) continue;
    lo = Math.min(lo, h.firstStep);
    hi = Math.max(hi, h.lastStep);
    ends.push(h.firstStep, h.lastStep);
  }
  if (!ends.length) return new Float64Array(0);
  const count = Math.max(1, Math.min(Math.floor(maxPoints), Math.floor(hi - lo) + 1));
  const grid = new Float64Array(count + ends.length);
  for (let k = 0; k < count; k++) grid[k] = count === 1 ? lo : lo + ((hi - lo) * k) / (count - 1);
  grid.set(ends, count);
  grid.sort();
  let unique = 0;
  for (let k = 0; k < grid.length; k++) if (k === 0 || grid[k] !== grid[unique - 1]) grid[unique++] = grid[k];
  return grid.subarray(0, unique);
}

/** One metric of one history at the grid's steps: linear interpolation between the
 *  kept points, null outside the history's range or where a value is missing. */
export function resampleColumn(history, key, grid, out = new Array(grid.length)) {
  const n = history.length, steps = history.steps, column = history.columns[key];
  let j = 0;
  for (let g = 0; g < grid.length; g++) {
    const x = grid[g];
    if (n === 0 || x < steps[0] || x > steps[n - 1]) { out[g] = null; continue; }
    while (j < n - 1 && steps[j + 1] <= x) j++;          // the last kept point at or before x
    let value = column[j];
    if (x !== steps[j]) {
      const t = (x - steps[j]) / (steps[j + 1] - steps[j]);
      value = column[j] + t * (column[j + 1] - column[j]);
    }
    out[g] = Number.isFinite(value) ? value : null;
  }
  return out;
}

/** Bin edges in degrees for `bins` equal bins over [−180°, 180°]. */
export function marginBinEdges(bins) {
  return Array.from({ length: bins + 1 }, (_, k) => -180 + (360 * k) / bins);
}

/** The margin histograms as uPlot data for stepped lines: x = the union of every
 *  histogram's bin edges, and per histogram the share of its samples (%) in the
 *  bin that starts at each edge (the last edge repeats the last bin, so the step
 *  reaches 180°). Histograms may have different bin counts; null gives a null series. */
export function histogramSeries(histograms) {
  const binCounts = [...new Set(histograms.filter((h) => h?.length).map((h) => h.length))];
  const edges = [...new Set(binCounts.flatMap(marginBinEdges))].sort((a, b) => a - b);
  const series = histograms.map((h) => {
    let total = 0;
    if (h) for (let k = 0; k < h.length; k++) total += h[k];
    if (!h?.length || total <= 0) return edges.map(() => null);
    const width = 360 / h.length;
    return edges.map((x) => {
      const bin = Math.min(h.length - 1, Math.floor((x + 180) / width + 1e-9));
      return (100 * h[bin]) / total;
    });
  });
  return { edges, series };
}

/** The share (%) of a histogram's samples with a negative margin (misclassified):
 *  the bins that end at or below 0°, plus a pro-rata part of a bin that straddles 0. */
export function misclassifiedShare(histogram) {
  let total = 0, below = 0;
  const width = 360 / histogram.length;
  for (let k = 0; k < histogram.length; k++) {
    total += histogram[k];
    const lo = -180 + k * width, hi = lo + width;
    if (hi <= 0) below += histogram[k];
    else if (lo < 0) below += (histogram[k] * -lo) / width;
  }
  return total > 0 ? (100 * below) / total : NaN;
}

// ---------------------------------------------------------------------------
// Legend values (the formatters themselves are chartstyle.js's).

/** The newest non-null value of a data column, for the legend when the cursor is
 *  away: then it shows where each panel is now, not a row of dashes. */
function lastValue(column) {
  if (!column) return null;
  for (let k = column.length - 1; k >= 0; k--) if (column[k] != null) return column[k];
  return null;
}

/** A legend value function: the hovered value, or the latest one when not hovering. */
function legendValue(format) {
  return (u, value, seriesIdx, idx) => {
    const shown = idx == null ? lastValue(u.data[seriesIdx]) : value;
    return shown == null ? NO_VALUE : format(shown);
  };
}

// ---------------------------------------------------------------------------
// The chart specs. A time chart draws, per panel, one series per part.

const lossRange = {
  // L_base ≥ 0: start at 0 so that "how far from perfect" reads off the axis.
  base: (u, min, max) => [0, max == null ? 1 : Math.max(0.1, max * 1.08)],
  // L_IAM ≤ −log(C−1) < 0: pad both ends, never so little that noise looks like a cliff.
  iam: (u, min, max) => {
    if (min == null) return [-4, -1];
    const pad = Math.max(0.15, 0.08 * (max - min));
    return [min - pad, max + pad];
  },
};

const TIME_CHARTS = [
  {
    id: 'loss',
    title: 'Loss parts',
    key: [['solid', 'L_base, cross-entropy (left axis)'], ['dashed', 'L_IAM (right axis, always \u2264 \u2212log(C\u22121))']],
    parts: [
      { metric: 'base', scale: 'base', format: formatFixed(3) },
      { metric: 'iam', scale: 'iam', dash: DASHED, format: formatFixed(2), label: 'IAM' },
    ],
    scales: { base: { range: lossRange.base }, iam: { range: lossRange.iam } },
    axes: [
      { scale: 'base', label: 'cross-entropy (nats)', values: stepTicks() },
      { scale: 'iam', label: 'IAM term (nats)', side: 1, grid: { show: false }, values: stepTicks() },
    ],
  },
  {
    id: 'accuracy',
    title: 'Accuracy',
    key: [['solid', 'test'], ['dashed', 'train']],
    parts: [
      { metric: 'test_acc', scale: 'acc', format: formatPercentPrecise },
      { metric: 'train_acc', scale: 'acc', dash: DASHED, format: formatPercentPrecise, label: 'train' },
    ],
    scales: { acc: { range: [0, 1] } },
    axes: [{ scale: 'acc', label: 'accuracy', splits: () => [0, 0.25, 0.5, 0.75, 1],
      values: ticks(formatPercent) }],
  },
  {
    id: 'angle',
    title: 'Smallest angle between class weights',
    key: [['solid', 'min angle per panel'], ['limit', 'packing limit: the best any loss can reach']],
    parts: [{ metric: 'min_weight_angle_deg', scale: 'deg', format: formatDegreesFixed }],
    packingLimit: true,
    scales: {},           // its range depends on the packing limits: set in #createTimeChart
    axes: [{ scale: 'deg', label: 'angle (°)', values: stepTicks('°') }],
  },
];

const HISTOGRAM_CHART = {
  id: 'margins',
  title: 'Sample margins',
  key: [['text', 'θ to the nearest other class − θ to its own class, at the latest step. Below 0°: nearer another ' +
    'class than its own, which is an error for every loss but Softmax (it decides by ‖W_j‖ cos θ_j, not by angle)']],
};

/** The line at margin 0, with the two sides named: left of it is misclassified. */
const zeroMarginLine = () => verticalMarkerPlugin({
  x: 0, stroke: '#000', dash: [6, 4], gap: 8,
  labels: [{ text: '\u2190 nearer another class', color: '#8a1c1c', side: 'left' }, { text: 'nearer its own \u2192', color: '#1c5a2a', side: 'right' }],
});

// ---------------------------------------------------------------------------
// DOM helpers.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A short line sample for the chart keys: solid, dashed, or the black packing-limit dash. */
function lineSample(style) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'chart-key-sample');
  svg.setAttribute('viewBox', '0 0 34 10');
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS(SVG_NS, 'line');
  for (const [name, value] of Object.entries({ x1: 1, y1: 5, x2: 33, y2: 5, 'stroke-width': 3 })) line.setAttribute(name, value);
  line.setAttribute('stroke', style === 'limit' ? '#000' : '#555');
  if (style !== 'solid') line.setAttribute('stroke-dasharray', style === 'limit' ? '6 4' : '8 5');
  svg.appendChild(line);
  return svg;
}

/** A chart's frame: a figure with the title, a key that says what the line styles mean, and the plot's mount. */
function chartFrame(spec, parent) {
  const figure = element('figure', 'live-chart', parent);
  figure.dataset.chart = spec.id;
  const caption = element('figcaption', null, figure);
  element('h3', 'chart-title', caption).textContent = spec.title;
  const key = element('p', 'chart-key', caption);
  for (const [style, text] of spec.key) {
    const item = element('span', 'chart-key-item', key);
    if (style !== 'text') item.appendChild(lineSample(style));
    appendSubscripted(element('span', null, item), text);
  }
  const mount = element('div', 'chart-plot', figure);
  const exportButton = element('button', 'chart-export', null);
  Object.assign(exportButton, { type: 'button', textContent: 'PNG', title: 'save this chart as a PNG: title, legend, twice the screen size' });
  figure.prepend(exportButton);
  return { figure, mount, exportButton };
}

// ---------------------------------------------------------------------------

/** The live charts for up to 8 panels: new LiveCharts(container, panels), then
 *  push(panelId, metrics, histogram) as often as you like; it redraws ≤ 3 times a second
 *  (less when the page's frame budget says so: redrawInterval). */
export class LiveCharts {
  #panels = [];
  #histories = new Map();     // panel id → PanelHistory
  #histograms = new Map();    // panel id → Int32Array, the latest
  #charts = [];               // { spec, uplot, mount }
  #dirtyTimeCharts = false;
  #dirtyHistogram = false;
  #redrawTimer = null;
  #lastRedraw = -Infinity;
  #stopObserving;
  #lastWidths = '';

  /** The shortest time between two redraws (ms): the page lengthens it when frames drop. */
  redrawInterval = REDRAW_INTERVAL_MS;

  #visible = true;             // off the screen (scrolled away, hidden) nothing is drawn
  #stopWatching = () => {};

  constructor(container, panels = []) {
    this.element = element('div', 'live-charts', container);
    this.setPanels(panels);
    this.#stopObserving = observeResize(this.element, () => this.resize());
    if (typeof IntersectionObserver !== 'undefined') {
      const watcher = new IntersectionObserver(([entry]) => {
        this.#visible = entry.isIntersecting;
        if (this.#visible) this.#scheduleRedraw();
      });
      watcher.observe(this.element);
      this.#stopWatching = () => watcher.disconnect();
    }
  }

  /** The panel list changed: rebuild the charts. A panel id that stays keeps its history. */
  setPanels(panels) {
    this.#panels = panels.map((p, k) => ({ id: p.id, label: p.label ?? p.id, color: p.color ?? panelColor(k) }));
    const ids = new Set(this.#panels.map((p) => p.id));
    for (const id of [...this.#histories.keys()]) if (!ids.has(id)) this.#histories.delete(id);
    for (const id of [...this.#histograms.keys()]) if (!ids.has(id)) this.#histograms.delete(id);
    for (const p of this.#panels) if (!this.#histories.has(p.id)) this.#histories.set(p.id, new PanelHistory());
    this.#build();
  }

  /** Record one step of one panel; the drawing waits for the next redraw tick. */
  push(panelId, metrics, histogram) {
    const history = this.#histories.get(panelId);
    if (!history || !metrics) return;
    history.push(metrics.step, metrics);
    this.#dirtyTimeCharts = true;
    if (histogram?.length) {
      // Copy: the caller may reuse its buffer (a transferred worker array, say).
      this.#histograms.set(panelId, Int32Array.from(histogram));
      this.#dirtyHistogram = true;
    }
    this.#scheduleRedraw();
  }

  /** That panel restarted: forget its history and its histogram. */
  resetPanel(panelId) {
    this.#histories.get(panelId)?.clear();
    this.#histograms.delete(panelId);
    this.#dirtyTimeCharts = this.#dirtyHistogram = true;
    this.#scheduleRedraw();
  }

  /** The container changed size: fit every chart to its grid cell. */
  resize() {
    const sizes = this.#charts.map((c) => plotSize(c.mount));
    const widths = sizes.map((s) => `${s.width}x${s.height}`).join();
    if (widths === this.#lastWidths) return;      // the observer also fires when only the height changed
    this.#lastWidths = widths;
    this.#charts.forEach((c, k) => c.uplot.setSize(sizes[k]));
    this.#dirtyTimeCharts = true;                 // the grid density follows the width
    this.#scheduleRedraw();
  }

  /** Remove the charts and stop observing and redrawing. */
  destroy() {
    clearTimeout(this.#redrawTimer);
    this.#stopObserving();
    this.#stopWatching();
    for (const c of this.#charts) c.uplot.destroy();
    this.#charts = [];
    this.element.remove();
  }

  // -- building ------------------------------------------------------------

  #build() {
    for (const c of this.#charts) c.uplot.destroy();
    this.element.replaceChildren();
    // Every frame first, then the plots: a plot is sized to its grid cell, and the
    // cells only have their final width once all four are in the grid.
    const frames = [...TIME_CHARTS, HISTOGRAM_CHART].map((spec) => chartFrame(spec, this.element));
    this.#charts = TIME_CHARTS.map((spec, k) => this.#createTimeChart(spec, frames[k]));
    this.#charts.push(this.#createHistogramChart(frames[TIME_CHARTS.length]));
    this.#lastWidths = '';
    this.#dirtyTimeCharts = this.#dirtyHistogram = true;
    this.#redraw();
  }

  /** A PNG of one chart: its title, the panels' names and the line styles' key, at 2×. */
  async #exportPng(chart) {
    const legend = this.#panels.map((p) => ({ label: p.label, color: p.color }));
    const key = (chart.spec.key ?? []).map(([style, text]) => `${style === 'text' ? '' : `${style}: `}${text.replace(/_(\w+)/g, '$1')}`);
    const url = await chartPng({ title: chart.spec.title, legend, key, opts: chart.options(), data: chart.uplot.data },
      (opts, data, mount) => new uPlot(opts, data, mount));
    download(`${chart.spec.id}-chart.png`, url);
  }

  #createTimeChart(spec, frame) {
    const options = () => this.#timeChartOptions(spec, plotSize(frame.mount));
    const opts = options();
    const uplot = new uPlot(opts, opts.series.map(() => []), frame.mount);
    const chart = { spec, uplot, mount: frame.mount, options };
    frame.figure.dataset.parts = spec.parts.length;
    frame.exportButton.addEventListener('click', () => this.#exportPng(chart));
    return chart;
  }

  #timeChartOptions(spec, size) {
    const series = [{ label: 'step', value: (u, v, si, idx) => (idx == null ? 'latest' : formatStep(v)) }];
    for (const panel of this.#panels) {
      spec.parts.forEach((part, k) => series.push({
        // The second part of a panel gets a short label: its legend cell sits
        // beside the first, on the panel's row, and the chart's key explains it.
        label: k === 0 ? panel.label : part.label,
        stroke: panel.color,
        width: LINE_WIDTH,
        dash: part.dash,
        scale: part.scale,
        spanGaps: true,
        points: { size: 7, width: 2 },
        value: legendValue(part.format),
      }));
    }
    const scales = { x: { time: false }, ...spec.scales };
    const plugins = [];
    if (spec.packingLimit) {
      series.push({
        label: 'packing limit', ...LIMIT_LINE, scale: 'deg',
        points: { show: false },
        // Several limits (panels of other C or d) are drawn by the plugin, not this series: list them.
        value: (u, v) => this.#packingLimits().map(formatDegrees).join(', ') || NO_VALUE,
      });
      // The y axis always shows the packing limit, so one sees how far each panel is from it.
      scales.deg = {
        range: (u, min, max) => {
          const top = Math.max(max ?? 0, ...this.#packingLimits(), 10);
          return [0, Math.ceil((top * 1.1) / 10) * 10];
        },
      };
      plugins.push(limitLinesPlugin({ scale: 'deg', lines: () => this.#packingLimitLines() }));
    }
    return {
      ...size,
      series,
      scales,
      axes: [
        axisStyle({ label: 'training step', size: 38, values: ticks(formatStep) }),
        ...spec.axes.map((a) => axisStyle(a)),
      ],
      legend: legendOptions(),
      ...hoverOptions(),
      plugins,
    };
  }

  #createHistogramChart(frame) {
    const options = () => this.#histogramOptions(plotSize(frame.mount));
    const opts = options();
    const uplot = new uPlot(opts, opts.series.map(() => []), frame.mount);
    const chart = { spec: HISTOGRAM_CHART, uplot, mount: frame.mount, options };
    frame.exportButton.addEventListener('click', () => this.#exportPng(chart));
    return chart;
  }

  #histogramOptions(size) {
    const stepped = uPlot.paths.stepped({ align: 1 });   // a bin's value holds from its left edge to the next
    const series = [{
      label: 'margin',
      value: (u, v, si, idx) => {
        if (idx == null) return this.#binWidthText();
        const next = u.data[0][idx + 1];
        return next == null ? formatDegrees(v) : `${formatDegrees(v)} to ${formatDegrees(next)}`;
      },
    }];
    for (const panel of this.#panels) {
      series.push({
        label: panel.label,
        stroke: panel.color,
        width: LINE_WIDTH,
        paths: stepped,
        points: { show: false },
        // Not hovering: the share of misclassified samples, the one number this chart is about.
        value: (u, v, si, idx) => {
          if (idx != null) return v == null ? NO_VALUE : formatShareFixed(v);
          const h = this.#histograms.get(panel.id);
          return h ? `${formatShareFixed(misclassifiedShare(h))} < 0°` : NO_VALUE;
        },
      });
    }
    const wide = (u) => plotWidth(u) > 520;
    return {
      ...size,
      series,
      scales: {
        x: { time: false, range: [-180, 180] },
        y: { range: (u, min, max) => [0, Math.max(5, Math.ceil(((max ?? 0) * 1.12) / 5) * 5)] },
      },
      axes: [
        axisStyle({
          label: 'sample margin (°)', size: 38,
          splits: (u) => (wide(u) ? [-180, -135, -90, -45, 0, 45, 90, 135, 180] : [-180, -90, 0, 90, 180]),
          values: ticks(formatDegrees),
        }),
        axisStyle({ label: 'share of samples', values: stepTicks('%') }),
      ],
      legend: legendOptions(),
      ...hoverOptions({ show: false }),
      plugins: [zeroMarginLine()],
    };
  }

  // -- drawing -------------------------------------------------------------

  #packingLimits() {
    const limits = new Set();
    for (const history of this.#histories.values()) {
      const limit = history.latest('packing_limit_deg');
      if (Number.isFinite(limit)) limits.add(Math.round(limit * 100) / 100);
    }
    return [...limits];
  }

  /** The limits the plugin draws: one shared limit only gets its label (its series
   *  draws the line); several get a line each, labelled with its value. */
  #packingLimitLines() {
    const limits = this.#packingLimits();
    const several = limits.length > 1;
    return limits.map((value) => ({ value, label: several ? `packing limit ${formatDegrees(value)}` : 'packing limit', line: several }));
  }

  #binWidthText() {
    const first = this.#histograms.values().next().value;
    return first ? `${+(360 / first.length).toFixed(1)}° bins` : '';
  }

  #scheduleRedraw() {
    if (this.#redrawTimer !== null || !this.#visible) return;   // the data wait; a chart coming into view draws them
    const wait = Math.max(0, this.#lastRedraw + this.redrawInterval - performance.now());
    this.#redrawTimer = setTimeout(() => {
      // Draw on the next frame: a hidden tab gets none, and so draws nothing.
      requestAnimationFrame(() => { this.#redrawTimer = null; this.#redraw(); });
    }, wait);
  }

  #redraw() {
    this.#lastRedraw = performance.now();
    const histories = this.#panels.map((p) => this.#histories.get(p.id));
    if (this.#dirtyTimeCharts) {
      this.#dirtyTimeCharts = false;
      for (const chart of this.#charts) {
        if (chart.spec === HISTOGRAM_CHART) continue;
        const width = plotWidth(chart.uplot) || chart.uplot.width;
        const grid = stepGrid(histories, Math.max(60, width));
        const data = [grid];
        for (const history of histories)
          for (const part of chart.spec.parts) data.push(resampleColumn(history, part.metric, grid));
        if (chart.spec.packingLimit) {
          // One shared limit is a legend entry; several (panels with other C or d) are only drawn lines.
          const limits = this.#packingLimits();
          data.push(limits.length === 1 ? Array.from(grid, () => limits[0]) : Array.from(grid, () => null));
        }
        chart.uplot.setData(data);
      }
    }
    if (this.#dirtyHistogram) {
      this.#dirtyHistogram = false;
      const chart = this.#charts.find((c) => c.spec === HISTOGRAM_CHART);
      const { edges, series } = histogramSeries(this.#panels.map((p) => this.#histograms.get(p.id) ?? null));
      chart.uplot.setData([edges, ...series]);
    }
  }
}
