// charts.test.mjs: the live charts' data handling (web/charts.js) and the house
// style every chart shares (web/chartstyle.js), checked in Node without a DOM.
// The data: a panel's history stays bounded and evenly thinned, every panel is
// resampled onto one step grid, and margin histograms become shares per bin. The
// style: the numbers print with a real minus sign, and the drawn extras (the
// vertical marker, the packing-limit line) land on the pixel their value maps to,
// checked through a fake uPlot (bbox, valToPos) and a canvas that records its calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import uPlot from 'uplot';
import { histogramSeries, misclassifiedShare, PanelHistory, resampleColumn, stepGrid } from '../web/charts.js';
import {
  axisStyle, formatDegrees, formatDegreesFixed, formatFixed, formatPercent, formatPercentPrecise, formatShare,
  formatShareFixed, formatStep, formatTrimmed, hoverOptions, legendOptions, limitLinesPlugin, MINUS, observeResize,
  plotSize, subscriptParts, ticks, verticalMarkerPlugin,
} from '../web/chartstyle.js';

function assertClose(actual, expected, tolerance, message) {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${actual} vs ${expected}`);
}

// ---- the live charts' data ---------------------------------------------------

const metricsAt = (step) => ({ step, base: 2 / (1 + step), iam: -2 - step / 1000, train_acc: 0.5, test_acc: 0.4,
  min_weight_angle_deg: step / 100, packing_limit_deg: 45 });

test('a panel history stays within its capacity, evenly thinned, its last point the latest push', () => {
  const history = new PanelHistory(undefined, 100);
  for (let step = 0; step < 10000; step += 5) history.push(step, metricsAt(step));
  assert.ok(history.length <= 100 && history.length >= 50, `length ${history.length}`);
  assert.equal(history.lastStep, 9995);
  assert.equal(history.latest('min_weight_angle_deg'), 99.95);
  const gaps = [];
  for (let k = 1; k < history.length; k++) gaps.push(history.steps[k] - history.steps[k - 1]);
  assert.ok(gaps.every((g) => g > 0), 'steps increase');
  // Evenly sampled: all gaps but the newest (the slot still open) within a factor 2 of each other.
  const settled = gaps.slice(0, -1);
  assert.ok(Math.max(...settled) <= 2 * Math.min(...settled), `uneven gaps ${Math.min(...settled)}..${Math.max(...settled)}`);
  history.push(10, metricsAt(10));                 // a step that goes back: a restart
  assert.equal(history.length, 1);
  assert.equal(history.firstStep, 10);
});

test('the shared step grid holds every panel\'s last step, and resampling interpolates between kept points', () => {
  const a = new PanelHistory(), b = new PanelHistory();
  for (let step = 0; step <= 1000; step += 10) a.push(step, metricsAt(step));
  for (let step = 3; step <= 333; step += 30) b.push(step, metricsAt(step));
  const grid = stepGrid([a, b], 200);
  assert.ok(grid.includes(1000) && grid.includes(333) && grid.includes(3), 'last and first steps on the grid');
  for (let k = 1; k < grid.length; k++) assert.ok(grid[k] > grid[k - 1], 'grid sorted and unique');
  assert.ok(grid.length <= 200 + 4);
  const angle = resampleColumn(a, 'min_weight_angle_deg', grid);
  grid.forEach((x, k) => assertClose(angle[k], x / 100, 1e-9, `linear metric at step ${x}`));
  const angleB = resampleColumn(b, 'min_weight_angle_deg', grid);
  grid.forEach((x, k) => {
    if (x < 3 || x > 333) assert.equal(angleB[k], null, `outside b's range at ${x}`);
    else assertClose(angleB[k], x / 100, 1e-9, `b at ${x}`);
  });
  assert.deepEqual([...stepGrid([new PanelHistory()], 100)], []);
});

test('margin histograms become shares per bin on a shared set of edges', () => {
  const h36 = new Int32Array(36); h36[17] = 30; h36[18] = 70;            // [−10°, 0°) and [0°, 10°)
  const h72 = new Int32Array(72); h72[0] = 1; h72[71] = 3;
  const { edges, series } = histogramSeries([h36, null, h72]);
  assert.equal(edges[0], -180);
  assert.equal(edges[edges.length - 1], 180);
  assert.equal(edges.length, 73);                                         // the 36 edges are among the 72's
  assert.ok(series[1].every((v) => v === null));
  const at = (x) => edges.indexOf(x);
  assertClose(series[0][at(-10)], 30, 1e-12, 'bin [−10°, 0°)');
  assertClose(series[0][at(-5)], 30, 1e-12, 'same bin at its middle edge');
  assertClose(series[0][at(0)], 70, 1e-12, 'bin [0°, 10°)');
  assertClose(series[2][at(180)], 75, 1e-12, 'the last edge repeats the last bin');
  assertClose(misclassifiedShare(h36), 30, 1e-12, 'misclassified share');
  const odd = new Int32Array(3); odd[1] = 10;                             // the middle bin straddles 0°
  assertClose(misclassifiedShare(odd), 50, 1e-12, 'a straddling bin counts pro rata');
});

// ---- the house style: formatters ----------------------------------------------

test('negative numbers print with a real minus sign (U+2212), not a hyphen, at the digits asked for', () => {
  assert.equal(MINUS.codePointAt(0), 0x2212);
  assert.equal(formatFixed(2)(-1.5), '\u22121.50');
  assert.equal(formatFixed(3)(0.25), '0.250');
  assert.equal(formatTrimmed(2)(-0.5), '\u22120.5');
  assert.equal(formatTrimmed(2)(1.234), '1.23');
  assert.equal(formatDegrees(-45), '\u221245°');
  assert.equal(formatDegrees(12.34), '12.3°');
  assert.equal(formatDegrees(30), '30°');
  assert.equal(formatDegreesFixed(30), '30.0°');
  assert.equal(formatDegreesFixed(-7.25), '\u22127.3°');
  for (const text of [formatFixed(1)(-3), formatTrimmed(1)(-3), formatDegrees(-3), formatDegreesFixed(-3)])
    assert.ok(!text.includes('-'), `a hyphen in ${text}`);
});

test('steps get thousands separators, fractions and shares become percents', () => {
  assert.equal(formatStep(12345.6), '12,346');
  assert.equal(formatPercent(0.256), '26%');
  assert.equal(formatPercentPrecise(0.2567), '25.7%');
  assert.equal(formatShare(10), '10%');               // a share is already in percent
  assert.equal(formatShare(12.345), '12.3%');
  assert.equal(formatShareFixed(10), '10.0%');
  assert.deepEqual(ticks(formatDegrees)(null, [-90, 0, 22.5]), ['\u221290°', '0°', '22.5°']);
});

// ---- the house style: options and sizing --------------------------------------

test('the option factories give fresh objects every call, since uPlot writes into its options', () => {
  const [a, b] = [axisStyle(), axisStyle()];
  assert.notEqual(a.grid, b.grid);
  assert.notEqual(a.ticks, b.ticks);
  assert.notEqual(legendOptions().markers, legendOptions().markers);
  assert.notEqual(hoverOptions().cursor, hoverOptions().cursor);
  assert.equal(axisStyle({ size: 38 }).size, 38, 'the caller\'s options win');
  assert.deepEqual(hoverOptions({ show: false }).cursor.points, { show: false });
});

test('a plot takes its cell\'s width and half of it as height, within the bounds', () => {
  assert.deepEqual(plotSize({ clientWidth: 1000 }), { width: 1000, height: 340 });
  assert.deepEqual(plotSize({ clientWidth: 500.7 }), { width: 500, height: 250 });
  assert.deepEqual(plotSize({ clientWidth: 300 }), { width: 300, height: 210 });
  assert.deepEqual(plotSize({ clientWidth: 100 }), { width: 280, height: 210 }, 'never narrower than 280 px');
  assert.deepEqual(plotSize({ clientWidth: 0 }), { width: 480, height: 240 }, 'not laid out yet');
  assert.deepEqual(plotSize({ clientWidth: 1000 }, { minHeight: 200, maxHeight: 320 }), { width: 1000, height: 320 });
});

test('the resize observer calls back once per animation frame, and not after stop()', () => {
  const saved = { ResizeObserver: globalThis.ResizeObserver, raf: globalThis.requestAnimationFrame, caf: globalThis.cancelAnimationFrame };
  let observerCallback = null, observed = null, disconnected = false;
  const frames = new Map();
  let nextFrame = 1;
  globalThis.ResizeObserver = class {
    constructor(callback) { observerCallback = callback; }
    observe(element) { observed = element; }
    disconnect() { disconnected = true; }
  };
  globalThis.requestAnimationFrame = (callback) => { frames.set(nextFrame, callback); return nextFrame++; };
  globalThis.cancelAnimationFrame = (id) => frames.delete(id);
  const runFrames = () => { const due = [...frames.values()]; frames.clear(); due.forEach((f) => f()); };
  try {
    const element = {};
    let calls = 0;
    const stop = observeResize(element, () => calls++);
    assert.equal(observed, element);
    observerCallback(); observerCallback(); observerCallback();
    assert.equal(calls, 0, 'not inside the observer');
    assert.equal(frames.size, 1, 'one frame for three notifications');
    runFrames();
    assert.equal(calls, 1);
    observerCallback();
    runFrames();
    assert.equal(calls, 2, 'a later resize is seen again');
    observerCallback();
    stop();
    assert.ok(disconnected);
    runFrames();
    assert.equal(calls, 2, 'stop() cancels the pending call');
  } finally {
    globalThis.ResizeObserver = saved.ResizeObserver;
    globalThis.requestAnimationFrame = saved.raf;
    globalThis.cancelAnimationFrame = saved.caf;
  }
});

test('"X_sub" is X with the subscript sub, the rule of every chart label', () => {
  assert.deepEqual(subscriptParts('L_IAM (right axis)'), [{ text: 'L', sub: false }, { text: 'IAM', sub: true }, { text: ' (right axis)', sub: false }]);
  assert.deepEqual(subscriptParts('θ_j = θ_y').map((p) => p.text), ['θ', 'j', ' = θ', 'y']);
});

// ---- the house style: plugins, drawn through a fake uPlot ----------------------

/** A 2d context that records every call with the drawing state at that moment. */
function recordingContext() {
  const calls = [];
  const state = { font: '', textAlign: 'start', textBaseline: 'alphabetic', fillStyle: '', strokeStyle: '', lineWidth: 1 };
  const ctx = { ...state, calls, dash: [] };
  for (const name of ['save', 'restore', 'beginPath', 'moveTo', 'lineTo', 'stroke', 'fillText'])
    ctx[name] = (...args) => calls.push({ name, args, font: ctx.font, textAlign: ctx.textAlign, fillStyle: ctx.fillStyle,
      strokeStyle: ctx.strokeStyle, lineWidth: ctx.lineWidth, dash: ctx.dash });
  ctx.setLineDash = (dash) => { ctx.dash = dash; };
  ctx.measureText = (text) => ({ width: 10 * text.length });
  return ctx;
}

/** A fake uPlot: a plot area at (100, 20) of 400 × 200 canvas px, x from −180 to 180,
 *  'deg' from 0 (bottom) to 100 (top). valToPos must be asked for canvas px. */
function fakePlot(ctx) {
  const bbox = { left: 100, top: 20, width: 400, height: 200 };
  const valToPos = (v, scale, canvasPixels) => {
    assert.equal(canvasPixels, true, 'positions in canvas px');
    if (scale === 'x') return bbox.left + ((v + 180) / 360) * bbox.width;
    assert.equal(scale, 'deg');
    return bbox.top + bbox.height - (v / 100) * bbox.height;
  };
  return { ctx, bbox, valToPos };
}

function withPixelRatio(ratio, body) {
  const saved = uPlot.pxRatio;
  uPlot.pxRatio = ratio;
  try { body(); } finally { uPlot.pxRatio = saved; }
}

test('the vertical marker is drawn at its value\'s pixel over the plot height, labels beside it at the top', () => {
  withPixelRatio(2, () => {
    const ctx = recordingContext();
    const plugin = verticalMarkerPlugin({
      x: () => 10, stroke: '#555', dash: [5, 4], gap: 8,
      labels: [{ text: 'a_b', color: '#800', side: 'left' }, { text: 'θ_j', color: '#080', side: 'right' }],
    });
    plugin.hooks.draw.forEach((draw) => draw(fakePlot(ctx)));
    const px = Math.round(100 + (190 / 360) * 400) + 0.5;                 // 311.5
    const line = ctx.calls.filter((c) => c.name === 'moveTo' || c.name === 'lineTo').map((c) => c.args);
    assert.deepEqual(line, [[px, 20], [px, 220]]);
    const stroke = ctx.calls.find((c) => c.name === 'stroke');
    assert.equal(stroke.strokeStyle, '#555');
    assert.equal(stroke.lineWidth, 3, '1.5 CSS px at pixel ratio 2');
    assert.deepEqual(stroke.dash, [10, 8]);
    const texts = ctx.calls.filter((c) => c.name === 'fillText').map((c) => [c.args[0], c.args[1], c.args[2], c.textAlign, c.fillStyle, c.font]);
    const main = '600 28px', sub = '600 22px';                            // 14 and 11 CSS px at ratio 2
    assert.deepEqual(texts.map(([t, x, y, align, color, font]) => [t, x, y, align, color, font.slice(0, main.length)]), [
      // left of the line, right-aligned, ending 8 CSS px before it: the subscript last, so drawn first
      ['b', px - 16, 20 + 12 + 12, 'right', '#800', sub],
      ['a', px - 16 - 10, 20 + 12, 'right', '#800', main],
      // right of the line, starting 8 CSS px after it
      ['θ', px + 16, 20 + 12, 'left', '#080', main],
      ['j', px + 16 + 10, 20 + 12 + 12, 'left', '#080', sub],
    ]);
    assert.equal(ctx.calls.filter((c) => c.name === 'save').length, ctx.calls.filter((c) => c.name === 'restore').length);
  });
});

test('a packing limit is labelled at its pixel; its dashed line only when asked; off the plot nothing', () => {
  withPixelRatio(2, () => {
    const ctx = recordingContext();
    const plugin = limitLinesPlugin({
      scale: 'deg',
      lines: () => [{ value: 45, label: 'one', line: false }, { value: 60, label: 'two', line: true }, { value: 150, label: 'off', line: true }],
    });
    plugin.hooks.draw.forEach((draw) => draw(fakePlot(ctx)));
    const py = (v) => Math.round(220 - (v / 100) * 200) + 0.5;          // 45 → 130.5, 60 → 100.5
    const texts = ctx.calls.filter((c) => c.name === 'fillText').map((c) => [c.args[0], c.args[1], c.args[2], c.textAlign]);
    assert.deepEqual(texts, [['one', 500 - 12, py(45) - 8, 'right'], ['two', 500 - 12, py(60) - 8, 'right']]);
    const strokes = ctx.calls.filter((c) => c.name === 'stroke');
    assert.equal(strokes.length, 1, 'only the limit that asked for its line');
    assert.deepEqual(ctx.calls.filter((c) => c.name === 'moveTo' || c.name === 'lineTo').map((c) => c.args), [[100, py(60)], [500, py(60)]]);
    assert.equal(strokes[0].lineWidth, 4);
    assert.deepEqual(strokes[0].dash, [14, 10]);
    assert.equal(strokes[0].strokeStyle, '#000');
  });
});

test('axis ticks print the decimals they need: 0.25 steps keep two, whole steps none', async () => {
  const { tickDecimals, stepTicks } = await import('../web/chartstyle.js');
  assert.equal(tickDecimals([0, 0.25, 0.5, 0.75]), 2);
  assert.equal(tickDecimals([0, 0.5, 1]), 1);
  assert.equal(tickDecimals([10, 20, 30]), 0);
  assert.deepEqual(stepTicks()(null, [0, 0.25, 0.5]), ['0.00', '0.25', '0.50']);
  assert.deepEqual(stepTicks('°')(null, [-10, 0, 10]), ['\u221210°', '0°', '10°']);
});
