// view3d.test.mjs: the 3-D sphere view (web/view3d.js).
//
// In Node: its pure helpers (unit rows, the f(θ) table, the great-circle arc, the
// aria text). In headless Chromium: that the regions the GPU paints are the ones
// geometry.js's classifyDirection computes (the shader repeats its argmax in GLSL),
// and that odd snapshots (NaN, one class, antipodal or collapsed weights) draw
// without errors. Pixels are read back from the canvas (preserveDrawingBuffer).
// The forces, picking and the focus (issue 11) run on a real trainer's snapshot
// (wasm/trainer.js, with trainer.forces()), built in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as THREE from 'three';
import {
  unitRows, targetTable, GreatCircleArc, describeView, regionKey, TARGET_SAMPLES,
  descentStep, behindUnitSphere, writeArrow, writeRibbon, ARROW_VERTICES,
} from '../web/view3d.js';
import { targetOfTheta } from '../web/geometry.js';
import { arrowLength, tangent } from '../web/inspect.js';
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

const dot3 = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const unit3 = (v) => { const n = Math.hypot(...v); return v.map((x) => x / n); };

test('descentStep is −∇ turned into the tangent plane, as long as inspect.js says', () => {
  const u = unit3([1, 2, 2]), radial = u.map((x) => 5 * x), g = [0.3, -0.1, 0.2].map((x, k) => x + radial[k]);
  const step = descentStep(g, u, 'sample'), t = tangent(g, u);
  assert.ok(Math.abs(dot3(step, u)) < 1e-12, 'no radial part');
  assert.ok(dot3(unit3(step), unit3(t)) < -1 + 1e-12, 'against the gradient');
  assert.ok(Math.abs(Math.hypot(...step) - arrowLength(Math.hypot(...t), 'sample')) < 1e-12);
  // a weight's gradient is taken at its norm: ‖W‖ times, then the weights' rule
  const w = descentStep(g, u, 'weight', 2.5);
  assert.ok(Math.abs(Math.hypot(...w) - arrowLength(2.5 * Math.hypot(...t), 'weight')) < 1e-12);
  assert.ok(Math.hypot(...descentStep(radial, u, 'sample')) < 1e-12, 'a purely radial gradient moves nothing');
  assert.deepEqual(descentStep([NaN, 0, 0], u, 'sample'), [0, 0, 0]);
});

test('writeArrow lays a flat arrow in the tangent plane, from the point along its step', () => {
  const u = unit3([0.2, -0.5, 0.8]), step = tangent([0.6, 0.3, 0.1], u).map((x) => 0.25 * x), radius = 1.1;
  const out = new Float32Array(ARROW_VERTICES * 3 + 6).fill(7);
  writeArrow(out, 3, u, radius, step);
  assert.deepEqual([...out.subarray(0, 3)], [7, 7, 7], 'nothing written before its place');
  assert.deepEqual([...out.subarray(3 + ARROW_VERTICES * 3)], [7, 7, 7], 'nor after');
  const vertex = (k) => [...out.subarray(3 + 3 * k, 6 + 3 * k)];
  const origin = vertex(0).map((x, c) => (x + vertex(1)[c]) / 2);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(origin[c] - radius * u[c]) < 1e-6, 'vertices 0 and 1 straddle the start');
    assert.ok(Math.abs(vertex(6)[c] - origin[c] - step[c]) < 1e-6, 'vertex 6 is the tip');
  }
  for (let k = 0; k < ARROW_VERTICES; k++) {
    assert.ok(Math.abs(dot3(vertex(k).map((x, c) => x - origin[c]), u)) < 1e-6, `vertex ${k} is in the tangent plane`);
  }
  writeArrow(out, 3, u, radius, [0, 0, 0]);
  for (let k = 0; k < ARROW_VERTICES; k++) assert.ok(vertex(k).every((x, c) => Math.abs(x - radius * u[c]) < 1e-6), 'a zero step is empty');
});

test('writeRibbon lies on the sphere, its two sides at the half width from the curve', () => {
  const arc = new GreatCircleArc(new THREE.Vector3(1, 0, 0), new THREE.Vector3(0, 0.6, 0.8));
  const count = 9, points = new Float32Array(3 * count);
  for (let k = 0; k < count; k++) arc.getPoint(k / (count - 1)).toArray(points, 3 * k);
  const out = new Float32Array(6 * count);
  writeRibbon(out, 0, points, count, 1.03, 0.01);
  for (let k = 0; k < count; k++) {
    const p = [...points.subarray(3 * k, 3 * k + 3)], left = [...out.subarray(6 * k, 6 * k + 3)], right = [...out.subarray(6 * k + 3, 6 * k + 6)];
    const side = left.map((x, c) => (x - right[c]) / 2), mid = left.map((x, c) => (x + right[c]) / 2);
    assert.ok(mid.every((x, c) => Math.abs(x - 1.03 * p[c]) < 1e-6), 'centred on the curve');
    assert.ok(Math.abs(Math.hypot(...side) - 0.01) < 1e-6, 'the half width');
    assert.ok(Math.abs(dot3(side, p)) < 1e-6, 'across, in the tangent plane');
  }
});

test('behindUnitSphere: what the sphere hides from the camera', () => {
  const eye = [0, 0, 4.7];
  assert.equal(behindUnitSphere(0, 0, 1.012, ...eye), false, 'the front');
  assert.equal(behindUnitSphere(0, 0, -1.012, ...eye), true, 'the back');
  assert.equal(behindUnitSphere(0.3, 0.2, -1, ...eye), true);
  assert.equal(behindUnitSphere(1.2, 0, 0, ...eye), false, 'beside the sphere, out past its silhouette');
  assert.equal(behindUnitSphere(0, 0.3, -2, ...eye), true, 'far behind it');
  assert.equal(behindUnitSphere(0, 1.3, -0.3, ...eye), false, 'a tip that pokes out above it');
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
import * as inspect from '/web/inspect.js';
import { loadIAM } from '/wasm/iam.js';
import { trainerPreset } from '/wasm/presets.js';
window.THREE = THREE; window.SphereView = SphereView; window.classifyDirection = classifyDirection;
window.inspect = inspect;
// a real snapshot with its forces: ArcFace + IAM in 3-D, 8 classes, after \`steps\` steps
const iam = await loadIAM();
window.trained = (steps) => {
  const t = iam.trainer(trainerPreset('arcface', { dim: 3, classes: 8 }, { beta: 0.5 }));
  t.step(steps);
  const snap = { ...t.snapshot({ points: 400 }), forces: t.forces({ points: 400 }) };
  t.free();
  return snap;
};
// the drawing buffer's pixels (rows bottom-up), and where a world point lands in CSS px
window.pixels = (view) => {
  const gl = view.renderer.getContext(), out = new Uint8Array(gl.drawingBufferWidth * gl.drawingBufferHeight * 4);
  gl.readPixels(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight, gl.RGBA, gl.UNSIGNED_BYTE, out);
  return out;
};
window.onScreen = (view, p) => {
  view.camera.updateMatrixWorld();
  const v = new THREE.Vector3(...p).project(view.camera);
  return [(v.x + 1) / 2 * view.size, (1 - v.y) / 2 * view.size];
};
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

// Not a test either: the forces and a focused sample at the two sizes a lecture uses,
// 340 and 600 px (tests/artifacts/forces-sphere.png), early in a run, when they are large.
async function screenshotOfTheForces() {
  const { page } = await openTestPage();
  await page.setViewportSize({ width: 950, height: 610 });
  await page.evaluate(() => {
    for (const id of ['a', 'b']) document.getElementById(id).style.verticalAlign = 'top';
    const snap = trained(150);
    const views = [new SphereView(document.getElementById('a'), { size: 340 }), new SphereView(document.getElementById('b'), { size: 600 })];
    // the focus: a dot near the middle of the view, where its ring and arcs are easy to see
    const facing = (k) => [0, 1, 2].reduce((s, c) => s + snap.embedding[3 * k + c] * views[0].camera.position.getComponent(c), 0);
    const i = [...snap.labels.keys()].sort((p, q) => facing(q) - facing(p))[3];
    for (const view of views) { view.update(snap); view.setForces(true); view.setFocus(i); }
  });
  await page.screenshot({ path: new URL('forces-sphere.png', ARTIFACTS).pathname });
  await page.close();
}

after(async () => {
  if (context) await screenshotForTheRecord();
  if (context) await screenshotOfTheForces();
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

// --- the forces, picking and the focus (issue 11) ---------------------------

test('with the forces on, two arrows per sample and per weight: −∇ in the tangent plane', { skip: !hasChromium && 'no Chromium' }, async () => {
  const { page, problems } = await openTestPage();
  const out = await page.evaluate(() => {
    const { tangent, arrowLength, FORCE_COLORS } = inspect;
    const snap = trained(150);
    // a radial part on every sample's gradient: the arrows must leave it out
    snap.forces.base = snap.forces.base.map((g, k) => g + 3 * snap.embedding[k]);
    const view = new SphereView(document.getElementById('a'), { size: 340 });
    // while off, update() never touches the arrows
    view.forceArrows.push = () => { throw new Error('an arrow was computed with the forces off'); };
    view.update(snap);
    delete view.forceArrows.push;
    const plain = pixels(view), never = view.debugArrows();
    view.setForces(true);
    const on = view.debugArrows(), withArrows = pixels(view);
    let worst = { angle: 0, length: 0, radial: 0, origin: 0 };
    const note = (key, v) => { worst[key] = Math.max(worst[key], v); };
    const norm = (v) => Math.hypot(...v), row = (a, k) => a.subarray(3 * k, 3 * k + 3);
    const seen = new Set(), colors = { base: new THREE.Color(FORCE_COLORS.base), iam: new THREE.Color(FORCE_COLORS.iam) };
    for (const a of on.arrows) {
      seen.add(`${a.on} ${a.part} ${a.index}`);
      const isSample = a.on === 'sample';
      const u = isSample ? [...row(snap.embedding, a.index)] : [...row(snap.weights, a.index)];
      const g = row(snap.forces[isSample ? a.part : (a.part === 'base' ? 'weightBase' : 'weightIam')], a.index);
      const t = tangent(g, u).map((x) => x * (isSample ? 1 : snap.weightNorms[a.index]));
      const length = norm(a.step);
      note('length', Math.abs(length - arrowLength(norm(t), a.on)));
      const cos = -t.reduce((s, x, c) => s + x * a.step[c], 0) / (norm(t) * length);
      if (length > 1e-4) note('angle', Math.acos(Math.max(-1, Math.min(1, cos))));
      note('radial', Math.abs(a.step.reduce((s, x, c) => s + x * u[c], 0)));
      // it starts at its point, lifted off the surface (a sample's) or at the tip (a weight's)
      const r = norm(a.origin);
      note('origin', Math.acos(Math.min(1, a.origin.reduce((s, x, c) => s + x * u[c], 0) / r)));
      if (isSample ? !(r > 1 && r < 1.012) : Math.abs(r - 1.3) > 1e-5) note('origin', 1);
      if (Math.abs(a.color[0] - colors[a.part].r) + Math.abs(a.color[2] - colors[a.part].b) > 1e-6) note('origin', 1);
    }
    const lengths = on.arrows.map((a) => Math.hypot(...a.step));
    view.setForces(false);
    const off = view.debugArrows(), plainAgain = pixels(view);
    let changed = 0, restored = 0;
    for (let k = 0; k < plain.length; k++) { if (plain[k] !== withArrows[k]) changed++; if (plain[k] !== plainAgain[k]) restored++; }
    // a new snapshot while on: the arrows follow it (here: every force reversed)
    view.setForces(true);
    const flipped = { ...snap, forces: Object.fromEntries(Object.entries(snap.forces).map(([k, a]) => [k, a.map((x) => -x)])) };
    view.update(flipped);
    const after = view.debugArrows().arrows;
    const reversed = after.every((a, k) => a.step.every((x, c) => Math.abs(x + on.arrows[k].step[c]) < 1e-5));
    const label = view.canvas.getAttribute('aria-label');
    view.dispose();
    return {
      n: snap.labels.length, classes: snap.classes, never, count: on.arrows.length, seen: seen.size, worst, changed, restored, off,
      reversed, label, longest: Math.max(...lengths), moving: lengths.filter((l) => l > 0.01).length,
    };
  });
  assert.deepEqual(out.never, { visible: false, arrows: [] }, 'nothing before the forces are turned on');
  assert.equal(out.count, 2 * out.n + 2 * out.classes, '2 arrows per sample, 2 per class weight');
  assert.equal(out.seen, out.count, 'each (sample or weight, part) once');
  assert.ok(out.worst.angle < 1e-3, `direction off −tangent(∇) by ${out.worst.angle} rad`);
  assert.ok(out.worst.length < 2e-5, `length off arrowLength by ${out.worst.length}`);
  assert.ok(out.worst.radial < 2e-5, `a radial part of ${out.worst.radial}`);
  assert.ok(out.worst.origin < 1e-3, `arrows start elsewhere than their points, or in the wrong colour (${out.worst.origin})`);
  assert.ok(out.moving > out.n / 2 && out.longest > 0.05, 'most arrows are long enough to see');
  assert.ok(out.changed > 2000, `the arrows changed only ${out.changed} pixel channels`);
  assert.equal(out.restored, 0, 'off again, the picture is what it was before');
  assert.deepEqual(out.off, { visible: false, arrows: [] });
  assert.ok(out.reversed, 'update() with the forces on redraws them from the new snapshot');
  assert.match(out.label, /descent directions −∇/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('pick() finds the front dot under the pointer, a weight tip, or nothing', { skip: !hasChromium && 'no Chromium' }, async () => {
  const { page, problems } = await openTestPage();
  const out = await page.evaluate(() => {
    const snap = trained(150);
    const view = new SphereView(document.getElementById('a'), { size: 340 });
    view.update(snap);
    const eye = view.camera.position.clone().normalize(), n = snap.labels.length;
    const at = (k) => [0, 1, 2].map((c) => snap.embedding[3 * k + c]);
    const facing = (k) => at(k).reduce((s, x, c) => s + x * eye.getComponent(c), 0);
    const order = [...Array(n).keys()].sort((p, q) => facing(q) - facing(p)), back = order[n - 1];
    // the front dot that stands most apart from the others on screen: no rim of another covers it
    const screen = order.map((k) => onScreen(view, at(k).map((v) => v * 1.012)));
    const apart = (a) => Math.min(...screen.map(([sx, sy], b) => (b === a ? Infinity : Math.hypot(sx - screen[a][0], sy - screen[a][1]))));
    const candidates = order.map((k, a) => ({ k, a })).filter(({ k }) => facing(k) > 0.5);
    const { k: front, a: frontAt } = candidates.reduce((best, c) => (apart(c.a) > apart(best.a) ? c : best));
    const [x, y] = screen[frontAt], clear = apart(frontAt);
    // the picture agrees: the pixel there has the colour of that sample's class
    const px = pixels(view), h = view.renderer.getContext().drawingBufferHeight, ratio = view.pixelRatio;
    const o = ((h - 1 - Math.floor(y * ratio)) * view.renderer.getContext().drawingBufferWidth + Math.floor(x * ratio)) * 4;
    const seen = [px[o], px[o + 1], px[o + 2]];
    const [bx, by] = onScreen(view, at(back).map((v) => v * 1.012));
    // a weight tip that no dot is near on screen and the sphere does not hide
    let weight = null;
    for (let j = 0; j < snap.classes && weight === null; j++) {
      const tip = [0, 1, 2].map((c) => snap.weights[3 * j + c] * 1.3);
      const [tx, ty] = onScreen(view, tip);
      const camera = view.camera.position;
      const d = tip.map((v, c) => v - camera.getComponent(c)), t = -d.reduce((s, v, c) => s + v * camera.getComponent(c), 0) / d.reduce((s, v) => s + v * v, 0);
      const closest = d.map((v, c) => camera.getComponent(c) + t * v);
      if (t > 0 && t < 1 && Math.hypot(...closest) < 1) continue;   // behind the sphere
      const near = [...Array(n).keys()].some((k) => { const [sx, sy] = onScreen(view, at(k).map((v) => v * 1.012)); return Math.hypot(sx - tx, sy - ty) < 14; });
      if (!near && tx > 0 && ty > 0 && tx < 340 && ty < 340) weight = { j, tx, ty };
    }
    const result = {
      front, label: snap.labels[front], seen, clear,
      hit: view.pick(x, y), near: view.pick(x + 7, y - 3), far: view.pick(x + 14, y),
      back, behind: view.pick(bx, by), corner: view.pick(3, 337),
      weight, weightHit: weight && view.pick(weight.tx + 5, weight.ty + 4),
    };
    // a canvas that CSS draws at twice its size: the pointer's px are the canvas's CSS px
    view.canvas.style.width = view.canvas.style.height = '680px';
    result.scaled = view.pick(2 * x, 2 * y);
    view.dispose();
    return result;
  });
  assert.ok(out.clear > 16, `no front dot stands clear of the others (at most ${out.clear} px)`);
  const { classColor, rgb } = await import('../web/palette.js');
  const expected = rgb(classColor(out.label));
  assert.ok(out.seen.every((v, c) => Math.abs(v - expected[c]) < 40), `the dot's pixel ${out.seen} is not class ${out.label}'s ${expected}`);
  assert.deepEqual(out.hit, { sample: out.front });
  assert.deepEqual(out.near, { sample: out.front }, 'within 10 px');
  assert.notDeepEqual(out.far, { sample: out.front }, '14 px away is not on it');
  assert.notDeepEqual(out.behind, { sample: out.back }, 'a dot behind the sphere is hidden from the pointer too');
  assert.equal(out.corner, null);
  assert.ok(out.weight, 'some weight tip stands clear of the dots');
  assert.deepEqual(out.weightHit, { weight: out.weight.j });
  assert.deepEqual(out.scaled, { sample: out.front });
  assert.deepEqual(problems, []);
  await page.close();
});

test('setFocus rings the sample and arcs to its two weights, in one render, rebuilding nothing', { skip: !hasChromium && 'no Chromium' }, async () => {
  const { page, problems } = await openTestPage();
  const out = await page.evaluate(() => {
    const snap = trained(150);
    const view = new SphereView(document.getElementById('a'), { size: 340 });
    view.update(snap);
    view.setForces(true);
    let renders = 0;
    const render = view._render.bind(view);
    view._render = () => { renders++; render(); };
    const eye = view.camera.position.clone().normalize(), n = snap.labels.length;
    const at = (k) => [0, 1, 2].map((c) => snap.embedding[3 * k + c]);
    const i = [...Array(n).keys()].sort((p, q) => at(q).reduce((s, x, c) => s + x * eye.getComponent(c), 0) - at(p).reduce((s, x, c) => s + x * eye.getComponent(c), 0))[0];
    const buffers = () => [view.forceArrows.geometry.attributes.position.array, view.focusMarks.arcs.geometry, view.focusMarks.halo.geometry.attributes.position];
    const before = buffers(), plain = pixels(view);
    const [x, y] = onScreen(view, at(i).map((v) => v * 1.012));
    const picked = view.pick(x, y);
    const rendersAfterPick = renders;
    view.setFocus(i);
    const rendersAfterFocus = renders;
    view.setFocus(i);
    const focused = pixels(view), marks = view.focusMarks;
    // changed pixels: near the dot (the ring), and elsewhere (the arcs)
    const gl = view.renderer.getContext(), w = gl.drawingBufferWidth, h = gl.drawingBufferHeight, ratio = view.pixelRatio;
    let ring = 0, elsewhere = 0;
    for (let py = 0; py < h; py++) for (let px = 0; px < w; px++) {
      const o = (py * w + px) * 4;
      if (plain[o] === focused[o] && plain[o + 1] === focused[o + 1] && plain[o + 2] === focused[o + 2]) continue;
      const d = Math.hypot(px / ratio - x, (h - 1 - py) / ratio - y);
      if (d < 13) ring++; else elsewhere++;
    }
    const [hx, hy] = onScreen(view, [...marks.halo.geometry.attributes.position.array]);
    // the arcs: the own one ends at the sample's class weight, the other at the nearest other's
    const arc = marks.arcs.geometry.attributes.position.array, ribbon = 2 * (48 + 1) * 3;
    const mid = (r, k) => [0, 1, 2].map((c) => (arc[r * ribbon + 6 * k + c] + arc[r * ribbon + 6 * k + 3 + c]) / 2);
    const unit = (v) => { const m = Math.hypot(...v); return v.map((q) => q / m); };
    const angleTo = (v, j) => Math.acos(Math.min(1, unit(v).reduce((s, q, c) => s + q * snap.weights[3 * j + c], 0)));
    const facts = inspect.sampleFacts(snap, i);
    const ends = {
      ownStart: Math.acos(Math.min(1, unit(mid(1, 0)).reduce((s, q, c) => s + q * at(i)[c], 0))),
      ownEnd: angleTo(mid(1, 48), facts.label), otherEnd: angleTo(mid(3, 48), facts.other),
    };
    const visible = { halo: marks.halo.visible, arcs: marks.arcs.visible };
    view.update(snap);   // a new snapshot keeps the focus
    const kept = marks.halo.visible;
    const rendersBeforeClear = renders;
    view.setFocus(null);
    const cleared = pixels(view);
    let restored = 0;
    for (let k = 0; k < plain.length; k++) if (plain[k] !== cleared[k]) restored++;
    const same = buffers().every((b, k) => b === before[k]);
    view.dispose();
    return {
      i, picked, rendersAfterPick, rendersAfterFocus, renders: renders - rendersBeforeClear, ring, elsewhere,
      haloAt: Math.hypot(hx - x, hy - y), ends, visible, kept, restored, same, other: facts.other, label: facts.label,
    };
  });
  assert.deepEqual(out.picked, { sample: out.i });
  assert.equal(out.rendersAfterPick, 0, 'pick draws nothing');
  assert.equal(out.rendersAfterFocus, 1, 'a focus change is one render');
  assert.ok(out.visible.halo && out.visible.arcs);
  assert.ok(out.haloAt < 1, `the ring sits on the dot on screen (${out.haloAt} px off)`);
  assert.ok(out.ring > 100, `the ring changed only ${out.ring} px round the dot`);
  assert.ok(out.elsewhere > 200, `the arcs changed only ${out.elsewhere} px`);
  assert.ok(out.ends.ownStart < 1e-3 && out.ends.ownEnd < 1e-3 && out.ends.otherEnd < 1e-3, JSON.stringify(out.ends));
  assert.notEqual(out.other, out.label);
  assert.ok(out.kept, 'the focus stays through update()');
  assert.equal(out.renders, 1, 'clearing the focus is one render (the update before it is its own)');
  assert.equal(out.restored, 0, 'no focus, the picture is what it was');
  assert.ok(out.same, 'no buffer was rebuilt');
  assert.deepEqual(problems, []);
  await page.close();
});
