// property.test.mjs: a few thousand random and hostile values thrown at the binding and
// at the page's URL parser, from a seeded generator (tests/helpers.mjs), each checked
// against the contract (DESIGN.md):
// - the binding answers with finite numbers, or throws an Error whose message is a
//   sentence naming the bad argument: never a RangeError or TypeError from inside the
//   binding, never a wasm trap; wasm memory stays flat after a warm-up, and a live
//   trainer's parameters are untouched by any call that is not its own;
// - parseHash never throws and always gives a valid state that round-trips through toHash;
// - a CSV file, however mangled, is rows a trainer takes or one CsvError sentence naming
//   its line (wasm/csv.js), and a saved run, however damaged, opens or is refused in one
//   RunFileError sentence (wasm/run.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { FIELDS, parseHash, toHash, defaultState } from '../web/state.js';
import { STORIES } from '../web/stories.js';
import { mulberry32 } from './helpers.mjs';
import { parseCsv, CsvError, toCsv } from '../wasm/csv.js';
import { saveRun, openRun } from '../wasm/run.js';
import { RunFileError } from '../wasm/runfile.js';

const iam = await loadIAM();

// -- generators ----------------------------------------------------------------

const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 1e300, -1e300, 3e38, 2 ** 31, 2 ** 32, 2 ** 53,
  -(2 ** 31) - 1];
const HOSTILE = [...HOSTILE_NUMBERS, '0.3', '', 'arcface', '1e3', {}, [], [1], [NaN], null, undefined, true, false,
  1n, () => 1, new Date(0), new Float32Array(2)];
// and as config values also what has no plain string form (structs.js's shown()): a
// Symbol, an object without a prototype, a BigInt inside an array field
const HOSTILE_CONFIG = [...HOSTILE, Symbol('s'), Object.create(null), [1n], { valueOf: () => { throw new Error('no'); } }];

/** Mostly a plausible config value, sometimes a hostile one. */
const configValue = (rand, plausible) => (rand() < hostility ? pick(rand, HOSTILE_CONFIG) : plausible());

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const int = (rand, lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

// how often value() gives a hostile value: each call draws it, so that about half the
// calls are clean and reach C, and the others are hostile somewhere
let hostility = 0.25;
const drawHostility = (rand) => { hostility = rand() < 0.5 ? 0 : 0.25; };

/** Mostly a plausible value of the kind a field takes, sometimes anything hostile. */
function value(rand, plausible) {
  return rand() < hostility ? pick(rand, HOSTILE) : plausible();
}

const LOSS_KEYS = Object.keys(iam.defaults('loss_config'));
// set less often: each one alone can refuse a config, and fourteen of them would refuse nearly all
const ADAPTIVE_KEYS = new Set(['momentum', 'h', 'la', 'ua', 'lm', 'um', 'lambdaG', 'subcenters', 'marginStd', 'marginSeed',
  'detachMargin', 't', 'normMean', 'normStd']);
const PROTO_KEYS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'prototype'];

function plausibleLoss(rand, key) {
  switch (key) {
    case 'kind': return pick(rand, iam.names.kind);
    case 'fallback': return pick(rand, iam.names.fallback);
    case 'featureNorm': return rand() < 0.5;
    case 'margin': case 'm1': case 'm2': case 'm3': return int(rand, 0, 20) / 10;
    // the adaptive losses' options (docs/LOSSES.md): mostly in range, now and then past it
    case 'subcenters': return int(rand, 0, 3);
    case 'marginStd': case 'lm': case 'um': case 't': case 'momentum': case 'h': return int(rand, -1, 10) / 10;
    case 'detachMargin': return rand() < 0.5;
    case 'la': case 'ua': case 'normMean': case 'normStd': case 'lambdaG': return int(rand, -1, 20);
    case 'marginSeed': return int(rand, 0, 1000);
    default: return int(rand, -1, 60) / 2;
  }
}

/** A loss config: some of its keys, plausible or hostile, sometimes a prototype key, sometimes no object. */
function lossConfig(rand) {
  if (rand() < hostility / 5) return pick(rand, HOSTILE);
  const cfg = {};
  for (const key of LOSS_KEYS) if (rand() < (ADAPTIVE_KEYS.has(key) ? 0.06 : 0.4)) cfg[key] = configValue(rand, () => plausibleLoss(rand, key));
  // an own key named after a built-in, as JSON.parse makes it (a '__proto__' key included)
  if (rand() < hostility / 2) Object.defineProperty(cfg, pick(rand, PROTO_KEYS), { value: 1, enumerable: true });
  return cfg;
}

/** An array of `length` elements in one of the forms the binding meets. */
function array(rand, length, element) {
  const form = rand();
  if (rand() < hostility / 5) return pick(rand, HOSTILE);
  const plain = Array.from({ length: Math.max(0, length + (rand() < hostility / 3 ? int(rand, -1, 1) : 0)) }, element);
  if (rand() < hostility / 2 && plain.length) plain[int(rand, 0, plain.length - 1)] = pick(rand, HOSTILE);
  if (form < 0.45) return plain;
  const numbers = plain.map((v) => (typeof v === 'number' ? v : 0));
  return form < 0.8 ? Float32Array.from(numbers) : Float64Array.from(numbers);
}

/** A batch: sizes mostly small and right, sometimes hostile; arrays to match, or not. */
function batch(rand) {
  if (rand() < hostility / 8) return pick(rand, HOSTILE);
  const size = (lo, hi) => value(rand, () => int(rand, lo, hi));
  const huge = () => rand() < hostility / 5;
  const n = huge() ? pick(rand, [1e7, 65537, 2 ** 31 - 1]) : size(1, 6);
  const d = huge() ? pick(rand, [4097, 4096]) : size(1, 5);
  const c = huge() ? pick(rand, [100000, 100001]) : size(2, 6);
  const len = (a, b) => (Number.isInteger(a) && Number.isInteger(b) && a * b <= 64 ? a * b : 4);
  const normal = () => (rand() - 0.5) * 4;
  const labels = array(rand, Number.isInteger(n) && n <= 64 ? n : 2, () =>
    (rand() < hostility / 3 ? pick(rand, [-1, c, 2 ** 32, 1.5, '1']) : int(rand, 0, (Number.isInteger(c) && c < 64 ? c : 2) - 1)));
  return { x: array(rand, len(n, d), normal), W: array(rand, len(c, d), normal), labels, n, d, c };
}

// -- the contract ----------------------------------------------------------------

// the words an error sentence may name the bad argument by
const ARGUMENTS = ['n', 'd', 'c', 'x', 'W', 'labels', 'batch', 'config', 'option', 'inputs', 'lr', 'step count',
  'points', 'set', 'bins', 'class', 'direction', 'params', 'ids', 'embeddings', 'pairs', 'seed', 'trainer',
  'embedding dimension', 'input dimension', 'hidden layer', 'lambda', 'batch_size', 'train_per_class',
  'test_per_class', 'classes', 'zero embedding', 'learning rate', ...LOSS_KEYS, ...Object.keys(iam.defaults())];
const namesArgument = (message) => ARGUMENTS.some((a) => new RegExp(`(^|[^A-Za-z])${a}([^A-Za-z]|$)`).test(message));

/** Run fn; its answer must pass `ok`, or it must throw a sentence naming an argument. */
function contract(what, fn, ok) {
  let result;
  try {
    result = fn();
  } catch (err) {
    assert.ok(err instanceof Error, `${what}: threw a non-Error ${String(err)}`);
    assert.ok(err.constructor === Error || err.name === 'TrainingDiverged',
      `${what}: threw a ${err.constructor.name} from inside the binding: ${err.message}`);
    assert.ok(err.message.length > 10 && !/cannot read propert|is not a function|is not iterable|cannot convert/i.test(err.message),
      `${what}: not a sentence: ${err.message}`);
    assert.ok(namesArgument(err.message), `${what}: names no argument: ${err.message}`);
    return 'error';
  }
  ok(result);
  return 'ok';
}

const finite = (a) => Array.from(a).every(Number.isFinite);

// a result only for a batch that is right: 2**32 must not train as class 0, nor '1' as 1
function lossAnswer(b) {
  return (r) => {
    assert.ok(Array.from(b.labels).every((y) => Number.isInteger(y) && y >= 0 && y < b.c), 'a result for bad labels');
    assert.ok([...b.x, ...b.W].every((v) => typeof v === 'number'), 'a result for an array that holds no numbers');
    assert.ok(Number.isFinite(r.loss) && Number.isFinite(r.base) && Number.isFinite(r.iam), 'a loss is not finite');
    assert.ok(r.dx instanceof Float32Array && r.dx.length === b.n * b.d && finite(r.dx), 'dx');
    assert.ok(r.dW instanceof Float32Array && r.dW.length % (b.c * b.d) === 0 && finite(r.dW), 'dW');
  };
}

// -- the binding ----------------------------------------------------------------

const describe = (v) => {
  try { return JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x))?.slice(0, 200); } catch { return typeof v; }
};

test('iam.loss: 3,000 random and hostile configs and batches give finite numbers or a sentence; memory stays flat', () => {
  const rand = mulberry32(16);
  const canary = iam.trainer({ classes: 3, trainPerClass: 10, testPerClass: 5, hidden: [8], seed: 4 });
  const params = canary.params();
  let bytes = 0;
  const count = { ok: 0, error: 0 };
  for (let k = 0; k < 3000; k++) {
    if (k === 300) bytes = iam.memoryBytes;   // after a warm-up: the arena has grown to its size
    drawHostility(rand);
    const cfg = lossConfig(rand), b = batch(rand);
    count[contract(`call ${k}: loss(${describe(cfg)}, ${describe(b)})`, () => iam.loss(cfg, b), lossAnswer(b))]++;
  }
  assert.equal(iam.memoryBytes, bytes, 'wasm memory grew after the warm-up');
  assert.deepEqual(canary.params(), params, 'a loss call wrote over a live trainer');
  assert.doesNotThrow(() => canary.step(2));
  canary.free();
  assert.ok(count.ok > 300 && count.error > 300, `too one-sided a mix: ${JSON.stringify(count)}`);
});

const SETS = ['train', 'test', 'heldout', 'validation', '', 0, null];

/** One random trainer method call with plausible or hostile arguments. */
function trainerCall(rand, t) {
  const numbers = (length) => array(rand, length, () => (rand() - 0.5) * 6);
  const calls = [
    () => ['step', () => t.step(value(rand, () => int(rand, 0, 3)))],
    () => ['setLr', () => t.setLr(value(rand, () => 10 ** -int(rand, 1, 5)))],
    () => ['predict', () => t.predict(numbers(2 * int(rand, 1, 40)))],
    () => ['setWeight', () => t.setWeight(value(rand, () => int(rand, -1, 3)), numbers(t.dim))],
    () => ['setParams', () => t.setParams(rand() < 0.5 ? t.params() : numbers(t.nParams))],
    () => ['embed', () => t.embed({ points: value(rand, () => int(rand, 1, 50)), set: pick(rand, SETS) })],
    () => ['forces', () => t.forces({ points: value(rand, () => int(rand, 1, 20)), set: pick(rand, SETS) })],
    () => ['evaluate', () => t.evaluate({ bins: value(rand, () => int(rand, 0, 40)) })],
    () => ['verification', () => iam.verification(numbers(12), array(rand, 6, () => int(rand, 0, 2)),
      { n: value(rand, () => 6), d: value(rand, () => 2), pairs: value(rand, () => 20), seed: 1 })],
  ];
  return pick(rand, calls)();
}

// every number in an answer is finite (arrays, objects, nested)
function allFinite(v) {
  if (typeof v === 'number') return Number.isFinite(v);
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return Array.from(v).every(allFinite);
  if (v && typeof v === 'object') return Object.values(v).every(allFinite);
  return true;
}

test('a trainer: 1,500 random and hostile method calls give finite numbers or a sentence; memory stays flat', () => {
  const rand = mulberry32(61);
  const t = iam.trainer({ classes: 3, trainPerClass: 20, testPerClass: 10, hidden: [16], seed: 5 });
  const canary = iam.trainer({ classes: 3, trainPerClass: 10, testPerClass: 5, hidden: [8], seed: 4 });
  const params = canary.params();
  let bytes = 0;
  for (let k = 0; k < 1500; k++) {
    if (k === 200) bytes = iam.memoryBytes;
    drawHostility(rand);
    const [name, call] = trainerCall(rand, t);
    contract(`call ${k}: ${name}`, call, (r) => assert.ok(allFinite(r), `${name} gave a number that is not finite`));
  }
  assert.equal(iam.memoryBytes, bytes, 'wasm memory grew after the warm-up');
  assert.deepEqual(canary.params(), params, 'a call on one trainer wrote over another');
  t.free(); canary.free();
});

test('iam.trainer: 300 random and hostile configs make a trainer or give a sentence, and leak nothing', () => {
  const rand = mulberry32(7);
  const plausible = {
    data: () => pick(rand, iam.names.data), classes: () => int(rand, 1, 12), trainPerClass: () => int(rand, 0, 12),
    testPerClass: () => int(rand, 0, 6), seed: () => int(rand, 0, 9), hidden: () => [int(rand, 1, 8)],
    dim: () => int(rand, 1, 4), lr: () => 10 ** -int(rand, 0, 4), batchSize: () => int(rand, 0, 16),
    optimizer: () => pick(rand, iam.names.optimizer), activation: () => pick(rand, iam.names.activation),
  };
  const bytes = [];
  for (let k = 0; k < 300; k++) {
    drawHostility(rand);
    const cfg = {};
    for (const [key, make] of Object.entries(plausible)) if (rand() < 0.4) cfg[key] = configValue(rand, make);
    cfg.trainPerClass ??= 5; cfg.testPerClass ??= 3;   // small, so that memory is flat
    if (rand() < 0.3) cfg.loss = lossConfig(rand);
    if (rand() < 0.05) Object.defineProperty(cfg, pick(rand, PROTO_KEYS), { value: 1, enumerable: true });
    contract(`config ${k}: ${describe(cfg)}`, () => {
      const t = iam.trainer(cfg);
      try { return { step: t.step(1), metrics: t.evaluate().metrics }; } finally { t.free(); }
    }, (r) => assert.ok(allFinite(r), 'a trainer gave a number that is not finite'));
    if (k >= 100) bytes.push(iam.memoryBytes);
  }
  assert.equal(new Set(bytes).size, 1, `wasm memory moved: ${[...new Set(bytes)].join(', ')}`);
});

// -- the URL parser ------------------------------------------------------------------

const KEYS = Object.values(FIELDS).map((f) => f.key);
const PIECES = ['%', '%2', '%E0%A4%A', '%00', '&', '=', '#', '+', ',', ':', '\u2028', '😀', '\uD800', ' ', 'NaN',
  'Infinity', '-0', '1e999', '0x10', '1.', '.5', '-1', '999999999999', '__proto__', 'constructor', 'toString',
  'arcface+iam:m=9:b=-1', 'sphereface+fixed+fixed', ',,,', '0:0.1', '5:1,3:1', 'crowded', 'x'.repeat(3000)];

function randomHash(rand) {
  if (rand() < 0.2) return Array.from({ length: int(rand, 0, 12) }, () => pick(rand, PIECES)).join('');
  const parts = Array.from({ length: int(rand, 0, 8) }, () => {
    const key = rand() < 0.8 ? pick(rand, KEYS) : pick(rand, PIECES);
    const raw = rand() < 0.3 ? String(pick(rand, HOSTILE_NUMBERS))
      : rand() < 0.5 ? pick(rand, PIECES) : String(int(rand, -3, 20) / pick(rand, [1, 2, 10, 100]));
    return rand() < 0.1 ? key : `${key}=${raw}`;
  });
  if (rand() < 0.1) parts.push(`story=${pick(rand, [...STORIES.map((s) => s.id), 'nope', ''])}`);
  return (rand() < 0.5 ? '#' : '') + parts.join('&');
}

test('parseHash: 3,000 random and hostile hashes never throw, and give a valid state that round-trips', () => {
  const rand = mulberry32(1616);
  const names = Object.keys(defaultState()).sort();
  const inputs = [undefined, null, 42, {}, [], '#', '&&&', '#=&=', '#__proto__=1&constructor=2'];
  for (let k = 0; k < 3000; k++) inputs.push(randomHash(rand));
  for (const hash of inputs) {
    const what = describe(hash)?.slice(0, 120);
    let parsed;
    assert.doesNotThrow(() => { parsed = parseHash(hash); }, what);
    const { state, notices } = parsed;
    assert.ok(Array.isArray(notices) && notices.every((s) => typeof s === 'string'), what);
    assert.equal(Object.getPrototypeOf(state), Object.prototype, `${what}: the state's prototype changed`);
    assert.deepEqual(Object.keys(state).sort(), names, `${what}: the state has other fields`);
    // with its story too: a field the story sets is written whenever it differs from the
    // story's value ('#story=4294967296&story=sphereface-annealing&until=0' keeps until = 0)
    const again = parseHash(toHash(state));
    assert.deepEqual(again.notices, [], `${what}: its own hash gives notices`);
    assert.deepEqual(again.state, state, `${what}: the state does not round-trip`);
  }
  assert.equal({}.polluted, undefined);
});

// -- CSV files and saved runs ----------------------------------------------------

const CSV_PIECES = ['', ',', '\n', '\r\n', ' ', '"', '-', '.', 'e', '1e39', 'NaN', 'Infinity', '0x1', '\ufeff', 'a', 'label', '3', '-0.5', ',,', '\t'];

test('1,500 mangled CSV files: rows a trainer takes, or a CsvError naming the line', () => {
  const rand = mulberry32(12);
  const good = toCsv({ x: Float32Array.from({ length: 60 }, (_, k) => Math.sin(k)), labels: Int32Array.from({ length: 20 }, (_, i) => i % 3), dim: 3, names: ['a', 'b', 'c'] });
  let parsed = 0, refused = 0;
  for (let round = 0; round < 1500; round++) {
    const chars = [...good];
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
      const at = Math.floor(rand() * chars.length);
      if (rand() < 0.5) chars.splice(at, 1 + Math.floor(rand() * 3));
      else chars.splice(at, 0, pick(rand, CSV_PIECES));
    }
    const text = chars.join('');
    let set;
    try {
      set = parseCsv(text);
    } catch (err) {
      assert.ok(err instanceof CsvError, `${err?.name}: ${err?.message} for ${JSON.stringify(text.slice(0, 80))}`);
      assert.match(err.message, /^(line \d+|the file|every row)/);
      refused++;
      continue;
    }
    parsed++;
    assert.equal(set.x.length, set.rows * set.dim);
    assert.ok(set.x.every(Number.isFinite), 'a parsed value is not finite');
    assert.ok(set.classes >= 2 && set.labels.every((l) => l >= 0 && l < set.classes));
    if (set.rows >= 2 && round % 25 === 0) {   // and the library takes it (or says why in a sentence)
      try {
        iam.trainer({ data: 'rows', classes: set.classes }, set).free();
      } catch (err) {
        assert.ok(!(err instanceof TypeError || err instanceof RangeError || err instanceof WebAssembly.RuntimeError), err.message);
      }
    }
  }
  assert.ok(parsed > 100 && refused > 100, `parsed ${parsed}, refused ${refused}`);
});

test('500 damaged saved runs: each opens, or is refused in one RunFileError sentence', () => {
  const rand = mulberry32(13);
  const t = iam.trainer({ classes: 3, trainPerClass: 20 });
  t.step(3);
  const bytes = saveRun({ settings: { a: 1 }, data: { kind: 'blobs' }, trainers: [{ config: t.config, state: t.state() }] });
  t.free();
  let refused = 0;
  for (let round = 0; round < 500; round++) {
    const b = bytes.slice();
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) b[Math.floor(rand() * b.length)] ^= 1 + Math.floor(rand() * 255);
    const cut = rand() < 0.3 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
    try {
      openRun(cut);
    } catch (err) {
      assert.ok(err instanceof RunFileError, `${err?.name}: ${err?.message}`);
      refused++;
    }
  }
  assert.equal(refused, 500, 'a damaged file opened (the checksum covers every byte)');
});
