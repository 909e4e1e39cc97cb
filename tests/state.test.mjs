// state.test.mjs: the page's state (web/state.js) in Node: every field says once what
// it may hold, its default is allowed by its own rule, a state round-trips through
// the URL, and what C owns comes from C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS, KINDS, DATA_SETS, defaultState, parseHash, toHash, parseField, fieldRule, optionValues,
  parsePanel, panelToken, panelLabel } from '../web/state.js';
import { lib } from '../web/library.js';

test("the lists and the training defaults are the library's", () => {
  assert.deepEqual(KINDS, lib.names.kind);
  assert.deepEqual(DATA_SETS, lib.names.data);
  const d = lib.defaults(), s = defaultState();
  for (const [field, key] of [['data', 'data'], ['classes', 'classes'], ['dim', 'dim'], ['seed', 'seed'],
    ['optimizer', 'optimizer'], ['lr', 'lr'], ['batch', 'batchSize'], ['anneal', 'anneal']])
    assert.equal(s[field], d[key], field);
  assert.equal(s.scale, d.loss.scale);
  assert.equal(s.sphereMargin, lib.defaults('loss_config', { kind: 'sphereface' }).margin);
  assert.equal(s.arcMargin, 0.2, 'the 2-D ArcFace preset, not the library’s 0.3');
});

test("every field's default is allowed by the field's own rule, and round-trips through its text", () => {
  for (const [name, f] of Object.entries(FIELDS)) {
    const text = Array.isArray(f.def) ? f.def.join(',') : typeof f.def === 'boolean' ? (f.def ? '1' : '0') : String(f.def);
    assert.deepEqual(parseField(f, text), f.def, `${name}: '${text}'`);
    if (f.type === 'int' || f.type === 'num') assert.ok(f.def >= f.min && f.def <= f.max && f.step > 0, name);
    if (f.type === 'enum') assert.ok(optionValues(f).includes(f.def), name);
    assert.ok(fieldRule(f).length > 3, `${name} has no rule in words`);
  }
});

test('a state round-trips through the hash; a bad value falls back with a notice naming the rule', () => {
  const wanted = { ...defaultState(), data: 'spiral', classes: 5, seed: 42, panels: ['cosface', 'arcface+iam'], beta: 0.3, lr: 0.005, batch: 64, dim: 3 };
  const { state, notices } = parseHash(toHash(wanted));
  assert.deepEqual(state, wanted);
  assert.deepEqual(notices, []);
  const bad = parseHash('#batch=100&lr=50&dim=4&opt=rmsprop');
  assert.equal(bad.state.batch, FIELDS.batch.def);
  assert.equal(bad.state.lr, FIELDS.lr.def);
  assert.equal(bad.notices.length, 4);
  assert.match(bad.notices[0], /batch=100 \(it must be one of 16, 32, 64, 128, 256, 512\)/);
  assert.match(bad.notices[1], /lr=50 \(it must be a number from 0.0001 to 10\)/);
});

test('panel tokens use the library’s kinds, and their labels the presets’', () => {
  for (const kind of KINDS) {
    assert.deepEqual(parsePanel(panelToken({ kind, iam: true, fixed: false })), { kind, iam: true, fixed: false });
    assert.ok(!panelLabel(kind).includes('undefined'), kind);
  }
  assert.equal(panelLabel('arcface+iam'), 'ArcFace + IAM');
  assert.equal(panelLabel('sphereface+fixed'), 'SphereFace (λ fixed)');
  assert.equal(parseHash('#panels=magface').notices.length, 1);
});
