// trainer.js: the JS face of the C trainer (src/train.c): iam.trainer(config).
//
//   const t = iam.trainer({ data: 'blobs', classes: 8, dim: 2, loss: { kind: 'arcface', margin: 0.2, beta: 0.5 } });
//   t.step(100);                      // 100 optimizer steps in one wasm call
//   const s = t.snapshot({ points: 400 });  // embedding, labels, normalized W, metrics, histogram
//   t.free();
//
// Config keys are camelCase here and snake_case in C; the C library owns the
// field order (iam_train_field_name), so this file only maps names and enums.

export const DATA_SETS = ['blobs', 'spiral', 'glyphs', 'identities'];
export const ACTIVATIONS = ['relu', 'prelu', 'tanh'];
export const INITS = ['he', 'xavier'];
export const OPTIMIZERS = ['sgd', 'adam'];
export const SETS = ['train', 'test', 'heldout'];

// the metrics, in the order iam_trainer_evaluate_flat writes them
export const METRIC_NAMES = ['step', 'loss', 'base', 'iam', 'lambda', 'train_acc', 'test_acc',
  'min_weight_angle_deg', 'mean_nn_weight_angle_deg', 'min_center_angle_deg', 'mean_nn_center_angle_deg',
  'min_sample_margin_deg', 'mean_sample_margin_deg', 'packing_limit_deg', 'verify_acc', 'tar_far_1e2'];

// JS key → [C field, kind of value]
const TOP_KEYS = {
  data: ['data', DATA_SETS], classes: ['classes', 'int'], trainPerClass: ['train_per_class', 'int'],
  testPerClass: ['test_per_class', 'int'], seed: ['seed', 'uint'], dim: ['embed_dim', 'int'],
  activation: ['activation', ACTIVATIONS], init: ['init', INITS], anneal: ['anneal', 'bool'],
  lambdaBase: ['lambda_base', 'num'], lambdaGamma: ['lambda_gamma', 'num'], lambdaPower: ['lambda_power', 'num'],
  lambdaMin: ['lambda_min', 'num'], optimizer: ['optimizer', OPTIMIZERS], lr: ['lr', 'num'],
  momentum: ['momentum', 'num'], weightDecay: ['weight_decay', 'num'], wLrMult: ['w_lr_mult', 'num'],
  adamBeta1: ['adam_beta1', 'num'], adamBeta2: ['adam_beta2', 'num'], adamEps: ['adam_eps', 'num'],
  batchSize: ['batch_size', 'int'], hidden: null, loss: null,
};

function encode(key, value, kind) {
  if (Array.isArray(kind)) {
    const id = kind.indexOf(value);
    if (id < 0) throw new Error(`unknown ${key} '${value}' (expected one of ${kind.join(', ')})`);
    return id;
  }
  if (kind === 'bool') {
    if (typeof value !== 'boolean') throw new Error(`${key} must be true or false (got ${value})`);
    return value ? 1 : 0;
  }
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${key} must be a number (got ${value})`);
  if ((kind === 'int' || kind === 'uint') && !Number.isInteger(value)) throw new Error(`${key} must be an integer (got ${value})`);
  if (kind === 'uint' && (value < 0 || value > 0xffffffff)) throw new Error(`${key} must be in [0, 2^32) (got ${value})`);
  return value;
}

export class Trainer {
  // use iam.trainer(config), not this constructor
  constructor(iam, config, lossConfig) {
    this.iam = iam;
    const ex = iam.ex;
    const names = iam.trainFieldNames();
    const A = iam.arena;
    A.reset(names.length * 8 + 16);
    const pValues = A.take(names.length * 8), pOut = A.take(4);
    const values = new Float64Array(ex.memory.buffer, pValues, names.length);
    ex.iam_train_defaults_flat(pValues);
    const set = (field, v) => { values[names.indexOf(field)] = v; };

    if (config === null || typeof config !== 'object') throw new Error('the trainer config must be an object');
    for (const [key, value] of Object.entries(config)) {
      if (!(key in TOP_KEYS)) throw new Error(`unknown trainer option '${key}' (expected one of ${Object.keys(TOP_KEYS).join(', ')})`);
      if (key === 'hidden' || key === 'loss') continue;
      const [field, kind] = TOP_KEYS[key];
      set(field, encode(key, value, kind));
    }
    if (config.hidden !== undefined) {
      const hidden = config.hidden;
      if (!Array.isArray(hidden) || hidden.length > 5 || !hidden.every((h) => Number.isInteger(h) && h >= 1))
        throw new Error(`hidden must be an array of at most 5 positive integers (got ${JSON.stringify(hidden)})`);
      set('n_hidden', hidden.length);
      hidden.forEach((h, l) => set(`hidden${l}`, h));
    }
    const loss = lossConfig(config.loss ?? {});
    for (const [field, v] of [['kind', loss.kindId], ['scale', loss.scale], ['margin', loss.margin],
      ['m1', loss.m1], ['m2', loss.m2], ['m3', loss.m3], ['beta', loss.beta], ['lambda', loss.lambda],
      ['feature_norm', loss.featureNorm ? 1 : 0], ['fallback', loss.fallbackId]]) set(field, v);

    iam.check(ex.iam_trainer_new_flat(pValues, pOut));
    this.ptr = new Uint32Array(ex.memory.buffer)[pOut >> 2];
    this.config = { ...config, loss };
    this.nTrain = ex.iam_trainer_size(this.ptr, 0);
    this.nTest = ex.iam_trainer_size(this.ptr, 1);
    this.nHeldout = ex.iam_trainer_size(this.ptr, 2);
    this.inputDim = ex.iam_trainer_size(this.ptr, 3);
    this.dim = ex.iam_trainer_size(this.ptr, 4);
    this.classes = ex.iam_trainer_size(this.ptr, 5);
  }

  alive() { if (!this.ptr) throw new Error('this trainer has been freed'); }

  /** k optimizer steps in one wasm call; returns the last batch's { loss, base, iam, step }.
   *  On NaN/Inf it throws, and the trainer is back at its last good step. */
  step(k = 1) {
    this.alive();
    if (!Number.isInteger(k) || k < 0) throw new Error(`step count must be an integer >= 0 (got ${k})`);
    const ex = this.iam.ex;
    this.iam.check(ex.iam_trainer_step(this.ptr, k));
    return this.last();
  }

  last() {
    this.alive();
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(16);
    const p = A.take(16);
    this.iam.check(ex.iam_trainer_last_flat(this.ptr, p));
    const f = new Float32Array(ex.memory.buffer, p, 4);
    return { loss: f[0], base: f[1], iam: f[2], step: f[3] };
  }

  setLr(lr) {
    this.alive();
    this.iam.check(this.iam.ex.iam_trainer_set_lr(this.ptr, lr));
  }

  /** All metrics (LOSSES.md, "Angular metrics"), and the sample-margin histogram over [−180°, 180°]. */
  evaluate({ bins = 36 } = {}) {
    this.alive();
    if (!Number.isInteger(bins) || bins < 0 || bins > 1000) throw new Error(`bins must be an integer in [0, 1000] (got ${bins})`);
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(METRIC_NAMES.length * 4 + bins * 4 + 32);
    const pv = A.take(METRIC_NAMES.length * 4), ph = A.take(Math.max(bins, 1) * 4);
    this.iam.check(ex.iam_trainer_evaluate_flat(this.ptr, pv, ph, bins));
    const f = new Float32Array(ex.memory.buffer, pv, METRIC_NAMES.length);
    const metrics = {};
    METRIC_NAMES.forEach((name, k) => { metrics[name] = f[k]; });
    return { metrics, histogram: new Int32Array(ex.memory.buffer, ph, bins).slice() };
  }

  /** Normalized embeddings of `points` samples of a set (evenly strided), their labels,
   *  the normalized class weights, and the metrics. */
  snapshot({ points = 400, set = 'test', bins = 36 } = {}) {
    this.alive();
    const setId = SETS.indexOf(set);
    if (setId < 0) throw new Error(`unknown set '${set}' (expected one of ${SETS.join(', ')})`);
    const available = [this.nTrain, this.nTest, this.nHeldout][setId];
    const count = Math.min(points, available);
    if (!Number.isInteger(points) || points < 1) throw new Error(`points must be a positive integer (got ${points})`);
    const { metrics, histogram } = this.evaluate({ bins });
    const ex = this.iam.ex, A = this.iam.arena, d = this.dim, c = this.classes;
    A.reset(count * d * 4 + count * 4 + c * d * 4 + 48);
    const pe = A.take(count * d * 4), pl = A.take(count * 4), pw = A.take(c * d * 4);
    this.iam.check(ex.iam_trainer_embed(this.ptr, setId, count, pe, pl));
    this.iam.check(ex.iam_trainer_weights(this.ptr, pw));
    const buf = ex.memory.buffer;
    return {
      step: metrics.step, dim: d, classes: c, metrics, histogram,
      embedding: new Float32Array(buf, pe, count * d).slice(),
      labels: new Int32Array(buf, pl, count).slice(),
      weights: new Float32Array(buf, pw, c * d).slice(),
    };
  }

  /** The predicted class of each input point (count × inputDim): the decision regions. */
  predict(inputs) {
    this.alive();
    if (!(ArrayBuffer.isView(inputs) || Array.isArray(inputs)) || inputs.length % this.inputDim !== 0 || inputs.length === 0)
      throw new Error(`inputs must be a non-empty array whose length is a multiple of the input dimension ${this.inputDim}`);
    const count = inputs.length / this.inputDim;
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(inputs.length * 4 + count * 4 + 32);
    const pi = A.take(inputs.length * 4), pc = A.take(count * 4);
    new Float32Array(ex.memory.buffer).set(inputs, pi >> 2);
    this.iam.check(ex.iam_trainer_predict(this.ptr, pi, count, pc));
    return new Int32Array(ex.memory.buffer, pc, count).slice();
  }

  /** The raw inputs and labels of a set, e.g. to draw the 2-D input space. */
  inputs(set = 'train') {
    this.alive();
    const setId = SETS.indexOf(set);
    if (setId < 0) throw new Error(`unknown set '${set}' (expected one of ${SETS.join(', ')})`);
    const n = [this.nTrain, this.nTest, this.nHeldout][setId];
    const ex = this.iam.ex, buf = ex.memory.buffer;
    const px = ex.iam_trainer_inputs(this.ptr, setId), py = ex.iam_trainer_input_labels(this.ptr, setId);
    if (!n) return { x: new Float32Array(0), labels: new Int32Array(0) };
    return { x: new Float32Array(buf, px, n * this.inputDim).slice(), labels: new Int32Array(buf, py, n).slice() };
  }

  /** The norms ‖W_j‖ of the class weights (Softmax decides by ‖W_j‖ cos θ_j). */
  weightNorms() {
    const params = this.params(), c = this.classes, d = this.dim;
    const W = params.subarray(params.length - c * d), norms = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += W[j * d + k] ** 2;
      norms[j] = Math.sqrt(s);
    }
    return norms;
  }

  /** The flat parameter array (network, then W): for tests of determinism. */
  params() {
    this.alive();
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(16);
    const pCount = A.take(4);
    const p = ex.iam_trainer_params(this.ptr, pCount);
    const count = new Uint32Array(ex.memory.buffer)[pCount >> 2];
    return new Float32Array(ex.memory.buffer, p, count).slice();
  }

  free() {
    if (this.ptr) this.iam.ex.iam_trainer_free(this.ptr);
    this.ptr = 0;
  }
}
