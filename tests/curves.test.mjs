// curves.test.mjs: the pure functions behind the teaching curves (web/curves.js),
// checked in Node without a DOM. The live charts' data handling (web/charts.js) and
// their shared style (web/chartstyle.js) are tests/charts.test.mjs's.
// The claims tested are the ones the page shows a student (LOSSES.md): a margin
// lowers the target logit, ArcFace's target stays monotone, smaller angles are
// pushed harder, and β < 1 keeps hard samples weighted above easy ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import katex from 'katex';
import {
  formulaTex, iamPushCurves, marginCostCurves, PUSH_SAMPLES, targetLogitCurves, targetLosses, targetYRange, withDefaults,
} from '../web/curves.js';

const MARGIN_IDS = ['sphereface', 'cosface', 'arcface', 'combined'];
const NO_MARGIN = { margins: { cosface: 0, arcface: 0, sphereface: 1, combined: { m1: 1, m2: 0, m3: 0 } } };

function assertClose(actual, expected, tolerance, message) {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${actual} vs ${expected}`);
}

function assertDecreasing(values, message, { strict = false, slack = 1e-12 } = {}) {
  for (let k = 1; k < values.length; k++) {
    const ok = strict ? values[k] < values[k - 1] : values[k] <= values[k - 1] + slack;
    assert.ok(ok, `${message}: rises at point ${k}: ${values[k - 1]} → ${values[k]}`);
  }
}

// ---- the target logit --------------------------------------------------------

test('with every margin at 0 (SphereFace m = 1), every target curve is cos θ', () => {
  const curves = targetLogitCurves(NO_MARGIN);
  curves.thetaDeg.forEach((t, k) => {
    const cos = Math.cos((t * Math.PI) / 180);
    for (const id of ['normface', ...MARGIN_IDS]) assertClose(curves[id][k], cos, 1e-12, `${id} at ${t}°`);
  });
});

test('a positive margin lowers the target logit: every curve ≤ cos θ, CosFace by exactly m', () => {
  const params = { margins: { cosface: 0.35, arcface: 0.5, sphereface: 4, combined: { m1: 1.1, m2: 0.3, m3: 0.2 } } };
  const curves = targetLogitCurves(params);
  curves.thetaDeg.forEach((t, k) => {
    const cos = Math.cos((t * Math.PI) / 180);
    for (const id of MARGIN_IDS) assert.ok(curves[id][k] <= cos + 1e-12, `${id} above cos θ at ${t}°`);
    assertClose(curves.cosface[k], cos - 0.35, 1e-12, `CosFace at ${t}°`);
  });
  const cost = marginCostCurves(curves);
  for (const v of cost.normface) assertClose(v, 0, 1e-12, 'NormFace costs nothing');
  for (const v of cost.cosface) assertClose(v, -0.35, 1e-12, 'CosFace costs m everywhere');
});

test('ArcFace (continuous fallback) and every margin curve decrease over [0°, 180°]; plain cos(θ + m) does not', () => {
  for (const m of [0.1, 0.2, 0.5, 1.0]) {
    const params = { margins: { arcface: m, cosface: 0.2, sphereface: 3, combined: { m1: 1, m2: m, m3: 0.1 } } };
    const curves = targetLogitCurves(params);
    // ArcFace is cos(θ + m) up to 180° − m, then its continuation −2 − cos(θ + m) (LOSSES.md).
    curves.thetaDeg.forEach((t, k) => {
      const phase = (t * Math.PI) / 180 + m;
      assertClose(curves.arcface[k], phase <= Math.PI ? Math.cos(phase) : -2 - Math.cos(phase), 1e-12, `ArcFace m = ${m} at ${t}°`);
    });
    assertDecreasing(curves.arcface, `ArcFace m = ${m}`, { strict: true });
    for (const id of MARGIN_IDS) assertDecreasing(curves[id], `${id} m = ${m}`);
    // The part the continuation replaces: plain cos(θ + m) turns up past 180° − m.
    const unguarded = curves.arcfaceUnguarded.filter((v) => v != null);
    assert.ok(unguarded.length > 1 && unguarded[unguarded.length - 1] > unguarded[0],
      `plain cos(θ + m) should rise past ${180 - (m * 180) / Math.PI}°`);
  }
});

test('the y range keeps every curve but SphereFace in view, and the target chart has one curve per loss', () => {
  const curves = targetLogitCurves({});
  for (const view of ['logit', 'cost']) {
    const shown = view === 'logit' ? curves : marginCostCurves(curves);
    const [lo, hi] = targetYRange(shown, view);
    for (const id of ['normface', 'cosface', 'arcface', 'combined'])
      for (const v of shown[id]) assert.ok(v >= lo && v <= hi, `${view}: ${id} value ${v} outside [${lo}, ${hi}]`);
  }
  assert.deepEqual(targetLosses({}).map((l) => l.id), ['normface', ...MARGIN_IDS]);
});

// ---- the IAM push ------------------------------------------------------------

test('smaller angles are pushed harder: cross-entropy and total push decrease in θ_j for β ≤ 1', () => {
  for (const beta of [0, 0.2, 0.5, 1]) {
    for (const { thetaYDeg } of Object.values(PUSH_SAMPLES)) {
      const push = iamPushCurves({ scale: 10, beta, classes: 8 }, thetaYDeg);
      assertDecreasing(push.ce, `cross-entropy part, β = ${beta}, θ_y = ${thetaYDeg}°`);
      assertDecreasing(push.total, `total, β = ${beta}, θ_y = ${thetaYDeg}°`);
      push.total.forEach((v, k) => assertClose(v, push.ce[k] + push.iam[k], 1e-12, 'total = CE + IAM'));
    }
  }
});

test('β = 0 gives no IAM push; with β > 0 the IAM part does not fade for an easy sample', () => {
  const none = iamPushCurves({ beta: 0 }, PUSH_SAMPLES.easy.thetaYDeg);
  for (const v of none.iam) assert.equal(v, 0);
  const easy = iamPushCurves({ scale: 10, beta: 0.5, classes: 8 }, PUSH_SAMPLES.easy.thetaYDeg);
  const at90 = easy.thetaJDeg.indexOf(90);
  // At θ_j = 90° the easy sample is nearly certain (p → 1): CE's push is almost gone,
  // IAM's is close to β Q_j = 0.5 / (C − 1).
  assert.ok(easy.ce[at90] < 1e-3, `CE push at 90°: ${easy.ce[at90]}`);
  assertClose(easy.iam[at90], 0.5 / 7, 1e-3, 'IAM push at 90°');
});

test('β < 1 keeps hard samples weighted above easy ones; β = 1 weighs them equally; β > 1 reverses it', () => {
  const compare = (beta) => {
    const hard = iamPushCurves({ scale: 10, beta, classes: 8 }, PUSH_SAMPLES.hard.thetaYDeg).total;
    const easy = iamPushCurves({ scale: 10, beta, classes: 8 }, PUSH_SAMPLES.easy.thetaYDeg).total;
    return hard.map((h, k) => h - easy[k]);
  };
  const significant = (d) => d.filter((v) => Math.abs(v) > 1e-9);
  for (const beta of [0, 0.5, 0.9]) {
    const diff = compare(beta);
    assert.ok(diff.every((v) => v >= -1e-15), `β = ${beta}: an easy sample pushed harder`);
    assert.ok(significant(diff).length > 0, `β = ${beta}: no difference at all`);
  }
  for (const v of compare(1)) assertClose(v, 0, 1e-12, 'β = 1');
  const reversed = compare(1.5);
  assert.ok(reversed.every((v) => v <= 1e-15) && significant(reversed).length > 0, 'β = 1.5: hard samples still pushed harder');
});

// ---- the formulas ------------------------------------------------------------

test('the formulas carry the current values and every one typesets', () => {
  const tex = Object.fromEntries(formulaTex(withDefaults({})).map((f) => [f.id, f.tex]));
  assert.match(tex.arcface, /z_y = 10\\cos\(\\theta_y \+ 0\.20\)/);
  assert.match(tex.cosface, /10\\,\(\\cos\\theta_y - 0\.20\)/);
  assert.match(tex.total, /L_\{\\text\{base\}\} \+ 0\.5\\cdot L_\{\\text\{IAM\}\}/);
  assert.match(tex.iam, /\\frac\{1\}\{7\}/);
  assert.match(tex.iam, /\\log 7/);
  assert.match(tex.sphereface, /\\cos\(4\\,\\theta\)/);
  const other = Object.fromEntries(formulaTex({ scale: 30, classes: 4, lambda: 5, margins: { arcface: 0.5 } }).map((f) => [f.id, f.tex]));
  assert.match(other.arcface, /z_y = 30\\cos\(\\theta_y \+ 0\.50\)/);
  assert.match(other.iam, /\\frac\{1\}\{3\}/);
  assert.match(other.sphereface, /\\dfrac\{5\\cos\\theta_y \+ \\psi\(\\theta_y\)\}\{6\}/);
  for (const f of [...formulaTex({}), ...formulaTex({ lambda: 5, beta: 0 })])
    assert.doesNotThrow(() => katex.renderToString(f.tex, { throwOnError: true }), f.id);
});

test('moving one slider changes only the formulas that show its value (so only those are typeset again)', () => {
  const before = formulaTex({ beta: 0.5 });
  const after = formulaTex({ beta: 0.8 });
  const changed = before.filter((f, k) => f.tex !== after[k].tex).map((f) => f.id);
  assert.deepEqual(changed, ['total']);
  const byScale = formulaTex({ scale: 12 }).filter((f, k) => f.tex !== before[k].tex).map((f) => f.id);
  assert.deepEqual(byScale, ['normface', 'cosface', 'arcface', 'combined', 'curricularface', 'adaface', 'magface', 'others', 'iamProbabilities']);
});
