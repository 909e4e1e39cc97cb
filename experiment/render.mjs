// render.mjs: the paper's Fig. 2 in miniature, drawn by the page's own code.
//
// The snapshots are trained in Node (the worker threads); this module serves the
// checkout (web/server.mjs), opens an in-memory page on that origin in headless
// Chromium, draws each snapshot with web/view2d.js's CircleView, the very
// drawing code of the demo, and screenshots the grid as a PNG.
import { startServer } from '../web/server.mjs';
import { launchChromium } from '../tests/helpers.mjs';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function pageHTML({ heading, note, columns, rows, size }) {
  const head = columns.map((c) => `<div class="colhead">${esc(c)}</div>`).join('');
  const body = rows.map((row, r) => `<div class="rowhead">${esc(row.label)}</div>` + row.cells.map((cell, k) =>
    `<div class="cell"><div class="view" id="v${r}_${k}"></div><div class="cap">${esc(cell.caption)}</div></div>`).join('')).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>fig2</title><style>
  body { margin: 0; background: #fff; font: 14px system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222; }
  #grid { display: inline-grid; grid-template-columns: 134px repeat(${columns.length}, ${size}px); gap: 4px 6px; padding: 12px 14px 14px; background: #fff; }
  h1 { grid-column: 1 / -1; font-size: 17px; margin: 0 0 2px; }
  .note { grid-column: 1 / -1; font-size: 12px; color: #555; margin-bottom: 6px; }
  .colhead { font-weight: 600; text-align: center; font-size: 15px; }
  .rowhead { font-weight: 600; align-self: center; font-size: 14px; }
  .cap { text-align: center; font-size: 12px; color: #333; margin-top: -4px; }
  </style></head><body><div id="grid"><h1>${esc(heading)}</h1><div class="note">${esc(note)}</div>
  <div></div>${head}${body}</div></body></html>`;
}

/**
 * Draw a grid of 2-D snapshots with CircleView and write it to pngPath.
 * grid = { heading, note, columns: [names], rows: [{ label, cells: [{ caption, snapshot }] }] }.
 * Throws when Chromium or playwright-core is missing; the caller decides what to do.
 */
export async function renderFeatureGrid(grid, pngPath, { size = 250 } = {}) {
  const server = await startServer({ port: 0 });
  const origin = `http://127.0.0.1:${server.address().port}`;
  let browser;
  try {
    browser = await launchChromium({ viewport: { width: 200 + grid.columns.length * (size + 6), height: 900 }, deviceScaleFactor: 1 });
    const page = await browser.context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    // the page lives at a URL of the served origin, so that it may import /web/view2d.js
    const url = `${origin}/web/__experiment_fig2.html`;
    await page.route(url, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: pageHTML({ ...grid, size }) }));
    await page.goto(url);
    const snapshots = grid.rows.map((row) => row.cells.map((cell) => cell.snapshot));
    await page.evaluate(async ({ snapshots, size }) => {
      const { CircleView } = await import('/web/view2d.js');
      snapshots.forEach((row, r) => row.forEach((snap, k) => {
        const view = new CircleView(document.getElementById(`v${r}_${k}`), { size });
        view.update(snap);
      }));
    }, { snapshots, size });
    if (problems.length) throw new Error(`the figure page reported: ${problems.join('; ')}`);
    await page.locator('#grid').screenshot({ path: pngPath });
  } finally {
    await browser?.close();
    server.close();
  }
}

/** Render an SVG file to a PNG (to look at a plot; the report links the SVG). */
export async function svgToPng(svgText, pngPath) {
  const browser = await launchChromium({ viewport: { width: 1600, height: 1200 } });
  try {
    const page = await browser.context.newPage();
    await page.setContent(`<!doctype html><body style="margin:0;background:#fff">${svgText}</body>`);
    await page.locator('svg').first().screenshot({ path: pngPath });
  } finally {
    await browser.close();
  }
}
