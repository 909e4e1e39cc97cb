// palette.js: colour-blind safe colours. Classes use Okabe & Ito's eight (black
// replaced by grey so that it shows on the dark spokes), then Paul Tol's muted
// scheme; panels (loss curves) use Tol's bright scheme, distinct from the classes.
export const CLASS_COLORS = [
  '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#7F7F7F',
  '#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499',
];
export const PANEL_COLORS = ['#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377', '#BBBBBB', '#000000'];

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
