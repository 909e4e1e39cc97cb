// run.js: a saved run, to stop training and continue it later exactly where it was.
//
//   const bytes = saveRun({ settings, data, trainers: [{ config: t.config, lrChanges, state: t.state() }] });
//   const run = openRun(bytes);          // { settings, data, trainers: [{ config, lrChanges, state }] }
//   const t2 = iam.trainer(run.trainers[0].config, run.data.rows);   // rows only for data 'rows'
//   t2.setState(run.trainers[0].state);  // its next steps are the saved trainer's, to the bit
//
// What a run is: the settings it was started with (the page's state, the CLI's flags: any
// JSON, for the caller), the data it trains on, and one entry per trainer (a page has one
// per panel): its whole config as C holds it, the learning-rate changes still to replay,
// and its state (iam_trainer_get_state: parameters, class weights, optimizer moments, the
// batch sampler, the step). The data are stored as rows only where nothing else can make
// them again (data 'rows': a CSV, points placed by hand); a generated set is its kind and
// seed, which C regenerates byte for byte; MNIST is the build's wasm/mnist.bin, named by
// its digest (mnistDigest) so that a run is not continued on other digits.
//
// The container (magic, JSON header, sections, checksum) is runfile.js's; this file says
// what goes in it and checks it on the way back, every problem one sentence.
import { encodeRun, decodeRun, sectionAs, RunFileError } from './runfile.js';
import { ROW_KINDS } from './trainer.js';
import { mnistRows, mnistDigest } from './mnist.js';

export const RUN_KIND = 'iam-loss run';
export const RUN_VERSION = 1;
/** The extension the page's Save gives, and the CLI's --save suggests. */
export const RUN_EXTENSION = '.iamrun';

const fail = (sentence) => { throw new RunFileError(sentence); };
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The bytes of a run: settings (JSON), data { kind, rows?, digest? }, trainers [{ config, lrChanges, state }]. */
export function saveRun({ settings = {}, data, trainers, app = 'iam-loss' }) {
  if (!isObject(data) || typeof data.kind !== 'string') throw new Error('a saved run needs its data: { kind, rows? }');
  if (!Array.isArray(trainers) || trainers.length === 0) throw new Error('a saved run needs at least one trainer');
  const sections = {};
  const dataHeader = { ...data, rows: undefined };
  if (data.kind === 'rows') {
    const { x, labels, dim, names } = data.rows ?? {};
    if (!(x instanceof Float32Array) || !(labels instanceof Int32Array) || x.length !== labels.length * dim)
      throw new Error("data 'rows' is saved with its rows: { x: Float32Array(n·dim), labels: Int32Array(n), dim }");
    sections['rows.x'] = x;
    sections['rows.labels'] = labels;
    dataHeader.rows = { n: labels.length, dim, names: names ?? null };
  }
  const entries = trainers.map(({ config, lrChanges = [], state }, k) => {
    if (!(state instanceof Uint8Array)) throw new Error(`trainer ${k}'s state must be the Uint8Array trainer.state() gives`);
    if (config?.data !== data.kind) throw new Error(`trainer ${k} trains on '${config?.data}', not on the run's data '${data.kind}'`);
    sections[`trainer${k}.state`] = state;
    return { config, lrChanges };
  });
  return encodeRun({ kind: RUN_KIND, version: RUN_VERSION, app, savedAt: new Date().toISOString(), settings,
    data: dataHeader, trainers: entries }, sections);
}

/** A run back from its bytes, checked: throws a RunFileError whose message is one sentence. */
export function openRun(bytes) {
  const { header, sections } = decodeRun(bytes);
  if (header.kind !== RUN_KIND) fail(`the file is a saved run of '${header.kind}', not of this library ('${RUN_KIND}')`);
  if (header.version !== RUN_VERSION) fail(`the run is of version ${header.version}; this library reads version ${RUN_VERSION}`);
  const { data, trainers } = header;
  if (!isObject(data) || typeof data.kind !== 'string') fail('the saved run does not say what data it trains on');
  if (!Array.isArray(trainers) || trainers.length === 0) fail('the saved run holds no trainer');
  const out = { app: header.app, savedAt: header.savedAt, settings: header.settings ?? {}, data: { ...data }, trainers: [] };
  if (data.kind === 'rows') {
    const x = sectionAs(sections, 'rows.x', Float32Array), labels = sectionAs(sections, 'rows.labels', Int32Array);
    const dim = data.rows?.dim;
    if (!Number.isInteger(dim) || dim < 1 || labels.length !== data.rows.n || x.length !== labels.length * dim)
      fail(`the saved rows do not match their description (${labels.length} labels, ${x.length} values, dim ${dim})`);
    out.data.rows = { x, labels, dim, names: data.rows.names ?? null };
  } else if (ROW_KINDS.includes(data.kind) && data.kind !== 'mnist') fail(`data '${data.kind}' needs rows the file does not hold`);
  trainers.forEach((entry, k) => {
    if (!isObject(entry) || !isObject(entry.config)) fail(`trainer ${k} of the saved run has no config`);
    if (entry.config.data !== data.kind) fail(`trainer ${k} trains on '${entry.config.data}', not on the run's data '${data.kind}'`);
    const lrChanges = entry.lrChanges ?? [];
    if (!Array.isArray(lrChanges) || !lrChanges.every((c) => Number.isInteger(c?.step) && typeof c?.lr === 'number'))
      fail(`trainer ${k}'s learning-rate changes are not a list of { step, lr }`);
    const state = sections[`trainer${k}.state`] ?? fail(`the saved run has no state for trainer ${k}`);
    out.trainers.push({ config: entry.config, lrChanges, state: state.slice() });
  });
  return out;
}

/** Make trainer k of an opened run: the config's trainer on the run's rows, given its state
 *  (setState refuses a state of another shape in its own sentence). `mnist` is the loaded
 *  wasm/mnist.js set, needed (and checked against the run's digest) for data 'mnist'. */
export function resumeTrainer(iam, run, k = 0, { mnist } = {}) {
  const entry = run.trainers[k] ?? fail(`the saved run has no trainer ${k} (it has ${run.trainers.length})`);
  let rows;
  if (run.data.kind === 'rows') rows = run.data.rows;
  else if (run.data.kind === 'mnist') {
    if (!mnist) throw new Error("the run trains on MNIST: load it (wasm/mnist.js) and pass it as { mnist }");
    if (run.data.digest !== undefined && run.data.digest !== mnistDigest(mnist))
      fail(`the run was saved with other MNIST digits (digest ${run.data.digest}, this build's is ${mnistDigest(mnist)})`);
    rows = mnistRows(mnist);
  }
  const trainer = iam.trainer(entry.config, rows);
  try {
    trainer.setState(entry.state);
  } catch (err) {
    trainer.free();
    throw err;
  }
  return trainer;
}
