// view3d.test.mjs: the 3-D sphere view (web/view3d.js).
//
// In Node: its pure helpers (unit rows, the f(θ) table, the great-circle arc, the
// aria text). In headless Chromium: that the regions the GPU paints are the ones
// geometry.js's classifyDirection computes (the shader repeats its argmax in GLSL),
// and that odd snapshots (NaN, one class, antipodal or collapsed weights) draw
// without errors. Pixels are read back from the canvas (preserveDrawingBuffer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as THREE from 'three';
import { unitRows, targetTable, GreatCircleArc, describeView, regionKey, TARGET_SAMPLES } from '../web/view3d.js';
import { targetOfTheta } from '../web/geometry.js';
import { hasChromium, launchChromium } from './helpers.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);

test('unitRows normalizes rows and flags the ones that cannot be', () => {
  const { dirs, valid } = unitRows(Float32Array.from([3, 0, 4, 0, 0, 0, NaN, 1, 0, 0, -2, 0]), 4);
  assert.deepEqual([...valid], [1, 0, 0, 1]);
  assert.deepEqual([...dirs.subarray(0, 3)].map((v) => +v.toFixed(6)), [0.6, 0, 0.8]);
  assert.deepEqual([...dirs.subarray(9, 12)], [0, -1, 0]);
  assert.ok(dirs.every(Number.isFinite));
});

test('the f(θ) table is targetOfTheta sampled on [0, π], for every kind', () => {
  const losses = [
    { kind: 'normface' }, { kind: 'cosface', margin: 0.2 }, { kind: 'arcface', margin: 0.3 },
    { kind: 'arcface', margin: 0.5, fallback: 'insightface' }, { kind: 'sphereface', margin: 4, lambda: 5 },
    { kind: 'combined', m1: 1, m2: 0.3, m3: 0.1 },
  ];
  for (const loss of losses) {
    const table = targetTable(loss);
    assert.equal(table.length, TARGET_SAMPLES);
    for (const k of [0, 1, 300, TARGET_SAMPLES - 1]) {
      assert.ok(Math.abs(table[k] - targetOfTheta(loss, (Math.PI * k) / (TARGET_SAMPLES - 1))) < 1e-6, `${loss.kind} at ${k}`);
    }
    assert.ok(table.every(Number.isFinite));
  }
  // the table is re-made when the margin moves, not when only the scale does
  assert.notEqual(regionKey({ kind: 'arcface', margin: 0.3 }, 8), regionKey({ kind: 'arcface', margin: 0.4 }, 8));
  assert.equal(regionKey({ kind: 'arcface', margin: 0.3, scale: 10 }, 8), regionKey({ kind: 'arcface', margin: 0.3, scale: 30 }, 8));
});

test('the great-circle arc joins its ends through their bisector, even when they are antipodal', () => {
  const a = new THREE.Vector3(1, 0, 0), b = new THREE.Vector3(0, 1, 0);
  const arc = new GreatCircleArc(a, b, 1.5);
  assert.ok(arc.getPoint(0).distanceTo(a.clone().multiplyScalar(1.5)) < 1e-9);
  assert.ok(arc.getPoint(1).distanceTo(b.clone().multiplyScalar(1.5)) < 1e-9);
  assert.ok(arc.getPoint(0.5).distanceTo(new THREE.Vector3(1, 1, 0).normalize().multiplyScalar(1.5)) < 1e-9);
  for (let t = 0; t <= 1; t += 0.125) assert.ok(Math.abs(arc.getPoint(t).length() - 1.5) < 1e-9);

  const viewer = new THREE.Vector3(0, 0, 1);
  const half = new GreatCircleArc(a, a.clone().negate(), 1, viewer);
  const mid = half.getPoint(0.5);
  assert.ok(Math.abs(mid.dot(a)) < 1e-9, 'the bisector is perpendicular to both ends');
  assert.ok(mid.dot(viewer) > 0.5 && mid.dot(viewer) < 0.9, 'tilted toward the viewer, not edge-on');
  // a viewer straight along the weights still gives a finite arc
  const along = new GreatCircleArc(a, a.clone().negate(), 1, a.clone());
  for (let t = 0; t <= 1; t += 0.25) assert.ok(Number.isFinite(along.getPoint(t).length()));
});

test('the aria text names the loss, the counts and the smallest angle', () => {
  const text = describeView({ loss: { kind: 'arcface' }, classes: 8, samples: 400, pair: { i: 2, j: 5, deg: 61.26 }, limitDeg: 74.86 });
  assert.match(text, /ArcFace for 8 classes, with the margin band/);
  assert.match(text, /400 test samples/);
  assert.match(text, /61\.3° \(classes 2 and 5\), packing limit 74\.9°/);
  assert.doesNotMatch(describeView({ loss: { kind: 'softmax' }, classes: 1, samples: 0, pair: null }), /band|classes/);
});

// --- in the browser --------------------------------------------------------

let server, browser, context, base;

// The test page: mounts two views, and exposes a probe that renders the sphere alone
// and compares its pixels with classifyDirection.
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>view3d test</title>
<script type="importmap">{ "imports": { "three": "/node_modules/three/build/three.module.js",
  "three/addons/": "/node_modules/three/examples/jsm/" } }</script></head>
<body style="margin:0;background:#fff"><div id="a" style="display:inline-block"></div><div id="b" style="display:inline-block"></div>
<script type="module">
import * as THREE from 'three';
import { SphereView } from '/web/view3d.js';
import { classifyDirection } from '/web/geometry.js';
window.THREE = THREE; window.SphereView = SphereView; window.classifyDirection = classifyDirection;
window.ready = true;
</script></body></html>`;

before(async () => {
  if (!hasChromium) return;
  const { startServer } = await import('../web/server.mjs');
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium({ viewport: { width: 800, height: 400 } });
  context = browser.context;
  await context.route('**/view3d-test.html', (route) => route.fulfill({ body: PAGE, contentType: 'text/html' }));
  mkdirSync(ARTIFACTS, { recursive: true });
});

// Not a test: a screenshot of two spheres for the record (tests/artifacts/view3d.png).
async function screenshotForTheRecord() {
  const { page } = await openTestPage();
  await page.evaluate(() => {
    new SphereView(document.getElementById('a'), { size: 360 }).update(makeSnapshot('arcface'));
    new SphereView(document.getElementById('b'), { size: 360 }).update(makeSnapshot('softmax'));
  });
  await page.screenshot({ path: new URL('view3d.png', ARTIFACTS).pathname });
  await page.close();
}

after(async () => {
  if (context) await screenshotForTheRecord();
  await browser?.close();
  server?.close();
});

/** The test page, ready, with makeSnapshot defined in it, and the errors it reports. */
async function openTestPage() {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(base + '/view3d-test.html');
  await page.waitForFunction(() => window.ready);
  await page.evaluate(`window.makeSnapshot = ${snapshotSource()}`);
  return { page, problems };
}

/** In the page: a toy snapshot, 8 classes near a square antiprism with noisy samples. */
function snapshotSource() {
  return (kind, { classes = 8, seed = 3, margin = 0.3 } = {}) => {
    let state = seed;
    const rand = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
    const W = [];
    for (let k = 0; k < classes; k++) {
      const top = k < 4, az = (k % 4) * Math.PI / 2 + (top ? 0 : Math.PI / 4), polar = top ? 0.97 : Math.PI - 0.97;
      const w = [Math.sin(polar) * Math.cos(az) + 0.2 * rand(), Math.cos(polar) + 0.2 * rand(), Math.sin(polar) * Math.sin(az) + 0.2 * rand()];
      const n = Math.hypot(...w); W.push(w.map((v) => v / n));
    }
    const n = classes * 40, embedding = new Float32Array(n * 3), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % classes;
      const u = W[labels[i]].map((v) => v + 0.4 * rand()), m = Math.hypot(...u);
      embedding.set(u.map((v) => v / m), 3 * i);
    }
    return {
      dim: 3, classes, embedding, labels, weights: Float32Array.from(W.flat()),
      weightNorms: Float32Array.from({ length: classes }, (_, k) => 0.6 + 0.1 * k),
      loss: { kind, scale: 10, margin, m1: 1, m2: margin, m3: 0, beta: 0.5, lambda: 0, fallback: 'continuous' },
      metrics: { packing_limit_deg: 74.86, step: 100 },
    };
  };
}

test('the sphere paints the regions that classifyDirection computes', { skip: !hasChromium && 'no Chromium' }, async () => {
  const { page, problems } = await openTestPage();

  for (const [kind, margin] of [['arcface', 0.3], ['softmax', 0], ['cosface', 0.25], ['sphereface', 2]]) {
    const result = await page.evaluate(({ kind, margin }) => {
      const view = new SphereView(document.getElementById('a'), { size: 300 });
      // 7 classes: the 8th colour is grey, which the colour test below cannot tell from the band
      const snap = makeSnapshot(kind, { margin, classes: 7 });
      view.update(snap);
      // the sphere alone: no dots, arrows, arc or text in front of it
      view.samples.visible = view.arrows.visible = view.arc.visible = view.ghostArc.visible = false;
      view.text.quad.visible = false;
      view._render();
      const gl = view.renderer.getContext(), w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
      const pixels = new Uint8Array(w * h * 4);
      gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);

      const toLinear = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      const unit = (v) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
      // lights are white, so a lit pixel is its albedo times a scalar: compare directions in RGB
      const candidates = [];
      for (let k = 0; k < snap.classes; k++) candidates.push({ key: `${k}`, rgb: unit([...view._colors.pastel.subarray(3 * k, 3 * k + 3)]) });
      candidates.push({ key: 'band', rgb: unit(view._regionUniforms.uBandColor.value.toArray()) });
      const weights = view._regionUniforms.uWeights.value.slice(0, snap.classes).flatMap((v) => v.toArray());
      const raycaster = new THREE.Raycaster(), ndc = new THREE.Vector2();
      const sphere = new THREE.Sphere(new THREE.Vector3(), 1), hit = new THREE.Vector3();
      const decide = (px, py) => {
        ndc.set((px + 0.5) / w * 2 - 1, 1 - (py + 0.5) / h * 2);
        raycaster.setFromCamera(ndc, view.camera);
        if (!raycaster.ray.intersectSphere(sphere, hit)) return null;
        const facing = -hit.clone().normalize().dot(raycaster.ray.direction);
        const r = classifyDirection(hit.toArray(), weights, 3, snap.loss, snap.weightNorms);
        return { key: r.inMargin ? `${r.cls}` : 'band', facing };
      };
      let checked = 0, agree = 0;
      const disagreements = [];
      for (let py = 2; py < h - 2; py += 5) {
        for (let px = 2; px < w - 2; px += 5) {
          const here = decide(px, py);
          if (!here || here.facing < 0.3) continue;   // off the sphere, or on its darkened rim
          // skip pixels within 2 px of a border: there the shader blends the two sides
          const near = [[-2, 0], [2, 0], [0, -2], [0, 2], [-2, -2], [2, 2], [-2, 2], [2, -2]].map(([dx, dy]) => decide(px + dx, py + dy));
          if (near.some((d) => !d || d.key !== here.key)) continue;
          const o = ((h - 1 - py) * w + px) * 4;  // readPixels rows run bottom-up
          const seen = unit([0, 1, 2].map((c) => toLinear(pixels[o + c])));
          let best = null, bestDot = -2;
          for (const cand of candidates) {
            const d = cand.rgb[0] * seen[0] + cand.rgb[1] * seen[1] + cand.rgb[2] * seen[2];
            if (d > bestDot) { bestDot = d; best = cand.key; }
          }
          checked++;
          if (best === here.key) agree++;
          else if (disagreements.length < 5) disagreements.push({ px, py, expected: here.key, seen: best });
        }
      }
      view.dispose();
      return { checked, agree, disagreements };
    }, { kind, margin });
    assert.ok(result.checked > 800, `${kind}: only ${result.checked} pixels checked`);
    assert.equal(result.agree, result.checked, `${kind}: ${JSON.stringify(result.disagreements)}`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('the view draws odd snapshots without errors and frees itself', { skip: !hasChromium && 'no Chromium' }, async () => {
  const { page, problems } = await openTestPage();

  const out = await page.evaluate(() => {
    const a = new SphereView(document.getElementById('a'), { size: 360 });
    const b = new SphereView(document.getElementById('b'), { size: 360 });
    const labels = [];
    const nonBlank = (view) => {
      const gl = view.renderer.getContext(), px = new Uint8Array(4);
      const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
      gl.readPixels(w >> 1, h >> 1, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      return px[0] + px[1] + px[2] < 3 * 250;   // the sphere's centre is not the white background
    };
    let s = makeSnapshot('arcface');
    s.embedding[0] = NaN; s.embedding[4] = Infinity; s.labels[7] = 99; s.labels[8] = -1;
    a.update(s); labels.push(a.canvas.getAttribute('aria-label'));
    s = makeSnapshot('cosface'); s.weights[4] = NaN; a.update(s); labels.push(a.canvas.getAttribute('aria-label'));
    s = makeSnapshot('arcface', { classes: 2 }); s.weights.set([0, 0, 1, 0, 0, -1]); a.update(s);
    labels.push(a.canvas.getAttribute('aria-label'));
    s = makeSnapshot('normface'); s.weights.set(s.weights.subarray(0, 3), 3); a.update(s);
    labels.push(a.canvas.getAttribute('aria-label'));
    s = makeSnapshot('sphereface', { classes: 1, margin: 4 }); a.update(s); labels.push(a.canvas.getAttribute('aria-label'));
    a.update({ dim: 2 });   // another panel's snapshot: ignored
    b.update(makeSnapshot('arcface'));
    b.resize(300);
    const drawn = [nonBlank(a), nonBlank(b), b.canvas.style.width, b.canvas.width];
    const png = b.canvas.toDataURL('image/png').length;
    a.dispose(); b.dispose();
    return { labels, drawn, png, left: document.querySelectorAll('canvas').length };
  });
  assert.match(out.labels[0], /ArcFace for 8 classes.*316 test samples.*Smallest angle/);  // 320 minus 4 bad
  assert.doesNotMatch(out.labels[1], /Smallest angle/, 'no angle from a NaN weight');
  assert.match(out.labels[2], /180\.0°/);
  assert.match(out.labels[3], / 0\.0° \(classes 0 and 1\)/);
  assert.match(out.labels[4], /1 class;/);
  assert.deepEqual(out.drawn.slice(0, 3), [true, true, '300px']);
  assert.ok(out.png > 10000, 'the canvas exports a real PNG');
  assert.equal(out.left, 0, 'dispose removes the canvases');
  assert.deepEqual(problems, []);
  await page.close();
});
