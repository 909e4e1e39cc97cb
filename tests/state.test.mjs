// state.test.mjs: the page's state (web/state.js) in Node: every field says once what
// it may hold, its default is allowed by its own rule, a state round-trips through
// the URL, and what C owns comes from C. Then each panel's own settings: they
// round-trip through the URL, a bad one is refused with a notice, the trainer gets the
// panel's value or else the control's, and a sweep builds the panels it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS, KINDS, DATA_SETS, defaultState, parseHash, toHash, parseField, fieldRule, optionValues,
  parsePanel, panelToken, panelLabel } from '../web/state.js';
import { MAX_PANELS, OVERRIDES, SWEEPS, PAPER_SWEEPS, MARGIN_STATE, readPanel, panelConfig, panelSettings, clearOverrides,
  sweepTokens, sweepPanels, sweepLabel, addPanel, duplicatePanel, removePanel, withKind, keptPanels } from '../web/state.js';
import { trainerPreset, lossPreset } from '../wasm/presets.js';
import { STORIES } from '../web/stories.js';
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
    assert.deepEqual(parsePanel(panelToken({ kind, iam: true, fixed: false })), { kind, iam: true, fixed: false, overrides: {} });
    assert.ok(!panelLabel(kind).includes('undefined'), kind);
  }
  assert.equal(panelLabel('arcface+iam'), 'ArcFace + IAM');
  assert.equal(panelLabel('sphereface+fixed'), 'SphereFace (λ fixed)');
  assert.equal(parseHash('#panels=elasticface').notices.length, 1);
});

// ---------------------------------------------------------------------------
// Per-panel settings

const SETTINGS_PANELS = ['arcface+iam:s=30:m=0.5:b=2', 'sphereface+iam+fixed:s=4:m=2.5:l=5:fn=1', 'combined:m1=2:m2=0.3:m3=0.1',
  'arcface:fb=easy', 'cosface:m=0.35', 'normface'];

test('per-panel settings round-trip through the URL, readable, in one canonical order', () => {
  const wanted = { ...defaultState(), panels: SETTINGS_PANELS, scale: 12, arcMargin: 0.4 };
  const hash = toHash(wanted);
  assert.match(hash, /&panels=arcface\+iam:s=30:m=0\.5:b=2,sphereface\+iam\+fixed:s=4:m=2\.5:l=5:fn=1,/, 'no %3D or %3A in the link');
  const { state, notices } = parseHash(hash);
  assert.deepEqual(notices, []);
  assert.deepEqual(state, wanted);
  assert.equal(toHash(state), hash);
  // another order of the same settings reads as the same panel, and writes canonically
  const shuffled = parseHash('#panels=arcface+iam:b=2:m=0.5:s=30,sphereface+fixed+iam:fn=1:l=5:m=2.5:s=4');
  assert.deepEqual(shuffled.notices, []);
  assert.deepEqual(shuffled.state.panels, SETTINGS_PANELS.slice(0, 2));
  assert.equal(toHash(parseHash(toHash(shuffled.state)).state), toHash(shuffled.state));
  assert.deepEqual(parsePanel('arcface+iam:m=0.5:b=2'), { kind: 'arcface', iam: true, fixed: false, overrides: { m: 0.5, b: 2 } });
  assert.deepEqual(parsePanel('sphereface:fn=0').overrides, { fn: false });
});

test('a panel setting that is wrong is refused with a notice; the panel stays, and parseHash never throws', () => {
  const cases = [
    // wrong kind
    ['normface:m=0.3', 'normface', /m=0\.3: the margin m applies to SphereFace, CosFace, ArcFace, CurricularFace and AdaFace only/],
    ['arcface:fn=1', 'arcface', /fn=1: SphereFace’s feature norm applies to SphereFace only/],
    ['cosface:fb=easy', 'cosface', /fb=easy: ArcFace’s fallback applies to ArcFace, CurricularFace and MagFace only/],
    ['arcface:l=2', 'arcface', /l=2: SphereFace’s λ applies to SphereFace only/],
    ['arcface:m1=2', 'arcface', /m1=2: m1 applies to Combined only/],
    ['arcface:b=0.5', 'arcface', /b=0\.5: IAM’s β applies to panels with \+ IAM only/],
    // out of range, or off the control's grid, each kind its own margin's range
    ['arcface:m=2', 'arcface', /m=2 \(for ArcFace it must be a number from 0 to 1\.2 in steps of 0\.01 \(radians\)\)/],
    ['cosface:m=0.9', 'cosface', /m=0\.9 \(for CosFace it must be a number from 0 to 0\.8/],
    ['sphereface:m=0.5', 'sphereface', /m=0\.5 \(for SphereFace it must be a number from 1 to 6 in steps of 0\.5\)/],
    ['normface:s=7.5', 'normface', /s=7\.5 \(for NormFace it must be a number from 1 to 64 in steps of 1\)/],
    ['arcface+iam:b=-1', 'arcface+iam', /b=-1 \(for ArcFace it must be a number from 0 to 3/],
    ['arcface:fb=hard', 'arcface', /fb=hard \(for ArcFace it must be one of continuous, insightface, easy, none\)/],
    ['sphereface:fn=2', 'sphereface', /fn=2 \(for SphereFace it must be 1 or 0\)/],
    ['arcface:m=', 'arcface', /m= \(for ArcFace/],
    // unknown keys, the prototype's names among them
    ['arcface:q=1', 'arcface', /the unknown setting 'q' \(a panel's settings are s, m, m1, m2, m3, b, l, fb, fn, K, sd, dm, h, la, ua, lm, um, lg\)/],
    ['arcface:constructor=1', 'arcface', /the unknown setting 'constructor'/],
    ['arcface:__proto__=1', 'arcface', /the unknown setting '__proto__'/],
    ['arcface::', 'arcface', /the unknown setting ''/],
    // a second value of one setting: the first stays
    ['arcface:m=0.1:m=0.3', 'arcface:m=0.1', /a second m=0\.3 \(each setting once\)/],
  ];
  for (const [token, kept, notice] of cases) {
    const { state, notices } = parseHash(`#panels=${token},cosface:m=0.3`);
    assert.deepEqual(state.panels, [kept, 'cosface:m=0.3'], token);
    assert.equal(notices.length, token === 'arcface::' ? 2 : 1, `${token}: ${notices.join(' | ')}`);
    assert.match(notices[0], notice, token);
    assert.match(notices[0], /^panel /, 'the notice names the panel');
    assert.equal(parsePanel(token), null, 'the strict reader refuses it');
    assert.ok(readPanel(token).panel, 'the lenient reader keeps the panel');
  }
  // a bad kind or flag still refuses the whole list, as before
  for (const hash of ['#panels=elasticface:m=0.3', '#panels=arcface+fixed:m=0.2', '#panels=arcface+iam+iam', '#panels=' + 'arcface,'.repeat(7)]) {
    const { state, notices } = parseHash(hash);
    assert.deepEqual(state.panels, FIELDS.panels.def, hash);
    assert.equal(notices.length, 1, hash);
  }
  // issue 16: each of these left the page blank (parseHash threw at module load)
  for (const hash of ['#constructor=1', '#__proto__=1', '#toString', '#hasOwnProperty=x', '#classes=4&valueOf=1']) {
    const { state, notices } = parseHash(hash);
    assert.ok(notices.some((n) => /unknown setting/.test(n)), `${hash}: ${notices}`);
    assert.deepEqual(parseHash(toHash(state)).state, state, hash);
    assert.equal(Object.getPrototypeOf(state), Object.prototype, `${hash}: the state's prototype is untouched`);
  }
  assert.equal(parseHash('#classes=4&valueOf=1').state.classes, 4);
  for (const hash of ['#constructor=1', '#panels=constructor', '#panels=arcface:%E0%A4%A', '#panels=arcface:' + ':m=0.1'.repeat(50), '#panels=,,,', '#panels=arcface:=:='])
    assert.doesNotThrow(() => parseHash(hash), hash);
});

// What panelConfig gave before panels had settings: the reference an unchanged token must still get.
function configBefore(state, token) {
  const { kind, iam, fixed } = parsePanel(token);
  // the newer kinds: one whose preset sets its own s (CurricularFace on a circle) keeps it
  const loss = { scale: lossPreset(kind, state.dim).scale ?? state.scale, beta: iam ? state.beta : 0 };
  if (MARGIN_STATE[kind]) loss.margin = state[MARGIN_STATE[kind]];
  const anneal = kind === 'sphereface' ? state.anneal && !fixed : true;
  if (kind === 'sphereface' && !anneal) loss.lambda = state.lambda;
  return trainerPreset(kind, { data: state.data, classes: state.classes, dim: state.dim, seed: state.seed,
    optimizer: state.optimizer, lr: state.lr, batchSize: state.batch, anneal }, loss);
}

test('a panel trains its own value where it has one, else the control’s; tokens without settings train as before', () => {
  const states = [defaultState(), { ...defaultState(), anneal: false, lambda: 3 }, ...STORIES.map((s) => ({ ...defaultState(), ...s.state }))];
  for (const state of states)
    for (const token of [...new Set([...state.panels, ...KINDS, ...KINDS.map((k) => `${k}+iam`), 'sphereface+fixed'])])
      assert.deepEqual(JSON.stringify(panelConfig(state, token)), JSON.stringify(configBefore(state, token)), token);
  const state = { ...defaultState(), scale: 12, arcMargin: 0.4, beta: 0.5, anneal: true, lambda: 2 };
  const loss = (token, s = state) => panelConfig(s, token).loss;
  assert.deepEqual(loss('arcface+iam:m=0.1:b=2'), { kind: 'arcface', scale: 12, margin: 0.1, beta: 2 });
  assert.deepEqual(loss('arcface+iam:s=30'), { kind: 'arcface', scale: 30, margin: 0.4, beta: 0.5 });
  assert.equal(loss('cosface:m=0.35').margin, 0.35);
  assert.equal(loss('sphereface:l=5').lambda, undefined, 'annealed: λ follows the schedule, its own λ waits');
  assert.equal(loss('sphereface+fixed:l=5').lambda, 5);
  assert.equal(loss('sphereface+fixed').lambda, 2);
  assert.equal(loss('sphereface:l=5', { ...state, anneal: false }).lambda, 5);
  assert.equal(loss('sphereface:fn=1').featureNorm, true);
  assert.equal(loss('arcface:fb=easy').fallback, 'easy');
  assert.deepEqual(loss('combined:m2=0.3'), { kind: 'combined', m2: 0.3, m3: 0.1, scale: 12, beta: 0 }, 'm3 from the 2-D preset');
  // the library takes every config a panel can have
  for (const token of SETTINGS_PANELS) {
    const t = lib.trainer(panelConfig({ ...defaultState(), classes: 4 }, token));
    t.step(2);
    const used = t.last().config, own = parsePanel(token).overrides;
    for (const [key, v] of Object.entries(own)) if (key !== 'l') assert.ok(Math.abs(+used[OVERRIDES[key].option] - +v) < 1e-6 || used[OVERRIDES[key].option] === v, `${token}: ${key}`);
    t.free();
  }
});

test('the header shows what the panel uses, its own values marked', () => {
  const state = { ...defaultState(), scale: 12, beta: 0.5 };
  const line = (token, s = state) => panelSettings(s, token).filter((x) => x.shown).map((x) => `${x.label} ${x.value}${x.own ? '*' : ''}`).join(' · ');
  assert.equal(line('softmax'), '', 'plain Softmax has no s, no margin');
  assert.equal(line('softmax+iam'), 's 12 · β 0.5');
  assert.equal(line('normface'), 's 12');
  assert.equal(line('arcface+iam:m=0.1'), 's 12 · m 0.1* · β 0.5');
  assert.equal(line('arcface:fb=easy'), 's 12 · m 0.2 · fallback easy*');
  assert.equal(line('sphereface'), 's 12 · m 4', 'annealed: no λ to show');
  assert.equal(line('sphereface+fixed:l=5'), 's 12 · m 4 · λ 5*');
  assert.equal(line('sphereface:fn=1'), 'm 4 · r = ‖x‖ true*', 'r = ‖x‖: s is not used');
  assert.equal(line('combined'), 's 12 · m₁ 1 · m₂ 0.15 · m₃ 0.1');
  // the editor offers every setting that applies, used or not
  assert.deepEqual(panelSettings(state, 'sphereface').map((x) => x.key), ['s', 'm', 'l', 'fn', 'K', 'dm']);
  assert.deepEqual(panelSettings(state, 'arcface+iam').map((x) => x.key), ['s', 'm', 'b', 'fb', 'K', 'sd', 'dm']);
});

test('a global control sets every panel: its panels’ own values of it go, no others', () => {
  const tokens = ['arcface+iam:s=30:m=0.5:b=2', 'cosface:m=0.3', 'sphereface+fixed:m=2:l=5', 'normface:s=4'];
  assert.deepEqual(clearOverrides(tokens, ['arcMargin']), ['arcface+iam:s=30:b=2', 'cosface:m=0.3', 'sphereface+fixed:m=2:l=5', 'normface:s=4']);
  assert.deepEqual(clearOverrides(tokens, ['scale']), ['arcface+iam:m=0.5:b=2', 'cosface:m=0.3', 'sphereface+fixed:m=2:l=5', 'normface']);
  assert.deepEqual(clearOverrides(tokens, ['beta', 'lambda', 'sphereMargin']), ['arcface+iam:s=30:m=0.5', 'cosface:m=0.3', 'sphereface+fixed', 'normface:s=4']);
  assert.deepEqual(clearOverrides(tokens, ['anneal']), ['arcface+iam:s=30:m=0.5:b=2', 'cosface:m=0.3', 'sphereface:m=2:l=5', 'normface:s=4']);
  assert.deepEqual(clearOverrides(tokens, ['seed', 'data']), tokens);
  // after the clearing, every panel trains the control's value
  const state = { ...defaultState(), scale: 20 };
  for (const token of clearOverrides(tokens, ['scale'])) assert.equal(panelConfig(state, token).loss.scale, 20, token);
});

test('a sweep builds exactly the panels it promises, within six, and each trains its own value', () => {
  assert.deepEqual(sweepTokens('arcface+iam', 'b'), ['arcface+iam:b=0', 'arcface+iam:b=0.1', 'arcface+iam:b=0.5', 'arcface+iam:b=2']);
  assert.deepEqual(sweepTokens('arcface', 'b'), sweepTokens('arcface+iam', 'b'), 'a β sweep turns IAM on');
  assert.deepEqual(sweepTokens('arcface', 'm'), ['arcface:m=0.1', 'arcface:m=0.3', 'arcface:m=0.5']);
  assert.deepEqual(sweepTokens('cosface+iam:s=30', 'm'), ['cosface+iam:s=30:m=0.1', 'cosface+iam:s=30:m=0.2', 'cosface+iam:s=30:m=0.35']);
  assert.deepEqual(sweepTokens('sphereface', 'l'), ['sphereface+fixed:l=0', 'sphereface+fixed:l=1', 'sphereface+fixed:l=5', 'sphereface+fixed:l=20']);
  assert.deepEqual(sweepTokens('normface:s=4', 's'), ['normface:s=4', 'normface:s=10', 'normface:s=30']);
  assert.deepEqual(sweepTokens('arcface+iam', 'b', 3), ['arcface+iam:b=0', 'arcface+iam:b=0.5', 'arcface+iam:b=2'], 'cut: the ends stay');
  assert.deepEqual(sweepTokens('normface', 'm'), [], 'NormFace has no margin');
  assert.deepEqual(sweepTokens('softmax', 's'), [], 'plain Softmax has no s');
  assert.equal(sweepLabel('arcface+iam', 'b'), 'ArcFace + IAM: β = 0 / 0.1 / 0.5 / 2');
  assert.equal(sweepLabel('arcface', 'm'), 'ArcFace: m = 0.1 / 0.3 / 0.5');
  // every value of every sweep is one its setting's field allows on the kind
  for (const kind of KINDS) for (const key of Object.keys(SWEEPS)) for (const t of sweepTokens(kind, key)) assert.ok(parsePanel(t), t);
  // the labels tell a sweep's panels apart (the charts' legends)
  assert.deepEqual(sweepTokens('arcface', 'm').map(panelLabel), ['ArcFace m=0.1', 'ArcFace m=0.3', 'ArcFace m=0.5']);
  // replacing a panel by its sweep keeps the others, and the total within MAX_PANELS
  const two = ['normface', 'arcface'];
  assert.deepEqual(sweepPanels(two, 1, 'b'), { panels: ['normface', ...sweepTokens('arcface', 'b')], notice: '' });
  const four = ['softmax', 'normface', 'cosface', 'arcface'];
  const cut = sweepPanels(four, 3, 'b');
  assert.deepEqual(cut.panels, [...four.slice(0, 3), 'arcface+iam:b=0', 'arcface+iam:b=0.5', 'arcface+iam:b=2']);
  assert.match(cut.notice, /β = 0 \/ 0\.5 \/ 2, not all of 0 \/ 0\.1 \/ 0\.5 \/ 2: at most 6 panels/);
  assert.deepEqual(sweepPanels(four, 0, 'm'), { panels: four, notice: 'the margin m cannot be swept on Softmax' });
  assert.deepEqual(sweepPanels([...four, 'normface+iam'], 3, 'm').panels.slice(3), ['arcface:m=0.1', 'arcface:m=0.5', 'normface+iam']);
  const full = FIELDS.panels.def;
  assert.deepEqual(sweepPanels(full, 0, 's').panels, full);
  assert.match(sweepPanels(full, 4, 'm').notice, /remove a panel first/);
  for (let n = 1; n <= MAX_PANELS; n++) for (const key of ['b', 'm', 's'])
    assert.ok(sweepPanels(Array(n).fill('arcface'), 0, key).panels.length <= MAX_PANELS, `${n} panels, ${key}`);
  // the page's buttons: the paper's two questions
  assert.deepEqual(PAPER_SWEEPS.map((p) => sweepTokens(p.token, p.key)), [sweepTokens('arcface+iam', 'b'), sweepTokens('arcface', 'm')]);
});

test('the panels of a β sweep train their own β: the trainers use it, and β = 0 and β = 2 part ways', () => {
  const state = { ...defaultState(), classes: 8 };
  const [b0, , , b2] = sweepTokens('arcface+iam', 'b');
  const run = (token) => {
    const t = lib.trainer(panelConfig(state, token));
    t.step(300);
    const result = { beta: t.last().config.beta, ...t.evaluate({ bins: 0 }).metrics };
    t.free();
    return result;
  };
  const zero = run(b0), two = run(b2);
  assert.equal(zero.beta, 0);
  assert.equal(two.beta, 2);
  // eight classes crowd a circle: this much IAM trades a pair of classes for the other gaps
  assert.ok(Math.abs(two.min_weight_angle_deg - zero.min_weight_angle_deg) > 5,
    `β=2 ${two.min_weight_angle_deg}°, β=0 ${zero.min_weight_angle_deg}°: the same run`);
  assert.ok(two.iam < zero.iam, 'β = 2 has pushed its IAM term lower');
  const m = sweepTokens('arcface', 'm').map((token) => panelConfig(state, token).loss.margin);
  assert.deepEqual(m, SWEEPS.m.arcface);
});

test('panels are added, duplicated and removed within 1 to 6; a new base loss keeps what still means the same', () => {
  assert.deepEqual(addPanel(['arcface']), ['arcface', 'softmax']);
  assert.deepEqual(addPanel(['softmax', 'normface']), ['softmax', 'normface', 'sphereface']);
  assert.equal(addPanel(FIELDS.panels.def).length, MAX_PANELS);
  assert.deepEqual(duplicatePanel(['a', 'b', 'c'], 1), ['a', 'b', 'b', 'c']);
  assert.equal(duplicatePanel(FIELDS.panels.def, 0).length, MAX_PANELS);
  assert.deepEqual(removePanel(['a', 'b', 'c'], 1), ['a', 'c']);
  assert.deepEqual(removePanel(['a'], 0), ['a'], 'the last panel stays');
  assert.equal(withKind('arcface+iam:s=30:m=0.5:b=2:fb=easy', 'cosface', true), 'cosface+iam:s=30:b=2', 'ArcFace’s m is not CosFace’s');
  assert.equal(withKind('arcface+iam:s=30:m=0.5:b=2', 'arcface', false), 'arcface:s=30:m=0.5', 'no IAM, no β');
  assert.equal(withKind('sphereface+fixed:l=5', 'sphereface', true), 'sphereface+iam+fixed:l=5');
});

test('a change of the panel list keeps every panel it does not touch', () => {
  const six = FIELDS.panels.def;                      // softmax … arcface+iam
  assert.deepEqual(keptPanels(six, six.map((t, k) => (k === 2 ? 'cosface' : t))), [0, 1, 2, 3, 4, 5], 'same count: by place');
  assert.deepEqual(keptPanels(['a', 'b'], addPanel(['a', 'b'])), [0, 1, -1]);
  assert.deepEqual(keptPanels(['a', 'b', 'c'], duplicatePanel(['a', 'b', 'c'], 1)), [0, 1, -1, 2]);
  assert.deepEqual(keptPanels(['a', 'b', 'c', 'd'], removePanel(['a', 'b', 'c', 'd'], 1)), [0, 2, 3]);
  const swept = sweepPanels(['normface', 'arcface:m=0.3', 'cosface'], 1, 'm').panels;
  assert.deepEqual(swept, ['normface', 'arcface:m=0.1', 'arcface:m=0.3', 'arcface:m=0.5', 'cosface']);
  assert.deepEqual(keptPanels(['normface', 'arcface:m=0.3', 'cosface'], swept), [0, -1, 1, -1, 2], 'the swept panel’s own value trains on');
  assert.deepEqual(keptPanels(six, sweepTokens('arcface', 'm')), [-1, -1, -1], 'the paper’s sweep: all new');
});

test('data=rows with pts=: a small placed set round-trips; a bad one falls back with a notice', () => {
  const hash = '#data=rows&pts=-1:0:0,-1.2:0.25:0,1:0:1,0.8:-0.125:1';
  const { state, notices } = parseHash(hash);
  assert.deepEqual(notices, []);
  assert.equal(state.data, 'rows');
  assert.equal(state.classes, 2, 'the classes are the points\u2019 own');
  assert.deepEqual(state.points, [[-1, 0, 0], [-1.2, 0.25, 0], [1, 0, 1], [0.8, -0.125, 1]]);
  assert.deepEqual(parseHash(toHash(state)).state.points, state.points);
  for (const bad of ['-1:0:0,1:0:2', '1:0:0', 'a:b:0,1:1:1', '1.2345:0:0,1:1:1']) {
    const r = parseHash(`#data=rows&pts=${bad}`);
    assert.ok(r.notices.length > 0, `pts=${bad} gave no notice`);
    assert.notEqual(r.state.data, 'rows', `pts=${bad}: data falls back`);
  }
  const stray = parseHash('#data=blobs&pts=-1:0:0,1:0:1');
  assert.match(stray.notices.join(' '), /ignored the 2 points of pts=/);
  assert.deepEqual(stray.state.points, []);
});
