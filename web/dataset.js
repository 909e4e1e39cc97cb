// dataset.js: the rows a run trains on when the page holds them rather than C: MNIST's
// digits (fetched once for every panel), and a set of your own (data 'rows'): points
// placed by hand, a CSV, a generated set that was edited.
//
// A set is { x: Float32Array (n·dim), labels: Int32Array (n), dim, classes, names }:
// every class from 0 to classes − 1 has a row, names[j] is class j's label text (a
// CSV's) or null for plain numbers. Sets are values: an edit returns a new set.
//
// It is not the state: state.points is the link's copy of a small 2-D set (state.js);
// the set itself lives here, and in a saved run. It decides nothing that C decides:
// whether a set can be trained on is asked of the library itself (trainError).
import { lib } from './library.js';
import { loadMnist, mnistRows } from '../wasm/mnist.js';
import { LINK_POINTS } from './state.js';

const DECIMALS = 3;   // a placed point's coordinates, as a link writes them
const round = (v) => Math.round(v * 10 ** DECIMALS) / 10 ** DECIMALS + 0;

/** A set from its rows; classes counted from the labels (which must use 0, 1, … each). */
export function makeSet(x, labels, dim, names = null) {
  const classes = labels.length ? Math.max(...labels) + 1 : 0;
  return { x: Float32Array.from(x), labels: Int32Array.from(labels), dim, classes, names: names ? names.slice(0, classes) : null };
}

export const emptySet = (dim = 2) => makeSet([], [], dim);

let mnist = null;
/** MNIST's 10,000 digits as a set (dim 196, pixels / 255), fetched and parsed once. */
export function mnistSet() {
  mnist ??= loadMnist().then((m) => { const { x, labels, dim } = mnistRows(m); return { x, labels, dim, classes: 10, names: null }; });
  mnist.catch(() => { mnist = null; });   // a failed fetch is tried again next time
  return mnist;
}

/** The set a generated data kind makes for a config (its seed and classes): its train
 *  and test inputs together, from a trainer made here for the purpose. */
export function generatedSet(config) {
  const trainer = lib.trainer(config);
  try {
    const train = trainer.inputs('train'), test = trainer.inputs('test');
    const x = new Float32Array(train.x.length + test.x.length);
    x.set(train.x);
    x.set(test.x, train.x.length);
    return makeSet(x, [...train.labels, ...test.labels], trainer.inputDim);
  } finally {
    trainer.free();
  }
}

/** The link's copy of a set ([[x, y, class], …], state.points), or [] when a link cannot
 *  hold it exactly: more than LINK_POINTS points, not 2-D, named classes, or a value
 *  that three decimals do not give back. */
export function linkPoints(set) {
  const n = set.labels.length;
  if (set.dim !== 2 || n > LINK_POINTS || set.names || !n) return [];
  const points = [];
  for (let i = 0; i < n; i++) {
    const x = set.x[2 * i], y = set.x[2 * i + 1];
    if (Math.fround(round(x)) !== x || Math.fround(round(y)) !== y) return [];
    points.push([round(x), round(y), set.labels[i]]);
  }
  return points;
}

/** A set from a link's points (state.points). */
export const setFromPoints = (points) => makeSet(points.flatMap((p) => [p[0], p[1]]), points.map((p) => p[2]), 2);

/** The set with one more point of class `label` (0 … classes: `classes` starts a new
 *  one) at `at` ([x, y], rounded as a link writes it). */
export function addPoint(set, at, label) {
  const names = set.names && label >= set.classes ? [...set.names, String(label)] : set.names;
  return makeSet([...set.x, round(at[0]), round(at[1])], [...set.labels, label], 2, names);
}

/** The set without its point nearest to `at`, if one is within `radius`; else null. */
export function removeNearest(set, at, radius) {
  let best = -1, bestD = radius * radius;
  for (let i = 0; i < set.labels.length; i++) {
    const d = (set.x[2 * i] - at[0]) ** 2 + (set.x[2 * i + 1] - at[1]) ** 2;
    if (d <= bestD) { best = i; bestD = d; }
  }
  if (best < 0) return null;
  const keep = (_, i) => i !== best;
  return compact(set.x.filter((_, k) => (k >> 1) !== best), set.labels.filter(keep), set.names);
}

/** A 2-D set's rows with a class that lost its last row renumbered away: classes 0, 1, …
 *  each used again, in their old order, with their names. */
function compact(x, labels, names) {
  const used = [...new Set(labels)].sort((a, b) => a - b), to = new Map(used.map((c, k) => [c, k]));
  return makeSet(x, labels.map((c) => to.get(c)), 2, names ? used.map((c) => names[c]) : null);
}

/** Why a trainer cannot train on this set with this config (the library's sentence, or
 *  the page's for a set of fewer than two classes), or null when it can. */
export function trainError(set, config) {
  if (set.classes < 2) return `a set needs points of two classes or more (it has ${set.labels.length} point${set.labels.length === 1 ? '' : 's'} of ${set.classes})`;
  try {
    lib.trainer({ ...config, data: 'rows', classes: set.classes }, { x: set.x, labels: set.labels }).free();
    return null;
  } catch (err) {
    return err.message;
  }
}

const inputDims = new Map();
/** The input dimension of a generated data kind (2: it has an input plane), asked once per kind. */
export function generatedInputDim(config) {
  if (!inputDims.has(config.data)) {
    const trainer = lib.trainer(config);
    inputDims.set(config.data, trainer.inputDim);
    trainer.free();
  }
  return inputDims.get(config.data);
}
