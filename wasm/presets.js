// presets.js: the toy presets, and the names the page and the CLI show for each loss.
//
// The library's own defaults (src/train.c's iam_train_config_default, src/loss.c's
// per-kind loss defaults: s = 10, CosFace m = 0.2, ArcFace m = 0.3 rad, SphereFace
// m = 4, MLP 64-64-64, Adam at lr 0.01, batch 128) are the defaults here too: a key
// a config leaves out is filled in by C. A preset holds only what differs from them
// on purpose, per embedding dimension, each with its reason.
//
// A 2-D or 3-D embedding cannot hold the margins that work in 512-D (s = 64,
// m = 0.5 cannot separate 8 classes on a circle); tests/train.test.mjs holds every
// preset to test accuracy >= 0.95 on blobs with 8 classes within 3,000 steps.
// Margins are in radians, never degrees. A data set may change the network too
// (DATA_CHANGES): MNIST's digits are 196-D, not 2-D points.

/** The label of each loss kind (the kinds themselves are C's: iam.names.kind). */
export const LOSS_LABELS = Object.freeze({
  softmax: 'Softmax', normface: 'NormFace', sphereface: 'SphereFace', cosface: 'CosFace',
  arcface: 'ArcFace', combined: 'Combined', curricularface: 'CurricularFace', adaface: 'AdaFace', magface: 'MagFace',
});

/** The loss options that shape each kind's margin (what its margin controls set). */
export const MARGIN_FIELDS = Object.freeze({
  softmax: [], normface: [], sphereface: ['margin'], cosface: ['margin'], arcface: ['margin'],
  combined: ['m1', 'm2', 'm3'], curricularface: ['margin'], adaface: ['margin'], magface: ['lm', 'um'],
});

// loss kind → embedding dimension (2, or 3 for 3-D and up) → the options that differ from C's
// (measured on blobs, C = 8, seeds 1–20, 3,000 steps: bench/RESULTS.md, "The adaptive losses")
const PRESET_CHANGES = Object.freeze({
  // a circle has less room than a sphere: ArcFace's 0.3 rad (17°) leaves 8 classes too little
  arcface: { 2: { margin: 0.2 }, 3: {} },
  // the library's (1, 0.3, 0.2) stacks two margins that together are too wide for 8 classes
  combined: { 2: { m2: 0.15, m3: 0.1 }, 3: { m2: 0.2, m3: 0.1 } },
  // on a circle a hard negative's logit s·c(t + c) rises as c falls below −t/2, so early on
  // (t ≈ 0) it pulls every sample toward the classes behind it: at s = 10 the features crowd
  // into one arc within 5 steps and half the seeds (m 0.1–0.6) end with classes merged
  // (37–86% accuracy). A softer s = 3 lets the target win first; m = 0.5 then trains 20
  // seeds of 20 (m = 0.4: 17). A sphere has the room: C's s = 10, m = 0.3 train 20 of 20.
  curricularface: { 2: { scale: 3, margin: 0.5 }, 3: {} },
  // λ_g g(a) pulls each norm toward ua, and past ua nothing holds it (a is clipped there, the
  // gradient 0): in 3-D the norms (median 11) end 60–70% past C's ua = 10, where m(a) is flat.
  // ua = 20 with a weaker pull λ_g = 0.2 keeps 95–100% of them inside [la, ua] (seeds 1–6).
  // In 2-D C's [1, 10] holds them (5–8) on 4 seeds of 6; on 2 the easiest 12–24% pass ua.
  magface: { 2: {}, 3: { ua: 20, lambdaG: 0.2 } },
});

/** The options that are not kinds (sub-centers, ElasticFace's random margin), as the bench and
 *  the tests train them: label → its kind, and the loss options per embedding dimension that
 *  go on top of that kind's preset. */
export const OPTION_PRESETS = Object.freeze({
  // K = 3: 24 sub-centers share the circle; at ArcFace's 2-D m = 0.2, 2 seeds of 20 stop at
  // 87–93% with two classes' dominant sub-centers merged (0–2° apart), at m = 0.1 one at 90%;
  // m = 0.15 trains 20 of 20. In 3-D ArcFace's m = 0.3 does.
  'arcface K=3': Object.freeze({ kind: 'arcface', 2: { subcenters: 3, margin: 0.15 }, 3: { subcenters: 3 } }),
  // ElasticFace's m + σN(0, 1): the paper's σ = 0.05 is a tenth of its m = 0.5; σ = 0.1 is a
  // third to a half of the toy margins (0.2–0.3), wide enough to see, and every seed trains
  'arcface elastic': Object.freeze({ kind: 'arcface', 2: { marginStd: 0.1 }, 3: { marginStd: 0.1 } }),
  'cosface elastic': Object.freeze({ kind: 'cosface', 2: { marginStd: 0.1 }, 3: { marginStd: 0.1 } }),
});

// data set → the trainer options that differ from C's for it, with their reasons. MNIST
// (real 14×14 digits, wasm/mnist.js): 8,000 training digits overfit a 2-D feature
// (train 99%, test 93%), so each batch digit moves by up to a pixel (augmentShift), which
// the wider MLP 196-256-128 needs to fit; Adam at 0.002, then a tenth of it from step
// 9,000 (DATA_LR_CHANGES; from 6,000, NormFace and CosFace stop near 94% in 2-D, where
// 3,000 more steps at 0.002 give them 95%): the same network for every loss, 2-D and 3-D.
// CosFace's m = 0.2 leaves one seed in three at 94.8% in 2-D; 0.15 gives 95.5–96.5%
// (bench/RESULTS.md).
const DATA_CHANGES = Object.freeze({
  mnist: { classes: 10, hidden: [256, 128], augmentShift: 1, lr: 0.002 },
});
/** data set → loss kind → the loss options its preset changes (both dimensions). */
export const DATA_LOSS_CHANGES = Object.freeze({ mnist: Object.freeze({ cosface: Object.freeze({ margin: 0.15 }) }) });

/** The learning-rate changes a data set's preset replays ([{ step, lr }], the page's
 *  lrChanges and the CLI's --lr-changes): none but MNIST's. */
export const DATA_LR_CHANGES = Object.freeze({ mnist: Object.freeze([Object.freeze({ step: 9000, lr: 0.0002 })]) });

/** The loss options of a preset: what the kind's preset changes for this dimension
 *  (the 3-D one above 3-D), then `overrides`; C fills in the rest. */
export function lossPreset(kind, dim = 2, overrides = {}) {
  if (!Object.hasOwn(LOSS_LABELS, kind))
    throw new Error(`unknown loss kind '${kind}' (expected one of ${Object.keys(LOSS_LABELS).join(', ')})`);
  return { kind, ...PRESET_CHANGES[kind]?.[dim <= 2 ? 2 : 3], ...overrides };
}

/** A whole trainer config: the `train` options, and the loss preset for its dimension
 *  (C's default dimension, 2, when `train` does not say). */
export function trainerPreset(kind, train = {}, lossOverrides = {}) {
  return { ...DATA_CHANGES[train.data], ...train,
    loss: lossPreset(kind, train.dim ?? 2, { ...DATA_LOSS_CHANGES[train.data]?.[kind], ...lossOverrides }) };
}
