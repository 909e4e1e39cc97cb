// cli.mjs: headless training, behind `./build.sh train -- …`.
//
//   ./build.sh train -- --loss arcface --beta 0.5 --data blobs --classes 8 --dim 2 --steps 2000 --seed 1 --json
//
// With --json the last line of stdout is one JSON object with the final metrics
// (DESIGN.md, "Commands"). A progress bar goes to stderr when it is a terminal.
// Bad flags print the usage and exit 2; a diverging run exits 1 with the reason.
import { loadIAM, KINDS, FALLBACKS } from './iam.js';
import { DATA_SETS, ACTIVATIONS, INITS, OPTIMIZERS } from './trainer.js';
import { trainerPreset } from './presets.js';

// flag → [where it goes, parser, help]
const num = (v) => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const int = (v) => (/^-?\d+$/.test(v) ? Number(v) : undefined);
const oneOf = (list) => (v) => (list.includes(v) ? v : undefined);
const intList = (v) => (/^\d+(,\d+)*$/.test(v) ? v.split(',').map(Number) : /^$|^none$/.test(v) ? [] : undefined);

const FLAGS = {
  '--loss': ['kind', oneOf(KINDS), `loss kind: ${KINDS.join(' | ')} (default normface)`],
  '--beta': ['loss.beta', num, 'the IAM weight β >= 0 (default 0)'],
  '--scale': ['loss.scale', num, 'scale s (default: the preset)'],
  '--margin': ['loss.margin', num, 'margin m in radians, or SphereFace\'s m (default: the preset)'],
  '--m1': ['loss.m1', num, 'combined margin m1'],
  '--m2': ['loss.m2', num, 'combined margin m2 (radians)'],
  '--m3': ['loss.m3', num, 'combined margin m3'],
  '--lambda': ['loss.lambda', num, 'SphereFace λ when --no-anneal (default 0)'],
  '--feature-norm': ['loss.featureNorm', () => true, 'SphereFace: r = ‖x‖ as in the original (flag)', false],
  '--fallback': ['loss.fallback', oneOf(FALLBACKS), `ArcFace past θ > π − m: ${FALLBACKS.join(' | ')}`],
  '--no-anneal': ['train.anneal', () => false, 'SphereFace: keep λ fixed instead of annealing (flag)', false],
  '--data': ['train.data', oneOf(DATA_SETS), `data set: ${DATA_SETS.join(' | ')} (default blobs)`],
  '--classes': ['train.classes', int, 'number of classes C (default 8)'],
  '--dim': ['train.dim', int, 'embedding dimension, 2 or 3 for pictures, up to 128 (default 2)'],
  '--hidden': ['train.hidden', intList, 'hidden layer sizes, comma-separated (default 64,64)'],
  '--activation': ['train.activation', oneOf(ACTIVATIONS), `${ACTIVATIONS.join(' | ')} (default relu)`],
  '--init': ['train.init', oneOf(INITS), `${INITS.join(' | ')} (default he)`],
  '--optimizer': ['train.optimizer', oneOf(OPTIMIZERS), `${OPTIMIZERS.join(' | ')} (default adam)`],
  '--lr': ['train.lr', num, 'learning rate (default 0.01)'],
  '--momentum': ['train.momentum', num, 'SGD momentum (default 0.9)'],
  '--weight-decay': ['train.weightDecay', num, 'L2 weight decay (default 0)'],
  '--w-lr-mult': ['train.wLrMult', num, 'learning-rate multiplier of the class weights W (default 1)'],
  '--batch': ['train.batchSize', int, 'batch size (default 128)'],
  '--train-per-class': ['train.trainPerClass', int, 'training samples per class (default 200)'],
  '--test-per-class': ['train.testPerClass', int, 'test samples per class (default 100)'],
  '--seed': ['train.seed', int, 'seed of the data, the init and the batches (default 1)'],
  '--steps': ['run.steps', int, 'optimizer steps (default 2000)'],
  '--scalar': ['run.scalar', () => true, 'use the scalar wasm build instead of SIMD (flag)', false],
  '--json': ['run.json', () => true, 'print the final metrics as one JSON line (flag)', false],
};

function usage() {
  const lines = Object.entries(FLAGS).map(([flag, [, , help, takesValue]]) =>
    `  ${(flag + (takesValue === false ? '' : ' V')).padEnd(22)} ${help}`);
  return `usage: ./build.sh train -- [flags]\n\n${lines.join('\n')}\n\nexample: ./build.sh train -- --loss arcface --beta 0.5 --data blobs --classes 8 --dim 2 --steps 2000 --json`;
}

export function parseArgs(argv) {
  const out = { kind: 'normface', loss: {}, train: {}, run: { steps: 2000, json: false, scalar: false } };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k];
    if (flag === '--help' || flag === '-h') return { help: true };
    const spec = FLAGS[flag];
    if (!spec) throw new Error(`unknown flag '${flag}'`);
    const [where, parse, , takesValue] = spec;
    let value;
    if (takesValue === false) value = parse();
    else {
      const raw = argv[++k];
      if (raw === undefined) throw new Error(`${flag} needs a value`);
      value = parse(raw);
      if (value === undefined) throw new Error(`bad value '${raw}' for ${flag}: ${spec[2]}`);
    }
    const [group, key] = where.includes('.') ? where.split('.') : [null, where];
    if (group) out[group][key] = value;
    else out[key] = value;
  }
  if (out.run.steps < 0) throw new Error(`--steps must be >= 0 (got ${out.run.steps})`);
  return out;
}

function progress(done, total, t0) {
  const width = 30, frac = total ? done / total : 1;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const rate = done / Math.max(1e-3, (performance.now() - t0) / 1000);
  process.stderr.write(`\r[${bar}] ${done}/${total} steps  ${rate.toFixed(0)} steps/s `);
}

const round = (v, digits = 4) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export async function main(argv) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`train: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (args.help) { console.log(usage()); return 0; }

  const iam = await loadIAM({ simd: !args.run.scalar });
  const config = trainerPreset(args.kind, args.train, args.loss);
  let trainer;
  try {
    trainer = iam.trainer(config);
  } catch (err) {
    console.error(`train: ${err.message}`);
    return 2;
  }
  const steps = args.run.steps, showBar = process.stderr.isTTY && !args.run.json;
  const chunk = Math.max(1, Math.min(100, Math.ceil(steps / 100)));
  const t0 = performance.now();
  try {
    for (let done = 0; done < steps;) {
      const k = Math.min(chunk, steps - done);
      trainer.step(k);
      done += k;
      if (showBar || (process.stderr.isTTY && args.run.json)) progress(done, steps, t0);
    }
  } catch (err) {
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.error(`train: ${err.message}`);
    trainer.free();
    return 1;
  }
  const msPerStep = steps ? (performance.now() - t0) / steps : 0;
  if (process.stderr.isTTY) process.stderr.write('\n');
  const { metrics } = trainer.evaluate({ bins: 0 });
  const result = {
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
    ...(config.data === 'identities' ? { verify_acc: round(metrics.verify_acc), tar_far_1e2: round(metrics.tar_far_1e2) } : {}),
    steps: metrics.step, ms_per_step: round(msPerStep, 4), simd: iam.simd,
    config: { loss: trainer.config.loss.kind, beta: config.loss.beta, data: config.data, classes: config.classes, dim: config.dim, seed: config.seed },
  };
  trainer.free();
  if (args.run.json) console.log(JSON.stringify(result));
  else {
    console.log(`${config.loss.kind} β=${config.loss.beta} on ${config.data}, C=${config.classes}, ${config.dim}-D, ${result.steps} steps (${result.ms_per_step} ms/step, ${iam.simd ? 'SIMD' : 'scalar'})`);
    for (const [key, value] of Object.entries(result)) if (key !== 'config') console.log(`  ${key.padEnd(26)} ${value}`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
