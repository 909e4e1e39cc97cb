// lecture.test.mjs: the page as a lecturer uses it, in headless Chromium: stories that
// stop at the step their caption names, panels in lock-step, one panel restarted
// alone, presentation mode on a projector's screen and a phone, keys that work with
// any control focused, and links that replay a run. Screenshots go to tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { STORIES } from '../web/stories.js';
import { launchChromium, openDemo } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
let server, browser, base;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const open = (hash = '', viewport = { width: 1600, height: 1000 }) => openDemo(browser.context, base + hash, viewport);

const steps = (page) => page.evaluate(() => window.iamDemo.panels().map((p) => p.step));
const clock = (page) => page.evaluate(() => window.iamDemo.clock());

test('a story starts paused at step 0, plays to the step its caption names, and stops there', async () => {
  const story = STORIES.find((s) => s.id === 'room-circle');
  const { page, problems } = await open('#present=1', { width: 1280, height: 720 });
  await page.selectOption('#story', story.id);
  await page.waitForFunction(() => window.iamDemo.panels().length === 4 && window.iamDemo.panels().every((p) => p.step === 0));
  assert.equal((await clock(page)).playing, false, 'a story must not start by itself');
  assert.match(await page.textContent('#caption'), /by step 600/);
  await page.click('#play');
  await page.waitForFunction((stop) => window.iamDemo.panels().every((p) => p.step === stop) && !window.iamDemo.clock().playing,
    story.stops[0], { timeout: 60000 });
  assert.deepEqual(await steps(page), [600, 600, 600, 600]);
  // the caption's claim, on the screen: with IAM above 85°, without below 75°
  const panels = await page.evaluate(() => window.iamDemo.panels());
  for (const p of panels) {
    if (p.token.includes('iam')) assert.ok(p.metrics.min_weight_angle_deg > 85, `${p.token}: ${p.metrics.min_weight_angle_deg}°`);
    else assert.ok(p.metrics.min_weight_angle_deg < 75, `${p.token}: ${p.metrics.min_weight_angle_deg}°`);
  }
  // Play again goes on to the next stop the caption names
  assert.equal(await page.inputValue('#ctl-until'), String(story.stops[1]));
  assert.deepEqual(problems, []);
  await page.close();
});

test('lock-step: the panels are at the same step when paused; changing one panel restarts it alone', async () => {
  const { page, problems } = await open('#play=1');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 300));
  const before = await steps(page);
  // a new base loss for panel 2 (SphereFace → CosFace): only that panel starts again
  await page.selectOption('#p2 .panel-kind', 'cosface');
  await page.waitForFunction(() => window.iamDemo.panels()[2].token === 'cosface' && window.iamDemo.panels()[2].step < 300, null, { timeout: 10000 });
  const during = await steps(page);
  for (const k of [0, 1, 3, 4, 5]) assert.ok(during[k] >= before[k], `panel ${k} restarted (${before[k]} → ${during[k]})`);
  // it catches up, then all pause together at one step
  await page.waitForFunction((b) => window.iamDemo.panels()[2].step >= b, Math.max(...before), { timeout: 30000 });
  await page.click('#play');
  await page.waitForFunction(() => new Set(window.iamDemo.panels().map((p) => p.step)).size === 1 && !window.iamDemo.clock().playing);
  assert.match(await page.evaluate(() => location.hash), /panels=softmax,normface,cosface,cosface,arcface,arcface\+iam/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('presentation mode: every panel and the caption fit the screen at 1280×720 and 1920×1080', async () => {
  for (const viewport of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
    const { page, problems } = await open('#story=crowded&present=1', viewport);
    await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 0));
    await page.waitForTimeout(300);
    const box = await page.evaluate(() => {
      const rects = [...document.querySelectorAll('.panel')].map((p) => p.getBoundingClientRect());
      const caption = document.getElementById('caption').getBoundingClientRect();
      const canvas = document.querySelector('.panel-embed canvas').getBoundingClientRect();
      return { bottom: Math.max(...rects.map((r) => r.bottom)), right: Math.max(...rects.map((r) => r.right)),
        count: rects.length, captionTop: caption.top, captionHeight: caption.height, view: canvas.width,
        header: getComputedStyle(document.querySelector('.top')).display };
    });
    assert.equal(box.count, 4);
    assert.ok(box.bottom <= viewport.height && box.right <= viewport.width, `${viewport.width}: panels end at ${box.right}×${box.bottom}`);
    assert.ok(box.captionHeight > 0 && box.captionTop >= 0, 'the caption is on the screen');
    assert.equal(box.header, 'none', 'the header goes');
    assert.ok(box.view >= (viewport.width === 1920 ? 380 : 220), `the circles are ${box.view} px at ${viewport.width}`);
    await page.screenshot({ path: new URL(`present-${viewport.width}.png`, ARTIFACTS).pathname });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('on a 390 px phone nothing overflows and the panels come before the controls', async () => {
  const { page, problems } = await open('', { width: 390, height: 844 });
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 0));
  await page.waitForTimeout(300);
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    panelsTop: document.getElementById('panels').getBoundingClientRect().top,
    controlsTop: document.getElementById('controls').getBoundingClientRect().top,
    widest: Math.max(...[...document.querySelectorAll('.panel, .live-chart, .curve-chart')].map((e) => e.getBoundingClientRect().right)),
  }));
  assert.ok(layout.scrollWidth <= 390, `the page is ${layout.scrollWidth} px wide`);
  assert.ok(layout.widest <= 390, `an element reaches ${layout.widest} px`);
  assert.ok(layout.panelsTop < layout.controlsTop, 'the controls come first');
  await page.screenshot({ path: new URL('phone.png', ARTIFACTS).pathname });
  assert.deepEqual(problems, []);
  await page.close();
});

test('keys work with a slider or a select focused; space on a checkbox ticks it, not Play', async () => {
  const { page } = await open();
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 0));
  await page.focus('#ctl-classes');
  await page.keyboard.press('s');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 100));
  await page.focus('#ctl-data');
  await page.keyboard.press('s');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 200));
  await page.focus('#p0 .panel-iam');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.iamDemo.panels()[0].token === 'softmax+iam');
  assert.equal((await clock(page)).playing, false, 'space on the checkbox toggled Play');
  await page.close();
});

test('a link replays the run it was copied from, learning-rate changes included', async () => {
  const { page, problems } = await open('#play=1&panels=normface,arcface');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 200));
  await page.click('#play');
  await page.waitForFunction(() => !window.iamDemo.clock().playing && new Set(window.iamDemo.panels().map((p) => p.step)).size === 1);
  const at = (await steps(page))[0];
  await page.evaluate(() => {   // the learning-rate slider, moved mid-run: 10^-3
    const lr = document.getElementById('ctl-lr');
    lr.value = '-3';
    lr.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.match(await page.evaluate(() => location.hash), new RegExp(`lrat=${at}:0\\.001`));
  await page.fill('#ctl-until', String(at + 200));
  await page.click('#run-to');
  await page.waitForFunction((s) => window.iamDemo.panels().every((p) => p.step === s) && !window.iamDemo.clock().playing, at + 200);
  const original = await page.evaluate(() => window.iamDemo.panels().map((p) => p.metrics));
  const link = await page.evaluate(() => location.hash);
  await page.close();

  const replay = await open(link);
  assert.match(link, /play=1/, 'the link was copied from a page started with play=1, and says so');
  // it starts playing, as the page it came from did
  await replay.page.waitForFunction((s) => window.iamDemo.panels().every((p) => p.step === s) && !window.iamDemo.clock().playing, at + 200);
  const replayed = await replay.page.evaluate(() => window.iamDemo.panels().map((p) => p.metrics));
  assert.deepEqual(replayed, original, 'the same link, the same numbers');
  assert.deepEqual([...problems, ...replay.problems], []);
  await replay.page.close();
});

test('URL and controls agree: a value the controls cannot show is refused with a notice that goes away', async () => {
  const { page } = await open('#batch=100&s=7.5&panels=sphereface+fixed+iam,normface');
  const notices = await page.textContent('#notices');
  assert.match(notices, /batch=100/);
  assert.match(notices, /s=7\.5/);
  assert.equal(await page.inputValue('#ctl-batch'), '128');
  assert.equal(await page.inputValue('#ctl-scale'), '10');
  assert.deepEqual((await page.evaluate(() => window.iamDemo.panels())).map((p) => p.token), ['sphereface+iam+fixed', 'normface']);
  assert.match(await page.textContent('#p0 .panel-badge'), /λ fixed/);
  // a bad seed is refused and the box shows the seed that runs
  await page.fill('#ctl-seed', '-4');
  await page.press('#ctl-seed', 'Enter');
  await page.locator('#ctl-seed').blur();
  await page.waitForFunction(() => document.getElementById('notices').textContent.includes('seed'));
  assert.equal(await page.inputValue('#ctl-seed'), '1');
  // the next change is made: the old notices go
  await page.selectOption('#ctl-batch', '64');
  await page.waitForFunction(() => document.getElementById('notices').hidden);
  await page.close();
});

test('a story link alone is the story; the data note shows glyphs and what verification means', async () => {
  const { page } = await open('#story=crowded');
  assert.deepEqual((await page.evaluate(() => window.iamDemo.panels())).map((p) => p.token), ['normface', 'normface+iam', 'arcface', 'arcface+iam']);
  assert.match(await page.textContent('#caption'), /two pairs/);
  await page.close();

  const glyphs = await open('#data=spiral&classes=4');
  await glyphs.page.waitForFunction(() => !document.querySelector('#p0 .panel-input').hidden);
  await glyphs.page.selectOption('#ctl-data', 'glyphs');
  await glyphs.page.waitForFunction(() => document.querySelectorAll('#data-note canvas.glyph').length === 12);
  assert.ok(await glyphs.page.$$eval('.panel-input', (boxes) => boxes.every((b) => b.hidden)), 'the spiral\'s input plane stayed');
  await glyphs.page.close();

  const faces = await open('#data=identities&classes=20&play=1&until=100');
  await faces.page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 100));
  assert.match(await faces.page.textContent('#data-note'), /identities never trained on/);
  assert.match(await faces.page.textContent('#p0 .panel-stats'), /verify\s*\d+\.\d%/);
  await faces.page.close();
});

test('a hidden tab pauses training, and coming back resumes it', async () => {
  const { page } = await open('#play=1');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 50));
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  assert.equal((await clock(page)).playing, false);
  await setHidden(false);
  assert.equal((await clock(page)).playing, true);
  await page.close();
});

test('chart exports survive a panel change and carry a title and the names, at twice the size', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(base + '#play=1&until=200');
  await page.waitForFunction(() => window.iamDemo.clock().step === 200 && !window.iamDemo.clock().playing, null, { timeout: 60000 });
  await page.selectOption('#p1 .panel-kind', 'cosface');
  await page.waitForFunction(() => window.iamDemo.panels()[1].token === 'cosface');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart=loss] .chart-export')]);
  const png = await (await import('node:fs/promises')).readFile(await download.path());
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
  const chart = await page.$eval('[data-chart=loss] .chart-plot canvas', (c) => ({ width: c.getBoundingClientRect().width, height: c.getBoundingClientRect().height }));
  assert.equal(download.suggestedFilename(), 'loss-chart.png');
  assert.ok(Math.abs(width - 2 * chart.width) <= 2, `export ${width} px wide, chart ${chart.width} px`);
  assert.ok(height > 2 * chart.height, 'a title and a legend above the plot');
  assert.equal(await page.$$eval('.chart-export', (b) => b.length), 6, 'every chart and curve has its button');
  await page.close();
});

test('a control restarts only the panels it changes: the fixed-λ slider, with annealing on, only the fixed panel', async () => {
  const { page, problems } = await open('#story=sphereface-annealing&play=1&until=0');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 200));
  const before = await steps(page);
  await page.evaluate(() => {
    const lambda = document.getElementById('ctl-lambda');
    lambda.value = '3';
    lambda.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => window.iamDemo.panels()[1].step < 200);
  assert.ok((await steps(page))[0] >= before[0], 'the annealed panel restarted');
  // the badge says the panel does not anneal; its settings line (compare.js) gives the λ it trains
  assert.match(await page.textContent('#p1 .panel-badge'), /λ fixed/);
  assert.match(await page.getAttribute('#p1 .panel-badge', 'title'), /λ fixed at 3/);
  assert.match(await page.textContent('#p1 .panel-summary'), /λ 3(?![\d.])/);
  assert.deepEqual(problems, []);
  await page.close();
});
