// cli.test.mjs: `./build.sh train` as a user runs it: the JSON contract of DESIGN.md,
// the identities fields, bad flags that print the usage and exit 2, MNIST, CSV files
// and saved runs (--save, --load) continued to the bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32, gaussian } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const train = (...args) => spawnSync('./build.sh', ['train', '--', ...args], { cwd: ROOT, encoding: 'utf8' });

const FIELDS = ['loss', 'base', 'iam', 'train_acc', 'test_acc', 'min_weight_angle_deg', 'mean_nn_weight_angle_deg',
  'min_center_angle_deg', 'packing_limit_deg', 'mean_sample_margin_deg', 'steps', 'ms_per_step'];

test('--json ends with one JSON object holding every field DESIGN.md lists', () => {
  const run = train('--loss', 'arcface', '--beta', '0.5', '--data', 'blobs', '--classes', '4', '--dim', '2',
    '--steps', '600', '--seed', '1', '--json');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  const result = JSON.parse(lines.at(-1));
  for (const field of FIELDS) assert.equal(typeof result[field], 'number', `${field} missing or not a number`);
  assert.equal(result.steps, 600);
  assert.equal(result.packing_limit_deg, 90);
  assert.ok(result.test_acc > 0.95, `test_acc ${result.test_acc}`);
  assert.ok(result.iam <= -Math.log(3) + 1e-4, `L_IAM ${result.iam} must be <= -log(C-1)`);
  assert.ok(Math.abs(result.loss - (result.base + 0.5 * result.iam)) < 1e-3);
  assert.equal(result.verify_acc, undefined, 'verify_acc is for identities only');
  // the same seed gives the same numbers
  const again = JSON.parse(train('--loss', 'arcface', '--beta', '0.5', '--data', 'blobs', '--classes', '4', '--dim', '2',
    '--steps', '600', '--seed', '1', '--json').stdout.trim().split('\n').at(-1));
  assert.equal(again.min_weight_angle_deg, result.min_weight_angle_deg);
});

test('--data identities adds verify_acc and tar_far_1e2', () => {
  const run = train('--loss', 'cosface', '--data', 'identities', '--classes', '20', '--dim', '8', '--steps', '200', '--json');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
  assert.ok(result.verify_acc > 0.5 && result.verify_acc <= 1, `verify_acc ${result.verify_acc}`);
  assert.ok(result.tar_far_1e2 >= 0 && result.tar_far_1e2 <= 1);
});

test('bad flags print the usage and exit 2', () => {
  for (const [args, expected] of [
    [['--loss', 'elasticface'], /bad value 'elasticface' for --loss/], // ElasticFace is --margin-std on arcface or cosface
    [['--bogus'], /unknown flag '--bogus'/],
    [['--classes'], /--classes needs a value/],
    [['--beta', 'lots'], /bad value 'lots' for --beta/],
    [['--steps', '-5'], /bad value|--steps must be/],
    // issue 16: a count past any run was accepted and ran forever
    [['--steps', '99999999999999999999'], /bad value '99999999999999999999' for --steps/],
    [['--steps', '1e3'], /bad value '1e3' for --steps/],
  ]) {
    const run = train(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: exit ${run.status}`);
    assert.match(run.stderr, expected);
    assert.match(run.stderr, /usage: \.\/build\.sh train/);
  }
  // values the C library rejects: a clear sentence, exit 2
  const bad = train('--loss', 'cosface', '--margin', '-0.3');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /margin must be in \[0, 1\] for cosface \(got -0.3\)/);
});

test('a diverging run exits 1 with the reason', () => {
  const run = train('--loss', 'softmax', '--optimizer', 'sgd', '--lr', '10', '--steps', '500');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /training diverged at step \d+/);
});

// ---- issue 12: MNIST, CSV files, saved runs ----
const cli = (...args) => spawnSync(process.execPath, ['wasm/cli.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
const json = (run) => JSON.parse(run.stdout.trim().split('\n').at(-1));
const dir = mkdtempSync(join(tmpdir(), 'iam-cli-'));
const withoutTime = ({ ms_per_step, ...rest }) => rest;

test('500 steps, --save, --load and 500 more give the numbers of 1,000 straight, to the bit', () => {
  const flags = ['--loss', 'arcface', '--beta', '0.5', '--classes', '6', '--seed', '3', '--lr-changes', '300:0.004,700:0.001', '--json'];
  const straight = cli(...flags, '--steps', '1000');
  assert.equal(straight.status, 0, straight.stderr);
  const file = join(dir, 'half.iamrun');
  const first = cli(...flags, '--steps', '500', '--save', file);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(json(first).steps, 500);
  const resumed = cli('--load', file, '--steps', '500', '--json');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(withoutTime(json(resumed)), withoutTime(json(straight)));
  assert.equal(json(resumed).steps, 1000, 'steps is the total');
  // repeating a saved setting is allowed; changing one is refused, and says which
  assert.equal(cli('--load', file, '--steps', '1', '--loss', 'arcface', '--classes', '6').status, 0);
  const changed = cli('--load', file, '--steps', '1', '--beta', '0.2');
  assert.equal(changed.status, 2);
  assert.match(changed.stderr, /the saved run has loss\.beta = 0\.5, but the command line says 0\.2/);
});

test('--load refuses a truncated, damaged or foreign file with a sentence, exit 2', () => {
  const file = join(dir, 'good.iamrun');
  assert.equal(cli('--steps', '20', '--save', file).status, 0);
  const bytes = readFileSync(file);
  const cases = [
    ['cut.iamrun', bytes.subarray(0, bytes.length - 100), /the file is truncated/],
    ['flip.iamrun', Uint8Array.from(bytes, (b, i) => (i === bytes.length - 200 ? b ^ 1 : b)), /the file is damaged: its checksum does not match/],
    ['run.json', Buffer.from('{"steps": 3}'), /not a saved run: it looks like JSON/],
    ['empty.iamrun', new Uint8Array(0), /too short to be a saved run/],
  ];
  for (const [name, content, expected] of cases) {
    writeFileSync(join(dir, name), content);
    const run = cli('--load', join(dir, name));
    assert.equal(run.status, 2, name);
    assert.match(run.stderr, expected, name);
  }
  assert.match(cli('--load', join(dir, 'missing.iamrun')).stderr, /cannot read .*missing\.iamrun \(ENOENT\)/);
});

test('--data FILE.csv trains on its rows (labels as strings); a bad file names its line and column', () => {
  const lines = ['x,y,z,fruit'];
  const rand = mulberry32(5), names = ['apple', 'pear', 'plum'];
  for (let i = 0; i < 450; i++) {
    const c = i % 3;
    lines.push([Math.cos(2 * c) * 3 + gaussian(rand) * 0.3, Math.sin(2 * c) * 3 + gaussian(rand) * 0.3, gaussian(rand), names[c]].map(String).join(','));
  }
  const file = join(dir, 'fruit.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = cli('--data', file, '--loss', 'cosface', '--steps', '600', '--json');
  assert.equal(run.status, 0, run.stderr);
  const result = json(run);
  assert.equal(result.config.data, 'rows');
  assert.equal(result.config.classes, 3);
  assert.ok(result.test_acc >= 0.95, `test accuracy ${result.test_acc}`);
  // saved with its rows: the file is not needed to continue
  const saved = join(dir, 'fruit.iamrun');
  assert.equal(cli('--data', file, '--steps', '100', '--save', saved).status, 0);
  unlinkSync(file);
  assert.equal(cli('--load', saved, '--steps', '10', '--json').status, 0);
  for (const [content, expected] of [
    ['a,b,label\n1,2,x\n3,zz,y\n', /bad\.csv: line 3, column 2: 'zz' is not a number/],
    ['1,2,x\n1,2\n', /bad\.csv: line 2: expected 3 columns/],
    ['1,2,x\n3,4,x\n', /every row has label 'x'/],
    ['', /bad\.csv: the file is empty/],
  ]) {
    writeFileSync(join(dir, 'bad.csv'), content);
    const bad = cli('--data', join(dir, 'bad.csv'), '--steps', '5');
    assert.equal(bad.status, 2, content);
    assert.match(bad.stderr, expected);
  }
  writeFileSync(join(dir, 'three.csv'), '1,apple\n2,pear\n3,plum\n4,apple\n');
  assert.match(cli('--data', join(dir, 'three.csv'), '--classes', '4').stderr, /has 3 classes \(apple, pear, plum\), but --classes says 4/);
  assert.match(cli('--data', 'rows').stderr, /bad value 'rows' for --data/);
});

test('--data mnist trains on the real digits, and a saved MNIST run continues to the bit', () => {
  const flags = ['--data', 'mnist', '--dim', '2', '--loss', 'normface', '--lr-changes', '150:0.001', '--json'];
  const straight = cli(...flags, '--steps', '300');
  assert.equal(straight.status, 0, straight.stderr);
  assert.equal(json(straight).config.classes, 10);
  assert.ok(json(straight).test_acc > 0.5, `MNIST after 300 steps: ${json(straight).test_acc}`);
  const file = join(dir, 'mnist.iamrun');
  assert.equal(cli(...flags, '--steps', '100', '--save', file).status, 0);
  // the state (6 copies of 83,606 floats: 2.0 MB) without the digits (7.8 MB as floats): named by their digest
  assert.ok(readFileSync(file).length < 2_100_000, `${readFileSync(file).length} bytes`);
  const resumed = cli('--load', file, '--steps', '200', '--json');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(withoutTime(json(resumed)), withoutTime(json(straight)));
});

// ---- issue 15: CurricularFace, AdaFace, MagFace, sub-centers, ElasticFace, insightface's ArcFace ----
test('curricularface, adaface and magface train, and so do arcface with sub-centers, ElasticFace and insightface\'s margin', () => {
  const base = ['--classes', '8', '--seed', '1', '--steps', '1500', '--json'];
  const runs = {};
  for (const [name, flags] of Object.entries({
    curricularface: ['--loss', 'curricularface'], adaface: ['--loss', 'adaface'], magface: ['--loss', 'magface'],
    arcface: ['--loss', 'arcface'], subcenters: ['--loss', 'arcface', '--subcenters', '3'],
    elastic: ['--loss', 'arcface', '--margin-std', '0.05'], insightface: ['--loss', 'arcface', '--fallback', 'none', '--detach-margin'],
  })) {
    const run = cli(...flags, ...base);
    assert.equal(run.status, 0, `${name}: ${run.stderr}`);
    runs[name] = json(run);
    assert.ok(runs[name].test_acc > 0.9, `${name}: test accuracy ${runs[name].test_acc} (chance 0.125)`);
  }
  assert.equal(runs.curricularface.config.loss, 'curricularface');
  assert.equal(runs.subcenters.config.subcenters, 3);
  assert.equal(runs.arcface.config.subcenters, undefined, 'K = 1 is not reported');
  // the options reach the loss: each changes the run it is added to
  for (const name of ['subcenters', 'elastic', 'insightface'])
    assert.notEqual(runs[name].min_weight_angle_deg, runs.arcface.min_weight_angle_deg, name);
  // the running state is reported: t is a mean cosine, AdaFace's μ left its start (20) for the real norms
  assert.deepEqual(Object.keys(runs.curricularface.loss_state), ['t']);
  assert.ok(runs.curricularface.loss_state.t > 0.5 && runs.curricularface.loss_state.t <= 1, `t = ${runs.curricularface.loss_state.t}`);
  assert.deepEqual(Object.keys(runs.adaface.loss_state), ['normMean', 'normStd']);
  assert.notEqual(runs.adaface.loss_state.normMean, 20);
  assert.equal(runs.magface.loss_state, undefined, 'MagFace keeps no running state');
});

test('--loss-momentum sets the rate of CurricularFace\'s t: from 0, t <= 1 − (1 − α)^steps', () => {
  // t_k = α mean cos + (1 − α) t_{k−1}, with mean cos <= 1 and t_0 = 0: t_k <= 1 − (1 − α)^k
  const steps = 300, bound = (alpha) => 1 - (1 - alpha) ** steps;
  const slow = json(cli('--loss', 'curricularface', '--loss-momentum', '0.001', '--steps', String(steps), '--json'));
  const usual = json(cli('--loss', 'curricularface', '--steps', String(steps), '--json'));
  assert.ok(slow.loss_state.t > 0 && slow.loss_state.t <= bound(0.001) + 1e-6, `t = ${slow.loss_state.t}, bound ${bound(0.001)}`);
  assert.ok(usual.loss_state.t > bound(0.001), `at the default α = 0.01, t = ${usual.loss_state.t}`);
});

test('a saved curricularface run with sub-centers continues to the bit, its t too', () => {
  const flags = ['--loss', 'curricularface', '--subcenters', '2', '--classes', '4', '--seed', '4', '--json'];
  const straight = cli(...flags, '--steps', '400');
  assert.equal(straight.status, 0, straight.stderr);
  const file = join(dir, 'curricular.iamrun');
  assert.equal(cli(...flags, '--steps', '200', '--save', file).status, 0);
  const resumed = cli('--load', file, '--steps', '200', '--json');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(withoutTime(json(resumed)), withoutTime(json(straight)));
  const changed = cli('--load', file, '--steps', '1', '--subcenters', '3');
  assert.equal(changed.status, 2);
  assert.match(changed.stderr, /the saved run has loss\.subcenters = 2, but the command line says 3/);
});

test('the new loss flags refuse bad values, and flags of other kinds, with a sentence and exit 2', () => {
  for (const [args, expected] of [
    // the parsers: the usage follows
    [['--subcenters', '2.5'], /bad value '2\.5' for --subcenters/],
    [['--fallback', 'sometimes'], /bad value 'sometimes' for --fallback: .*continuous \| insightface \| easy \| none/],
    [['--detach-margin=yes'], /--detach-margin is a switch and takes no value/],
    [['--lambda-g', 'x'], /bad value 'x' for --lambda-g/],
    // a flag another kind reads: C would ignore it silently
    [['--loss', 'arcface', '--h', '0.5'], /--h is for adaface, not arcface/],
    [['--loss', 'magface', '--margin-std', '0.05'], /--margin-std is for arcface, cosface, not magface/],
    [['--loss', 'magface', '--margin', '0.3'], /--margin is for .*arcface.*, not magface/],
    [['--loss', 'cosface', '--la', '2'], /--la is for magface, not cosface/],
    [['--loss-momentum', '0.1'], /--loss-momentum is for curricularface, adaface, not normface/],
    [['--detach-margin'], /--detach-margin is for sphereface, cosface, .*, not normface/],
    // C's ranges
    [['--loss', 'arcface', '--subcenters', '0'], /subcenters must be in \[1, 64\] \(got 0\)/],
    [['--loss', 'softmax', '--subcenters', '2'], /subcenters is for the cosine losses, not softmax/],
    [['--loss', 'cosface', '--margin-std', '2'], /margin_std must be in \[0, 1\] for cosface \(got 2\)/],
    [['--loss', 'curricularface', '--loss-momentum', '0'], /momentum must be in \[1e-06, 1\] for curricularface \(got 0\)/],
    [['--loss', 'adaface', '--h', '-1'], /h must be in \[1e-06, 10\] for adaface \(got -1\)/],
    [['--loss', 'magface', '--la', '5', '--ua', '2'], /la must be below ua for magface \(got la 5, ua 2\)/],
    [['--loss', 'magface', '--lm', '0.5', '--um', '0.2'], /lm must be at most um for magface/],
  ]) {
    const run = cli(...args, '--steps', '1');
    assert.equal(run.status, 2, `${args.join(' ')}: exit ${run.status} ${run.stderr}`);
    assert.match(run.stderr, expected, args.join(' '));
  }
});

// ---- IAM's readings and stops (docs/LOSSES.md, "IAM's readings and stops") ----
test('--iam-variant and --iam-stop reach the loss, are reported when not the default, and refuse bad names', () => {
  const base = ['--beta', '1', '--dim', '3', '--seed', '1', '--steps', '300', '--json'];
  const plain = json(cli(...base)), weights = cli('--iam-variant', 'weights', ...base), stopped = cli('--iam-stop', 'x', ...base);
  assert.equal(weights.status, 0, weights.stderr);
  assert.equal(stopped.status, 0, stopped.stderr);
  const [w, x] = [json(weights), json(stopped)];
  assert.equal(w.config.iam_variant, 'weights');
  assert.equal(x.config.iam_stop, 'x');
  assert.equal(plain.config.iam_variant, undefined, 'the default is not reported');
  // the weights' reading LSE_{k≠y} s Ŵ_y·Ŵ_k − log(C−1) lies in [−s − log 7, s], not below −log(C−1) as the default's
  assert.ok(w.iam > -Math.log(7) && w.iam <= 10, `L_IAM ${w.iam}`);
  assert.notEqual(x.min_weight_angle_deg, plain.min_weight_angle_deg);
  for (const [args, expected] of [
    [['--iam-variant', 'log_odds'], /bad value 'log_odds' for --iam-variant: .*default \| log-odds \| push-only \| weights/],
    [['--iam-stop', 'w'], /bad value 'w' for --iam-stop: .*none \| W \| x/],
    [['--iam-variant', 'weights', '--subcenters', '2'], /iam_variant weights pushes one weight per class apart, so it needs subcenters = 1 \(got subcenters 2\)/],
  ]) {
    const run = cli(...args, '--steps', '1');
    assert.equal(run.status, 2, `${args.join(' ')}: exit ${run.status} ${run.stderr}`);
    assert.match(run.stderr, expected, args.join(' '));
  }
});
