// chartstyle.js: the house style of the page's uPlot charts, shared by charts.js
// (the live training charts) and curves.js (the teaching curves), so that the two
// cannot drift apart: fonts and inks, the axis, legend and cursor options, the rule
// that sizes a plot to its cell, the number formatters, one resize observer, and
// the drawing beyond the series as uPlot plugins (factories returning { hooks }).
//
// It is not a chart layer: it builds no chart and holds no data. Colours of data
// (classes, panels) are palette.js's; the page-side style (cards, legend layout) is
// charts.css. Text "X_sub" is read as X with the subscript "sub" everywhere here.
import uPlot from 'uplot';

export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const AXIS_FONT = `15px ${FONT_FAMILY}`;
export const AXIS_LABEL_FONT = `600 15px ${FONT_FAMILY}`;
export const INK = '#1b1b1b';
export const GRID_INK = 'rgba(0, 0, 0, 0.10)';
export const MINUS = '\u2212';       // a real minus sign: '-' is a hyphen, short and easy to miss
export const NO_VALUE = '\u2013';    // what a legend shows where there is no value
/** The packing limit's line, as a series (uPlot scales it by pxRatio) and as drawn by limitLinesPlugin. */
export const LIMIT_LINE = { stroke: '#000', width: 2, dash: [7, 5] };

// ---------------------------------------------------------------------------
// Formatting: what the axes and the legends print. "Fixed" keeps its digits, so a
// legend value keeps its width; the others drop trailing zeros, for axis ticks.

export const withMinus = (text) => text.replace('-', MINUS);
export const formatStep = (step) => Math.round(step).toLocaleString('en-US');
export const formatFixed = (digits) => (v) => withMinus(v.toFixed(digits));
export const formatTrimmed = (digits) => (v) => withMinus(`${+v.toFixed(digits)}`);
/** A fraction as a percent: 0.25 → '25%' (precise: '25.0%'). */
export const formatPercent = (fraction) => `${Math.round(fraction * 100)}%`;
export const formatPercentPrecise = (fraction) => `${(fraction * 100).toFixed(1)}%`;
/** A share already in percent: 12.5 → '12.5%', 10 → '10%' (fixed: '10.0%'). */
export const formatShare = (percent) => `${+percent.toFixed(1)}%`;
export const formatShareFixed = (percent) => `${percent.toFixed(1)}%`;
export const formatDegrees = (v) => withMinus(`${+v.toFixed(1)}°`);
export const formatDegreesFixed = (v) => withMinus(`${v.toFixed(1)}°`);

/** An axis `values` function that prints every tick with one formatter. */
export const ticks = (format) => (u, splits) => splits.map((v) => format(v));

// ---------------------------------------------------------------------------
// Options: functions, not shared objects, because uPlot writes into the options it is given.

/** An axis in the house style; `extra` (label, scale, side, size, values, …) wins. */
export function axisStyle(extra) {
  return {
    font: AXIS_FONT,
    labelFont: AXIS_LABEL_FONT,
    stroke: INK,
    labelSize: 26,
    size: 62,
    gap: 6,
    grid: { stroke: GRID_INK, width: 1 },
    ticks: { stroke: GRID_INK, width: 1, size: 6 },
    ...extra,
  };
}

/** The legend: markers as wide as a line, dashed for a dashed series. */
export const legendOptions = () => ({
  markers: {
    width: 3,
    dash: (u, seriesIdx) => (u.series[seriesIdx].dash ? 'dashed' : 'solid'),
  },
});

/** The cursor and focus options, spread into a chart's options: the nearest series
 *  is focused, the others fade. No drag-to-zoom: the next redraw would reset it. */
export const hoverOptions = (points = { size: 9 }) => ({
  cursor: { focus: { prox: 24 }, points, drag: { x: false, y: false } },
  focus: { alpha: 0.25 },
});

/** A plot's size in its cell: the cell's width (at least 280 px) and half of it as
 *  the height, within [minHeight, maxHeight]. A hidden or not yet laid out cell
 *  gets a sane 480 px; the resize observer fixes it later. */
export function plotSize(mount, { minHeight = 210, maxHeight = 340 } = {}) {
  const width = Math.max(280, Math.floor(mount.clientWidth || 480));
  return { width, height: Math.round(Math.min(maxHeight, Math.max(minHeight, width * 0.5))) };
}

/** The plotting area's width in CSS px (bbox is in canvas px). */
export const plotWidth = (u) => u.bbox.width / uPlot.pxRatio;

/** Call onResize on the next animation frame after `element` changes size, once
 *  however many times the observer fires in that frame. Not inside the observer:
 *  resizing changes the element's height, which inside the callback would be a
 *  resize loop. Returns stop(), which also cancels a pending call. */
export function observeResize(element, onResize) {
  if (typeof ResizeObserver === 'undefined') return () => {};
  let frame = null;
  const observer = new ResizeObserver(() => {
    if (frame === null) frame = requestAnimationFrame(() => { frame = null; onResize(); });
  });
  observer.observe(element);
  return () => {
    observer.disconnect();
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
  };
}

// ---------------------------------------------------------------------------
// Text with subscripts: "L_base" is L with the subscript "base".

/** [{ text, sub }] in reading order. */
export function subscriptParts(text) {
  return text.split(/(_\w+)/).filter(Boolean)
    .map((part) => (part[0] === '_' ? { text: part.slice(1), sub: true } : { text: part, sub: false }));
}

/** Append the text to a DOM element, subscripts as <sub>: chart keys, captions, legend labels. */
export function appendSubscripted(parent, text) {
  for (const { text: shown, sub } of subscriptParts(text)) {
    if (sub) parent.appendChild(document.createElement('sub')).textContent = shown;
    else parent.appendChild(document.createTextNode(shown));
  }
}

/** A canvas font in canvas px: px CSS px times the device pixel ratio. */
export function canvasFont(px, weight = 500) { return `${weight} ${Math.round(px * uPlot.pxRatio)}px ${FONT_FAMILY}`; }

/** The same subscripts on a canvas (14 px, subscripts 11 px and 6 px lower, weight 600),
 *  starting at x for align 'left', ending at x for 'right'. */
export function fillSubscripted(ctx, text, x, y, align = 'left') {
  const r = uPlot.pxRatio;
  const parts = subscriptParts(text);
  ctx.textAlign = align;
  for (const { text: shown, sub } of align === 'right' ? parts.reverse() : parts) {
    ctx.font = canvasFont(sub ? 11 : 14, 600);
    ctx.fillText(shown, x, y + (sub ? 6 * r : 0));
    x += (align === 'right' ? -1 : 1) * ctx.measureText(shown).width;
  }
}

// ---------------------------------------------------------------------------
// Plugins: drawing beyond the series, after uPlot has drawn them.

/** A dashed vertical line at x (in the 'x' scale; a number or a function of u) over
 *  the plot's height, with labels at its top: a label of side 'left' ends `gap` px
 *  left of the line, one of side 'right' starts `gap` px right of it. */
export function verticalMarkerPlugin({ x, stroke = '#000', dash = [6, 4], gap = 8, labels = [] }) {
  const draw = (u) => {
    const { ctx, bbox } = u;
    const r = uPlot.pxRatio;
    const px = Math.round(u.valToPos(typeof x === 'function' ? x(u) : x, 'x', true)) + 0.5;
    ctx.save();
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 1.5 * r;
    ctx.setLineDash(dash.map((d) => d * r));
    ctx.beginPath();
    ctx.moveTo(px, bbox.top);
    ctx.lineTo(px, bbox.top + bbox.height);
    ctx.stroke();
    ctx.textBaseline = 'top';
    for (const { text, color, side } of labels) {
      ctx.fillStyle = color;
      if (side === 'left') fillSubscripted(ctx, text, px - gap * r, bbox.top + 6 * r, 'right');
      else fillSubscripted(ctx, text, px + gap * r, bbox.top + 6 * r, 'left');
    }
    ctx.restore();
  };
  return { hooks: { draw: [draw] } };
}

/** Horizontal limits in `scale`: lines(u) gives [{ value, label, line }], and each
 *  gets its label above the plot's right end and, when `line` is true (no series
 *  draws it already), the LIMIT_LINE itself. A limit off the plot draws nothing. */
export function limitLinesPlugin({ scale, lines }) {
  const draw = (u) => {
    for (const limit of lines(u)) drawLimitLine(u, scale, limit);
  };
  return { hooks: { draw: [draw] } };
}

function drawLimitLine(u, scale, { value, label, line }) {
  const { ctx, bbox } = u;
  const r = uPlot.pxRatio;
  const py = Math.round(u.valToPos(value, scale, true)) + 0.5;
  if (py < bbox.top - 1 || py > bbox.top + bbox.height + 1) return;
  ctx.save();
  if (line) {
    ctx.strokeStyle = LIMIT_LINE.stroke;
    ctx.lineWidth = LIMIT_LINE.width * r;
    ctx.setLineDash(LIMIT_LINE.dash.map((d) => d * r));
    ctx.beginPath();
    ctx.moveTo(bbox.left, py);
    ctx.lineTo(bbox.left + bbox.width, py);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.font = canvasFont(14, 600);
  ctx.fillStyle = LIMIT_LINE.stroke;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(label, bbox.left + bbox.width - 6 * r, py - 4 * r);
  ctx.restore();
}

/** Mark the chart while the cursor is on it (class 'is-hovering' on its root), so
 *  that charts.css can hide what only makes sense with a value under the cursor. */
export const hoverClassPlugin = () => ({
  hooks: { setCursor: [(u) => u.root.classList.toggle('is-hovering', u.cursor.idx != null)] },
});
