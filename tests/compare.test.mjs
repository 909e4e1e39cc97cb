// compare.test.mjs: comparisons on the page, end to end in headless Chromium: the
// paper's sweeps in one click, each panel training its own value, the per-panel
// settings in the URL and back after a reload, and panels added, duplicated, edited
// and removed while the others train on. Screenshots land in tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { sweepTokens, SWEEPS } from '../web/state.js';
import { launchChromium, openDemo } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const SCREEN = { width: 1280, height: 720 };

let server, browser, base;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium({ viewport: SCREEN });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const demo = (page) => page.evaluate(() => ({ panels: window.iamDemo.panels(), state: window.iamDemo.state(), hash: location.hash }));
const summaries = (page) => page.$$eval('.panel-summary', (nodes) => nodes.map((n) => n.textContent));
// the loss each panel's worker trained its last step with (float32, so rounded)
const trainedLoss = (page) => page.evaluate(() => window.iamDemo.panels().map((_, k) => window.iamDemo.snapshot(k).loss));
// every panel on one screen (presentation mode, key p), as a lecture shows a sweep
async function presentShot(page, name) {
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.body.classList.contains('present'));
  await page.waitForTimeout(500);                    // the layout, and the numbers of the paused panels
  await page.screenshot({ path: new URL(name, ARTIFACTS).pathname });
}
const round = (v) => Math.round(v * 1e6) / 1e6;
const pausedAt = (page, step) => page.waitForFunction((s) => window.iamDemo.panels().every((p) => p.step === s) && !window.iamDemo.clock().playing,
  step, { timeout: 30000 });

test('the β sweep: one click, four panels, each trains its own β; the link holds them and a reload restores them', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#speed=5&until=300`);
  await page.click('#sweep-beta');
  const tokens = sweepTokens('arcface+iam', 'b');
  await page.waitForFunction((n) => window.iamDemo.panels().length === n, tokens.length);
  let { panels, state, hash } = await demo(page);
  assert.deepEqual(panels.map((p) => p.token), tokens);
  assert.deepEqual(state.panels, tokens);
  assert.ok(hash.includes(`&panels=${tokens.join(',')}&`), hash);
  assert.deepEqual((await summaries(page)).map((t) => t.split('\u2009')[0]), SWEEPS.b.map((b) => `β ${b}•`), 'each header names its own β first');
  await page.click('#play');
  await pausedAt(page, 300);
  const losses = await trainedLoss(page);
  assert.deepEqual(losses.map((l) => round(l.beta)), SWEEPS.b);
  assert.ok(losses.every((l) => l.kind === 'arcface' && round(l.margin) === state.arcMargin), 'all else equal');
  ({ panels } = await demo(page));
  panels.forEach((p, k) => assert.ok(Math.abs(p.metrics.loss - (p.metrics.base + SWEEPS.b[k] * p.metrics.iam)) < 1e-3 * (1 + Math.abs(p.metrics.loss)), p.token));
  const [zero, , , two] = panels.map((p) => p.metrics);
  assert.ok(Math.abs(two.min_weight_angle_deg - zero.min_weight_angle_deg) > 5 && two.iam < zero.iam,
    `β = 0 and β = 2 trained alike: ${zero.min_weight_angle_deg}° vs ${two.min_weight_angle_deg}°`);
  assert.match(await page.textContent('#charts'), /ArcFace \+ IAM β=0\.1/, 'the charts tell the panels apart');
  await presentShot(page, 'sweep-beta-1280.png');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  ({ panels, state } = await demo(page));
  assert.deepEqual(panels.map((p) => p.token), tokens);
  assert.deepEqual(state.panels, tokens);
  assert.deepEqual((await summaries(page)).map((t) => t.split('\u2009')[0]), SWEEPS.b.map((b) => `β ${b}•`));
  assert.ok(await page.isHidden('#notices'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the m sweep, then duplicate, edit and remove: the panels not touched train on, a bad value is refused', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#speed=5&until=200`);
  await page.click('#sweep-margin');
  const tokens = sweepTokens('arcface', 'm');
  await page.waitForFunction((t) => window.iamDemo.panels().map((p) => p.token).join() === t.join(), tokens);
  await page.click('#play');
  await pausedAt(page, 200);
  assert.deepEqual((await trainedLoss(page)).map((l) => round(l.margin)), SWEEPS.m.arcface);
  assert.deepEqual((await summaries(page)).map((t) => t.split('\u2009')[0]), SWEEPS.m.arcface.map((m) => `m ${m}•`));
  assert.match(await page.textContent('#charts'), /ArcFace m=0\.5/);
  await presentShot(page, 'sweep-m-1280.png');
  await page.keyboard.press('p');
  const runs = async () => Object.fromEntries((await demo(page)).panels.map((p) => [p.id, p.run]));
  const before = await runs();

  // duplicate the middle panel: a new panel beside it catches up to step 200, the others train on
  await page.click('#p1 .panel-summary');
  await page.click('#p1 .panel-duplicate');
  await pausedAt(page, 200);
  let { panels } = await demo(page);
  assert.deepEqual(panels.map((p) => p.token), [tokens[0], tokens[1], tokens[1], tokens[2]]);
  assert.deepEqual(panels.map((p) => p.id), ['p0', 'p1', 'p3', 'p2']);
  assert.deepEqual(await runs(), { ...before, p3: 1 }, 'only the new panel started');

  // the copy's own s: only it restarts; a value off the field's grid is refused with a notice
  await page.click('#p3 .panel-summary');
  await page.fill('#p3 input[name=panel-s]', '30');
  await page.press('#p3 input[name=panel-s]', 'Enter');
  await page.waitForFunction(() => window.iamDemo.panels()[2].token === 'arcface:s=30:m=0.3');
  await pausedAt(page, 200);
  assert.deepEqual(await runs(), { ...before, p3: 2 });
  assert.equal((await trainedLoss(page))[2].scale, 30);
  await page.fill('#p3 input[name=panel-s]', '7.5');
  await page.press('#p3 input[name=panel-s]', 'Enter');
  await page.waitForFunction(() => !document.getElementById('notices').hidden);
  assert.match(await page.textContent('#notices'), /the scale s of ArcFace s=30 m=0\.3 must be a number from 1 to 64 in steps of 1/);
  assert.equal((await demo(page)).panels[2].token, 'arcface:s=30:m=0.3');
  assert.equal(await page.inputValue('#p3 input[name=panel-s]'), '30', 'the box shows what runs');
  await page.keyboard.press('Escape');

  // remove the first panel: the rest train on
  await page.click('#p0 .panel-summary');
  await page.click('#p0 .panel-remove');
  await page.waitForFunction(() => window.iamDemo.panels().length === 3);
  const after = await runs();
  assert.deepEqual(after, { p1: before.p1, p3: 2, p2: before.p2 });

  // a global slider sets every panel: their own margins go, the own s stays
  await page.evaluate(() => {
    const m = document.getElementById('ctl-arcMargin');
    m.value = '0.25';
    m.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => window.iamDemo.state().arcMargin === 0.25);
  const { state, hash } = await demo(page);
  assert.deepEqual(state.panels, ['arcface', 'arcface:s=30', 'arcface']);
  assert.match(hash, /&panels=arcface,arcface:s=30,arcface&/);
  assert.match(await page.getAttribute('#ctl-arcMargin', 'title'), /every panel/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('panels can be added up to six, and a sweep with no room says so', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#panels=arcface`);
  for (let n = 2; n <= 6; n++) {
    await page.click('#add-panel');
    await page.waitForFunction((k) => window.iamDemo.panels().length === k, n);
  }
  assert.ok(await page.isDisabled('#add-panel'));
  await page.click('#p0 .panel-summary');
  assert.ok(await page.isDisabled('#p0 .panel-duplicate'));
  assert.ok(await page.$$eval('#p0 .panel-sweep', (b) => b.length > 0 && b.every((x) => x.disabled)));
  assert.deepEqual(problems, []);
  await page.close();
});
