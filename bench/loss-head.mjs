// loss-head.mjs: time one iam.loss call (forward + backward) on the face-recognition-sized
// head, N = 256, d = 128, C = 1000, for the SIMD and the scalar build in one run.
// Prints one JSON line per build: median and quartiles over the timed calls.
//   node bench/loss-head.mjs [--n 256 --d 128 --c 1000 --kind arcface --reps 60]
import { loadIAM } from '../wasm/iam.js';

const opts = { n: 256, d: 128, c: 1000, kind: 'arcface', reps: 60, warmup: 10 };
const argv = process.argv.slice(2);
for (let k = 0; k < argv.length; k += 2) {
  const key = argv[k].replace(/^--/, ''), value = argv[k + 1];
  if (!(key in opts) || value === undefined) {
    console.error(`loss-head: unknown flag '${argv[k]}'; flags: ${Object.keys(opts).map((o) => '--' + o).join(' ')}`);
    process.exit(2);
  }
  opts[key] = key === 'kind' ? value : Number(value);
}

let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const { n, d, c } = opts;
const batch = {
  x: Float32Array.from({ length: n * d }, rand), W: Float32Array.from({ length: c * d }, rand),
  labels: Int32Array.from({ length: n }, (_, i) => i % c), n, d, c,
};
const config = { kind: opts.kind, scale: 64, beta: 0.5 };
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

for (const simd of [true, false]) {
  const iam = await loadIAM({ simd });
  for (let k = 0; k < opts.warmup; k++) iam.loss(config, batch);
  const times = [];
  for (let k = 0; k < opts.reps; k++) {
    const t0 = performance.now();
    iam.loss(config, batch);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({
    config: 'head', impl: simd ? 'wasm-simd' : 'wasm-scalar', kind: opts.kind, n, d, c,
    ms_per_call: +quantile(times, 0.5).toFixed(3), ms_p25: +quantile(times, 0.25).toFixed(3),
    ms_p75: +quantile(times, 0.75).toFixed(3), reps: opts.reps,
  }));
}
