// tfjs_profile.mjs: where the TensorFlow.js peer spends a step (bench/RESULTS.md, "Why tfjs-wasm is slower").
//
//   node bench/tfjs_profile.mjs
//
// For each configuration of the benchmark and both tfjs variants: the wall time of
// one step, the time inside kernels (tf.profile) and the kernels that take the most
// (tf.profile's own timing inflates small kernels; read the wall time). Then the one
// finding that explains most of it: tfjs-backend-wasm hands a matMul to XNNPACK
// only when neither operand is transposed, and autodiff's backward of every
// matMul transposes one operand.
import { CONFIGS } from './harness.mjs';
import { initTfjs, tf, tfjsHead, tfjsTrainer } from './tfjs_step.mjs';

await initTfjs();
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const randomArray = (n) => Float32Array.from({ length: n }, rand);
const labelsFor = (n, c) => Int32Array.from({ length: n }, (_, i) => i % c);

function report(name, step) {
  for (let k = 0; k < 20; k++) step();
  const times = [];
  for (let k = 0; k < 9; k++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return tf.profile(step).then((profile) => {
    const byKernel = {};
    for (const k of profile.kernels) byKernel[k.name] = (byKernel[k.name] ?? 0) + k.kernelTimeMs;
    const inKernels = Object.values(byKernel).reduce((a, b) => a + b, 0);
    const top = Object.entries(byKernel).sort((a, b) => b[1] - a[1]).slice(0, 5)
      .map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(', ');
    console.log(`${name.padEnd(7)} step ${times[4].toFixed(2)} ms (median of 9); ${profile.kernels.length} kernel calls, ` +
      `${inKernels.toFixed(2)} ms inside them; top: ${top}`);
  });
}

const h = CONFIGS.head;
for (const tuned of [false, true]) {
  console.log(tuned ? '\ntfjs-wasm-tuned (every product on XNNPACK)' : 'tfjs-wasm (as a tfjs user writes it)');
  for (const name of ['small', 'medium']) {
    const cfg = CONFIGS[name], sizes = [cfg.in, ...cfg.hidden, cfg.dim];
    let count = cfg.classes * cfg.dim;
    for (let l = 0; l + 1 < sizes.length; l++) count += sizes[l] * sizes[l + 1] + sizes[l + 1];
    const params = randomArray(count).map((v) => v * 0.3);
    const trainer = tfjsTrainer({ params, sizes, classes: cfg.classes, scale: 10, margin: 0.3, tuned });
    const x = randomArray(cfg.batch * cfg.in), labels = labelsFor(cfg.batch, cfg.classes);
    await report(name, () => trainer.step(x, labels));
    trainer.dispose();
  }
  const head = tfjsHead({ x: randomArray(h.n * h.d), W: randomArray(h.classes * h.d), labels: labelsFor(h.n, h.classes),
    n: h.n, d: h.d, c: h.classes, scale: h.scale, margin: h.margin, tuned });
  await report('head', () => head.step());
  head.dispose();
}

// the head's three products, with and without a transposed operand
const x = tf.tensor2d(randomArray(h.n * h.d), [h.n, h.d]), W = tf.tensor2d(randomArray(h.classes * h.d), [h.classes, h.d]);
const G = tf.tensor2d(randomArray(h.n * h.classes), [h.n, h.classes]);
const Wt = tf.transpose(W), Gt = tf.transpose(G);
const gflop = (2 * h.n * h.d * h.classes) / 1e9;
console.log(`\nmatMul at the head's shapes (${h.n}x${h.d} by ${h.classes}x${h.d}), median of 9:`);
for (const [what, product] of [
  ['cos = x Wᵀ   matMul(x, W, false, true)   transposed B', () => tf.matMul(x, W, false, true)],
  ['cos = x Wᵀ   matMul(x, transpose(W))     no transpose', () => tf.matMul(x, Wt)],
  ['dx  = G W    matMul(G, W)                no transpose', () => tf.matMul(G, W)],
  ['dW  = Gᵀ x   matMul(G, x, true, false)   transposed A', () => tf.matMul(G, x, true, false)],
  ['dW  = Gᵀ x   matMul(transpose(G), x)     no transpose', () => tf.matMul(Gt, x)],
]) {
  for (let k = 0; k < 2; k++) product().dispose();
  const times = [];
  for (let k = 0; k < 9; k++) {
    const t0 = performance.now();
    const out = product();
    out.dataSync();
    out.dispose();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${what}  ${times[4].toFixed(2).padStart(6)} ms  ${(gflop / (times[4] / 1e3)).toFixed(1).padStart(5)} GFLOP/s`);
}
