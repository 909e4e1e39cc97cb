// dist.test.mjs: the demo taken anywhere (./build.sh dist), in headless Chromium. The
// static site from a sub-path of a plain static server (python3 -m http.server, as
// GitHub Pages serves /user/repo/), the single file from file://, each training six
// panels with no console error and no request but to itself; and the page opened the
// wrong way says what happened instead of staying blank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
let browser, python, site, port;

before(async () => {
  // built if missing, or from before the single file carried the MNIST digits
  const single = join(DIST, 'margin-losses.html');
  if (!existsSync(single) || !readFileSync(single, 'utf8').includes('data:application/octet-stream;base64,'))
    execFileSync(process.execPath, [join(ROOT, 'web/build-dist.mjs')]);
  // the site at /user/repo/ of a plain static server, and a copy with its .wasm missing
  site = mkdtempSync(join(tmpdir(), 'iam-site-'));
  for (const [path, wasm] of [['user/repo', true], ['broken', false]]) {
    mkdirSync(join(site, path), { recursive: true });
    cpSync(DIST, join(site, path), { recursive: true, filter: (src) => wasm || !src.endsWith('.wasm') });
  }
  port = 20000 + Math.floor(Math.random() * 20000);
  python = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: site, stdio: 'ignore' });
  for (let k = 0; k < 50; k++) {
    try { await fetch(`http://127.0.0.1:${port}/`); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  browser = await launchChromium({ viewport: { width: 1600, height: 1000 } });
});

after(async () => {
  await browser?.close();
  python?.kill();
  if (site) rmSync(site, { recursive: true, force: true });
});

/** Open url; return the page, its console errors and the schemes/hosts it requested. */
async function open(url, init) {
  const page = await browser.context.newPage();
  if (init) await page.addInitScript(init);
  const problems = [], requested = new Set();
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (req) => { const u = new URL(req.url()); requested.add(u.protocol === 'http:' ? u.origin : u.protocol); });
  await page.goto(url);
  return { page, problems, requested };
}

async function trainsSixPanels(page) {
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30000 });
  await page.waitForFunction(() => window.iamDemo.panels().length === 6 && window.iamDemo.panels().every((p) => p.step >= 100),
    null, { timeout: 60000 });
  const panels = await page.evaluate(() => window.iamDemo.panels());
  assert.ok(panels.every((p) => p.metrics && Object.values(p.metrics).every(Number.isFinite)));
}

test('the static site trains six panels from a sub-path of a plain static server, asking only itself', async () => {
  const origin = `http://127.0.0.1:${port}`;
  const { page, problems, requested } = await open(`${origin}/user/repo/#play=1`);
  await trainsSixPanels(page);
  assert.deepEqual([...requested], [origin]);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the single file trains six panels from file://, asking for nothing but file:, data: and blob:', async () => {
  const { page, problems, requested } = await open(`file://${join(DIST, 'margin-losses.html')}#play=1&dim=3`);
  await trainsSixPanels(page);
  await page.waitForFunction(() => document.querySelectorAll('.panel-embed canvas').length === 6);
  for (const scheme of requested) assert.ok(['file:', 'data:', 'blob:'].includes(scheme), `it requested ${scheme}`);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: join(ROOT, 'tests/artifacts/single-file.png') });
  await page.close();
});

test('MNIST from the single file opened as file://: the digits are inline, a panel trains, its test accuracy rises', async () => {
  const html = readFileSync(join(DIST, 'margin-losses.html'), 'utf8');
  const inline = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(html);
  assert.ok(inline, 'mnist.bin is inlined as a data: URL');
  assert.ok(Buffer.from(inline[1], 'base64').equals(readFileSync(join(ROOT, 'wasm/mnist.bin'))), 'byte for byte');
  const { page, problems, requested } = await open(`file://${join(DIST, 'margin-losses.html')}#data=mnist&panels=arcface&dim=2&seed=1&play=1&until=600`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30000 });
  await page.waitForFunction(() => window.iamDemo.panels()[0]?.step >= 50, null, { timeout: 60000 });
  const early = (await page.evaluate(() => window.iamDemo.panels()[0])).metrics.test_acc;
  await page.waitForFunction(() => window.iamDemo.panels()[0].step >= 600, null, { timeout: 90000 });
  const late = (await page.evaluate(() => window.iamDemo.panels()[0])).metrics.test_acc;
  assert.ok(late > early + 0.1 && late > 0.6, `test accuracy rises on real digits: ${early} at step ≥ 50, ${late} at 600`);
  assert.equal(await page.evaluate(() => window.iamDemo.digits(0)?.side), 14, 'the shown digits reached the panel');
  for (const scheme of requested) assert.ok(['file:', 'data:', 'blob:'].includes(scheme), `it requested ${scheme}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('opened the wrong way, the page says what happened and what to do', async () => {
  // the source page from a file: its modules are blocked
  const file = await open(`file://${join(ROOT, 'web/index.html')}`);
  await file.page.waitForSelector('#boot-problem:not([hidden])', { timeout: 10000 });
  assert.match(await file.page.textContent('#boot-problem'), /opened as a file.*margin-losses\.html/s);
  await file.page.close();
  // a copy without its .wasm
  const broken = await open(`http://127.0.0.1:${port}/broken/`);
  await broken.page.waitForSelector('#boot-problem:not([hidden])', { timeout: 10000 });
  assert.match(await broken.page.textContent('#boot-problem'), /WebAssembly library did not load/);
  await broken.page.close();
  // a browser without WebAssembly
  const old = await open(`http://127.0.0.1:${port}/user/repo/`, () => { delete globalThis.WebAssembly; });
  await old.page.waitForSelector('#boot-problem:not([hidden])', { timeout: 10000 });
  assert.match(await old.page.textContent('#boot-problem'), /no WebAssembly/);
  await old.page.close();
});
