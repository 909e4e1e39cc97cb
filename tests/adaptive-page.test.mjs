// adaptive-page.test.mjs: the page's panels of the newer losses (issue 15): CurricularFace,
// AdaFace, MagFace, sub-centers, ElasticFace's spread and the detached margin.
// In Node: their margins against independent float64 formulas (LOSSES.md; src/loss.c),
// and the URL's panel settings. In headless Chromium, one page of four 2-D panels and
// one small 3-D panel (software WebGL is slow): the views draw, a dot's radius is its
// norm, the margin plot's values are the formula's, faint sub-centers are drawn.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../web/server.mjs';
import { parseHash, toHash, panelConfig, defaultState, withKind } from '../web/state.js';
import { targetOfTheta, hardSamples } from '../web/geometry.js';
import { marginCurves } from '../web/normplot.js';
import { targetLosses, formulaTex } from '../web/curves.js';
import { loadIAM } from '../wasm/iam.js';
import { lossPreset } from '../wasm/presets.js';
import { lib } from '../web/library.js';
import { launchChromium, openDemo, hasChromium } from './helpers.mjs';

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// ---- independent references (float64, written from LOSSES.md, not from geometry.js) ----
const clip = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
function refAda(m, h, mu, sigma, norm) {
  const z = clip((h * (clip(norm, 0.001, 100) - mu)) / (sigma + 1e-3), -1, 1);
  return { z, gAngle: -m * z, gAdd: m * z + m };
}
const refMag = ({ la, ua, lm, um }, norm) => lm + ((um - lm) * (clip(norm, la, ua) - la)) / (ua - la);
// the continuous ψ: cos φ up to π, then (−1)^k cos φ − 2k
const refPsi = (phi) => { const k = Math.floor(phi / Math.PI); return (k % 2 ? -1 : 1) * Math.cos(phi) - 2 * k; };

test('the margins that depend on the norm are the formulas: AdaFace’s g_angle, g_add and target, MagFace’s m(a)', () => {
  const ada = { kind: 'adaface', margin: 0.25, h: 0.333, normMean: 6, normStd: 2 };
  for (const norm of [0, 1.5, 6, 7.3, 12, 40, 150]) {
    const ref = refAda(0.25, 0.333, 6, 2, norm);
    const { series } = marginCurves(ada, norm, 2);   // the curve's last point is at this norm
    close(series.find((s) => s.id === 'gAngle').values[1], ref.gAngle, 1e-12, `g_angle at ${norm}`);
    close(series.find((s) => s.id === 'gAdd').values[1], ref.gAdd, 1e-12, `g_add at ${norm}`);
    for (const theta of [0.05, 0.6, 1.5, 3.0]) {
      const phase = theta + ref.gAngle, want = phase < 0 ? 1 - ref.gAdd : refPsi(phase) - ref.gAdd;
      close(targetOfTheta(ada, theta, norm), want, 1e-12, `AdaFace target at ‖x‖ ${norm}, θ ${theta}`);
    }
  }
  // a low norm gets ArcFace's margin, μ CosFace's, a high one cos(θ − m) − 2m
  const narrow = { ...ada, normStd: 1 };   // ẑ reaches ±1 within 3 of μ
  close(targetOfTheta(narrow, 1, 1), Math.cos(1.25), 1e-12, 'ẑ = −1');
  close(targetOfTheta(narrow, 1, 6), Math.cos(1) - 0.25, 1e-12, 'ẑ = 0');
  close(targetOfTheta(narrow, 1, 100), Math.cos(0.75) - 0.5, 1e-12, 'ẑ = +1');
  const mag = { kind: 'magface', la: 2, ua: 20, lm: 0.1, um: 0.5, fallback: 'continuous' };
  for (const norm of [0.5, 2, 5, 11, 20, 33]) {
    close(marginCurves(mag, norm, 2).series[0].values[1], refMag(mag, norm), 1e-12, `m(a) at ${norm}`);
    close(targetOfTheta(mag, 2.9, norm), refPsi(2.9 + refMag(mag, norm)), 1e-12, `MagFace target at ${norm}`);
  }
  // CurricularFace's target is ArcFace's; the 'none' fallback is plain cos(θ + m)
  close(targetOfTheta({ kind: 'curricularface', margin: 0.3 }, 3, 1), refPsi(3.3), 1e-12, 'CurricularFace');
  close(targetOfTheta({ kind: 'arcface', margin: 0.3, fallback: 'none' }, 3), Math.cos(3.3), 1e-12, 'fallback none');
});

test('CurricularFace’s hard samples: a negative nearer than the target f_y = cos(θ_y + m)', () => {
  // two classes on the x axis's ends and one on y; samples at chosen angles from class 0
  const at = (deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
  const snap = {
    dim: 2, classes: 3, labels: Int32Array.from([0, 0, 0]), subcenters: null,
    embedding: Float32Array.from([...at(10), ...at(40), ...at(80)]), weights: Float32Array.from([1, 0, ...at(90), -1, 0]),
    loss: { kind: 'curricularface', margin: 0.5, t: 0.3 },
  };
  // f_y = cos(θ + 0.5 rad = 28.6°) against cos(90° − θ) of class 1: hard when θ + 28.6° > 90° − θ
  const want = [10, 40, 80].map((deg) => (Math.cos((deg * Math.PI) / 180 + 0.5) < Math.cos(((90 - deg) * Math.PI) / 180) ? 1 : 0));
  assert.deepEqual(Array.from(hardSamples(snap)), want);
  assert.deepEqual(want, [0, 1, 1]);
});

test('the curves and formulas of the newer losses: drawn when their panels are, the formulas typeset with the values', () => {
  assert.deepEqual(targetLosses({}).map((l) => l.id), ['normface', 'sphereface', 'cosface', 'arcface', 'combined']);
  const ids = targetLosses({ kinds: ['adaface', 'magface', 'curricularface'] }).map((l) => l.id);
  assert.deepEqual(ids.slice(5), ['curricularface', 'adafaceLow', 'adafaceMid', 'adafaceHigh', 'magfaceLow', 'magfaceHigh']);
  const tex = Object.fromEntries(formulaTex({}).map((f) => [f.id, f.tex]));
  const curricular = lib.defaults('loss_config', lossPreset('curricularface', 2)).margin.toFixed(2);
  assert.ok(tex.curricularface.includes(`10\\cos(\\theta_y + ${curricular})`), tex.curricularface);
  assert.match(tex.adaface, /\\cos\(\\theta_y - 0\.25\\,\\hat z\) - 0\.25/);
  assert.match(tex.magface, /m\(a\) = 0\.0333\\,\(a - 1\) \+ 0\.10/);
});

test('the URL holds the new settings: they round-trip, reach the trainer, and a bad one is refused with a notice', async () => {
  const tokens = ['adaface+iam:m=0.3:h=0.5', 'magface:la=2:ua=20:lm=0.05:um=0.5:lg=2', 'curricularface:m=0.4:fb=none:K=2',
    'arcface:K=3:sd=0.05:dm=1', 'cosface:sd=0.1'];
  const state = { ...defaultState(), panels: tokens, seed: 11 };
  const back = parseHash(toHash(state));
  assert.deepEqual(back.notices, []);
  assert.deepEqual(back.state, state);
  const loss = (k) => panelConfig(state, tokens[k]).loss;
  assert.deepEqual([loss(0).margin, loss(0).h, loss(0).beta], [0.3, 0.5, 0.5]);
  assert.deepEqual([loss(1).la, loss(1).ua, loss(1).lm, loss(1).um, loss(1).lambdaG], [2, 20, 0.05, 0.5, 2]);
  assert.deepEqual([loss(2).fallback, loss(2).subcenters], ['none', 2]);
  assert.deepEqual([loss(3).subcenters, loss(3).marginStd, loss(3).detachMargin], [3, 0.05, true]);
  // what the page sends, the library takes
  const iam = await loadIAM();
  for (const token of tokens) {
    const t = iam.trainer(panelConfig(state, token));
    t.step(2);
    assert.equal(t.subcenters, loss(tokens.indexOf(token)).subcenters ?? 1, token);
    t.free();
  }
  // a bad value goes, with a sentence that says what is allowed; the rest of the link stays
  for (const [setting, rule] of [['K=0', /K=0 \(for ArcFace it must be an integer from 1 to 64\)/],
    ['K=100', /K=100 \(for ArcFace it must be an integer from 1 to 64\)/], ['sd=2', /sd=2 \(for ArcFace it must be a number from 0 to 1/]]) {
    const { state: s, notices } = parseHash(`#panels=arcface:${setting}:m=0.3,adaface:h=0.5&seed=7&classes=5`);
    assert.deepEqual(s.panels, ['arcface:m=0.3', 'adaface:h=0.5'], setting);
    assert.deepEqual([s.seed, s.classes], [7, 5]);
    assert.equal(notices.length, 1);
    assert.match(notices[0], rule);
  }
  // another base loss keeps K (it means the same there), not ArcFace's own σ; Softmax has no K
  assert.equal(withKind('arcface:K=3:sd=0.1', 'adaface', false), 'adaface:K=3');
  assert.equal(withKind('arcface:K=3', 'softmax', false), 'softmax');
  const mag = parseHash('#panels=magface:la=12:lg=3');
  assert.deepEqual(mag.state.panels, ['magface:lg=3']);
  assert.match(mag.notices[0], /la=12 and ua=10: MagFace's la must be below its ua/);
  assert.match(parseHash('#panels=softmax:K=2').notices[0], /K applies to the cosine losses \(not Softmax\) only/);
  assert.match(parseHash('#panels=adaface:sd=0.1').notices[0], /ElasticFace’s margin spread σ applies to ArcFace and CosFace only/);
});

// ---- the page ----------------------------------------------------------------

let server, browser, base;
before(async () => {
  if (!hasChromium) return;
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium({ viewport: { width: 1280, height: 720 } });
});
after(async () => { await browser?.close(); server?.close(); });

const STEPS = 200;
const waitFor = (page, step) => page.waitForFunction((s) => window.iamDemo.panels().every((p) => p.step >= s && !p.problem), step, { timeout: 120_000 });

/** The share of a canvas's pixels that are not the white paper. */
const inked = (page, selector) => page.$$eval(selector, (canvases) => canvases.map((c) => {
  const copy = Object.assign(document.createElement('canvas'), { width: c.width, height: c.height });
  const ctx = copy.getContext('2d');
  ctx.drawImage(c, 0, 0);
  const px = ctx.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let k = 0; k < px.length; k += 4) if (px[k] < 235 || px[k + 1] < 235 || px[k + 2] < 235) ink++;
  return ink / (px.length / 4);
}));

test('the new panels draw: radius = ‖x‖, the margin plot is the formula, sub-centers faint, CurricularFace’s t', { skip: !hasChromium }, async () => {
  const tokens = ['adaface', 'magface', 'curricularface', 'arcface:K=3'];
  const { page, problems } = await openDemo(browser.context, `${base}#panels=${tokens.join(',')}&classes=6&until=${STEPS}&play=1&speed=5`);
  try {
    await waitFor(page, STEPS);
    await page.waitForTimeout(300);   // the last snapshot drawn
    for (const [k, share] of (await inked(page, '.view2d')).entries()) assert.ok(share > 0.05, `panel ${tokens[k]}: ${share} of the view inked`);
    for (const share of await inked(page, '.norm-plot')) assert.ok(share > 0.02, `a margin plot with ${share} inked`);
    assert.equal(await page.locator('.norm-plot').count(), 2, 'a margin plot for AdaFace and MagFace only');

    for (const k of [0, 1]) {
      const { snap, drawn, positions, rect } = await page.evaluate((k) => {
        const snap = window.iamDemo.snapshot(k), r = document.querySelectorAll('.view2d')[k].getBoundingClientRect();
        return { snap, drawn: window.iamDemo.drawn(k), rect: [r.left, r.top],
          positions: [0, 7, 50, 123, 399].map((i) => window.iamDemo.samplePosition(k, i)) };
      }, k);
      const top = Math.max(...Object.values(snap.norms));
      close(drawn.normScale.norm, top, 1e-6, 'the largest norm is at the circle');
      [0, 7, 50, 123, 399].forEach((i, q) => {
        const [x, y] = positions[q], r = Math.hypot(x - rect[0] - drawn.normScale.centre[0], y - rect[1] - drawn.normScale.centre[1]);
        close(r, (drawn.normScale.R * snap.norms[i]) / top, 0.05, `${tokens[k]} sample ${i}: radius against ‖x‖ = ${snap.norms[i]}`);
      });
      // the plot's curves at a few of its norms, against the formula with this snapshot's state
      const { curves } = drawn.normPlot, L = snap.loss;
      for (const q of [0, 17, 60, 99, 120]) {
        const norm = curves.norm[q];
        if (L.kind === 'adaface') {
          const ref = refAda(L.margin, L.h, L.normMean, L.normStd, norm);
          close(curves.series[0].values[q], ref.gAngle, 1e-9, `g_angle at ${norm}`);
          close(curves.series[1].values[q], ref.gAdd, 1e-9, `g_add at ${norm}`);
        } else close(curves.series[0].values[q], refMag(L, norm), 1e-9, `m(a) at ${norm}`);
      }
    }
    const sc = await page.evaluate(() => ({ drawn: window.iamDemo.drawn(3).subcenters, snap: window.iamDemo.snapshot(3).subcenters }));
    assert.equal(sc.snap.weights && Object.keys(sc.snap.weights).length, 6 * 3 * 2, 'K = 3: 18 sub-centers of 2-D');
    assert.equal(sc.drawn, 6 * 2, 'every sub-center but the dominant one is drawn faintly');
    assert.equal(await page.evaluate(() => window.iamDemo.drawn(0).subcenters), 0, 'K = 1: none');
    // CurricularFace's t: in its numbers, as the trainer has it
    const t = await page.evaluate(() => window.iamDemo.snapshot(2).loss.t);
    assert.ok(t > 0 && t <= 1, `t = ${t}`);
    const stats = await page.locator('.panel').nth(2).locator('.panel-stats').textContent();
    assert.ok(stats.includes(`t${t.toFixed(3)}`), stats);
    assert.deepEqual(problems, []);
  } finally { await page.close(); }
});

test('on a sphere: faint sub-centers, AdaFace’s norms as heights, and a bad K in the link is refused, the rest of it kept', { skip: !hasChromium }, async () => {
  const { page, problems } = await openDemo(browser.context, `${base}#panels=arcface:K=2,cosface:K=100,adaface&dim=3&classes=4&seed=9&until=20&play=1&speed=5`);
  try {
    assert.match(await page.textContent('#notices'), /K=100 \(for CosFace it must be an integer from 1 to 64\)/);
    const state = await page.evaluate(() => window.iamDemo.state());
    assert.deepEqual([state.panels, state.seed, state.dim, state.classes], [['arcface:K=2', 'cosface', 'adaface'], 9, 3, 4]);
    await waitFor(page, 20);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.iamDemo.drawn(0).subcenters), 4, 'K = 2, 4 classes: 4 faint sub-centers');
    assert.equal(await page.evaluate(() => window.iamDemo.drawn(1).subcenters), 0);
    // AdaFace on a sphere: a dot's height above it is its norm, the largest at the top
    const ada = await page.evaluate(() => ({ drawn: window.iamDemo.drawn(2), norms: Object.values(window.iamDemo.snapshot(2).norms) }));
    close(ada.drawn.normScale.norm, Math.max(...ada.norms), 1e-6, 'the highest dot is the largest norm');
    assert.match(await page.locator('.panel').nth(2).locator('canvas').first().getAttribute('aria-label'), /height above the sphere is its feature norm/);
    assert.deepEqual(problems, []);
  } finally { await page.close(); }
});
