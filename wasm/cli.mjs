// cli.mjs: headless training, behind `./build.sh train -- …`.
//
//   ./build.sh train -- --loss arcface --beta 0.5 --data blobs --classes 8 --dim 2 --steps 2000 --seed 1 --json
//
// With --json the last line of stdout is one JSON object with the final metrics
// (DESIGN.md, "Commands"). A progress bar goes to stderr when it is a terminal.
// Bad flags print the usage and exit 2; a diverging run exits 1 with the reason.
// What a flag leaves out is the preset's (wasm/presets.js) or the library's default.
import { loadIAM } from './iam.js';
import { trainerPreset } from './presets.js';
import { parseFlags, flagHelp, number, integer, between, oneOf } from './flags.js';

const MAX_STEPS = 100_000_000;
const intList = (v) => (/^\d+(,\d+)*$/.test(v) ? v.split(',').map(Number) : /^$|^none$/.test(v) ? [] : undefined);

/** The flags, given the library's names and defaults: flag → { value, help, to: where it goes }. */
export function flagSpec({ names, defaults: d }) {
  const list = (values) => values.join(' | ');
  return {
    '--loss': { to: 'kind', value: oneOf(names.kind), help: `loss kind: ${list(names.kind)} (default ${d.loss.kind})` },
    '--beta': { to: 'loss.beta', value: number, help: `the IAM weight β >= 0 (default ${d.loss.beta})` },
    '--scale': { to: 'loss.scale', value: number, help: `scale s (default ${d.loss.scale})` },
    '--margin': { to: 'loss.margin', value: number, help: 'margin m in radians, or SphereFace\'s m (default: the preset)' },
    '--m1': { to: 'loss.m1', value: number, help: 'combined margin m1' },
    '--m2': { to: 'loss.m2', value: number, help: 'combined margin m2 (radians)' },
    '--m3': { to: 'loss.m3', value: number, help: 'combined margin m3' },
    '--lambda': { to: 'loss.lambda', value: number, help: 'SphereFace λ when --no-anneal (default 0)' },
    '--feature-norm': { to: 'loss.featureNorm', help: 'SphereFace: r = ‖x‖ as in the original (switch)' },
    '--fallback': { to: 'loss.fallback', value: oneOf(names.fallback), help: `ArcFace past θ > π − m: ${list(names.fallback)}` },
    '--no-anneal': { to: 'train.anneal', is: false, help: 'SphereFace: keep λ fixed instead of annealing (switch)' },
    '--data': { to: 'train.data', value: oneOf(names.data), help: `data set: ${list(names.data)} (default ${d.data})` },
    '--classes': { to: 'train.classes', value: integer, help: `number of classes C (default ${d.classes})` },
    '--dim': { to: 'train.dim', value: integer, help: `embedding dimension, 2 or 3 for pictures, up to 128 (default ${d.dim})` },
    '--hidden': { to: 'train.hidden', value: intList, help: `hidden layer sizes, comma-separated (default ${d.hidden.join(',')})` },
    '--activation': { to: 'train.activation', value: oneOf(names.activation), help: `${list(names.activation)} (default ${d.activation})` },
    '--init': { to: 'train.init', value: oneOf(names.init), help: `${list(names.init)} (default ${d.init})` },
    '--optimizer': { to: 'train.optimizer', value: oneOf(names.optimizer), help: `${list(names.optimizer)} (default ${d.optimizer})` },
    '--lr': { to: 'train.lr', value: number, help: `learning rate (default ${d.lr})` },
    '--momentum': { to: 'train.momentum', value: number, help: `SGD momentum (default ${d.momentum})` },
    '--weight-decay': { to: 'train.weightDecay', value: number, help: `L2 weight decay (default ${d.weightDecay})` },
    '--w-lr-mult': { to: 'train.wLrMult', value: number, help: `learning-rate multiplier of the class weights W (default ${d.wLrMult})` },
    '--batch': { to: 'train.batchSize', value: integer, help: `batch size (default ${d.batchSize})` },
    '--train-per-class': { to: 'train.trainPerClass', value: integer, help: `training samples per class (default ${d.trainPerClass})` },
    '--test-per-class': { to: 'train.testPerClass', value: integer, help: `test samples per class (default ${d.testPerClass})` },
    '--seed': { to: 'train.seed', value: integer, help: `seed of the data, the init and the batches (default ${d.seed})` },
    '--steps': { to: 'run.steps', value: between(0, MAX_STEPS), help: `optimizer steps, 0 to ${MAX_STEPS.toLocaleString('en-US')} (default 2000)` },
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

function progress(done, total, t0) {
  const width = 30, frac = total ? done / total : 1;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const rate = done / Math.max(1e-3, (performance.now() - t0) / 1000);
  process.stderr.write(`\r[${bar}] ${done}/${total} steps  ${rate.toFixed(0)} steps/s `);
}

const round = (v, digits = 4) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** The JSON line: DESIGN.md's fields, rounded, and the config that ran. */
function resultOf(trainer, metrics, msPerStep, simd) {
  const c = trainer.config;
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
    steps: metrics.step, ms_per_step: round(msPerStep, 4), simd,
    config: { loss: c.loss.kind, beta: c.loss.beta, data: c.data, classes: c.classes, dim: c.dim, seed: c.seed },
  };
}

/** Train `steps` steps in chunks (a progress bar on a terminal); returns ms per step. */
function train(trainer, steps, showBar) {
  const chunk = Math.max(1, Math.min(100, Math.ceil(steps / 100)));
  const t0 = performance.now();
  for (let done = 0; done < steps;) {
    const k = Math.min(chunk, steps - done);
    trainer.step(k);
    done += k;
    if (showBar) progress(done, steps, t0);
  }
  if (showBar) process.stderr.write('\n');
  return steps ? (performance.now() - t0) / steps : 0;
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
  let trainer;
  try {
    trainer = iam.trainer(trainerPreset(args.kind ?? iam.defaults().loss.kind, args.train, args.loss));
  } catch (err) {
    console.error(`train: ${err.message}`);
    return 2;
  }
  let msPerStep;
  try {
    msPerStep = train(trainer, args.run.steps, process.stderr.isTTY);
  } catch (err) {
    console.error(`train: ${err.message}`);
    trainer.free();
    return 1;
  }
  const result = resultOf(trainer, trainer.evaluate({ bins: 0 }).metrics, msPerStep, iam.simd);
  trainer.free();
  if (args.run.json) console.log(JSON.stringify(result));
  else {
    const c = result.config;
    console.log(`${c.loss} β=${c.beta} on ${c.data}, C=${c.classes}, ${c.dim}-D, ${result.steps} steps (${result.ms_per_step} ms/step, ${iam.simd ? 'SIMD' : 'scalar'})`);
    for (const [key, value] of Object.entries(result)) if (key !== 'config') console.log(`  ${key.padEnd(26)} ${value}`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
