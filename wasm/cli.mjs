// cli.mjs: headless training, behind `./build.sh train -- …`.
//
//   ./build.sh train -- --loss arcface --beta 0.5 --data blobs --classes 8 --dim 2 --steps 2000 --seed 1 --json
//
//   ./build.sh train -- --data mnist --dim 2 --loss arcface --steps 8000 --json     real digits (wasm/mnist.js)
//   ./build.sh train -- --data points.csv --classes 3 --steps 2000                 rows x1,…,xk,label (wasm/csv.js)
//   ./build.sh train -- … --steps 500 --save run.iamrun                            the whole run, at its end
//   ./build.sh train -- --load run.iamrun --steps 500 --json                       500 more, exactly as if never stopped
//   ./build.sh train -- --loss adaface --h 0.333 --subcenters 3 --json             the losses of docs/LOSSES.md
//   ./build.sh train -- --loss arcface --fallback none --detach-margin --json     insightface's ArcFace today
//   ./build.sh train -- --beta 1 --iam-variant weights --json                     IAM's ablations (docs/LOSSES.md)
//
// With --json the last line of stdout is one JSON object with the final metrics
// (DESIGN.md, "Commands"). A progress bar goes to stderr when it is a terminal.
// Bad flags print the usage and exit 2; a diverging run exits 1 with the reason;
// a file that cannot be read (a bad CSV, a damaged run) exits 2 with its sentence.
// What a flag leaves out is the preset's (wasm/presets.js) or the library's default.
// A loss flag that only other kinds read (--h without adaface) is refused: C would ignore it.
// CurricularFace's and AdaFace's running state at the end is the JSON's loss_state.
// With --load the run's settings are the file's: a training flag repeated on the command
// line must say what the file says; --steps counts the steps to add, and the JSON's
// steps is the total.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadIAM } from './iam.js';
import { trainerPreset, DATA_LR_CHANGES, MARGIN_FIELDS } from './presets.js';
import { parseFlags, flagHelp, number, integer, between, oneOf } from './flags.js';
import { loadMnist, mnistRows, mnistDigest } from './mnist.js';
import { decodeCsvBytes } from './csv.js';
import { saveRun, openRun, resumeTrainer } from './run.js';

const MAX_STEPS = 100_000_000;
const intList = (v) => (/^\d+(,\d+)*$/.test(v) ? v.split(',').map(Number) : /^$|^none$/.test(v) ? [] : undefined);
/** '6000:0.0002,9000:0.00002' → [{ step, lr }], steps increasing; 'none' → []. */
const lrChangeList = (v) => {
  if (/^$|^none$/.test(v)) return [];
  const changes = v.split(',').map((item) => /^(\d+):([0-9.eE+-]+)$/.exec(item)).map((m) => m && { step: Number(m[1]), lr: number(m[2]) });
  return changes.every((c, k) => c && c.lr > 0 && (k === 0 || c.step > changes[k - 1].step)) ? changes : undefined;
};
/** A data set: one of the library's generated kinds or mnist by name, or a CSV file by its path. */
const dataValue = (names) => (v) => (names.includes(v) && v !== 'rows' ? v : /\.csv$/i.test(v) ? { csv: v } : undefined);

// the kinds whose target is ArcFace's cos(θ + m) (src/loss.c arcface_psi), so the ones --fallback shapes
const ARC_TARGET = ['arcface', 'curricularface', 'magface'];
// the kinds with no margin, whose target's gradient --detach-margin cannot change (src/loss.c margin_logits_backward)
const NO_MARGIN = ['softmax', 'normface'];
/** The kinds whose margin a field of presets.js's MARGIN_FIELDS shapes: 'margin' → [sphereface, cosface, …]. */
const shapedBy = (field) => Object.keys(MARGIN_FIELDS).filter((kind) => MARGIN_FIELDS[kind].includes(field));

/** The flags, given the library's names and defaults: flag → { value, help, to: where it goes }. */
export function flagSpec({ names, defaults: d }) {
  const list = (values) => values.join(' | ');
  return {
    '--loss': { to: 'kind', value: oneOf(names.kind), help: `loss kind: ${list(names.kind)} (default ${d.loss.kind})` },
    '--beta': { to: 'loss.beta', value: number, help: `the IAM weight β >= 0 (default ${d.loss.beta})` },
    '--scale': { to: 'loss.scale', value: number, help: `scale s (default ${d.loss.scale}, or the preset's)` },
    '--margin': { to: 'loss.margin', value: number, kinds: shapedBy('margin'), help: 'margin m in radians, or SphereFace\'s m (default: the preset)' },
    '--m1': { to: 'loss.m1', value: number, kinds: shapedBy('m1'), help: 'combined margin m1' },
    '--m2': { to: 'loss.m2', value: number, kinds: shapedBy('m2'), help: 'combined margin m2 (radians)' },
    '--m3': { to: 'loss.m3', value: number, kinds: shapedBy('m3'), help: 'combined margin m3' },
    '--lambda': { to: 'loss.lambda', value: number, kinds: ['sphereface'], help: 'SphereFace λ when --no-anneal (default 0)' },
    '--feature-norm': { to: 'loss.featureNorm', kinds: ['sphereface'], help: 'SphereFace: r = ‖x‖ as in the original (switch)' },
    '--fallback': { to: 'loss.fallback', value: oneOf(names.fallback), kinds: ARC_TARGET,
      help: `ArcFace's cos(θ + m) past θ > π − m (and CurricularFace's, MagFace's): ${list(names.fallback)} (default ${d.loss.fallback}; none and --detach-margin: insightface today)` },
    '--detach-margin': { to: 'loss.detachMargin', kinds: names.kind.filter((k) => !NO_MARGIN.includes(k)), help: 'the margin\'s gradient cut, dψ/dc taken as 1, as insightface since 2022 (switch)' },
    '--iam-variant': { to: 'loss.iamVariant', value: oneOf(names.iamVariant), arg: 'NAME',
      help: `which reading of the IAM term: ${list(names.iamVariant)} (default ${d.loss.iamVariant}, the paper's; weights: the weight-only control, it spreads W and never moves a sample)` },
    '--iam-stop': { to: 'loss.iamStop', value: oneOf(names.iamStop), arg: list(names.iamStop).replace(/ \| /g, '|'),
      help: `where the IAM term's gradient stops: ${list(names.iamStop)} (default ${d.loss.iamStop}; W: it moves only the samples, x: only the weights)` },
    '--subcenters': { to: 'loss.subcenters', value: integer, help: `sub-center ArcFace: K rows of W per class, cos θ_j the best of them, 1 to 64, every kind but softmax (default ${d.loss.subcenters})` },
    '--margin-std': { to: 'loss.marginStd', value: number, kinds: ['arcface', 'cosface'], help: `ElasticFace: each sample's margin m + σ·N(0, 1), σ in [0, 1] (default ${d.loss.marginStd})` },
    '--loss-momentum': { to: 'loss.momentum', value: number, kinds: ['curricularface', 'adaface'], help: `the rate α of CurricularFace's t and AdaFace's norm statistics, in (0, 1] (default ${d.loss.momentum}; not SGD's --momentum)` },
    '--h': { to: 'loss.h', value: number, kinds: ['adaface'], help: `AdaFace: how much of the norm's spread sets the margin, ẑ = clip(h(‖x‖ − μ)/σ) (default ${d.loss.h})` },
    '--la': { to: 'loss.la', value: number, kinds: ['magface'], help: `MagFace: the norm range [la, ua] (default ${d.loss.la})` },
    '--ua': { to: 'loss.ua', value: number, kinds: ['magface'], help: `MagFace: the norm range's top (default ${d.loss.ua})` },
    '--lm': { to: 'loss.lm', value: number, kinds: shapedBy('lm'), help: `MagFace: the margin at ‖x‖ = la, radians (default ${d.loss.lm})` },
    '--um': { to: 'loss.um', value: number, kinds: shapedBy('um'), help: `MagFace: the margin at ‖x‖ = ua, radians (default ${d.loss.um})` },
    '--lambda-g': { to: 'loss.lambdaG', value: number, kinds: ['magface'], help: `MagFace: the weight λ_g of the norm regularizer g(a) = 1/a + a/ua² (default ${d.loss.lambdaG})` },
    '--no-anneal': { to: 'train.anneal', is: false, kinds: ['sphereface'], help: 'SphereFace: keep λ fixed instead of annealing (switch)' },
    '--data': { to: 'train.data', value: dataValue(names.data), arg: 'KIND|FILE.csv',
      help: `data set: ${list(names.data.filter((n) => n !== 'rows'))}, or a CSV file of rows x1,…,xk,label (default ${d.data})` },
    '--test-fraction': { to: 'train.testFraction', value: number, help: `mnist and CSV: the share of each class held out for test (default ${d.testFraction})` },
    '--augment-shift': { to: 'train.augmentShift', value: integer, help: 'images (glyphs, mnist): move each batch image by up to this many pixels (default: the preset)' },
    '--classes': { to: 'train.classes', value: integer, help: `number of classes C (default ${d.classes})` },
    '--dim': { to: 'train.dim', value: integer, help: `embedding dimension, 2 or 3 for pictures, up to 128 (default ${d.dim})` },
    '--hidden': { to: 'train.hidden', value: intList, help: `hidden layer sizes, comma-separated (default ${d.hidden.join(',')})` },
    '--activation': { to: 'train.activation', value: oneOf(names.activation), help: `${list(names.activation)} (default ${d.activation})` },
    '--init': { to: 'train.init', value: oneOf(names.init), help: `${list(names.init)} (default ${d.init})` },
    '--optimizer': { to: 'train.optimizer', value: oneOf(names.optimizer), help: `${list(names.optimizer)} (default ${d.optimizer})` },
    '--lr': { to: 'train.lr', value: number, help: `learning rate (default ${d.lr})` },
    '--lr-changes': { to: 'run.lrChanges', value: lrChangeList, arg: 'STEP:LR,…', help: `learning-rate changes at those steps, e.g. 6000:0.0002 (default: the data set's preset; mnist ${DATA_LR_CHANGES.mnist.map((c) => `${c.step}:${c.lr}`).join(',')})` },
    '--momentum': { to: 'train.momentum', value: number, help: `SGD momentum (default ${d.momentum})` },
    '--weight-decay': { to: 'train.weightDecay', value: number, help: `L2 weight decay (default ${d.weightDecay})` },
    '--w-lr-mult': { to: 'train.wLrMult', value: number, help: `learning-rate multiplier of the class weights W (default ${d.wLrMult})` },
    '--batch': { to: 'train.batchSize', value: integer, help: `batch size (default ${d.batchSize})` },
    '--train-per-class': { to: 'train.trainPerClass', value: integer, help: `training samples per class (default ${d.trainPerClass})` },
    '--test-per-class': { to: 'train.testPerClass', value: integer, help: `test samples per class (default ${d.testPerClass})` },
    '--seed': { to: 'train.seed', value: integer, help: `seed of the data, the init and the batches (default ${d.seed})` },
    '--steps': { to: 'run.steps', value: between(0, MAX_STEPS), help: `optimizer steps, 0 to ${MAX_STEPS.toLocaleString('en-US')} (default 2000)` },
    '--save': { to: 'run.save', value: (v) => v || undefined, arg: 'FILE', help: 'write the whole run to FILE at the end (.iamrun), to continue it with --load' },
    '--load': { to: 'run.load', value: (v) => v || undefined, arg: 'FILE', help: 'continue a saved run: its settings, data and state; --steps N more' },
    '--panel': { to: 'run.panel', value: between(0, 5), arg: 'K', help: 'with --load: which trainer of a page\'s saved run (one per panel) to continue' },
    '--scalar': { to: 'run.scalar', help: 'use the scalar wasm build instead of SIMD (switch)' },
    '--json': { to: 'run.json', help: 'print the final metrics as one JSON line (switch)' },
    '--help': { to: 'help', short: 'h', help: 'this text' },
  };
}

function usage(spec) {
  return `usage: ./build.sh train -- [flags]\n\n${flagHelp(spec)}\n\n` +
    'example: ./build.sh train -- --loss arcface --beta 0.5 --data blobs --classes 8 --dim 2 --steps 2000 --json';
}

/** argv → { kind, loss, train, run, help } (throws on a bad flag). */
export function parseArgs(argv, spec) {
  const out = { kind: undefined, loss: {}, train: {}, run: { steps: 2000, json: false, scalar: false }, help: false };
  for (const [name, value] of Object.entries(parseFlags(argv, spec))) {
    const { to, is } = spec[`--${name}`];
    const [group, key] = to.includes('.') ? to.split('.') : [null, to];
    if (group) out[group][key] = is ?? value;
    else out[key] = is ?? value;
  }
  return out;
}

/** A loss flag for other kinds would be ignored by C: refused instead, naming its kinds. */
function checkKinds(args, kind, spec) {
  for (const [flag, { to, kinds }] of Object.entries(spec)) {
    const [group, key] = to.split('.');
    if (kinds && args[group]?.[key] !== undefined && !kinds.includes(kind))
      throw new Error(`${flag} is for ${kinds.join(', ')}, not ${kind}`);
  }
}

function progress(done, total, t0) {
  const width = 30, frac = total ? done / total : 1;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const rate = done / Math.max(1e-3, (performance.now() - t0) / 1000);
  process.stderr.write(`\r[${bar}] ${done}/${total} steps  ${rate.toFixed(0)} steps/s `);
}

const round = (v, digits = 4) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

// the running state each kind keeps (src/loss.c iam_loss_update_state), reported at the end
const STATE_FIELDS = { curricularface: ['t'], adaface: ['normMean', 'normStd'] };

/** The JSON line: DESIGN.md's fields, rounded, the running state of the loss, and the config that ran. */
function resultOf(trainer, metrics, msPerStep, simd) {
  const c = trainer.config, last = trainer.last().config;
  const state = STATE_FIELDS[c.loss.kind]?.map((key) => [key, round(last[key], 6)]);
  return {
    loss: round(metrics.loss), base: round(metrics.base), iam: round(metrics.iam),
    train_acc: round(metrics.train_acc), test_acc: round(metrics.test_acc),
    min_weight_angle_deg: round(metrics.min_weight_angle_deg, 2),
    mean_nn_weight_angle_deg: round(metrics.mean_nn_weight_angle_deg, 2),
    min_center_angle_deg: round(metrics.min_center_angle_deg, 2),
    mean_nn_center_angle_deg: round(metrics.mean_nn_center_angle_deg, 2),
    packing_limit_deg: round(metrics.packing_limit_deg, 2),
    packing_ratio: metrics.packing_limit_deg > 0 ? round(metrics.min_weight_angle_deg / metrics.packing_limit_deg) : null,
    min_sample_margin_deg: round(metrics.min_sample_margin_deg, 2),
    mean_sample_margin_deg: round(metrics.mean_sample_margin_deg, 2),
    ...(c.data === 'identities' ? { verify_acc: round(metrics.verify_acc), tar_far_1e2: round(metrics.tar_far_1e2) } : {}),
    ...(state ? { loss_state: Object.fromEntries(state) } : {}),
    steps: metrics.step, ms_per_step: round(msPerStep, 4), simd,
    config: { loss: c.loss.kind, beta: c.loss.beta, data: c.data, classes: c.classes, dim: c.dim, seed: c.seed,
      ...(c.loss.subcenters > 1 ? { subcenters: c.loss.subcenters } : {}),
      ...(c.loss.iamVariant !== 'default' ? { iam_variant: c.loss.iamVariant } : {}),
      ...(c.loss.iamStop !== 'none' ? { iam_stop: c.loss.iamStop } : {}) },
  };
}

/** Train `steps` more steps in chunks (a progress bar on a terminal), the learning-rate
 *  changes applied when their step is reached, as the page replays them; returns ms per step. */
function train(trainer, steps, lrChanges, showBar) {
  const chunk = Math.max(1, Math.min(100, Math.ceil(steps / 100)));
  const first = trainer.last().step, end = first + steps;
  const t0 = performance.now();
  for (let step = first; step < end;) {
    for (const c of lrChanges) if (c.step === step) trainer.setLr(c.lr);
    const next = lrChanges.find((c) => c.step > step && c.step < end)?.step ?? end;
    const k = Math.min(chunk, next - step);
    trainer.step(k);
    step += k;
    if (showBar) progress(step - first, steps, t0);
  }
  if (showBar) process.stderr.write('\n');
  return steps ? (performance.now() - t0) / steps : 0;
}

/** The rows a CSV file holds (wasm/csv.js), or its one-sentence error naming the file. */
function readCsv(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path} (${err.code})`);
  }
  try {
    return decodeCsvBytes(bytes);
  } catch (err) {
    throw new Error(`${path}: ${err.message}`);
  }
}

/** A new run from the flags: its trainer config, its data ({ kind, rows?, digest? }) and rows. */
async function newRun(iam, args, spec) {
  checkKinds(args, args.kind ?? iam.defaults().loss.kind, spec);
  const train = { ...args.train };
  let data = { kind: train.data ?? iam.defaults().data }, rows;
  if (train.data?.csv) {
    const csv = readCsv(train.data.csv);
    if (train.classes !== undefined && train.classes !== csv.classes)
      throw new Error(`${train.data.csv} has ${csv.classes} classes (${csv.names.join(', ')}), but --classes says ${train.classes}`);
    rows = { x: csv.x, labels: csv.labels, dim: csv.dim, names: csv.names };
    data = { kind: 'rows', rows, file: train.data.csv };
    Object.assign(train, { data: 'rows', classes: csv.classes });
  } else if (train.data === 'mnist') {
    const mnist = await loadMnist();
    rows = mnistRows(mnist);
    data = { kind: 'mnist', digest: mnistDigest(mnist) };
    if (train.classes !== undefined && train.classes !== 10) throw new Error(`mnist has 10 classes (got --classes ${train.classes})`);
  }
  const config = trainerPreset(args.kind ?? iam.defaults().loss.kind, train, args.loss);
  const trainer = iam.trainer(config, rows);
  return { trainer, data, lrChanges: args.run.lrChanges ?? DATA_LR_CHANGES[data.kind] ?? [] };
}

const same = (a, b) => (Array.isArray(a) ? Array.isArray(b) && a.length === b.length && a.every((v, k) => same(v, b[k]))
  : typeof a === 'number' && typeof b === 'number' ? Math.fround(a) === Math.fround(b) : a === b);

/** A training flag given with --load must say what the saved run says. */
function checkRepeated(args, config, data) {
  const given = [...Object.entries(args.train).map(([k, v]) => [k, v, config[k]]),
    ...Object.entries(args.loss).map(([k, v]) => [`loss.${k}`, v, config.loss[k]]),
    ...(args.kind ? [['loss.kind', args.kind, config.loss.kind]] : [])];
  for (const [key, value, saved] of given) {
    if (key === 'data' && value?.csv) {
      const csv = readCsv(value.csv);
      if (data.kind !== 'rows' || !same([...csv.labels], [...data.rows.labels]) || !same([...csv.x], [...data.rows.x]))
        throw new Error(`${value.csv} holds other rows than the saved run's data`);
    } else if (!same(value, saved))
      throw new Error(`the saved run has ${key} = ${JSON.stringify(saved)}, but the command line says ${JSON.stringify(value)}: a loaded run keeps its settings`);
  }
}

/** A saved run, resumed: trainer `panel` of the file, its data and its learning-rate changes. */
async function loadedRun(iam, args, spec) {
  const path = args.run.load;
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path} (${err.code})`);
  }
  let run;
  try {
    run = openRun(bytes);
  } catch (err) {
    throw new Error(`${path}: ${err.message}`);
  }
  const k = args.run.panel ?? 0;
  if (args.run.panel === undefined && run.trainers.length > 1)
    throw new Error(`${path} holds ${run.trainers.length} trainers (a page's panels): say which to continue with --panel K`);
  const entry = run.trainers[k];
  if (!entry) throw new Error(`${path} has no trainer ${k} (it has ${run.trainers.length})`);
  checkKinds(args, entry.config.loss.kind, spec);
  checkRepeated(args, entry.config, run.data);
  const trainer = resumeTrainer(iam, run, k, { mnist: run.data.kind === 'mnist' ? await loadMnist() : undefined });
  return { trainer, data: run.data, lrChanges: args.run.lrChanges ?? entry.lrChanges };
}

export async function main(argv) {
  const scalar = argv.includes('--scalar');
  const iam = await loadIAM({ simd: !scalar });
  const spec = flagSpec({ names: iam.names, defaults: iam.defaults() });
  let args;
  try {
    args = parseArgs(argv, spec);
  } catch (err) {
    console.error(`train: ${err.message}\n\n${usage(spec)}`);
    return 2;
  }
  if (args.help) { console.log(usage(spec)); return 0; }
  let run;
  try {
    run = args.run.load ? await loadedRun(iam, args, spec) : await newRun(iam, args, spec);
  } catch (err) {
    console.error(`train: ${err.message}`);
    return 2;
  }
  const { trainer, data, lrChanges } = run;
  let msPerStep;
  try {
    msPerStep = train(trainer, args.run.steps, lrChanges, process.stderr.isTTY);
  } catch (err) {
    console.error(`train: ${err.message}`);
    trainer.free();
    return 1;
  }
  if (args.run.save) {
    const later = lrChanges.filter((c) => c.step >= trainer.last().step);
    try {
      writeFileSync(args.run.save, saveRun({ settings: { argv }, data, trainers: [{ config: trainer.config, lrChanges: later, state: trainer.state() }] }));
    } catch (err) {
      console.error(`train: cannot write ${args.run.save} (${err.code ?? err.message})`);
      trainer.free();
      return 1;
    }
  }
  const result = resultOf(trainer, trainer.evaluate({ bins: 0 }).metrics, msPerStep, iam.simd);
  trainer.free();
  if (args.run.json) console.log(JSON.stringify(result));
  else {
    const c = result.config;
    console.log(`${c.loss} β=${c.beta} on ${c.data}, C=${c.classes}, ${c.dim}-D, ${result.steps} steps (${result.ms_per_step} ms/step, ${iam.simd ? 'SIMD' : 'scalar'})`);
    for (const [key, value] of Object.entries(result)) if (key !== 'config') console.log(`  ${key.padEnd(26)} ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
