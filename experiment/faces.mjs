// faces.mjs: synthetic "faces" that no linear map can tell apart, for the open-set test.
//
// A face is rendered from two latents: who it is (an identity latent z_id, one per
// person, plus a little jitter per image: expression, age) and everything else (a
// nuisance latent z_n, new for every image: pose, light, camera). A fixed random
// renderer, the same for every seed and every split (the "physics" of this world),
// mixes them non-linearly:
//
//   h = tanh(gain · A1 [z_id ; z_n] / √(L_id + L_n) + b1)     (width H)
//   x = A2 h / √H + σ_out ε                                    (dimension D)
//
// tanh saturates, so identity and nuisance are entangled: the same person under
// another pose moves along a curved path, not a line, and the raw inputs, a linear map
// or LDA fitted on the training identities do worse than a network that learns to undo
// the renderer (the report prints those ceilings beside every result). Identities are
// drawn per split from one seeded stream, so train, validation and test never share a
// person, and the same seed gives the same data to the bit (experiment/rng.mjs).
import { makeRng } from './rng.mjs';

/** The world's constants, once: the renderer and the spread of each latent. */
export const FACES = Object.freeze({
  latentId: 32,       // L_id: who
  latentNuisance: 32, // L_n: pose, light, camera
  hidden: 128,        // H: the renderer's width
  dim: 64,            // D: the "image"
  gain: 1.5,          // how hard tanh saturates (1 ≈ nearly linear)
  pose: 0.75,         // the head turns the identity latent: each of its L_id/2 planes rotates by
                      // one angle φ ~ U(−pose·π, pose·π) per image (the same φ for every plane)
  jitter: 0.35,       // per-image spread of the identity latent (the identity's own spread is 1)
  nuisance: 1.0,      // spread of the nuisance latent
  noise: 0.05,        // σ_out, pixel noise
  world: 20201,       // the renderer's seed: the same world for every experiment seed
});

/** The fixed renderer of a world: { A1 (H × L), b1 (H), A2 (D × H) } as Float64Arrays. */
export function makeRenderer(p = FACES) {
  const rng = makeRng(p.world, 1), L = p.latentId + p.latentNuisance;
  const A1 = Float64Array.from({ length: p.hidden * L }, () => rng.normal());
  const b1 = Float64Array.from({ length: p.hidden }, () => 0.5 * rng.normal());
  const A2 = Float64Array.from({ length: p.dim * p.hidden }, () => rng.normal());
  return { A1, b1, A2, L, p };
}

/** Render `perId` images of each identity latent (ids × L_id): { x (n × D) Float32Array,
 *  labels (n) Int32Array, the identity's index }. */
function render(renderer, zIds, ids, perId, rng) {
  const { A1, b1, A2, L, p } = renderer, H = p.hidden, D = p.dim, Lid = p.latentId;
  const n = ids * perId, x = new Float32Array(n * D), labels = new Int32Array(n);
  const z = new Float64Array(L), h = new Float64Array(H);
  const inScale = p.gain / Math.sqrt(L), outScale = 1 / Math.sqrt(H);
  for (let r = 0; r < n; r++) {
    const id = r % ids;          // interleaved: every prefix holds every identity about equally
    labels[r] = id;
    for (let k = 0; k < Lid; k++) z[k] = zIds[id * Lid + k] + p.jitter * rng.normal();
    const phi = p.pose * Math.PI * (2 * rng.uniform() - 1), cos = Math.cos(phi), sin = Math.sin(phi);
    for (let k = 0; k + 1 < Lid; k += 2) { // the pose: a rotation that only a non-linear map can undo
      const a = z[k], b = z[k + 1];
      z[k] = cos * a - sin * b;
      z[k + 1] = sin * a + cos * b;
    }
    for (let k = Lid; k < L; k++) z[k] = p.nuisance * rng.normal();
    for (let u = 0; u < H; u++) {
      let a = 0;
      for (let k = 0; k < L; k++) a += A1[u * L + k] * z[k];
      h[u] = Math.tanh(inScale * a + b1[u]);
    }
    for (let o = 0; o < D; o++) {
      let a = 0;
      for (let u = 0; u < H; u++) a += A2[o * H + u] * h[u];
      x[r * D + o] = outScale * a + p.noise * rng.normal();
    }
  }
  return { x, labels };
}

/** The data of one seed: three disjoint sets of identities, each rendered by the same world.
 *  { train, val, test } each { x, labels, ids, perId }, and dim. Labels count from 0 within a
 *  split (the trainer's classes are the train identities). */
export function makeFaces({ seed, train = 1000, val = 500, test = 1000, perTrain = 20, perEval = 10 }, p = FACES) {
  const renderer = makeRenderer(p);
  const split = (ids, perId, stream) => { // a stream per split: the test people do not depend on how many trained
    const rng = makeRng(seed, 2, stream);
    const zIds = Float64Array.from({ length: ids * p.latentId }, () => rng.normal());
    return { ...render(renderer, zIds, ids, perId, rng), ids, perId };
  };
  return { train: split(train, perTrain, 1), val: split(val, perEval, 2), test: split(test, perEval, 3), dim: p.dim };
}
