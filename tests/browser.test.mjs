// browser.test.mjs: the demo end to end, in Debian's headless Chromium (no GPU),
// driven by playwright-core. Screenshots land in tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { toHash, defaultState } from '../web/state.js';
import { launchChromium, openDemo } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);

let server, browser, context, base;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium({ viewport: { width: 1600, height: 1000 } });
  context = browser.context;
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const open = (hash = '') => openDemo(context, base + hash);

const shot = (page, name, opts = {}) => page.screenshot({ path: new URL(name, ARTIFACTS).pathname, ...opts });

// How many pixels of a canvas differ from white, and how many distinct colours it has.
function canvasInk(page, selector) {
  return page.$$eval(selector, (canvases) => canvases.map((canvas) => {
    let data;
    if (canvas.getContext('2d')) data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let ink = 0;
    for (let k = 0; k < data.length; k += 4) {
      if (data[k] < 245 || data[k + 1] < 245 || data[k + 2] < 245) ink++;
      colours.add((data[k] >> 4) * 256 + (data[k + 1] >> 4) * 16 + (data[k + 2] >> 4));
    }
    return { ink: ink / (data.length / 4), colours: colours.size };
  }));
}

test('the page loads without errors and trains all six panels, drawing each one', async () => {
  const { page, problems } = await open('#play=1');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 200), null, { timeout: 30000 });
  const first = await page.evaluate(() => window.iamDemo.panels());
  assert.equal(first.length, 6);
  assert.deepEqual(first.map((p) => p.token), defaultState().panels);
  await page.waitForTimeout(1500);
  const later = await page.evaluate(() => window.iamDemo.panels());
  for (let k = 0; k < 6; k++) {
    assert.ok(later[k].step > first[k].step, `panel ${k} did not advance (${first[k].step} → ${later[k].step})`);
    assert.ok(Object.values(later[k].metrics).every(Number.isFinite), `panel ${k} has a non-finite metric`);
  }
  const inks = await canvasInk(page, '.panel-embed canvas');
  assert.equal(inks.length, 6);
  inks.forEach(({ ink, colours }, k) => {
    assert.ok(ink > 0.05, `embedding canvas ${k} is nearly blank (${(100 * ink).toFixed(1)}% ink)`);
    assert.ok(colours > 12, `embedding canvas ${k} has only ${colours} colours: no classes drawn`);
  });
  const inputs = await canvasInk(page, '.panel-input canvas');
  assert.equal(inputs.length, 6, 'blobs are 2-D inputs: every panel shows the input plane');
  inputs.forEach(({ ink }, k) => assert.ok(ink > 0.5, `input view ${k} has no heatmap`));
  await shot(page, 'demo-six-panels.png');
  await shot(page, 'demo-full-page.png', { fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('changing β redraws the IAM push curve and restarts the IAM panel with the new β', async () => {
  const { page, problems } = await open('#play=1');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 50));
  const chart = page.locator('[data-chart=iam-push] canvas').first();
  const before = await chart.screenshot();
  await page.evaluate(() => {
    const beta = document.getElementById('ctl-beta');
    beta.value = '2';
    beta.dispatchEvent(new Event('input', { bubbles: true }));
    beta.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForTimeout(400);
  const afterShot = await chart.screenshot();
  assert.notDeepEqual(afterShot, before, 'the IAM push curve did not change with β');
  assert.match(await page.evaluate(() => location.hash), /beta=2(&|$)/);
  assert.equal(await page.evaluate(() => window.iamDemo.state().beta), 2);
  // the IAM panel restarted and trains with β = 2: its loss = base + 2·iam
  await page.waitForFunction(() => window.iamDemo.panels()[5].step >= 100);
  const iamPanel = (await page.evaluate(() => window.iamDemo.panels()))[5];
  assert.equal(iamPanel.token, 'arcface+iam');
  const m = iamPanel.metrics;
  assert.ok(Math.abs(m.loss - (m.base + 2 * m.iam)) < 1e-3 * (1 + Math.abs(m.loss)), `loss ${m.loss} != base ${m.base} + 2·iam ${m.iam}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a URL reproduces its state, and a malformed one falls back with notices', async () => {
  const wanted = { ...defaultState(), data: 'spiral', classes: 5, seed: 42, panels: ['cosface', 'arcface+iam'], beta: 0.3, lr: 0.005, speed: 2 };
  const { page, problems } = await open(toHash(wanted));
  const state = await page.evaluate(() => window.iamDemo.state());
  for (const key of ['data', 'classes', 'seed', 'beta', 'lr', 'speed']) assert.equal(state[key], wanted[key], key);
  assert.deepEqual(state.panels, wanted.panels);
  assert.equal(await page.evaluate(() => location.hash), toHash(wanted), 'the page rewrote the hash differently');
  assert.equal(await page.$$eval('.panel', (p) => p.length), 2);
  assert.equal(await page.inputValue('#ctl-classes'), '5');
  assert.ok(await page.isHidden('#notices'), 'a valid link produced notices');
  assert.deepEqual(problems, []);
  await page.close();

  const bad = await open('#classes=99&panels=arcface+iam,bogus&s=-3&beta=abc&data=cifar&zzz=1&seed=%E0%A4%A&play=1');
  const fallback = await bad.page.evaluate(() => window.iamDemo.state());
  const def = defaultState();
  for (const key of ['classes', 'panels', 'scale', 'beta', 'data', 'seed']) assert.deepEqual(fallback[key], def[key], key);
  const notices = await bad.page.textContent('#notices');
  for (const word of ['classes=99', 'panels=', 's=-3', 'beta=abc', 'data=cifar', "'zzz'"]) assert.ok(notices.includes(word), `no notice for ${word}: ${notices}`);
  await bad.page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step > 0));
  assert.deepEqual(bad.problems, []);
  await shot(bad.page, 'demo-bad-link.png');
  await bad.page.close();
});

test('links named after built-in properties load the page, on load and on a hash change (issue 16)', async () => {
  const hostile = ['#constructor=1', '#__proto__=1', '#toString', '#hasOwnProperty=x', '#classes=4&valueOf=1'];
  const { page, problems } = await open(hostile[0]);
  assert.match(await page.textContent('#notices'), /unknown setting 'constructor'/);
  for (const hash of hostile.slice(1)) {
    await page.evaluate((h) => { location.hash = h; }, hash);
    const key = /([a-zA-Z_]+)(=[^&]*)?$/.exec(hash)[1];
    await page.waitForFunction((k) => document.querySelector('#notices').textContent.includes(`unknown setting '${k}'`), key);
    assert.equal(await page.$$eval('.panel', (p) => p.length), defaultState().panels.length, hash);
  }
  assert.equal((await page.evaluate(() => window.iamDemo.state())).classes, 4, 'the valid part of the last link applies');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the 3-D view draws spheres with three.js', async () => {
  const { page, problems } = await open(toHash({ ...defaultState(), dim: 3, panels: ['normface', 'arcface+iam'], play: true }));
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 100), null, { timeout: 30000 });
  await page.waitForTimeout(500);
  const shots = await page.locator('.panel-embed canvas').evaluateAll((canvases) => canvases.map((c) => c.toDataURL('image/png').length));
  assert.equal(shots.length, 2);
  shots.forEach((len, k) => assert.ok(len > 20000, `sphere ${k} looks empty (${len} bytes of PNG)`));
  await shot(page, 'demo-3d.png');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a diverging panel says so, offers a reset, and draws no NaN', async () => {
  const { page, problems } = await open(toHash({ ...defaultState(), panels: ['softmax', 'normface'], optimizer: 'sgd', lr: 5, play: true }));
  await page.waitForSelector('#p0.is-diverged', { timeout: 30000 });
  const text = await page.textContent('#p0 .panel-diverged');
  assert.match(text, /Diverged at step \d+/);
  assert.ok(await page.isVisible('#p0 .panel-reset'));
  const panels = await page.evaluate(() => window.iamDemo.panels());
  assert.ok(Object.values(panels[0].metrics).every(Number.isFinite), 'a NaN reached the page');
  await shot(page, 'demo-diverged.png');
  // recover: lower the learning rate. With a panel stopped, the new rate is the run's
  // rate (a replayed change at a later step would only diverge again), so the panels
  // restart with it, and the link says so
  await page.evaluate(() => {
    const lr = document.getElementById('ctl-lr');
    lr.value = '-2';
    lr.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => !document.querySelector('#p0').classList.contains('is-diverged') && window.iamDemo.panels()[0].step > 50);
  assert.match(await page.evaluate(() => location.hash), /lr=0\.01(&|$)/);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /lrat=/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: the page starts paused; space plays and pauses, s adds 100 steps, r resets', async () => {
  const { page } = await open();
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 0));
  await page.waitForTimeout(600);
  assert.ok((await page.evaluate(() => window.iamDemo.panels())).every((p) => p.step === 0), 'it trained before Play');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 30));
  await page.keyboard.press(' ');
  // paused: every panel stops at the same step (lock-step), and stays there
  await page.waitForFunction(() => new Set(window.iamDemo.panels().map((p) => p.step)).size === 1);
  const paused = (await page.evaluate(() => window.iamDemo.panels()))[0].step;
  await page.waitForTimeout(500);
  assert.ok((await page.evaluate(() => window.iamDemo.panels())).every((p) => p.step === paused), 'still training after space');
  await page.keyboard.press('s');
  await page.waitForFunction((before) => window.iamDemo.panels().every((p) => p.step === before + 100), paused);
  await page.keyboard.press('r');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 0));
  await page.close();
});
