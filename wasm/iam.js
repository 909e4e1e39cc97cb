// iam.js: the ES-module binding to the IAM loss library, the same file in Node 20
// and in browsers (page and Web Worker).
//
//   import { loadIAM } from './wasm/iam.js';
//   const iam = await loadIAM();                 // SIMD build where it validates, else scalar
//   const r = iam.loss({ kind: 'arcface', scale: 10, margin: 0.3, beta: 0.5 },
//                      { x, W, labels, n, d, c });
//   // r = { loss, base, iam, dx, dW }
//
// It loads the .wasm that `./build.sh build` puts beside it, with no Emscripten
// glue: the module is built -sSTANDALONE_WASM and needs no imports but a no-op.
// Inputs are copied into one reusable block of wasm memory, so repeated calls
// allocate nothing; outputs are copied out. Every C error becomes a thrown Error
// carrying the C library's sentence; nothing non-finite is ever returned.
// The trainer (iam.trainer(config)) lives in trainer.js.

import { Trainer } from './trainer.js';

export const KINDS = ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined'];
export const FALLBACKS = ['continuous', 'insightface', 'easy'];

// Documented defaults (LOSSES.md, "toy 2D/3D defaults"). The margin's default
// depends on the kind; it is in radians for ArcFace, never degrees.
export const LOSS_DEFAULTS = Object.freeze({
  kind: 'normface', scale: 10, beta: 0,
  margin: undefined,            // per kind: MARGIN_DEFAULTS
  m1: 1, m2: 0.3, m3: 0.2,      // combined
  lambda: 0, featureNorm: false, // sphereface
  fallback: 'continuous',       // arcface
});
export const MARGIN_DEFAULTS = Object.freeze({
  softmax: 0, normface: 0, sphereface: 4, cosface: 0.2, arcface: 0.3, combined: 0,
});

// The smallest module that uses a v128 instruction: WebAssembly.validate says
// whether this engine has SIMD (the same probe as wasm-feature-detect).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3,
  2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function simdSupported() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process === 'object' && !!process.versions?.node;

async function readBytes(url) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    try {
      return await readFile(url);
    } catch (err) {
      throw new Error(`cannot read ${url.pathname}: run ./build.sh build first (${err.code})`);
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url}: HTTP ${res.status}; run ./build.sh build first`);
  return res.arrayBuffer();
}

// Every import the module declares gets a function: the memory-growth notice is
// a no-op (views are re-made after each call), anything else is a build mistake.
function makeImports(module) {
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') throw new Error(`iam wasm: unexpected ${kind} import ${mod}.${name}`);
    imports[mod] ??= {};
    imports[mod][name] = name === 'emscripten_notify_memory_growth' ? () => {} : () => {
      throw new Error(`iam wasm: called the unexpected import ${mod}.${name}`);
    };
  }
  return imports;
}

/**
 * Load the library. `simd: true | false` forces a build; by default the SIMD
 * build is used where WebAssembly.validate accepts a SIMD module.
 * `url` overrides where the .wasm comes from.
 */
export async function loadIAM({ simd, url } = {}) {
  const haveSimd = simdSupported();
  const useSimd = simd ?? haveSimd;
  if (useSimd && !haveSimd) throw new Error('this WebAssembly engine has no SIMD; use loadIAM({ simd: false })');
  const where = url ? new URL(url) : new URL(useSimd ? './iam-simd.wasm' : './iam.wasm', import.meta.url);
  const module = await WebAssembly.compile(await readBytes(where));
  const instance = await WebAssembly.instantiate(module, makeImports(module));
  instance.exports._initialize?.();
  return new IAM(instance.exports, useSimd);
}

// One growable block of wasm memory, carved into aligned regions per call.
class Arena {
  constructor(exports) { this.ex = exports; this.ptr = 0; this.bytes = 0; this.used = 0; }
  // make room for `total` bytes, then hand out regions with take()
  reset(total) {
    if (total > this.bytes) {
      if (this.ptr) this.ex.free(this.ptr);
      const bytes = Math.max(total, Math.ceil(this.bytes * 1.5));
      this.ptr = this.ex.malloc(bytes);
      if (!this.ptr) { this.bytes = 0; throw new Error(`out of wasm memory asking for ${bytes} bytes`); }
      this.bytes = bytes;
    }
    this.used = 0;
  }
  take(bytes) {
    const p = this.ptr + this.used;
    this.used += Math.ceil(bytes / 16) * 16;
    return p;
  }
}

const align16 = (bytes) => Math.ceil(bytes / 16) * 16;

function checkInt(name, v, lo) {
  if (!Number.isInteger(v) || v < lo) throw new Error(`${name} must be an integer >= ${lo} (got ${v})`);
}

function checkNumber(name, v) {
  if (typeof v !== 'number') throw new Error(`${name} must be a number (got ${typeof v} ${String(v)})`);
  return v;
}

// Accepts a Float32Array, Float64Array or plain array of numbers.
function checkArray(name, a, length, what) {
  if (!(ArrayBuffer.isView(a) || Array.isArray(a))) throw new Error(`${name} must be a typed array or an array (got ${typeof a})`);
  if (a.length !== length) throw new Error(`${name} has length ${a.length} but ${what} = ${length}`);
}

class IAM {
  constructor(exports, simd) {
    this.ex = exports;
    this.simd = simd;
    this.arena = new Arena(exports);
  }

  /** A trainer (src/train.c) for this config: see trainer.js. Call .free() when done. */
  trainer(config = {}) {
    return new Trainer(this, config, IAM.lossConfig);
  }

  /**
   * Toy-LFW open-set verification (LOSSES.md, "Angular metrics"): nPairs/2 same-id and
   * nPairs/2 different-id pairs of the n embeddings (n×d), drawn with the seed; returns
   * { accuracy } at the 10-fold cross-validated threshold and { tarAtFar1e2 }.
   */
  verification(embeddings, ids, { n, d, pairs = 6000, seed = 1 }) {
    checkInt('n', n, 2); checkInt('d', d, 1); checkInt('pairs', pairs, 1);
    checkArray('embeddings', embeddings, n * d, 'n*d');
    checkArray('ids', ids, n, 'n');
    const ex = this.ex, A = this.arena;
    A.reset(align16(4 * n * d) + align16(4 * n) + 16);
    const pe = A.take(4 * n * d), pi = A.take(4 * n), po = A.take(8);
    new Float32Array(ex.memory.buffer).set(embeddings, pe >> 2);
    new Int32Array(ex.memory.buffer).set(ids, pi >> 2);
    this.check(ex.iam_verification_flat(pe, pi, n, d, pairs, seed >>> 0, po));
    const out = new Float32Array(ex.memory.buffer, po, 2);
    return { accuracy: out[0], tarAtFar1e2: out[1] };
  }

  /** The names of the C training config fields, in the order the C side expects. */
  trainFieldNames() {
    if (!this._fieldNames) {
      const count = this.ex.iam_train_field_count();
      this._fieldNames = Array.from({ length: count }, (_, k) => this.cString(this.ex.iam_train_field_name(k)));
    }
    return this._fieldNames;
  }

  cString(p) {
    const mem = new Uint8Array(this.ex.memory.buffer);
    let end = p;
    while (mem[end] !== 0) end++;
    return new TextDecoder().decode(mem.subarray(p, end));
  }

  get memoryBytes() { return this.ex.memory.buffer.byteLength; }

  lastError() { return this.cString(this.ex.iam_last_error()); }

  check(status) {
    if (status !== 0) throw new Error(this.lastError() || `iam: C call failed with status ${status}`);
  }

  /** Resolve a loss config against the defaults; throws on unknown keys or values. */
  static lossConfig(config) {
    if (config === null || typeof config !== 'object') throw new Error('the loss config must be an object');
    for (const key of Object.keys(config))
      if (!(key in LOSS_DEFAULTS)) throw new Error(`unknown loss option '${key}' (expected one of ${Object.keys(LOSS_DEFAULTS).join(', ')})`);
    const cfg = { ...LOSS_DEFAULTS, ...config };
    const kind = KINDS.indexOf(cfg.kind);
    if (kind < 0) throw new Error(`unknown loss kind '${cfg.kind}' (expected one of ${KINDS.join(', ')})`);
    const fallback = FALLBACKS.indexOf(cfg.fallback);
    if (fallback < 0) throw new Error(`unknown arcface fallback '${cfg.fallback}' (expected one of ${FALLBACKS.join(', ')})`);
    if (typeof cfg.featureNorm !== 'boolean') throw new Error(`featureNorm must be true or false (got ${cfg.featureNorm})`);
    cfg.margin ??= MARGIN_DEFAULTS[cfg.kind];
    for (const key of ['scale', 'margin', 'beta', 'm1', 'm2', 'm3', 'lambda']) checkNumber(key, cfg[key]);
    return { ...cfg, kindId: kind, fallbackId: fallback };
  }

  /**
   * Forward and backward of L = L_base + β L_IAM for one batch.
   * x: n*d, W: c*d (row per class), labels: n integers in [0, c).
   * Returns { loss, base, iam, dx, dW } with fresh Float32Arrays.
   */
  loss(config, batch) {
    const cfg = IAM.lossConfig(config);
    if (batch === null || typeof batch !== 'object') throw new Error('the batch must be an object { x, W, labels, n, d, c }');
    const { x, W, labels, n, d, c } = batch;
    checkInt('n', n, 1); checkInt('d', d, 1); checkInt('c', c, 2);
    checkArray('x', x, n * d, 'n*d');
    checkArray('W', W, c * d, 'c*d');
    checkArray('labels', labels, n, 'n');
    if (!(labels instanceof Int32Array))
      for (let i = 0; i < n; i++)
        if (!Number.isInteger(labels[i])) throw new Error(`labels[${i}] = ${labels[i]} is not an integer`);

    const ex = this.ex, A = this.arena;
    const workFloats = ex.iam_loss_work_floats_flat(n, d, c);
    A.reset(align16(4 * n * d) * 2 + align16(4 * c * d) * 2 + align16(4 * n) + 16 + align16(4 * workFloats));
    const px = A.take(4 * n * d), pW = A.take(4 * c * d), pl = A.take(4 * n);
    const pdx = A.take(4 * n * d), pdW = A.take(4 * c * d), pout = A.take(16), pwork = A.take(4 * workFloats);
    const f32 = new Float32Array(ex.memory.buffer);
    f32.set(x, px >> 2);
    f32.set(W, pW >> 2);
    new Int32Array(ex.memory.buffer).set(labels, pl >> 2);

    const status = ex.iam_loss_flat(cfg.kindId, cfg.scale, cfg.margin, cfg.m1, cfg.m2, cfg.m3, cfg.beta,
      cfg.lambda, cfg.featureNorm ? 1 : 0, cfg.fallbackId, px, pW, pl, n, d, c, pdx, pdW, pout, pwork);
    this.check(status);
    const mem = new Float32Array(ex.memory.buffer); // memory may have grown: a fresh view
    return {
      loss: mem[pout >> 2], base: mem[(pout >> 2) + 1], iam: mem[(pout >> 2) + 2],
      dx: mem.slice(pdx >> 2, (pdx >> 2) + n * d),
      dW: mem.slice(pdW >> 2, (pdW >> 2) + c * d),
    };
  }
}
