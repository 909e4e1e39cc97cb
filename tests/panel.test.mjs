// panel.test.mjs: what a panel prints under its view (web/panel.js), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statRows, formatLossValue, divergenceText } from '../web/panel.js';

const snap = (metrics, loss = { kind: 'arcface' }) => ({
  loss, metrics: { step: 1200, test_acc: 0.981, min_weight_angle_deg: 42.25, packing_limit_deg: 45, base: 0.1234, iam: -4.2, verify_acc: 0, tar_far_1e2: 0, ...metrics },
});

test('a loss value keeps to its cell: fixed digits near 0, an exponent far from it, a real minus', () => {
  assert.equal(formatLossValue(0.1234), '0.123');
  assert.equal(formatLossValue(-4.2), '\u22124.200');
  assert.equal(formatLossValue(275831.5), '2.8e+5');
  assert.equal(formatLossValue(-1.5e7), '\u22121.5e+7');
  assert.equal(formatLossValue(NaN), '–');
});

test('the rows: the packing limit and λ where they apply, verification only for identities', () => {
  const names = (rows) => rows.map((r) => r[0]);
  assert.deepEqual(names(statRows(snap({}))), ['step', 'test acc', 'min angle', 'of at most', 'L_base', 'L_IAM']);
  assert.deepEqual(names(statRows(snap({ packing_limit_deg: 0 }))), ['step', 'test acc', 'min angle', 'L_base', 'L_IAM']);
  const sphere = statRows(snap({}, { kind: 'sphereface', lambda: 12.5 }));
  assert.deepEqual(sphere.at(-1).slice(0, 2), ['λ', '12.5']);
  const faces = statRows(snap({ verify_acc: 0.8123, tar_far_1e2: 0.25 }));
  assert.deepEqual(faces.slice(-2).map((r) => r.slice(0, 2)), [['verify', '81.2%'], ['TAR', '25.0%']]);
  assert.equal(statRows(snap({}))[2][1], '42.3°');
});

test('the test accuracy says what it is measured on: all held-out samples, or a share (MNIST in the page)', () => {
  const title = (evaluated) => statRows({ ...snap({}), evaluated })[1][2];
  assert.equal(title({ test: 800, nTest: 800 }), 'accuracy on all 800 held-out test samples');
  assert.equal(title({ test: 1000, nTest: 2000 }),
    'accuracy on 1,000 of the 2,000 held-out test samples, every class alike (to keep the page fast)');
});

test('a divergence is told from its fields', () => {
  assert.equal(divergenceText({ failedStep: 305, goodStep: 300, reason: 'a parameter became NaN' }),
    'Diverged at step 305: a parameter became NaN. Rolled back to step 300. Lower the learning rate, then reset.');
});
