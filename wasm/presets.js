// presets.js: the one table of default hyper-parameters, shared by the page and the CLI.
//
// A 2-D or 3-D embedding cannot hold the margins that work in 512-D (s = 64,
// m = 0.5 cannot separate 8 classes on a circle), so every loss has toy
// defaults here, per embedding dimension, tuned until it trains reliably on the
// default data (blobs, 8 classes): tests/train.test.mjs holds each one to test
// accuracy >= 0.95 within 3,000 steps. Margins are in radians, never degrees.

export const TRAIN_DEFAULTS = Object.freeze({
  data: 'blobs', classes: 8, dim: 2, seed: 1, trainPerClass: 200, testPerClass: 100,
  // three hidden layers, not LOSSES.md's two: with 2→64→64→2 the margin losses got stuck
  // (two classes sharing one direction) on 8 of 96 seed/class runs; with three, on 0 of 288
  hidden: [64, 64, 64], activation: 'relu', init: 'he',
  optimizer: 'adam', lr: 0.01, momentum: 0.9, weightDecay: 0, wLrMult: 1, batchSize: 128,
  anneal: true, // SphereFace's λ schedule (LOSSES.md, "SphereFace annealing"); ignored by the others
});

// loss kind → embedding dimension (2 or 3) → loss options
export const LOSS_PRESETS = Object.freeze({
  softmax: { 2: { scale: 10 }, 3: { scale: 10 } },
  normface: { 2: { scale: 10 }, 3: { scale: 10 } },
  sphereface: { 2: { scale: 10, margin: 4, featureNorm: false }, 3: { scale: 10, margin: 4, featureNorm: false } },
  cosface: { 2: { scale: 10, margin: 0.2 }, 3: { scale: 10, margin: 0.2 } },
  arcface: { 2: { scale: 10, margin: 0.2 }, 3: { scale: 10, margin: 0.3 } },
  combined: { 2: { scale: 10, m1: 1, m2: 0.15, m3: 0.1 }, 3: { scale: 10, m1: 1, m2: 0.2, m3: 0.1 } },
});

export const LOSS_LABELS = Object.freeze({
  softmax: 'Softmax', normface: 'NormFace', sphereface: 'SphereFace', cosface: 'CosFace',
  arcface: 'ArcFace', combined: 'Combined',
});

/** The loss options of a preset: the kind's defaults for this dimension (the 3-D ones
 *  above 3-D), with `beta` and any overrides on top. */
export function lossPreset(kind, dim = 2, overrides = {}) {
  const table = LOSS_PRESETS[kind];
  if (!table) throw new Error(`unknown loss kind '${kind}' (expected one of ${Object.keys(LOSS_PRESETS).join(', ')})`);
  return { kind, beta: 0, ...table[dim <= 2 ? 2 : 3], ...overrides };
}

/** A whole trainer config: TRAIN_DEFAULTS, then `train` overrides, then the loss preset. */
export function trainerPreset(kind, train = {}, lossOverrides = {}) {
  const config = { ...TRAIN_DEFAULTS, ...train };
  return { ...config, loss: lossPreset(kind, config.dim, lossOverrides) };
}
