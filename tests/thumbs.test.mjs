// thumbs.test.mjs: MNIST digits on hover, in headless Chromium. Hovering a point of an
// MNIST panel shows that sample's own digit in its card, and on the circle a thumbnail
// of it at its direction; both are read back from the canvases pixel by pixel and
// compared with the digit a trainer of the panel's config shows in Node at that index
// (trainer.shownInputs: the same test samples, in the snapshot's order). Bounded: one
// panel, a few hundred steps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { parseHash, panelConfig } from '../web/state.js';
import { digitGrey } from '../web/inspect.js';
import { thumbLayout } from '../web/view2d.js';
import { loadIAM } from '../wasm/iam.js';
import { loadMnist, mnistRows } from '../wasm/mnist.js';
import { launchChromium, openDemo } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const POINTS = 400;   // the samples a panel shows (web/worker.js)
const iam = await loadIAM();
const rows = mnistRows(await loadMnist());
let server, browser, base;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium({ viewport: { width: 1280, height: 720 } });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** The pixels (0..255) of shown test sample i of panel k of a hash, from a trainer in Node. */
function nodeDigit(hash, k, i) {
  const { state } = parseHash(hash);
  const t = iam.trainer(panelConfig(state, state.panels[k]), rows);
  const { x } = t.shownInputs({ points: POINTS, set: 'test' });
  t.free();
  return Array.from(x.subarray(i * 196, (i + 1) * 196), (v) => Math.round(v * 255));
}

/** Open the page at hash, train to `until`, hover sample i of panel 0; the card's state. */
async function hoverAt(hash, until, i) {
  const { page, problems } = await openDemo(browser.context, `${base}${hash}&until=${until}&play=1`);
  await page.waitForFunction((u) => window.iamDemo.panels()[0].step >= u && !window.iamDemo.clock().playing && window.iamDemo.digits(0),
    until, { timeout: 30000 });
  const [x, y] = await page.evaluate((n) => window.iamDemo.samplePosition(0, n), i);
  await page.mouse.move(x, y);
  await page.waitForSelector('#p0 .inspect-card[data-digit]:not([hidden])', { timeout: 10000 });
  await page.waitForTimeout(200);   // the view redraws with the focus
  return { page, problems };
}

// the card's digit canvas: side × side, grey = 255 − pixel
const cardDigit = (page) => page.$eval('#p0 .inspect-card', (card) => {
  const c = card.querySelector('canvas.inspect-digit'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return { index: +card.dataset.index, digit: +card.dataset.digit, side: c.width, cssWidth: c.getBoundingClientRect().width,
    greys: Array.from({ length: c.width * c.height }, (_, k) => d[4 * k]), gb: Array.from({ length: c.width * c.height }, (_, k) => [d[4 * k + 1], d[4 * k + 2]]) };
});

test('2-D: the hovered MNIST sample’s digit in the card and as a thumbnail at its direction are its own pixels', async () => {
  const hash = '#data=mnist&panels=arcface&dim=2&seed=1';
  const i = 23;
  const { page, problems } = await hoverAt(hash, 200, i);
  const want = nodeDigit(hash, 0, i);
  const card = await cardDigit(page);
  assert.equal(card.index, i, 'the card is about the hovered sample');
  assert.equal(card.digit, i, 'and its digit is that sample’s');
  assert.equal(card.side, 14);
  assert.ok(card.cssWidth >= 70, `drawn large (${card.cssWidth} px)`);
  assert.deepEqual(card.greys, want.map(digitGrey), 'the card’s digit is the sample’s pixels');
  assert.ok(card.gb.every(([g, b], k) => g === card.greys[k] && b === card.greys[k]), 'in grey');
  assert.ok(want.some((p) => p > 128), 'a digit has ink');

  // the focused thumbnail on the circle: on the sample's own direction, at thumbLayout's
  // radius, each pixel a scale × scale block of its grey
  const view = await page.evaluate((n) => {
    const snap = window.iamDemo.snapshot(0), c = document.querySelector('#p0 canvas.view2d');
    return { ux: snap.embedding[2 * n], uy: snap.embedding[2 * n + 1], size: c.getBoundingClientRect().width, dpr: devicePixelRatio };
  }, i);
  const { t, r } = thumbLayout(view.size, 14), s = t / 14, a = Math.atan2(view.uy, view.ux);
  const x0 = Math.round(view.size / 2 + r * Math.cos(a) - t / 2), y0 = Math.round(view.size / 2 - r * Math.sin(a) - t / 2);
  const thumb = await page.$eval('#p0 canvas.view2d', (c, [x, y, w, dpr]) => {
    const d = c.getContext('2d').getImageData(Math.round(x * dpr), Math.round(y * dpr), Math.round(w * dpr), Math.round(w * dpr));
    return { w: d.width, px: Array.from({ length: d.width * d.height }, (_, k) => d.data[4 * k]) };
  }, [x0, y0, t, view.dpr]);
  const block = thumb.w / 14;
  const drawn = Array.from({ length: 196 }, (_, k) => {
    const row = Math.floor(k / 14), col = k % 14;   // the centre of the pixel's block
    return thumb.px[Math.floor((row + 0.5) * block) * thumb.w + Math.floor((col + 0.5) * block)];
  });
  assert.ok(s >= 2, `thumbnails are scaled ×${s}`);
  assert.deepEqual(drawn, want.map(digitGrey), 'the thumbnail on the circle is the sample’s pixels');
  await page.locator('#p0').screenshot({ path: new URL('thumbs-2d.png', ARTIFACTS).pathname });
  await page.mouse.move(5, 5);
  await page.waitForSelector('#p0 .inspect-card', { state: 'hidden' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('3-D: the hovered MNIST sample’s digit in the card is its own pixels', async () => {
  const hash = '#data=mnist&panels=normface&dim=3&seed=2';
  const { page: probe, problems: first } = await openDemo(browser.context, `${base}${hash}&until=100&play=1`);
  await probe.waitForFunction(() => window.iamDemo.panels()[0].step >= 100 && document.querySelector('#p0 canvas'), null, { timeout: 30000 });
  // a sample on the near side of the sphere: one whose dot samplePosition finds
  const i = await probe.evaluate(() => { for (let n = 0; n < 400; n++) if (window.iamDemo.samplePosition(0, n)) return n; return -1; });
  assert.deepEqual(first, []);
  await probe.close();
  assert.ok(i >= 0, 'a sample is in sight');
  const { page, problems } = await hoverAt(hash, 100, i);
  const card = await cardDigit(page);
  assert.equal(card.index, card.digit);
  assert.deepEqual(card.greys, nodeDigit(hash, 0, card.index).map(digitGrey), 'the card’s digit is the hovered sample’s pixels');
  assert.deepEqual(problems, []);
  await page.close();
});
