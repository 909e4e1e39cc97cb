// inspect.test.mjs: the hover card, the force arrows, a dragged weight and the held-out
// view, in headless Chromium, each checked against what a trainer with the panel's own
// config computes in Node at the same step (the runs are deterministic: same wasm, same
// seed). Screenshots land in tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { parseHash, panelConfig } from '../web/state.js';
import { sampleFacts, FORCE_COLORS } from '../web/inspect.js';
import { loadIAM } from '../wasm/iam.js';
import { launchChromium, openDemo } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const iam = await loadIAM();
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

const shot = (page, name) => page.screenshot({ path: new URL(name, ARTIFACTS).pathname });

/** The page at a hash, played to `until` and paused there. */
async function openAt(hash, until) {
  const { page, problems } = await openDemo(browser.context, `${base}${hash}&until=${until}&play=1`);
  await page.waitForFunction((u) => window.iamDemo.panels().every((p) => p.step >= u) && !window.iamDemo.clock().playing,
    until, { timeout: 60000 });
  return { page, problems };
}

/** The trainer of panel k of a hash, in Node, at a step. */
function nodeTrainer(hash, k, steps) {
  const { state } = parseHash(hash);
  const t = iam.trainer(panelConfig(state, state.panels[k]));
  t.step(steps);
  return t;
}

const snapshotOf = (t) => ({ ...t.snapshot({ points: 400 }), forces: t.forces({ points: 400 }) });

test('the hover card shows the trainer’s own numbers for the sample under the pointer, and lights it up', async () => {
  const hash = '#panels=arcface,arcface+iam&classes=6&seed=2';
  const { page, problems } = await openAt(hash, 300);
  const i = 17;
  const [x, y] = await page.evaluate((n) => window.iamDemo.samplePosition(1, n), i);
  await page.mouse.move(x, y);
  await page.waitForSelector('#p1 .inspect-card:not([hidden])');
  await page.waitForFunction(() => window.iamDemo.snapshot(1).forces);
  const card = await page.$eval('#p1 .inspect-card', (c) => ({ index: +c.dataset.index, rows: [...c.querySelectorAll('dd')].map((d) => d.textContent) }));
  assert.equal(card.index, i, 'the card is about the sample under the pointer');
  const t = nodeTrainer(hash, 1, 300), facts = sampleFacts(snapshotOf(t), i);
  t.free();
  const fmt = (v, d) => v.toFixed(d).replace('-', '−');
  assert.deepEqual(card.rows, [`${fmt(facts.thetaOwn, 1)}°`, `${fmt(facts.thetaOther, 1)}°`, `${fmt(facts.margin, 1)}°`,
    fmt(facts.lossBase, 3), fmt(0.5 * facts.lossIam, 3), `${Math.round(100 * facts.iamShare)}%`]);
  // the sample margin is the angle to the nearest other weight less the angle to its own
  assert.ok(Math.abs(facts.margin - (facts.thetaOther - facts.thetaOwn)) < 0.05);
  await shot(page, 'hover-card.png');
  await page.mouse.move(5, 5);
  await page.waitForSelector('#p1 .inspect-card', { state: 'hidden' });
  assert.deepEqual(problems, []);
  await page.close();
});

// Pixels of a colour (within a tolerance) on each panel's circle.
function colourCount(page, hex) {
  const target = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  return page.$$eval('.panel-embed canvas.view2d', (canvases, rgb) => canvases.map((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let k = 0; k < data.length; k += 4)
      if (Math.abs(data[k] - rgb[0]) + Math.abs(data[k + 1] - rgb[1]) + Math.abs(data[k + 2] - rgb[2]) < 40) n++;
    return n;
  }), target);
}

for (const [name, hash, until] of [
  ['roomy', '#panels=arcface,arcface+iam&classes=4&seed=1&forces=1', 800],
  ['crowded', '#panels=arcface,arcface+iam&classes=12&seed=2&forces=1', 800],
]) {
  test(`forces, ${name} circle: the arrows are the library's gradients, IAM's only where IAM trains`, async () => {
    const { page, problems } = await openAt(hash, until);
    await page.waitForFunction(() => [0, 1].every((k) => window.iamDemo.snapshot(k).forces));
    await page.waitForTimeout(300);
    for (const k of [0, 1]) {
      const shown = await page.evaluate((n) => window.iamDemo.snapshot(n), k);
      const t = nodeTrainer(hash, k, until), f = t.forces({ points: 400 });
      t.free();
      for (const part of ['base', 'iam', 'weightBase', 'weightIam'])
        assert.deepEqual(Object.values(shown.forces[part]), Array.from(f[part]), `panel ${k}: ${part} is the trainer's own`);
    }
    const magenta = await colourCount(page, FORCE_COLORS.iam);
    assert.ok(magenta[0] < 20, `no IAM arrows without IAM (${magenta[0]} px)`);
    assert.ok(magenta[1] > 300, `IAM's arrows are drawn (${magenta[1]} px)`);
    await shot(page, `forces-${name}.png`);
    // off: no arrows
    await page.keyboard.press('f');
    await page.waitForTimeout(300);
    assert.ok((await colourCount(page, FORCE_COLORS.iam))[1] < 20, 'f hides the arrows');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a dragged weight: the view follows, the trainer computes from it, undo puts it back, play trains on', async () => {
  const hash = '#panels=arcface+iam&classes=4&seed=1';
  const { page, problems } = await openAt(hash, 600);
  const before = await page.evaluate(() => window.iamDemo.snapshot(0));
  const box = await page.$eval('#p0 canvas.view2d', (c) => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width]; });
  const [left, top, size] = box, cx = left + size / 2, cy = top + size / 2, tip = size * 0.33 * 1.22 + 6;
  const a0 = Math.atan2(before.weights[1], before.weights[0]);
  await page.mouse.move(cx + tip * Math.cos(a0), cy - tip * Math.sin(a0));
  await page.mouse.down();
  for (let s = 1; s <= 8; s++) {
    const a = a0 + (s / 8) * 0.9;
    await page.mouse.move(cx + tip * Math.cos(a), cy - tip * Math.sin(a));
  }
  await page.mouse.up();
  await page.waitForFunction(() => window.iamDemo.snapshot(0).edited);
  await page.waitForTimeout(300);
  const after = await page.evaluate(() => window.iamDemo.snapshot(0));
  const moved = Math.atan2(after.weights[1], after.weights[0]) - a0;
  assert.ok(Math.abs(moved - 0.9) < 0.03, `W0 turned by ${moved} rad`);
  // the trainer in Node, at the same step, with the same weight turned the same way
  const t = nodeTrainer(hash, 0, 600);
  t.setWeight(0, [after.weights[0], after.weights[1]]);
  const expect = snapshotOf(t), mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  t.free();
  assert.ok(Math.abs(after.metrics.min_weight_angle_deg - expect.metrics.min_weight_angle_deg) < 1e-3, 'the ring’s angles are the trainer’s');
  assert.ok(Math.abs(after.metrics.base - mean(expect.forces.lossBase)) < 1e-5, 'the loss is the trainer’s, on the shown samples');
  assert.ok(after.metrics.min_weight_angle_deg < before.metrics.min_weight_angle_deg, 'W0 moved toward a neighbour');
  assert.ok(after.metrics.base > before.metrics.base, 'and the loss rose');
  assert.match(await page.$eval('#p0 .panel-dragnote', (n) => (n.hidden ? '' : n.textContent)), /Moved by hand at step 600: W0/);
  await page.locator('#p0').screenshot({ path: new URL('dragged-weight.png', ARTIFACTS).pathname });
  await page.click('#p0 .panel-undo');
  await page.waitForFunction((w) => Math.abs(window.iamDemo.snapshot(0).weights[0] - w) < 1e-6, before.weights[0]);
  await page.keyboard.press('s');      // 100 more steps from the restored state
  await page.waitForFunction(() => window.iamDemo.panels()[0].step >= 700);
  const on = await page.evaluate(() => window.iamDemo.snapshot(0));
  assert.ok(!on.edited && Object.values(on.metrics).every(Number.isFinite));
  assert.deepEqual(problems, []);
  await page.close();
});

test('identities: the held-out people are drawn beside the trained classes', async () => {
  const hash = '#data=identities&panels=normface&classes=8&dim=2&seed=1';
  const { page, problems } = await openAt(hash, 400);
  const snap = await page.evaluate(() => window.iamDemo.snapshot(0));
  assert.ok(snap.heldout.labels.length >= 100);
  assert.ok(new Set(Object.values(snap.heldout.labels)).size >= 10, 'many held-out people');
  const ink = await page.$eval('#p0 canvas.heldoutview', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let k = 0; k < d.length; k += 4) if (d[k] < 200 || d[k + 1] < 200 || d[k + 2] < 200) n++;
    return n;
  });
  assert.ok(ink > 500, `the held-out view is drawn (${ink} px)`);
  await shot(page, 'heldout.png');
  assert.deepEqual(problems, []);
  await page.close();
});
