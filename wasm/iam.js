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
// It calls iam.h's functions directly; the structs they take (the loss config, the
// loss result, ...) are written and read by name through the field tables of
// src/api.c (structs.js), so this file knows no C field order and no enum number.
// Inputs are copied into one reusable block of wasm memory, so repeated calls
// allocate nothing; outputs are copied out. Every C error becomes a thrown Error
// carrying the C library's sentence; nothing non-finite is ever returned.
// The trainer (iam.trainer(config)) lives in trainer.js.

import { Trainer, checkInt, checkNumbers, checkIntegers } from './trainer.js';
import { readTables, writeStruct, readStruct } from './structs.js';

// The structs that cross the boundary, by the names src/api.c gives their tables.
const TABLES = ['loss_config', 'loss_result', 'train_config', 'metrics', 'sizes', 'last_step', 'divergence'];
// The enums whose value names it asks for (src/api.c's name lists).
const NAME_LISTS = ['kind', 'fallback', 'data', 'activation', 'init', 'optimizer', 'set', 'iamVariant', 'iamStop'];

// The smallest module that uses a v128 instruction: WebAssembly.validate says
// whether this engine has SIMD (the same probe as wasm-feature-detect).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3,
  2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function simdSupported() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process === 'object' && !!process.versions?.node;

/** The bytes at a URL: a file beside this module in Node (fs), else fetched (page, worker). */
export async function readBytes(url) {
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

/** The URL of the .wasm build this engine should use (or the one asked for). */
export function wasmUrl({ simd } = {}) {
  const haveSimd = simdSupported();
  const useSimd = simd ?? haveSimd;
  if (useSimd && !haveSimd) throw new Error('this WebAssembly engine has no SIMD; use loadIAM({ simd: false })');
  return { url: new URL(useSimd ? './iam-simd.wasm' : './iam.wasm', import.meta.url), simd: useSimd };
}

/** Fetch and compile a build once; the WebAssembly.Module can be posted to workers.
 *  `bytes(simd)` (optional) gives the build's bytes instead of fetching them: the single
 *  offline page carries both builds inline. */
export async function compileIAM({ simd, url, bytes } = {}) {
  if (typeof WebAssembly !== 'object') throw new Error('this browser has no WebAssembly');
  const chosen = wasmUrl({ simd });
  const source = bytes ? await bytes(chosen.simd) : await readBytes(url ? new URL(url) : chosen.url);
  const module = await WebAssembly.compile(source);
  return { module, simd: chosen.simd };
}

/**
 * Load the library. `simd: true | false` forces a build; by default the SIMD
 * build is used where WebAssembly.validate accepts a SIMD module.
 * `url` overrides where the .wasm comes from; `module` (with `simd`) uses a module
 * compiled before (compileIAM), so that workers need not fetch and compile again.
 */
export async function loadIAM({ simd, url, module } = {}) {
  let useSimd = simd;
  if (!module) ({ module, simd: useSimd } = await compileIAM({ simd, url }));
  else if (useSimd === undefined) throw new Error('loadIAM({ module }) needs simd: true or false, the build the module is');
  const instance = await WebAssembly.instantiate(module, makeImports(module));
  instance.exports._initialize?.();
  return new IAM(instance.exports, useSimd);
}

// A 32-bit wasm addresses 2 GB at most (and the build's memory grows no further,
// emcc's default -sMAXIMUM_MEMORY): a block of that size or more is refused before malloc,
// whose 32-bit size would wrap it to a small block that succeeds.
export const MAX_WASM_BYTES = 2 ** 31;

// One growable block of wasm memory, carved into aligned regions per call.
class Arena {
  constructor(exports) { this.ex = exports; this.ptr = 0; this.bytes = 0; this.used = 0; }
  // make room for `total` bytes, then hand out regions with take(); on failure it owns nothing
  reset(total) {
    if (!(Number.isSafeInteger(total) && total >= 0 && total < MAX_WASM_BYTES))
      throw new Error(`this call needs ${total} bytes of wasm memory, more than the 2 GB (${MAX_WASM_BYTES} bytes) a 32-bit wasm can address`);
    if (total > this.bytes) {
      const grown = Math.min(Math.max(total, Math.ceil(this.bytes * 1.5)), MAX_WASM_BYTES - 16);
      if (this.ptr) this.ex.free(this.ptr);
      this.ptr = 0; this.bytes = 0;
      for (const bytes of new Set([grown, total])) {
        this.ptr = this.ex.malloc(bytes);
        if (this.ptr) { this.bytes = bytes; break; }
      }
      if (!this.ptr) throw new Error(`out of wasm memory: this call needs ${total} bytes, and the memory (${this.ex.memory.buffer.byteLength} bytes now) cannot grow that far`);
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

class IAM {
  constructor(exports, simd) {
    this.ex = exports;
    this.simd = simd;
    this.arena = new Arena(exports);
    this.tables = readTables(exports, (p) => this.cString(p),
      (name) => this.withString(name, (p) => exports.iam_table_find(p)), TABLES);
    /** How the library names the values of its enums: kind, fallback, data, activation,
     *  init, optimizer, set, iamVariant, iamStop → [names in C's order]. */
    this.names = Object.freeze(Object.fromEntries(NAME_LISTS.map((list) => [list, this.#nameList(list)])));
  }

  #nameList(list) {
    const names = [];
    for (let v = 0, p; (p = this.withString(list, (q) => this.ex.iam_name(q, v))); v++) names.push(this.cString(p));
    if (!names.length) throw new Error(`iam wasm: the library has no names for '${list}'`);
    return Object.freeze(names);
  }

  /** A trainer (src/train.c) for this config: see trainer.js. Call .free() when done.
   *  For data 'mnist' and 'rows' pass the rows too: { x (n·dim), labels (n) }, e.g.
   *  mnistRows(await loadMnist()) (wasm/mnist.js) or parseCsv(text) (wasm/csv.js). */
  trainer(config = {}, rows = undefined) {
    return new Trainer(this, config, rows);
  }

  /** The library's defaults, resolved as C resolves them: a whole training config,
   *  or (table 'loss_config') the loss config of one kind, e.g. defaults('loss_config', { kind: 'arcface' }). */
  defaults(table = 'train_config', object = {}) {
    const bytes = this.structBytes(table);
    this.arena.reset(bytes);
    const p = this.arena.take(bytes);
    new Uint8Array(this.ex.memory.buffer, p, bytes).fill(0);   // as #lossConfigBytes
    this.writeStruct(table, p, object, table === 'loss_config' ? 'loss' : 'trainer');
    return this.readStruct(table, p);
  }

  /**
   * Toy-LFW open-set verification (LOSSES.md, "Angular metrics"): nPairs/2 same-id and
   * nPairs/2 different-id pairs of the n embeddings (n×d), drawn with the seed; returns
   * { accuracy } at the 10-fold cross-validated threshold and { tarAtFar1e2 }.
   */
  verification(embeddings, ids, { n, d, pairs = 6000, seed = 1 }) {
    checkInt('n', n, 2); checkInt('d', d, 1); checkInt('pairs', pairs, 1);
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got ${seed})`);
    checkNumbers('embeddings', embeddings, n * d, 'n*d');
    checkNumbers('ids', ids, n, 'n');
    checkIntegers('ids', ids);
    const ex = this.ex, A = this.arena;
    A.reset(align16(4 * n * d) + align16(4 * n) + 16);
    const pe = A.take(4 * n * d), pi = A.take(4 * n), po = A.take(8);
    new Float32Array(ex.memory.buffer).set(embeddings, pe >> 2);
    new Int32Array(ex.memory.buffer).set(ids, pi >> 2);
    this.check(ex.iam_verification(pe, pi, n, d, pairs, seed >>> 0, po, po + 4));
    const out = new Float32Array(ex.memory.buffer, po, 2);
    return { accuracy: out[0], tarAtFar1e2: out[1] };
  }

  /**
   * Forward and backward of L = L_base + β L_IAM for one batch.
   * x: n*d, W: c*d (row per class; c*K*d with K = config.subcenters, class j's rows
   * j*K .. j*K+K-1), labels: n integers in [0, c).
   * Returns { loss, base, iam, dx, dW } with fresh Float32Arrays.
   */
  loss(config, batch) {
    if (batch === null || typeof batch !== 'object') throw new Error('the batch must be an object { x, W, labels, n, d, c }');
    const { x, W, labels, n, d, c } = batch;
    const ex = this.ex, A = this.arena;
    // everything that can be refused is, before any memory is taken for the batch: C's
    // size limits, the arrays, the labels (2**32 would wrap to 0), then the config, by C
    checkInt('n', n, 1); checkInt('d', d, 1); checkInt('c', c, 2);
    this.check(ex.iam_loss_check_sizes(n, d, c));
    const config32 = this.#lossConfigBytes(config);
    const K = this.#subcenters(config32), rows = c * K;
    this.check(ex.iam_loss_check_sizes(n, d, rows));
    checkNumbers('x', x, n * d, 'n*d');
    checkNumbers('W', W, rows * d, K > 1 ? 'c*subcenters*d' : 'c*d');
    if (!(ArrayBuffer.isView(labels) || Array.isArray(labels)) || labels instanceof DataView)
      throw new Error('labels must be a typed array or an array of integers');
    if (labels.length !== n) throw new Error(`labels has length ${labels.length} but n = ${n}`);
    checkIntegers('labels', labels, 0, c);

    const workFloats = this.#withConfig(config32, (p) => ex.iam_loss_work_floats_for(p, n, d, c));
    const cfgBytes = config32.length, outBytes = this.structBytes('loss_result');
    A.reset(align16(cfgBytes) + align16(outBytes) + 2 * align16(4 * n * d) + 2 * align16(4 * rows * d)
      + align16(4 * n) + align16(4 * workFloats));
    const pCfg = A.take(cfgBytes), pOut = A.take(outBytes);
    new Uint8Array(ex.memory.buffer).set(config32, pCfg);
    const px = A.take(4 * n * d), pW = A.take(4 * rows * d), pl = A.take(4 * n);
    const pdx = A.take(4 * n * d), pdW = A.take(4 * rows * d), pwork = A.take(4 * workFloats);
    const f32 = new Float32Array(ex.memory.buffer);
    f32.set(x, px >> 2);
    f32.set(W, pW >> 2);
    new Int32Array(ex.memory.buffer).set(labels, pl >> 2);
    f32.fill(0, pdx >> 2, (pdx >> 2) + n * d); // iam_loss accumulates (+=) into dx and dW
    f32.fill(0, pdW >> 2, (pdW >> 2) + rows * d);
    this.check(ex.iam_loss(pCfg, px, pW, pl, n, d, c, pdx, pdW, pOut, pwork));
    const mem = new Float32Array(ex.memory.buffer); // memory may have grown: a fresh view
    return {
      ...this.readStruct('loss_result', pOut),
      dx: mem.slice(pdx >> 2, (pdx >> 2) + n * d),
      dW: mem.slice(pdW >> 2, (pdW >> 2) + rows * d),
    };
  }

  /**
   * The running state's step for one batch (CurricularFace's t, AdaFace's normMean and
   * normStd; the others have none), as a trainer takes it before each loss: returns
   * { t, normMean, normStd } after the step, to pass in the next config.
   */
  updateState(config, batch) {
    if (batch === null || typeof batch !== 'object') throw new Error('the batch must be an object { x, W, labels, n, d, c }');
    const { x, W, labels, n, d, c } = batch;
    checkInt('n', n, 1); checkInt('d', d, 1); checkInt('c', c, 2);
    this.check(this.ex.iam_loss_check_sizes(n, d, c));
    const config32 = this.#lossConfigBytes(config);
    const rows = c * this.#subcenters(config32);
    checkNumbers('x', x, n * d, 'n*d');
    checkNumbers('W', W, rows * d, 'c*subcenters*d');
    if (!(ArrayBuffer.isView(labels) || Array.isArray(labels)) || labels.length !== n)
      throw new Error(`labels must be an array of n = ${n} integers`);
    checkIntegers('labels', labels, 0, c);
    const ex = this.ex, A = this.arena;
    A.reset(align16(config32.length) + align16(4 * n * d) + align16(4 * rows * d) + align16(4 * n));
    const pCfg = A.take(config32.length), px = A.take(4 * n * d), pW = A.take(4 * rows * d), pl = A.take(4 * n);
    new Uint8Array(ex.memory.buffer).set(config32, pCfg);
    const f32 = new Float32Array(ex.memory.buffer);
    f32.set(x, px >> 2);
    f32.set(W, pW >> 2);
    new Int32Array(ex.memory.buffer).set(labels, pl >> 2);
    this.check(ex.iam_loss_update_state(pCfg, px, pW, pl, n, d, c));
    const { t, normMean, normStd } = this.readStruct('loss_config', pCfg);
    return { t, normMean, normStd };
  }

  // K, the sub-centers of a config's bytes
  #subcenters(config32) {
    return this.#withConfig(config32, (p) => this.readStruct('loss_config', p).subcenters);
  }

  // fn(p) with the config bytes at p (arena memory, valid during fn)
  #withConfig(config32, fn) {
    this.arena.reset(config32.length);
    const p = this.arena.take(config32.length);
    new Uint8Array(this.ex.memory.buffer).set(config32, p);
    return fn(p);
  }

  // The loss config as C's struct bytes, checked by C (iam_loss_config_check) in a small
  // block, so that a bad config is refused before the batch takes any memory.
  #lossConfigBytes(config) {
    const bytes = this.structBytes('loss_config');
    this.arena.reset(bytes);
    const p = this.arena.take(bytes);
    // zeroed first: the defaults depend on the kind already in the struct (enum 0 when not given)
    new Uint8Array(this.ex.memory.buffer, p, bytes).fill(0);
    this.writeStruct('loss_config', p, config, 'loss');
    this.check(this.ex.iam_loss_config_check(p));
    return new Uint8Array(this.ex.memory.buffer, p, bytes).slice();
  }

  // -- what trainer.js shares ------------------------------------------------

  /** Write a JS object into the struct at p: its table's defaults, then the object's keys. */
  writeStruct(table, p, object, noun) { writeStruct(this.ex, this.tables.get(table), p, object, noun); }
  /** Read the struct at p into an object, by the names of its table. */
  readStruct(table, p) { return readStruct(this.ex, this.tables.get(table), p); }
  structBytes(table) { return this.tables.get(table).bytes; }

  /** Call fn with a pointer to a NUL-terminated copy of s (arena memory, valid during fn). */
  withString(s, fn) {
    const bytes = new TextEncoder().encode(s);
    this.arena.reset(bytes.length + 1);
    const p = this.arena.take(bytes.length + 1);
    const mem = new Uint8Array(this.ex.memory.buffer);
    mem.set(bytes, p);
    mem[p + bytes.length] = 0;
    return fn(p);
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
}
