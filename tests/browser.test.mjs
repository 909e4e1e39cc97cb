// browser.test.mjs: the page in headless Chromium (Debian's), driven by playwright-core.
// Proves the binding works in a browser, not just in Node: the placeholder page
// computes a loss that matches Node's, and shows the C library's sentence on bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../web/server.mjs';
import { loadIAM } from '../wasm/iam.js';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server, context, userDataDir, base;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  userDataDir = mkdtempSync(join(tmpdir(), 'iam-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await context?.close();
  server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the placeholder page computes a loss in the browser that matches Node', async () => {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(base + '/');
  await page.waitForFunction(() => /^-?\d/.test(document.getElementById('loss').textContent));
  const shown = Number(await page.textContent('#loss'));
  const build = await page.textContent('#build');
  assert.match(build, /SIMD/, 'Chromium supports wasm SIMD, so the SIMD build must load');
  assert.match(await page.textContent('#notice'), /Placeholder/);

  // the same toy batch and config as the page, computed by the binding in Node
  const { n, d, c } = { n: 16, d: 3, c: 4 };
  let state = 7;
  const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const W = Float32Array.from({ length: c * d }, rand);
  const labels = Int32Array.from({ length: n }, (_, i) => i % c);
  const x = Float32Array.from({ length: n * d }, (_, k) => W[labels[Math.floor(k / d)] * d + (k % d)] + 0.6 * rand());
  const iam = await loadIAM({ simd: true });
  const r = iam.loss({ kind: 'arcface', scale: 10, margin: 0.3, beta: 0.5 }, { x, W, labels, n, d, c });
  assert.ok(Math.abs(shown - r.loss) <= 1e-4 * Math.abs(r.loss), `page shows ${shown}, Node computes ${r.loss}`);

  // bad input: the C library's sentence reaches the page, no exception escapes
  await page.fill('input[name=scale]', '-1');
  await page.waitForFunction(() => document.getElementById('error').textContent.length > 0);
  assert.match(await page.textContent('#error'), /scale must be > 0/);
  assert.equal(await page.textContent('#loss'), '—');
  await page.fill('input[name=scale]', '10');
  await page.waitForFunction(() => document.getElementById('error').textContent === '');
  await page.screenshot({ path: new URL('placeholder.png', ARTIFACTS).pathname, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
