// plot.mjs: a small SVG line-plot writer for the experiment report: small
// multiples (a grid of panels sharing one legend), lines with ±std error bars,
// optional faint per-seed dots and horizontal reference lines. Plain strings,
// no DOM, no library: the output is a standalone .svg that GitHub renders.
//
//   const svg = smallMultiples({ title, cols: 2, panels: [{ title, xlabel, ylabel,
//     xticks: [{ x, label }], series: [{ label, color, dash, points: [{ x, y, err, dots }] }],
//     hlines: [{ y, label }] }], legend: [{ label, color, dash }] });

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

function domainOf(panel) {
  if (panel.ydomain) return panel.ydomain;
  let lo = Infinity, hi = -Infinity;
  const see = (v) => { if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } };
  for (const s of panel.series)
    for (const p of s.points) {
      see(p.y - (p.err ?? 0)); see(p.y + (p.err ?? 0));
      (p.dots ?? []).forEach(see);
    }
  (panel.hlines ?? []).forEach((h) => see(h.y));
  if (!Number.isFinite(lo)) return [0, 1];
  const pad = 0.05 * (hi - lo || 1);
  return [lo - pad, hi + pad];
}

function panelSVG(panel, x0, y0, w, h) {
  const m = { left: 52, right: 10, top: 24, bottom: 40 };
  const pw = w - m.left - m.right, ph = h - m.top - m.bottom;
  const xs = panel.series.flatMap((s) => s.points.map((p) => p.x)).concat((panel.xticks ?? []).map((t) => t.x));
  const [xlo, xhi] = panel.xdomain ?? [Math.min(...xs), Math.max(...xs)];
  const xpad = 0.04 * (xhi - xlo || 1);
  const X = (v) => x0 + m.left + ((v - (xlo - xpad)) / (xhi - xlo + 2 * xpad)) * pw;
  let [ylo, yhi] = domainOf(panel);
  const yticks = niceTicks(ylo, yhi, 5);
  ylo = Math.min(ylo, yticks[0]); yhi = Math.max(yhi, yticks[yticks.length - 1]);
  const Y = (v) => y0 + m.top + (1 - (v - ylo) / (yhi - ylo || 1)) * ph;
  const out = [];
  out.push(`<rect x="${x0 + m.left}" y="${y0 + m.top}" width="${pw}" height="${ph}" fill="#fff" stroke="#bbb"/>`);
  for (const t of yticks) {
    out.push(`<line x1="${x0 + m.left}" x2="${x0 + m.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + m.left - 5}" y="${Y(t) + 4}" text-anchor="end" font-size="11" fill="#444">${fmt(t)}</text>`);
  }
  for (const t of panel.xticks ?? niceTicks(xlo, xhi, 6).map((x) => ({ x, label: fmt(x) }))) {
    out.push(`<line x1="${X(t.x)}" x2="${X(t.x)}" y1="${y0 + m.top + ph}" y2="${y0 + m.top + ph + 4}" stroke="#888"/>`);
    out.push(`<text x="${X(t.x)}" y="${y0 + m.top + ph + 16}" text-anchor="middle" font-size="11" fill="#444">${esc(t.label)}</text>`);
  }
  for (const hl of panel.hlines ?? []) {
    out.push(`<line x1="${x0 + m.left}" x2="${x0 + m.left + pw}" y1="${Y(hl.y)}" y2="${Y(hl.y)}" stroke="#999" stroke-dasharray="2 3"/>`);
    if (hl.label) out.push(`<text x="${x0 + m.left + pw - 4}" y="${Y(hl.y) - 4}" text-anchor="end" font-size="10" fill="#777">${esc(hl.label)}</text>`);
  }
  for (const s of panel.series) {
    const dx = s.offset ?? 0; // a small horizontal shift so that error bars of several series do not overlap
    for (const p of s.points)
      for (const v of p.dots ?? [])
        if (Number.isFinite(v)) out.push(`<circle cx="${X(p.x + dx)}" cy="${Y(v)}" r="1.8" fill="${s.color}" fill-opacity="0.3"/>`);
    for (const p of s.points)
      if (p.err > 0 && Number.isFinite(p.y))
        out.push(`<line x1="${X(p.x + dx)}" x2="${X(p.x + dx)}" y1="${Y(p.y - p.err)}" y2="${Y(p.y + p.err)}" stroke="${s.color}" stroke-width="1.2" stroke-opacity="0.8"/>`);
    const pts = s.points.filter((p) => Number.isFinite(p.y)).map((p) => `${X(p.x + dx).toFixed(1)},${Y(p.y).toFixed(1)}`);
    if (pts.length > 1)
      out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    for (const p of s.points)
      if (Number.isFinite(p.y)) out.push(`<circle cx="${X(p.x + dx)}" cy="${Y(p.y)}" r="3" fill="${s.hollow ? '#fff' : s.color}" stroke="${s.color}" stroke-width="1.5"/>`);
  }
  out.push(`<text x="${x0 + m.left + pw / 2}" y="${y0 + 16}" text-anchor="middle" font-size="13" font-weight="600" fill="#222">${esc(panel.title ?? '')}</text>`);
  if (panel.xlabel) out.push(`<text x="${x0 + m.left + pw / 2}" y="${y0 + h - 6}" text-anchor="middle" font-size="11" fill="#444">${esc(panel.xlabel)}</text>`);
  if (panel.ylabel) {
    const cy = y0 + m.top + ph / 2, cx = x0 + 13;
    out.push(`<text x="${cx}" y="${cy}" text-anchor="middle" font-size="11" fill="#444" transform="rotate(-90 ${cx} ${cy})">${esc(panel.ylabel)}</text>`);
  }
  return out.join('\n');
}

/** A grid of panels with a title on top and one legend below. Returns the SVG text. */
export function smallMultiples({ title = '', subtitle = '', panels, cols = 2, panelWidth = 360, panelHeight = 230, legend = [] }) {
  const rows = Math.ceil(panels.length / cols);
  const head = title ? (subtitle ? 46 : 30) : 0;
  const perRow = Math.min(6, Math.max(1, legend.length));
  const legendRows = Math.ceil(legend.length / perRow), legendH = legend.length ? 10 + 20 * legendRows : 0;
  const width = cols * panelWidth, height = head + rows * panelHeight + legendH;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`];
  if (title) out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="700" fill="#111">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${width / 2}" y="38" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  panels.forEach((panel, k) => {
    out.push(panelSVG(panel, (k % cols) * panelWidth, head + Math.floor(k / cols) * panelHeight, panelWidth, panelHeight));
  });
  const itemW = Math.min(190, width / perRow);
  legend.forEach((item, k) => {
    const row = Math.floor(k / perRow), col = k % perRow, inRow = Math.min(perRow, legend.length - row * perRow);
    const x = width / 2 - (inRow * itemW) / 2 + col * itemW + 8, y = head + rows * panelHeight + 14 + row * 20;
    out.push(`<line x1="${x}" x2="${x + 26}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2.5"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/>`);
    out.push(`<circle cx="${x + 13}" cy="${y}" r="3" fill="${item.hollow ? '#fff' : item.color}" stroke="${item.color}" stroke-width="1.5"/>`);
    out.push(`<text x="${x + 32}" y="${y + 4}" font-size="12" fill="#222">${esc(item.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
