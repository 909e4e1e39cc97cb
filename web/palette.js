// palette.js: colour-blind safe colours. Classes use Okabe & Ito's eight (black
// replaced by grey so that it shows on the dark spokes), then Paul Tol's muted
// scheme; panels (loss curves) use Tol's bright scheme, distinct from the classes.
// It also makes the pale class colours of the decision regions (the 2-D ring, the
// input plane's heatmap, the 3-D sphere), so that all three views agree. It holds
// colours of data only: the ink and fonts of the charts are in chartstyle.js.
export const CLASS_COLORS = [
  '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#7F7F7F',
  '#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499',
];
export const PANEL_COLORS = ['#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377', '#BBBBBB', '#000000'];

/** How far a region's colour is mixed from its class colour toward white (in sRGB). */
export const PALE_MIX = 0.55;

export const classColor = (k) => CLASS_COLORS[k % CLASS_COLORS.length];
export const panelColor = (k) => PANEL_COLORS[k % PANEL_COLORS.length];

/** '#rrggbb' → [r, g, b] in 0..255 (memoized: heatmaps ask per pixel) */
const rgbCache = new Map();
export function rgb(hex) {
  let v = rgbCache.get(hex);
  if (!v) {
    const n = parseInt(hex.slice(1), 16);
    v = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    rgbCache.set(hex, v);
  }
  return v;
}

/** A pale version of '#rrggbb': each channel v becomes v + (255 − v)·amount, as
 *  [r, g, b] in 0..255, not rounded (an image buffer or a shader rounds it itself). */
export function paleRgb(hex, amount = PALE_MIX) {
  return rgb(hex).map((v) => v + (255 - v) * amount);
}

/** The same pale colour as a CSS colour, channels rounded: 'rgb(r, g, b)'. */
export function paleCss(hex, amount = PALE_MIX) {
  const [r, g, b] = paleRgb(hex, amount).map(Math.round);
  return `rgb(${r}, ${g}, ${b})`;
}

/** The smallest angle between class weights, in every view: its arc and its label. */
export const HIGHLIGHT = '#c0392b';
