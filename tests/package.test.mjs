// package.test.mjs: the library as someone else installs it. The npm package from its
// tarball, in an empty folder: the README's example runs as written and tsc checks a
// TypeScript user against its declarations. The C library from ./build.sh lib: a C
// program compiled against the installed header and archive computes a loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The README's example: the ```js block after the readme-example marker. */
export function readmeExample() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- readme-example -->\s*```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'README.md has no marked example');
  return match[1];
}

test('the npm package, installed from its tarball, runs the README example and type-checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iam-package-'));
  try {
    run('npm', ['pack', '--silent', '--pack-destination', dir], ROOT);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.match(tarball, /^iam-loss-\d+\.\d+\.\d+\.tgz$/);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'student', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`], dir);
    const files = readdirSync(join(dir, 'node_modules/iam-loss/wasm')).sort();
    for (const f of ['iam.js', 'iam.wasm', 'iam-simd.wasm', 'iam.d.ts', 'trainer.js', 'presets.js', 'mnist.js', 'mnist.bin', 'csv.js', 'run.js', 'runfile.js'])
      assert.ok(files.includes(f), `${f} is not in the package`);
    // real digits from the package alone: MNIST loads from beside the binding and trains
    writeFileSync(join(dir, 'digits.mjs'), "import { loadIAM } from 'iam-loss'; import { loadMnist, mnistRows } from 'iam-loss/mnist';\n" +
      "const iam = await loadIAM(); const t = iam.trainer({ data: 'mnist', classes: 10 }, mnistRows(await loadMnist()));\n" +
      "t.step(100); console.log(t.nTrain, t.nTest, t.evaluate().metrics.test_acc);\n");
    const [nTrain, nTest, digitsAcc] = run(process.execPath, ['digits.mjs'], dir).trim().split(' ').map(Number);
    assert.equal(nTrain + nTest, 10000);
    assert.ok(digitsAcc > 0.3, `MNIST from the package: test accuracy ${digitsAcc} after 100 steps`);
    assert.ok(!files.includes('cli.mjs'), 'the command line is not part of the package');

    writeFileSync(join(dir, 'example.mjs'), readmeExample());
    const [lossLine, trainLine] = run(process.execPath, ['example.mjs'], dir).trim().split('\n');
    const [loss, base, iam] = lossLine.split(' ').map(Number);
    assert.ok([loss, base, iam].every(Number.isFinite), lossLine);
    assert.ok(Math.abs(loss - (base + 0.5 * iam)) < 1e-4, `loss ${loss} = base + 0.5·iam`);
    const [testAcc, margin] = trainLine.split(' ').map(Number);
    assert.ok(testAcc > 0.9, `test accuracy ${testAcc} after 500 steps`);
    assert.equal(margin, 0.2);

    copyFileSync(join(ROOT, 'tests/package/consumer.ts'), join(dir, 'consumer.ts'));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', '--types', '', 'consumer.ts'], dir);
    // and it can fail: a misspelt option is a type error
    writeFileSync(join(dir, 'wrong.ts'), "import { loadIAM } from 'iam-loss';\nconst iam = await loadIAM();\niam.loss({ kind: 'arcface', margn: 0.3 }, { x: [], W: [], labels: [], n: 0, d: 0, c: 0 });\n");
    assert.throws(() => run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', '--types', '', 'wrong.ts'], dir), (err) => /margn/.test(err.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the C library, built on its own, serves a C program: one loss, and an error as a sentence', () => {
  run(join(ROOT, 'build.sh'), ['lib'], ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'iam-c-'));
  try {
    const exe = join(dir, 'consumer');
    run(process.env.CC || 'cc', ['-std=c11', '-Wall', '-Werror', `-I${join(ROOT, 'dist/include')}`,
      join(ROOT, 'tests/package/consumer.c'), join(ROOT, 'dist/lib/libiam.a'), '-lm', '-o', exe], dir);
    const out = run(exe, [], dir);
    const m = /^loss (\S+) base (\S+) iam (\S+) margin 0\.30$/m.exec(out);
    assert.ok(m, out);
    const [loss, base, iam] = m.slice(1).map(Number);
    assert.ok(Math.abs(loss - (base + 0.5 * iam)) < 1e-5 && base > 0 && iam < -Math.log(4) + 1e-5, out);
    assert.match(out, /error: scale must be > 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
