// faults.test.mjs: faults in the page (issue 16), in headless Chromium. A panel's worker
// that throws, traps in the WebAssembly library, closes or is killed is noticed; its
// panel says so and stops, the other panels train on, and the panel's restart (its own
// button, or the page's reset) brings it back with a new worker. The faults are
// injected through window.iamDemo.injectFault (main.js → panel.js → worker.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../web/server.mjs';
import { launchChromium, openDemo } from './helpers.mjs';

let server, browser, base;
before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/web/`;
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
});
after(async () => {
  await browser?.close();
  server?.close();
});

const panels = (page) => page.evaluate(() => window.iamDemo.panels());
// the faults the page reports itself, on purpose: the tests' own injected errors
const unexpected = (problems) => problems.filter((p) => !/injected|unreachable/.test(p));

async function playing(hash = '#play=1') {
  const demo = await openDemo(browser.context, base + hash);
  await demo.page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 50), null, { timeout: 60000 });
  return demo;
}

// panel k shows the stopped notice within `within` ms while the others keep training
async function faultIsContained(page, k, kind, { within = 15000 } = {}) {
  const t0 = Date.now();
  await page.evaluate(([k, kind]) => window.iamDemo.injectFault(k, kind), [k, kind]);
  await page.waitForFunction((k) => window.iamDemo.panels()[k].problem !== null, k, { timeout: within });
  const noticedMs = Date.now() - t0;
  const at = await panels(page);
  assert.match(at[k].problem, /^The training worker stopped \(.+\)\.$/, `panel ${k}'s notice: ${at[k].problem}`);
  assert.equal(at[k].worker, false, 'the dead worker is let go');
  assert.ok(await page.isVisible(`#${at[k].id} .panel-reset`), 'a restart is offered');
  assert.equal(await page.textContent(`#${at[k].id} .panel-reset`), 'Restart this panel');
  await page.waitForTimeout(2500);
  const later = await panels(page);
  assert.equal(later[k].step, at[k].step, 'the faulted panel trains no more');
  for (let j = 0; j < later.length; j++)
    if (j !== k) assert.ok(later[j].step > at[j].step, `panel ${j} trains on (${at[j].step} → ${later[j].step})`);
  return { noticedMs, at, later };
}

// the panel's own button: a new worker, from step 0 up to where the others are, training on
async function restartWorks(page, k) {
  const before = (await panels(page))[k];
  await page.click(`#${before.id} .panel-reset`);
  await page.waitForFunction(([k, run]) => { const p = window.iamDemo.panels()[k]; return p.run > run && p.step >= 50; },
    [k, before.run], { timeout: 60000 });
  const first = (await panels(page))[k];
  await page.waitForTimeout(1500);
  const then = (await panels(page))[k];
  assert.equal(then.problem, null, 'the notice is gone');
  assert.equal(then.worker, true);
  assert.ok(then.step > first.step, `the restarted panel trains (${first.step} → ${then.step})`);
  assert.ok(Object.values(then.metrics).every(Number.isFinite), 'its metrics are finite');
}

test('an error thrown in the worker stops that panel once, with a notice, and its restart works', async () => {
  const { page, problems } = await playing();
  const { at } = await faultIsContained(page, 1, 'throw');
  assert.match(at[1].problem, /an injected error/);
  assert.equal(at[1].faults, 1, 'reported once');
  await restartWorks(page, 1);
  // an uncaught one, from a timer, is the same
  const uncaught = await faultIsContained(page, 2, 'uncaught');
  assert.match(uncaught.at[2].problem, /an injected uncaught error/);
  await restartWorks(page, 2);
  assert.deepEqual(unexpected(problems), []);
  await page.close();
});

test('a WebAssembly trap in a step is contained to its panel, which restarts', async () => {
  const { page, problems } = await playing();
  const { at } = await faultIsContained(page, 3, 'trap');
  assert.match(at[3].problem, /the WebAssembly library trapped \(unreachable\) in a training step/);
  await restartWorks(page, 3);
  assert.deepEqual(unexpected(problems), []);
  await page.close();
});

test('a worker that closes or is killed is noticed by the heartbeat; the page reset revives it', async () => {
  const { page, problems } = await playing();
  const closed = await faultIsContained(page, 0, 'close');
  assert.match(closed.at[0].problem, /has not answered for \d+ s/);
  await restartWorks(page, 0);
  const killed = await faultIsContained(page, 4, 'terminate');
  assert.match(killed.at[4].problem, /has not answered/);
  // Reset (the r key) restarts every panel, the dead one with a new worker
  await page.keyboard.press('r');
  if (!(await page.evaluate(() => window.iamDemo.clock().playing))) await page.keyboard.press(' ');
  await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.problem === null && p.worker && p.step >= 50),
    null, { timeout: 60000 });
  assert.equal(page.workers().length, 6, 'one worker per panel, the dead ones gone');
  assert.deepEqual(unexpected(problems), []);
  await page.close();
});

test('a paused page raises no false alarm, and heartbeats stay short while training', async () => {
  const { page, problems } = await playing();
  await page.keyboard.press(' ');      // pause
  await page.waitForTimeout(9000);     // longer than a dead worker is given
  const paused = await panels(page);
  assert.ok(paused.every((p) => p.problem === null && p.worker), 'no panel was given up while paused');
  const slowest = Math.max(...paused.map((p) => p.slowestBeatMs));
  console.log(`# the slowest heartbeat answer: ${slowest.toFixed(0)} ms`);
  assert.ok(slowest < 3000, `a heartbeat took ${slowest} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});
