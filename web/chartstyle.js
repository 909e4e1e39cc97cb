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

/** The fewest decimals that print every tick exactly (0.25 needs two, 0.5 one). */
export function tickDecimals(splits) {
  for (let digits = 0; digits < 6; digits++)
    if (splits.every((v) => Math.abs(v * 10 ** digits - Math.round(v * 10 ** digits)) < 1e-6 * 10 ** digits)) return digits;
  return 6;
}

/** Axis values with as many decimals as the ticks need, and a unit: 0, 0.25, 0.5 … */
export const stepTicks = (unit = '') => (u, splits) => {
  const digits = tickDecimals(splits.filter((v) => v != null));
  return splits.map((v) => (v == null ? '' : withMinus(v.toFixed(digits)) + unit));
};

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

/** Canvas px per CSS px of a chart: the screen's pixel ratio, times the scale of an
 *  export drawn larger than the screen (scaleOptions). */
export const pixelScale = (u) => uPlot.pxRatio * (u?.exportScale ?? 1);

/** A canvas font in canvas px: px CSS px at the chart's pixel scale. */
export function canvasFont(px, weight = 500, r = uPlot.pxRatio) { return `${weight} ${Math.round(px * r)}px ${FONT_FAMILY}`; }

/** The same subscripts on a canvas (14 px, subscripts 11 px and 6 px lower, weight 600),
 *  starting at x for align 'left', ending at x for 'right'. */
export function fillSubscripted(ctx, text, x, y, align = 'left', r = uPlot.pxRatio) {
  const parts = subscriptParts(text);
  ctx.textAlign = align;
  for (const { text: shown, sub } of align === 'right' ? parts.reverse() : parts) {
    ctx.font = canvasFont(sub ? 11 : 14, 600, r);
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
    const r = pixelScale(u);
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
      if (side === 'left') fillSubscripted(ctx, text, px - gap * r, bbox.top + 6 * r, 'right', r);
      else fillSubscripted(ctx, text, px + gap * r, bbox.top + 6 * r, 'left', r);
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
  const r = pixelScale(u);
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
  ctx.font = canvasFont(14, 600, r);
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

// ---------------------------------------------------------------------------
// Exports: a chart as a PNG that explains itself, drawn at twice its screen size.

const scaleFont = (font, k) => font.replace(/(\d+(?:\.\d+)?)px/, (m, px) => `${+px * k}px`);

/** The same chart k times larger: sizes, fonts, strokes and points (fresh options,
 *  as uPlot writes into the ones it is given). Plugins read the plot's exportScale. */
export function scaleOptions(opts, k) {
  const axis = (a) => ({
    ...a, font: scaleFont(a.font ?? AXIS_FONT, k), labelFont: scaleFont(a.labelFont ?? AXIS_LABEL_FONT, k),
    size: typeof a.size === 'number' ? a.size * k : a.size, gap: (a.gap ?? 5) * k, labelSize: (a.labelSize ?? 30) * k,
    grid: { ...a.grid, width: (a.grid?.width ?? 1) * k }, ticks: { ...a.ticks, width: (a.ticks?.width ?? 1) * k, size: (a.ticks?.size ?? 10) * k },
  });
  const series = (s, i) => (i === 0 ? s : {
    ...s, width: (s.width ?? 1) * k, dash: s.dash?.map((d) => d * k),
    points: s.points ? { ...s.points, size: (s.points.size ?? 5) * k, width: (s.points.width ?? 1) * k } : s.points,
  });
  return { ...opts, width: opts.width * k, height: opts.height * k,
    axes: opts.axes.map(axis), series: opts.series.map(series), legend: { show: false }, cursor: { show: false } };
}

/**
 * A PNG data URL of a chart: its title, a legend (the panels' names and colours, and
 * the line styles' key), and the plot, all at `k` times the CSS size. `makePlot(opts)`
 * builds the plot's uPlot into a detached element from scaled options; it is
 * destroyed afterwards. Resolves to the data URL.
 */
export async function chartPng({ title, legend, key = [], opts, data, k = 2 }, makePlot) {
  const mount = document.createElement('div');
  const plot = makePlot(scaleOptions(opts, k), data, mount);
  plot.exportScale = k;   // the plugins draw at it (pixelScale); uPlot draws on a microtask, after this
  await new Promise((resolve) => requestAnimationFrame(resolve));   // uPlot sizes and draws on a microtask
  const source = mount.querySelector('canvas');
  const r = k * uPlot.pxRatio;        // canvas px per CSS px of the export
  const pad = 12 * r, line = 22 * r;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  const ctx = canvas.getContext('2d');
  ctx.font = canvasFont(13, 500, r);
  const items = [...legend.map((l) => ({ ...l, swatch: true })),
    ...key.flatMap((text) => wrapText(ctx, text, canvas.width - 2 * pad).map((label) => ({ label, line: true })))];
  // the legend flows in rows under the title
  const rows = [[]];
  let x = pad;
  for (const item of items) {
    const w = (item.swatch ? 28 * r : 0) + ctx.measureText(item.label).width + 18 * r;
    if ((item.line || x + w > canvas.width - pad) && rows.at(-1).length) { rows.push([]); x = pad; }
    rows.at(-1).push({ ...item, x, w });
    x += w;
  }
  const top = pad + line + rows.length * line;
  canvas.height = top + source.height;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = INK;
  ctx.textBaseline = 'middle';
  ctx.font = canvasFont(17, 700, r);
  ctx.fillText(title, pad, pad + line / 2);
  ctx.font = canvasFont(13, 500, r);
  rows.forEach((row, rowIndex) => row.forEach((item) => {
    const y = pad + line * (rowIndex + 1.5);
    if (item.swatch) {
      ctx.strokeStyle = item.color;
      ctx.lineWidth = 3 * r;
      ctx.setLineDash(item.dash ? item.dash.map((d) => d * r) : []);
      ctx.beginPath();
      ctx.moveTo(item.x, y);
      ctx.lineTo(item.x + 22 * r, y);
      ctx.stroke();
    }
    ctx.fillStyle = INK;
    ctx.fillText(item.label, item.x + (item.swatch ? 28 * r : 0), y);
  }));
  ctx.drawImage(source, 0, top);
  plot.destroy();
  return canvas.toDataURL('image/png');
}

/** Words of text in lines no wider than width (the canvas's current font). */
function wrapText(ctx, text, width) {
  const lines = [''];
  for (const word of text.split(' ')) {
    const candidate = lines.at(-1) ? `${lines.at(-1)} ${word}` : word;
    if (ctx.measureText(candidate).width > width && lines.at(-1)) lines.push(word);
    else lines[lines.length - 1] = candidate;
  }
  return lines;
}

/** Save a data URL as a file (the browser's download). */
export function download(filename, url) {
  const link = document.createElement('a');
  link.download = filename;
  link.href = url;
  link.click();
}
