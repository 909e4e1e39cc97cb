// data-page.test.mjs: real data and your own data on the page (issue 12), end to end in
// headless Chromium: MNIST trains in the panels and sends its digits, points placed on
// the input plane join every panel's set and a shift-click takes one away, a small set
// lives in the link (and a mangled one is a notice), a CSV in (a bad one is a sentence
// with its line and column, and nothing is lost), and a run saved and opened again is at
// the same step with the same numbers. Screenshots land in tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_LR_CHANGES } from '../wasm/presets.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { launchChromium, openDemo } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const SCREEN = { width: 1280, height: 720 };

let server, browser, base;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium({ viewport: SCREEN, acceptDownloads: true });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const panels = (page) => page.evaluate(() => window.iamDemo.panels());
const notices = (page) => page.$eval('#notices', (n) => (n.hidden ? '' : n.textContent));
const arrived = (page, step) => page.waitForFunction((s) => window.iamDemo.panels().every((p) => p.step === s && p.metrics),
  step, { timeout: 60000 });
// a click on panel 0's input plane at the input point (x, y), scrolled into view first
async function clickInput(page, x, y) {
  await page.locator('.panel-input canvas.inputview').first().scrollIntoViewIfNeeded();
  const at = await page.evaluate(([px, py]) => window.iamDemo.inputPosition(0, px, py), [x, y]);
  await page.mouse.click(at[0], at[1]);
}
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('MNIST trains in the page: test accuracy above 0.5 within 600 steps, the shown digits arrive', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#data=mnist&panels=arcface,normface&speed=5&until=600&play=1`);
  await arrived(page, 600);
  const state = await page.evaluate(() => window.iamDemo.state());
  assert.equal(state.classes, 10);
  assert.equal(state.lr, 0.002, 'the MNIST preset’s learning rate');
  assert.deepEqual(state.lrChanges, DATA_LR_CHANGES.mnist.map((c) => ({ ...c })), 'and its change');
  assert.equal(state.cosMargin, 0.15, 'and its CosFace margin');
  assert.ok(await page.$eval('#ctl-classes', (n) => n.disabled), 'classes are fixed for MNIST');
  for (const p of await panels(page)) assert.ok(p.metrics.test_acc > 0.5, `${p.token}: ${p.metrics.test_acc}`);
  assert.deepEqual(await page.evaluate(() => window.iamDemo.digits(0)), { count: 400, side: 14 });
  assert.equal(await page.$$eval('#data-note canvas.glyph', (c) => c.length), 30, 'three example digits of each class');
  assert.match(await page.$eval('#data-note', (n) => n.textContent), /1,000 held-out digits/);
  await page.screenshot({ path: new URL('data-mnist.png', ARTIFACTS).pathname });
  assert.deepEqual(problems, []);
  await page.close();
});

test('points placed on the input plane join every panel’s set; shift-click removes; clear, then a few points train', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#panels=arcface,cosface&classes=3&speed=5&until=100&play=1`);
  await arrived(page, 100);
  const generated = await page.evaluate(() => window.iamDemo.inputCount(0));   // the test set only
  const place = async (x, y, shift = false) => {
    const run = (await panels(page))[0].run;
    if (shift) await page.keyboard.down('Shift');
    await clickInput(page, x, y);
    if (shift) await page.keyboard.up('Shift');
    await page.waitForFunction((r) => window.iamDemo.panels().every((p) => p.run > r || p.run === undefined) &&
      window.iamDemo.inputCount(0) > 0 && window.iamDemo.inputCount(1) === window.iamDemo.inputCount(0), run);
  };
  await page.click('.class-swatch[data-class="1"]');
  await place(0, 0);
  const first = await page.evaluate(() => window.iamDemo.ownSet());
  assert.equal(first.classes, 3);
  assert.ok(first.rows > generated, 'the set is now the generated train and test sets and the point');
  await place(0.5, 0.5);
  await place(-0.5, 0.5);
  let set = await page.evaluate(() => window.iamDemo.ownSet());
  assert.equal(set.rows, first.rows + 2);
  assert.equal(await page.evaluate(() => window.iamDemo.state().data), 'rows');
  await page.click('#play');   // every panel retrains from step 0 on it (the clock had paused at 100)
  await arrived(page, 100);
  for (const k of [0, 1]) assert.equal(await page.evaluate((i) => window.iamDemo.inputCount(i), k), set.rows, `panel ${k} shows the whole set`);
  await place(-0.5, 0.5, true);
  set = await page.evaluate(() => window.iamDemo.ownSet());
  assert.equal(set.rows, first.rows + 1, 'shift-click removed the nearest point');
  assert.ok(!(await page.evaluate(() => location.hash)).includes('pts='), 'a large set is not in the link');
  assert.match(await page.$eval('#data-note', (n) => n.textContent), /too many for the link/);

  // clear: nothing to train on until two classes have points enough
  await page.click('#points-clear');
  assert.equal(await page.evaluate(() => window.iamDemo.pending()), 0);
  assert.match(await notices(page), /two classes or more/);
  for (const [x, y, c] of [[-1, 0, 0], [-1.2, 0.2, 0], [-0.8, -0.2, 0], [1, 0, 1], [1.2, 0.2, 1], [0.8, -0.2, 1]]) {
    await page.click(`.class-swatch[data-class="${c}"]`);
    await clickInput(page, x, y);
  }
  await page.waitForFunction(() => window.iamDemo.ownSet()?.rows === 6 && window.iamDemo.pending() === null);
  await page.click('#play');
  await arrived(page, 100);
  assert.match(await page.evaluate(() => location.hash), /pts=[-0-9.:,]+/, 'a small set is in the link');
  await page.screenshot({ path: new URL('data-points.png', ARTIFACTS).pathname });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a small set round-trips through the link; a mangled pts= is a notice and the page still trains', async () => {
  const pts = '-1:0:0,-1.2:0.2:0,-0.8:-0.2:0,1:0:1,1.2:0.2:1,0.8:-0.25:1';
  const { page, problems } = await openDemo(browser.context, `${base}#data=rows&pts=${pts}&panels=arcface&speed=5&until=50&play=1`);
  await arrived(page, 50);
  const state = await page.evaluate(() => window.iamDemo.state());
  assert.equal(state.data, 'rows');
  assert.equal(state.classes, 2);
  assert.ok((await page.evaluate(() => location.hash)).includes(`pts=${pts}`));
  assert.equal(await page.evaluate(() => window.iamDemo.inputCount(0)), 6);
  assert.equal(await notices(page), '');

  await page.goto(`${base}#data=rows&pts=1:2:0,x:1:1&panels=arcface&speed=5&until=50&play=1`);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  assert.match(await notices(page), /ignored pts=1:2:0,x:1:1/);
  assert.equal(await page.evaluate(() => window.iamDemo.state().data), 'blobs');
  await arrived(page, 50);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad CSV is its sentence, with line and column, and the panels train on; a good one trains', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#panels=arcface&speed=5&until=100&play=1`);
  await arrived(page, 100);
  const before = (await panels(page))[0];
  await page.setInputFiles('#csv-import-file', csvFile('bad.csv', 'x,y,label\n1,2,a\n3,,b\n'));
  await page.waitForFunction(() => !document.getElementById('notices').hidden);
  assert.match(await notices(page), /bad\.csv was not imported: line 3, column 2/);
  const after = (await panels(page))[0];
  assert.equal(after.run, before.run, 'the panel did not restart');
  assert.equal(after.step, 100);
  assert.equal(await page.evaluate(() => window.iamDemo.state().data), 'blobs');

  const rows = Array.from({ length: 60 }, (_, i) => `${(i % 3) + (i % 2 ? 4 : 0)},${(i % 5) * 0.1},${i % 2 ? 'dog' : 'cat'}`);
  await page.setInputFiles('#csv-import-file', csvFile('good.csv', `x,y,label\n${rows.join('\n')}\n`));
  await page.waitForFunction(() => window.iamDemo.state().data === 'rows');
  assert.match(await notices(page), /good\.csv: 60 rows of 2 values in 2 classes/);
  await page.click('#play');
  await arrived(page, 100);
  assert.ok((await panels(page))[0].metrics.test_acc > 0.9);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Save, then Open: the same step and the same numbers; a foreign file is refused in a sentence', async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#panels=arcface,cosface+iam&speed=5&until=200&play=1`);
  await arrived(page, 200);
  const saved = (await panels(page)).map((p) => p.metrics);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#run-save')]);
  assert.equal(download.suggestedFilename(), 'margin-losses-run.iamrun');
  const bytes = readFileSync(await download.path());

  await page.keyboard.press('r');                       // start again: step 0
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step === 0));
  await page.setInputFiles('#run-open-file', { name: 'margin-losses-run.iamrun', mimeType: 'application/octet-stream', buffer: bytes });
  await arrived(page, 200);
  assert.deepEqual((await panels(page)).map((p) => p.metrics), saved, 'the same numbers, exactly');
  assert.deepEqual(await page.evaluate(() => window.iamDemo.clock()).then((c) => [c.target, c.playing]), [200, false]);
  assert.match(await notices(page), /continues at step 200/);

  const run = (await panels(page)).map((p) => p.run);
  await page.setInputFiles('#run-open-file', { name: 'notes.iamrun', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, not a run') });
  await page.waitForFunction(() => /was not opened/.test(document.getElementById('notices').textContent));
  assert.match(await notices(page), /^notes\.iamrun was not opened: the file is not a saved run/);
  assert.deepEqual((await panels(page)).map((p) => p.run), run, 'nothing restarted');
  assert.deepEqual((await panels(page)).map((p) => p.step), [200, 200]);
  assert.deepEqual(problems, []);
  await page.close();
});
