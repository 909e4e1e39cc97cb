// harness.mjs: the benchmark behind bench/run.mjs (and tests/bench.test.mjs).
//
// For each configuration it makes every implementation start from the same
// parameters and data, runs one step of each (the step-0 losses, which must
// agree), warms them up, then times them in interleaved rounds (the order turns
// each round) so that a noisy, shared machine slows them all alike. It reports
// the median time of one unit of work:
//
//   a training step (draw a batch, forward, ArcFace loss, backward, Adam) for the
//   MLP configurations; one forward and backward of the loss head for `head`.
//
// Implementations:
//   wasm-simd, wasm-scalar  the project's two .wasm builds in Node, through the
//                           binding: t.step(1) of iam.trainer(), or iam.loss()
//   native                  the same C built by gcc -O3 (default x86-64 target):
//                           bench/native_step.c, driven over a pipe
//   tfjs-wasm               TensorFlow.js on its single-threaded wasm SIMD backend
//                           (bench/tfjs_step.mjs), written as a tfjs user writes it
//   tfjs-wasm-tuned         the same with every matrix product on XNNPACK's path
//                           (hand-written gradients); for the record, no goal uses it
//
// and, before and after the configurations (the better of the two kept), the wasm
// SIMD peak (bench/peak.c) that every configuration's GFLOP/s is measured against.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { loadIAM } from '../wasm/iam.js';
import { lossPreset } from '../wasm/presets.js';
import { randomBatch } from '../tests/helpers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD = path.join(ROOT, 'build');

export const IMPLS = ['wasm-simd', 'wasm-scalar', 'native', 'tfjs-wasm', 'tfjs-wasm-tuned'];

// in: the input dimension of the data set (blobs 2, glyphs 64); dim: the embedding.
// warmup, rounds, steps: the default timing plan (steps are timed per round per impl).
export const CONFIGS = {
  small: { what: 'train', data: 'blobs', in: 2, hidden: [64, 64], dim: 2, classes: 10, batch: 256,
    warmup: 20, rounds: 6, steps: 40 },
  medium: { what: 'train', data: 'glyphs', in: 64, hidden: [128, 128], dim: 3, classes: 10, batch: 256,
    warmup: 10, rounds: 6, steps: 25 },
  // the face-recognition-sized classifier: insightface's s = 64, m = 0.5
  head: { what: 'head', n: 256, d: 128, classes: 1000, scale: 64, margin: 0.5, warmup: 3, rounds: 6, steps: 6 },
  // for tests/bench.test.mjs: odd sizes (the remainders of simd.h's blocked loops), in seconds
  tiny: { what: 'train', data: 'glyphs', in: 64, hidden: [13, 9], dim: 3, classes: 5, batch: 7,
    warmup: 2, rounds: 2, steps: 3 },
  'tiny-head': { what: 'head', n: 7, d: 13, classes: 9, scale: 10, margin: 0.3, warmup: 2, rounds: 2, steps: 3 },
};
export const DEFAULT_CONFIGS = ['small', 'medium', 'head'];

// The goals of issue 5, as ratios from one run. `value` reads the rows of a run.
export const GOALS = [
  { goal: 'small: tfjs-wasm / wasm-simd >= 10', min: 10, value: (r) => ratio(r, 'small', 'tfjs-wasm', 'wasm-simd') },
  { goal: 'medium: tfjs-wasm / wasm-simd >= 4', min: 4, value: (r) => ratio(r, 'medium', 'tfjs-wasm', 'wasm-simd') },
  { goal: 'medium: wasm-simd >= 25% of the wasm SIMD peak', min: 0.25, value: (r) => find(r, 'medium', 'wasm-simd')?.peak_share },
  { goal: 'medium: wasm-scalar / wasm-simd >= 2', min: 2, value: (r) => ratio(r, 'medium', 'wasm-scalar', 'wasm-simd') },
  { goal: 'head: wasm-scalar / wasm-simd >= 2', min: 2, value: (r) => ratio(r, 'head', 'wasm-scalar', 'wasm-simd') },
  ...['small', 'medium', 'head'].map((config) => (
    { goal: `${config}: wasm-simd / native <= 1.5`, max: 1.5, value: (r) => ratio(r, config, 'wasm-simd', 'native') })),
  { goal: 'head: tfjs-wasm / wasm-simd >= 1', min: 1, value: (r) => ratio(r, 'head', 'tfjs-wasm', 'wasm-simd') },
];

const find = (rows, config, impl) => rows.find((row) => row.config === config && row.impl === impl);
function ratio(rows, config, a, b) {
  const ra = find(rows, config, a), rb = find(rows, config, b);
  return ra && rb ? ra.ms_per_step / rb.ms_per_step : undefined;
}

/** Each goal that this run's rows can answer: { goal, value, met }. */
export function checkGoals(rows) {
  return GOALS.map(({ goal, min, max, value }) => {
    const v = value(rows);
    return v === undefined ? null : { goal, value: v, met: min !== undefined ? v >= min : v <= max };
  }).filter(Boolean);
}

/** FLOPs of one unit, counted analytically: 2·in·out per sample per Linear forward,
 *  ×3 for forward and backward; the head's cosine matrix 2·N·C·d, ×3 likewise.
 *  Normalizations, activations, the loss's elementwise work and Adam are not counted. */
export function flopsPerStep(cfg) {
  if (cfg.what === 'head') return 3 * 2 * cfg.n * cfg.classes * cfg.d;
  const sizes = [cfg.in, ...cfg.hidden, cfg.dim];
  let perSample = 0;
  for (let l = 0; l + 1 < sizes.length; l++) perSample += 2 * sizes[l] * sizes[l + 1];
  return cfg.batch * 3 * perSample + 3 * 2 * cfg.batch * cfg.classes * cfg.dim;
}

// ---------------------------------------------------------------------------
// The two helpers, built by ./build.sh build into build/
// ---------------------------------------------------------------------------

export const NATIVE_BIN = path.join(BUILD, 'native_step');
export const PEAK_WASM = path.join(BUILD, 'peak.wasm');

function requireHelpers({ native }) {
  for (const file of native ? [NATIVE_BIN, PEAK_WASM] : [PEAK_WASM])
    if (!fs.existsSync(file)) throw new Error(`bench: ${path.relative(ROOT, file)} is missing: run ./build.sh build`);
}

// ---------------------------------------------------------------------------
// The wasm SIMD peak
// ---------------------------------------------------------------------------

/** The best GFLOP/s of bench/peak.c's independent mul+add chains: { gflops, chains }. */
export async function measurePeak({ reps = 15, iters = 1_000_000 } = {}) {
  const module = await WebAssembly.compile(fs.readFileSync(PEAK_WASM));
  const imports = {};
  for (const { module: mod, name } of WebAssembly.Module.imports(module)) (imports[mod] ??= {})[name] = () => 0;
  const { exports } = await WebAssembly.instantiate(module, imports);
  let best = { gflops: 0, chains: 0 };
  for (const chains of [8, 10, 12]) {
    const run = exports[`peak_${chains}`];
    run(iters / 10, 0.999, 0.001); // compile and warm up
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      run(iters, 0.999, 0.001);
      const gflops = (iters * chains * 8) / ((performance.now() - t0) * 1e6);
      if (gflops > best.gflops) best = { gflops, chains };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------
// Shared inputs: one set of parameters and data for every implementation
// ---------------------------------------------------------------------------

/** The trainer's batch draw (train.c), ported: splitmix64 of src/rng.h seeded
 *  seed·2+3, then iam_rng_below(n_train) per row. The tfjs peer trains on exactly
 *  the batches the C trainer draws. */
export function trainerBatchSampler(seed, nTrain) {
  const MASK = (1n << 64n) - 1n;
  const mix = (z) => {
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    return z ^ (z >> 31n);
  };
  let state = mix((BigInt(seed) * 2n + 3n + 0x632BE59BD9B4E019n) & MASK);
  const n = BigInt(nTrain);
  return (count) => Int32Array.from({ length: count }, () => {
    state = (state + 0x9E3779B97F4A7C15n) & MASK;
    return Number(((mix(state) >> 32n) * n) >> 32n);
  });
}

const SEED = 1;

export function trainerConfig(cfg) {
  return {
    data: cfg.data, classes: cfg.classes, dim: cfg.dim, hidden: cfg.hidden, batchSize: cfg.batch, seed: SEED,
    optimizer: 'adam', loss: lossPreset('arcface', cfg.dim),
  };
}

async function makeShared(cfg, libs, tmpDir, name) {
  if (cfg.what === 'head') {
    const batch = randomBatch(cfg.n, cfg.d, cfg.classes, 42);
    const file = path.join(tmpDir, `${name}-inputs.bin`);
    fs.writeFileSync(file, Buffer.concat([batch.x, batch.W, batch.labels].map((a) => Buffer.from(a.buffer))));
    return { batch, file, loss: { kind: 'arcface', scale: cfg.scale, margin: cfg.margin } };
  }
  const t = libs.simd.trainer(trainerConfig(cfg));
  try {
    if (t.inputDim !== cfg.in) throw new Error(`bench: ${cfg.data} has ${t.inputDim} inputs, the config says ${cfg.in}`);
    const params = t.params();
    const file = path.join(tmpDir, `${name}-params.bin`);
    fs.writeFileSync(file, Buffer.from(params.buffer));
    return { params, file, train: t.inputs('train'), loss: libs.simd.defaults('loss_config', lossPreset('arcface', cfg.dim)) };
  } finally {
    t.free();
  }
}

// ---------------------------------------------------------------------------
// The implementations: run(k) times k units and returns { ms: [k], loss: [k] }
// ---------------------------------------------------------------------------

function timeEach(k, unit) {
  const ms = new Array(k), loss = new Array(k);
  for (let q = 0; q < k; q++) {
    const t0 = performance.now();
    loss[q] = unit();
    ms[q] = performance.now() - t0;
  }
  return { ms, loss };
}

function wasmRunner(iam, cfg, shared) {
  if (cfg.what === 'head') return { run: async (k) => timeEach(k, () => iam.loss(shared.loss, shared.batch).loss), close() {} };
  const t = iam.trainer(trainerConfig(cfg));
  t.setParams(shared.params);
  return { run: async (k) => timeEach(k, () => t.step(1).loss), close: () => t.free() };
}

function nativeRunner(cfg, shared) {
  const args = cfg.what === 'head'
    ? ['head', `n=${cfg.n}`, `d=${cfg.d}`, `c=${cfg.classes}`, `scale=${cfg.scale}`, `margin=${cfg.margin}`, `inputs=${shared.file}`]
    : ['train', `data=${cfg.data}`, `classes=${cfg.classes}`, `dim=${cfg.dim}`, `hidden=${cfg.hidden.join(',')}`,
      `batch=${cfg.batch}`, `scale=${shared.loss.scale}`, `margin=${shared.loss.margin}`, `params=${shared.file}`];
  const child = spawn(NATIVE_BIN, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  let failure = null;
  const fail = (err) => {
    failure = err;
    while (waiting.length) waiting.shift().reject(err);
  };
  lines.on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on('error', fail);
  child.on('exit', (code) => { if (code) fail(new Error(`native_step exited with status ${code}`)); });
  return {
    run(k) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`step ${k}\n`);
      });
    },
    close() { child.stdin.end('quit\n'); },
  };
}

async function tfjsRunner(cfg, shared, tuned) {
  const { initTfjs, tfjsTrainer, tfjsHead } = await import('./tfjs_step.mjs');
  await initTfjs();
  if (cfg.what === 'head') {
    const head = tfjsHead({ ...shared.batch, scale: cfg.scale, margin: cfg.margin, tuned });
    return { run: async (k) => timeEach(k, () => head.step()), close: () => head.dispose() };
  }
  const trainer = tfjsTrainer({
    params: shared.params, sizes: [cfg.in, ...cfg.hidden, cfg.dim], classes: cfg.classes,
    scale: shared.loss.scale, margin: shared.loss.margin, lr: 0.01, tuned,
  });
  const { x, labels } = shared.train;
  const draw = trainerBatchSampler(SEED, labels.length);
  const D = cfg.in, B = cfg.batch;
  const bx = new Float32Array(B * D), by = new Int32Array(B);
  return {
    async run(k) {
      const batches = Array.from({ length: k }, () => draw(B)); // drawn before the clock starts
      let q = 0;
      return timeEach(k, () => {
        const rows = batches[q++];
        for (let b = 0; b < B; b++) { // the batch copy, as train.c does it
          bx.set(x.subarray(rows[b] * D, rows[b] * D + D), b * D);
          by[b] = labels[rows[b]];
        }
        return trainer.step(bx, by);
      });
    },
    close: () => trainer.dispose(),
  };
}

async function makeRunner(impl, cfg, shared, libs) {
  if (impl === 'wasm-simd') return wasmRunner(libs.simd, cfg, shared);
  if (impl === 'wasm-scalar') return wasmRunner(libs.scalar, cfg, shared);
  if (impl === 'native') return nativeRunner(cfg, shared);
  if (impl === 'tfjs-wasm') return tfjsRunner(cfg, shared, false);
  if (impl === 'tfjs-wasm-tuned') return tfjsRunner(cfg, shared, true);
  throw new Error(`bench: unknown implementation '${impl}'`);
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

const sig = (v) => Number(v.toPrecision(4)); // 4 significant digits
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Run the benchmark. Returns { peak: { gflops, chains }, rows, goals }, one row per
 * (config, impl): ms_per_step (the median), ms_p25, ms_p75, timed_steps, gflops,
 * peak_share, ratio_to_wasm_simd and loss_step0.
 * warmup, rounds and steps override every configuration's own plan.
 */
export async function runBench({ configs = DEFAULT_CONFIGS, impls = IMPLS, warmup, rounds, steps, log } = {}) {
  for (const name of configs) if (!CONFIGS[name]) throw new Error(`bench: unknown configuration '${name}'`);
  for (const impl of impls) if (!IMPLS.includes(impl)) throw new Error(`bench: unknown implementation '${impl}'`);
  requireHelpers({ native: impls.includes('native') });
  // the peak is a best case: measured before and after the configurations, the better kept
  let peak = await measurePeak();
  const libs = { simd: await loadIAM({ simd: true }), scalar: await loadIAM({ simd: false }) };
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iam-bench-'));
  const rows = [], rawGflops = new Map();
  try {
    for (const name of configs) {
      const cfg = CONFIGS[name];
      const plan = { warmup: warmup ?? cfg.warmup, rounds: rounds ?? cfg.rounds, steps: steps ?? cfg.steps };
      const shared = await makeShared(cfg, libs, tmpDir, name);
      const runners = {};
      try {
        for (const impl of impls) runners[impl] = await makeRunner(impl, cfg, shared, libs);
        const loss0 = {}, times = {};
        for (const impl of impls) {
          loss0[impl] = (await runners[impl].run(1)).loss[0]; // step 0: same parameters, same batch
          if (plan.warmup > 0) await runners[impl].run(plan.warmup);
          times[impl] = [];
        }
        log?.(`bench: ${name}: ${plan.rounds} rounds of ${plan.steps} steps per implementation`);
        for (let r = 0; r < plan.rounds; r++) {
          for (let q = 0; q < impls.length; q++) {
            const impl = impls[(q + r) % impls.length]; // a different one goes first each round
            times[impl].push(...(await runners[impl].run(plan.steps)).ms);
          }
        }
        const flops = flopsPerStep(cfg);
        const medians = {};
        for (const impl of impls) {
          const sorted = times[impl].slice().sort((a, b) => a - b);
          medians[impl] = quantile(sorted, 0.5);
          const gflops = flops / (medians[impl] * 1e6);
          const row = {
            config: name, impl, ms_per_step: sig(medians[impl]), ms_p25: sig(quantile(sorted, 0.25)),
            ms_p75: sig(quantile(sorted, 0.75)), timed_steps: sorted.length, mflop_per_step: sig(flops / 1e6),
            gflops: sig(gflops), peak_share: null, peak_gflops: null, // filled in once the peak is final
            ratio_to_wasm_simd: medians['wasm-simd'] ? sig(medians[impl] / medians['wasm-simd']) : null,
            loss_step0: loss0[impl],
          };
          rows.push(row);
          rawGflops.set(row, gflops);
        }
      } finally {
        for (const runner of Object.values(runners)) runner.close();
      }
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  const after = await measurePeak();
  if (after.gflops > peak.gflops) peak = after;
  for (const row of rows) {
    row.peak_share = sig(rawGflops.get(row) / peak.gflops);
    row.peak_gflops = sig(peak.gflops);
  }
  return { peak, rows, goals: checkGoals(rows) };
}

/** The machine, for RESULTS.md. */
export function machine() {
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  let emcc = 'not found';
  try { emcc = execFileSync('emcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]; } catch { /* missing */ }
  let gcc = 'not found';
  try { gcc = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]; } catch { /* missing */ }
  let nproc = os.cpus().length;
  try { nproc = Number(execFileSync('nproc', { encoding: 'utf8' })); } catch { /* os.cpus() then */ }
  return { nproc, cpu, node: process.version, emcc, gcc };
}
