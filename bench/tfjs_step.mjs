// tfjs_step.mjs: the TensorFlow.js peer of the benchmark, the same work written with tfjs ops.
//
// The same MLP (torch.nn.Linear layout: weight (out, in), then bias; ReLU between
// layers), the same ArcFace head (normalize the embedding and W, cosines, acos, the
// margin, the monotone ψ past θ > π − m as LOSSES.md and src/loss.c define it,
// cross-entropy), and Adam through optimizer.minimize. It runs on
// @tensorflow/tfjs-backend-wasm's single-threaded SIMD build (XNNPACK): the
// backend never uses threads in Node, and initTfjs checks the two flags that
// select that build, so it cannot silently fall back to another one.
//
// Two variants (bench/RESULTS.md, "Why tfjs-wasm is slower"):
//   tfjs-wasm        every product written as a tfjs user writes it, tf.matMul(a, b,
//                    false, true), differentiated by tfjs. tfjs-backend-wasm hands a
//                    product to XNNPACK only when neither operand is transposed, and
//                    autodiff transposes one operand in the backward of every product,
//                    so two of every three products take its slow loop.
//   tfjs-wasm-tuned  the same, with every product on XNNPACK's path: explicit
//                    transposes and a hand-written gradient (tf.customGrad).
//
// It is a peer for timing, not a second implementation of the library: it computes
// only what the benchmark compares (ArcFace with β = 0).
import { createRequire } from 'node:module';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready = null;

/** Select the tfjs wasm backend, single-threaded SIMD; once per process. */
export function initTfjs() {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const simdWasm = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(path.dirname(simdWasm) + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialize');
    await tf.ready();
    // these two flags are what make the backend load tfjs-backend-wasm-simd.wasm
    if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT') || tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'))
      throw new Error('tfjs: expected the single-threaded SIMD build of the wasm backend');
    return { backend: tf.getBackend(), version: tf.version.tfjs, file: path.basename(simdWasm) };
  })();
  return ready;
}

/** a bᵀ as tf.matMul(a, b, false, true) computes it, differentiated by tfjs */
const matMulABt = (a, b) => tf.matMul(a, b, false, true);

/** a bᵀ with all three products (forward, ∂a = dy b, ∂b = dyᵀ a) untransposed, so that
 *  tfjs-backend-wasm runs each on XNNPACK; each transpose is a copy, a kernel of its own */
const matMulABtTuned = tf.customGrad((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, tf.transpose(b)),
    gradFunc: (dy, [a0, b0]) => [tf.matMul(dy, b0), tf.matMul(tf.transpose(dy), a0)],
  };
});

export const matMulVariants = { plain: matMulABt, tuned: matMulABtTuned };

/**
 * The ArcFace loss (mean over the batch) of embeddings x (n,d) against class
 * weights W (c,d), labels given as a one-hot (n,c) float tensor.
 *   cos θ_ij = x̂_i · Ŵ_j; target logit s ψ(θ_iy), ψ(θ) = (−1)^k cos(θ + m) − 2k,
 *   k = ⌊(θ + m)/π⌋ (0, or 1 past θ > π − m: the 'continuous' fallback);
 *   other logits s cos θ_ij; acos at cos clamped to [−1+ε, 1−ε], ε = 1e-6.
 * Written without tf.where, whose boolean condition tfjs cannot differentiate through.
 * matMul(a, b) computes a bᵀ: one of matMulVariants.
 */
export function arcfaceLoss(x, W, oneHot, scale, margin, matMul = matMulABt) {
  const xhat = tf.div(x, tf.norm(x, 'euclidean', 1, true));
  const what = tf.div(W, tf.norm(W, 'euclidean', 1, true));
  const cos = matMul(xhat, what);
  const phi = tf.add(tf.acos(tf.clipByValue(cos, -1 + 1e-6, 1 - 1e-6)), margin);
  const k = tf.floor(tf.div(phi, Math.PI));
  const psi = tf.sub(tf.mul(tf.sub(1, tf.mul(2, k)), tf.cos(phi)), tf.mul(2, k));
  const logits = tf.mul(scale, tf.add(cos, tf.mul(oneHot, tf.sub(psi, cos))));
  return tf.losses.softmaxCrossEntropy(oneHot, logits);
}

/**
 * A trainer: params is the C trainer's flat array (t.params()): per layer the
 * weight (out,in) and the bias (out), then W (classes, dim). sizes = [in, ...hidden, dim].
 * step(x, labels) trains on one batch (x: Float32Array B×in, labels: Int32Array B)
 * and returns the batch loss before the update, as the C trainer reports it.
 */
export function tfjsTrainer({ params, sizes, classes, scale, margin, lr = 0.01, tuned = false }) {
  const matMul = tuned ? matMulABtTuned : matMulABt;
  const vars = [];
  let offset = 0;
  const take = (shape) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const v = tf.variable(tf.tensor(params.subarray(offset, offset + count), shape));
    offset += count;
    vars.push(v);
    return v;
  };
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) layers.push({ weight: take([sizes[l + 1], sizes[l]]), bias: take([sizes[l + 1]]) });
  const W = take([classes, sizes.at(-1)]);
  if (offset !== params.length) throw new Error(`tfjs: ${params.length} parameters given, the network has ${offset}`);
  // the C trainer's Adam: β1 0.9, β2 0.999, ε 1e-8 (tfjs's default ε is 1e-7)
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);

  return {
    step(x, labels) {
      return tf.tidy(() => {
        const input = tf.tensor2d(x, [x.length / sizes[0], sizes[0]]);
        const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
        const cost = optimizer.minimize(() => {
          let h = input;
          layers.forEach(({ weight, bias }, l) => {
            h = tf.add(matMul(h, weight), bias);
            if (l < layers.length - 1) h = tf.relu(h);
          });
          return arcfaceLoss(h, W, oneHot, scale, margin, matMul);
        }, true, vars);
        return cost.dataSync()[0];
      });
    },
    dispose() {
      vars.forEach((v) => v.dispose());
      optimizer.dispose();
    },
  };
}

/**
 * The loss head alone: loss, ∂L/∂x and ∂L/∂W of ArcFace at fixed x (n,d), W (c,d),
 * handed back as JS arrays as iam.loss hands them back. The inputs stay resident
 * as tensors (a tfjs user's data would already be tensors).
 */
export function tfjsHead({ x, W, labels, n, d, c, scale, margin, tuned = false }) {
  const xt = tf.tensor2d(x, [n, d]), Wt = tf.tensor2d(W, [c, d]);
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
  const matMul = tuned ? matMulABtTuned : matMulABt;
  const valueAndGrads = tf.valueAndGrads((xa, Wa) => arcfaceLoss(xa, Wa, oneHot, scale, margin, matMul));
  return {
    step() {
      return tf.tidy(() => {
        const { value, grads } = valueAndGrads([xt, Wt]);
        grads[0].dataSync();
        grads[1].dataSync();
        return value.dataSync()[0];
      });
    },
    dispose() { tf.dispose([xt, Wt, oneHot]); },
  };
}

export { tf };
