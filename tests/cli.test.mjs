// cli.test.mjs: `./build.sh train` as a user runs it: the JSON contract of DESIGN.md,
// the identities fields, and bad flags that print the usage and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
    [['--loss', 'magface'], /bad value 'magface' for --loss/],
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
