// trainer.js: the JS face of the C trainer (src/train.c): iam.trainer(config).
//
//   const t = iam.trainer({ data: 'blobs', classes: 8, dim: 2, loss: { kind: 'arcface', margin: 0.2, beta: 0.5 } });
//   t.step(100);                             // 100 optimizer steps in one wasm call
//   const s = t.snapshot({ points: 400 });   // a Snapshot (below): what a panel draws
//   t.free();
//
// The config is written into C's iam_train_config by name (structs.js, through
// src/api.c's tables): what the object leaves out is the library's default, and
// every name, enum value and range is C's. Nothing here knows where a tensor sits
// in the trainer's memory: parameters, class weights and inputs are copied out
// (and in) by C functions.

/**
 * @typedef {object} LossConfig   iam_loss_config by name: { kind, scale, margin, m1, m2, m3,
 *   beta, lambda, featureNorm, fallback, momentum, h, la, ua, lm, um, lambdaG, subcenters,
 *   marginStd, marginSeed, detachMargin, t, normMean, normStd, iamVariant, iamStop }; kind,
 *   fallback, iamVariant and iamStop by name (LOSSES.md, docs/LOSSES.md). t, normMean and normStd are the running state of
 *   CurricularFace and AdaFace: the last step's config holds where it stands.
 * @typedef {Record<string, number>} Metrics   iam_train_metrics by name: step, loss, base, iam,
 *   train_acc, test_acc, min_weight_angle_deg, mean_nn_weight_angle_deg, min_center_angle_deg,
 *   mean_nn_center_angle_deg, min_sample_margin_deg, mean_sample_margin_deg, packing_limit_deg,
 *   verify_acc, tar_far_1e2 (LOSSES.md, "Angular metrics").
 * @typedef {object} Snapshot     One trainer at one step: everything a view draws.
 * @property {number} step        optimizer steps taken
 * @property {number} dim         embedding dimension: 2 draws a circle, 3 a sphere
 * @property {number} classes
 * @property {Float32Array} embedding    (points, dim): normalized features x̂ of the set's samples
 * @property {Int32Array} labels         (points)
 * @property {Float32Array} weights      (classes, dim): normalized class weights Ŵ
 * @property {Float32Array} weightNorms  (classes): ‖W_j‖ (Softmax decides by ‖W_j‖ cos θ_j)
 * @property {Float32Array} norms        (points): ‖e‖ of each feature before normalizing (AdaFace
 *                                       and MagFace read it: a view draws it as the radius)
 * @property {{weights: Float32Array, dominant: Int32Array}|null} subcenters  with K > 1 sub-centers:
 *                                       every normalized row (classes·K, dim), and each class's
 *                                       dominant one (classes), which `weights` holds; else null
 * @property {Metrics} metrics
 * @property {Int32Array} histogram      sample margins, equal bins over [−180°, 180°]
 * @property {LossConfig} loss           the loss the last step really used (SphereFace's λ annealed)
 */

// -- what the binding checks before anything crosses into wasm memory (iam.js too) --
// C checks every range again and says it in its own sentence. These catch what would be
// changed on the way, before C could see it: an array element that is no number, a
// BigInt, an integer past what a C int holds (2**32 would wrap to 0).

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/** A value, short, for an error sentence; never throws, whatever the value is. */
export function show(v) {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** An integer >= lo that a C int holds. */
export function checkInt(name, v, lo) {
  if (!Number.isInteger(v) || v < lo) throw new Error(`${name} must be an integer >= ${lo} (got ${show(v)})`);
  if (v > INT32_MAX) throw new Error(`${name} must be at most ${INT32_MAX}, what a C int holds (got ${v})`);
}

/** `length` numbers: a typed array of numbers, or a plain array whose every element is a
 *  number (NaN and ±Infinity go through: C names them). `what` says where length is from. */
export function checkNumbers(name, a, length, what) {
  if (!(ArrayBuffer.isView(a) || Array.isArray(a)) || a instanceof DataView)
    throw new Error(`${name} must be a typed array or an array (got ${show(a)})`);
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) throw new Error(`${name} must hold numbers, not BigInts`);
  if (a.length !== length) throw new Error(`${name} has length ${a.length} but ${what} = ${length}`);
  if (Array.isArray(a))
    for (let i = 0; i < a.length; i++)
      if (typeof a[i] !== 'number') throw new Error(`${name}[${i}] must be a number (got ${show(a[i])})`);
}

/** Integers in [lo, hi), checked before they become an Int32Array. */
export function checkIntegers(name, a, lo = INT32_MIN, hi = INT32_MAX + 1) {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isInteger(v)) throw new Error(`${name}[${i}] = ${show(v)} is not an integer`);
    if (v < lo || v >= hi) throw new Error(`${name}[${i}] = ${v} is out of range [${lo}, ${hi})`);
  }
}

/** The rows of a data set the caller passes: { x (n·dim numbers), labels (n integers) };
 *  C checks their values (finite, labels in range, every class present) in its own words. */
function checkRows(rows) {
  if (!rows || typeof rows !== 'object') throw new Error(`the rows must be an object { x, labels } (got ${show(rows)})`);
  const { x, labels } = rows;
  if (!(ArrayBuffer.isView(labels) || Array.isArray(labels)) || labels.length < 1)
    throw new Error(`the rows' labels must be a non-empty array (got ${show(labels)})`);
  const n = labels.length;
  if (!(ArrayBuffer.isView(x) || Array.isArray(x)) || x.length === 0 || x.length % n !== 0)
    throw new Error(`the rows' x must be an array of n·dim numbers for the ${n} labels (got ${show(x)}${x?.length !== undefined ? ` of length ${x.length}` : ''})`);
  checkNumbers('the rows\' x', x, x.length, 'its length');
  checkIntegers('the rows\' labels', labels);
  return { x, labels, n, dim: x.length / n };
}

/** A step() that diverged: the trainer has rolled back; `divergence` says what happened. */
export class TrainingDiverged extends Error {
  constructor(message, divergence) {
    super(message);
    this.name = 'TrainingDiverged';
    /** { failedStep, goodStep, reason } */
    this.divergence = divergence;
  }
}

/** The most input points trainer.predict copies into wasm memory at once. */
export const PREDICT_CHUNK = 16384;

/** The data kinds whose rows the caller passes (iam.trainer(config, rows)); the others C generates. */
export const ROW_KINDS = Object.freeze(['mnist', 'rows']);

export class Trainer {
  // use iam.trainer(config, rows), not this constructor
  constructor(iam, config, rows) {
    this.iam = iam;
    const ex = iam.ex, A = iam.arena, bytes = iam.structBytes('train_config');
    const fromRows = ROW_KINDS.includes(config?.data);
    if (fromRows !== (rows !== undefined))
      throw new Error(fromRows ? `data '${config.data}' needs its rows: iam.trainer(config, { x, labels })`
        : `rows are for the data kinds ${ROW_KINDS.join(' and ')} (the config says '${config?.data ?? iam.defaults().data}')`);
    const { x, labels, n, dim } = fromRows ? checkRows(rows) : { n: 0, dim: 0 };
    A.reset(bytes + 16 + (fromRows ? n * dim * 4 + n * 4 + 32 : 0));
    const pConfig = A.take(bytes), pOut = A.take(4);
    iam.writeStruct('train_config', pConfig, config, 'trainer');
    /** The whole config as the C trainer holds it: the given keys and the library's defaults. */
    this.config = iam.readStruct('train_config', pConfig);
    if (fromRows) {
      const px = A.take(n * dim * 4), pl = A.take(n * 4);
      new Float32Array(ex.memory.buffer, px, n * dim).set(x);
      new Int32Array(ex.memory.buffer, pl, n).set(labels);
      iam.check(ex.iam_trainer_new_rows(pConfig, px, pl, n, dim, pOut));
    } else iam.check(ex.iam_trainer_new(pConfig, pOut));
    this.ptr = new Uint32Array(ex.memory.buffer)[pOut >> 2];
    /** nTrain, nTest, nHeldout, inputDim, dim, classes, subcenters, nParams */
    Object.assign(this, this.#read('sizes', (p) => ex.iam_trainer_get_sizes(this.ptr, p)));
  }

  alive() { if (!this.ptr) throw new Error('this trainer has been freed'); }

  // Call a C function that fills one struct, and read the struct by name.
  #read(table, fill) {
    const A = this.iam.arena, bytes = this.iam.structBytes(table);
    A.reset(bytes);
    const p = A.take(bytes);
    this.iam.check(fill(p));
    return this.iam.readStruct(table, p);
  }

  /** k optimizer steps in one wasm call; returns the last step ({ step, loss, base, iam, config }).
   *  On NaN/Inf it throws a TrainingDiverged, and the trainer is back where the call began. */
  step(k = 1) {
    this.alive();
    checkInt('the step count', k, 0);
    const ex = this.iam.ex;
    if (ex.iam_trainer_step(this.ptr, k) !== 0) {
      const message = this.iam.lastError();
      const divergence = this.#read('divergence', (p) => ex.iam_trainer_divergence(this.ptr, p));
      if (divergence.failedStep > 0) throw new TrainingDiverged(message, divergence);
      throw new Error(message);
    }
    return this.last();
  }

  /** The last step: { step, loss, base, iam } of its batch and the loss config it used. */
  last() {
    this.alive();
    return this.#read('last_step', (p) => this.iam.ex.iam_trainer_last_step(this.ptr, p));
  }

  /** Change the learning rate, e.g. after a divergence: the trainer trains on from its last
   *  good state. A number in (0, 10]. */
  setLr(lr) {
    this.alive();
    if (typeof lr !== 'number') throw new Error(`lr must be a number (got ${show(lr)})`);
    this.iam.check(this.iam.ex.iam_trainer_set_lr(this.ptr, lr));
  }

  /** All metrics (LOSSES.md, "Angular metrics"), and the sample-margin histogram over [−180°, 180°]. */
  evaluate({ bins = 36 } = {}) {
    this.alive();
    if (!Number.isInteger(bins) || bins < 0 || bins > 1000) throw new Error(`bins must be an integer in [0, 1000] (got ${bins})`);
    const ex = this.iam.ex, A = this.iam.arena, bytes = this.iam.structBytes('metrics');
    A.reset(bytes + bins * 4 + 32);
    const pm = A.take(bytes), ph = A.take(Math.max(bins, 1) * 4);
    this.iam.check(ex.iam_trainer_evaluate(this.ptr, pm, bins > 0 ? ph : 0, bins));
    return { metrics: this.iam.readStruct('metrics', pm), histogram: new Int32Array(ex.memory.buffer, ph, bins).slice() };
  }

  /** A Snapshot of `points` samples of a set (spread over the set and its classes). */
  snapshot({ points = 400, set = 'test', bins = 36 } = {}) {
    this.alive();
    const { embedding, labels } = this.embed({ points, set });
    const { metrics, histogram } = this.evaluate({ bins });
    const loss = this.last().config;
    const d = this.dim, c = this.classes;
    const { weights, norms: weightNorms } = this.weights();
    const raw = this.embedRaw({ points, set }).embedding, norms = new Float32Array(labels.length);
    for (let i = 0; i < norms.length; i++) norms[i] = Math.hypot(...raw.subarray(i * d, i * d + d));
    return {
      step: metrics.step, dim: d, classes: c, metrics, histogram, loss, embedding, labels, weights, weightNorms, norms,
      subcenters: this.subcenters > 1 ? this.subcenterWeights() : null,
    };
  }

  /** With K sub-centers: { weights (classes·K × dim) every row normalized, dominant (classes)
   *  each class's dominant one, as of the last evaluate }. */
  subcenterWeights() {
    this.alive();
    const ex = this.iam.ex, A = this.iam.arena, rows = this.classes * this.subcenters, d = this.dim;
    A.reset(rows * d * 4 + this.classes * 4 + 32);
    const pw = A.take(rows * d * 4), pd = A.take(this.classes * 4);
    this.iam.check(ex.iam_trainer_subcenters(this.ptr, pw, pd));
    const buf = ex.memory.buffer;
    return { weights: new Float32Array(buf, pw, rows * d).slice(), dominant: new Int32Array(buf, pd, this.classes).slice() };
  }

  /** The features e = f(x) as they are, not normalized (points × dim), of the samples embed()
   *  shows, in its order: their norms are what AdaFace and MagFace read. */
  embedRaw({ points = 400, set = 'test' } = {}) {
    return this.#embedWith('iam_trainer_embed_raw', points, set);
  }

  /** The normalized features x̂ (points × dim) and labels of `points` samples of a set,
   *  the ones a snapshot of it shows (at most the set's size). */
  embed({ points = 400, set = 'test' } = {}) {
    return this.#embedWith('iam_trainer_embed', points, set);
  }

  #embedWith(fn, points, set) {
    this.alive();
    const setId = this.#setId(set);
    if (!Number.isInteger(points) || points < 1) throw new Error(`points must be a positive integer (got ${points})`);
    const count = Math.min(points, [this.nTrain, this.nTest, this.nHeldout][setId]), d = this.dim;
    if (count === 0) return { embedding: new Float32Array(0), labels: new Int32Array(0) };
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(count * d * 4 + count * 4 + 32);
    const pe = A.take(count * d * 4), pl = A.take(count * 4);
    this.iam.check(ex[fn](this.ptr, setId, count, pe, pl));
    const buf = ex.memory.buffer;
    return { embedding: new Float32Array(buf, pe, count * d).slice(), labels: new Int32Array(buf, pl, count).slice() };
  }

  /** What moves each of the `points` samples a snapshot of the same set shows (the same
   *  samples, in the same order), from the library's own gradients (iam_trainer_forces):
   *  base and iam (points × dim) are ∂L_base/∂x̂ and ∂(β·L_IAM)/∂x̂ for each sample's
   *  normalized feature, as the optimizer sees them (descent is the negative); the parts
   *  add up to the whole. weightBase, weightIam (classes × dim): the same for the class
   *  weights, of the mean loss over these samples. lossBase, lossIam (points): each
   *  sample's L_base and L_IAM (without β); margins (points): its sample margin in degrees. */
  forces({ set = 'test', points = 400 } = {}) {
    this.alive();
    const setId = this.#setId(set);
    if (!Number.isInteger(points) || points < 1) throw new Error(`points must be a positive integer (got ${points})`);
    const n = Math.min(points, [this.nTrain, this.nTest, this.nHeldout][setId]), d = this.dim, c = this.classes;
    const ex = this.iam.ex, A = this.iam.arena;
    const sizes = { base: n * d, iam: n * d, weightBase: c * d, weightIam: c * d, lossBase: n, lossIam: n, margins: n };
    A.reset(Object.values(sizes).reduce((a, b) => a + b, 0) * 4 + 64);
    const at = Object.fromEntries(Object.entries(sizes).map(([k, size]) => [k, A.take(size * 4)]));
    this.iam.check(ex.iam_trainer_forces(this.ptr, setId, n, at.base, at.iam, at.weightBase, at.weightIam,
      at.lossBase, at.lossIam, at.margins));
    const buf = ex.memory.buffer;
    return Object.fromEntries(Object.entries(sizes).map(([k, size]) => [k, new Float32Array(buf, at[k], size).slice()]));
  }

  /** Turn class weight j toward a direction (dim finite numbers, not all 0), keeping its
   *  norm and the optimizer's state: a dragged spoke. The next step trains on from it. */
  setWeight(j, direction) {
    this.alive();
    if (!Number.isInteger(j)) throw new Error(`the class must be an integer (got ${show(j)})`);
    if (j < 0 || j >= this.classes) throw new Error(`class ${j} is out of range [0, ${this.classes})`);
    if (!(ArrayBuffer.isView(direction) || Array.isArray(direction)) || direction.length !== this.dim)
      throw new Error(`the direction must be an array of ${this.dim} numbers`);
    checkNumbers('the direction', direction, this.dim, 'the embedding dimension');
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(this.dim * 4 + 16);
    const p = A.take(this.dim * 4);
    new Float32Array(ex.memory.buffer).set(direction, p >> 2);
    this.iam.check(ex.iam_trainer_set_weight(this.ptr, j, p));
  }

  /** The predicted class of each input point (count × inputDim): the decision regions.
   *  Any number of points: they cross in chunks of PREDICT_CHUNK, so wasm memory does not grow with them. */
  predict(inputs) {
    this.alive();
    const D = this.inputDim;
    if (!(ArrayBuffer.isView(inputs) || Array.isArray(inputs)) || inputs.length % D !== 0 || inputs.length === 0)
      throw new Error(`inputs must be a non-empty array whose length is a multiple of the input dimension ${D}`);
    checkNumbers('inputs', inputs, inputs.length, 'its length');
    const count = inputs.length / D, classes = new Int32Array(count);
    const ex = this.iam.ex, A = this.iam.arena, chunk = Math.min(count, PREDICT_CHUNK);
    A.reset(chunk * D * 4 + chunk * 4 + 32);
    const pi = A.take(chunk * D * 4), pc = A.take(chunk * 4);
    for (let start = 0; start < count; start += chunk) {
      const m = Math.min(chunk, count - start);
      const part = ArrayBuffer.isView(inputs) ? inputs.subarray(start * D, (start + m) * D) : inputs.slice(start * D, (start + m) * D);
      new Float32Array(ex.memory.buffer).set(part, pi >> 2);
      if (ex.iam_trainer_predict(this.ptr, pi, m, pc) !== 0)   // C counts rows within the chunk
        throw new Error(start ? `${this.iam.lastError()} (counting from point ${start})` : this.iam.lastError());
      classes.set(new Int32Array(ex.memory.buffer, pc, m), start);
    }
    return classes;
  }

  /** The embeddings e = f(x) (count × dim), not normalized, of any inputs (count × inputDim):
   *  identities the trainer never saw. In chunks of PREDICT_CHUNK, as predict. */
  embedInputs(inputs) {
    this.alive();
    const D = this.inputDim, d = this.dim;
    if (!(ArrayBuffer.isView(inputs) || Array.isArray(inputs)) || inputs.length % D !== 0 || inputs.length === 0)
      throw new Error(`inputs must be a non-empty array whose length is a multiple of the input dimension ${D}`);
    checkNumbers('inputs', inputs, inputs.length, 'its length');
    const count = inputs.length / D, out = new Float32Array(count * d);
    const ex = this.iam.ex, A = this.iam.arena, chunk = Math.min(count, PREDICT_CHUNK);
    A.reset(chunk * D * 4 + chunk * d * 4 + 32);
    const pi = A.take(chunk * D * 4), pe = A.take(chunk * d * 4);
    for (let start = 0; start < count; start += chunk) {
      const m = Math.min(chunk, count - start);
      const part = ArrayBuffer.isView(inputs) ? inputs.subarray(start * D, (start + m) * D) : inputs.slice(start * D, (start + m) * D);
      new Float32Array(ex.memory.buffer).set(part, pi >> 2);
      if (ex.iam_trainer_embed_inputs(this.ptr, pi, m, pe) !== 0)
        throw new Error(start ? `${this.iam.lastError()} (counting from point ${start})` : this.iam.lastError());
      out.set(new Float32Array(ex.memory.buffer, pe, m * d), start * d);
    }
    return out;
  }

  /** The raw inputs { x (points × inputDim), labels } of the samples embed() shows, in its
   *  order: what a view draws beside a point (an MNIST digit's pixels). */
  shownInputs({ points = 400, set = 'test' } = {}) {
    this.alive();
    const setId = this.#setId(set);
    if (!Number.isInteger(points) || points < 1) throw new Error(`points must be a positive integer (got ${points})`);
    const n = Math.min(points, [this.nTrain, this.nTest, this.nHeldout][setId]), D = this.inputDim;
    if (n === 0) return { x: new Float32Array(0), labels: new Int32Array(0) };
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(n * D * 4 + n * 4 + 32);
    const px = A.take(n * D * 4), pl = A.take(n * 4);
    this.iam.check(ex.iam_trainer_shown_inputs(this.ptr, setId, n, px, pl));
    const buf = ex.memory.buffer;
    return { x: new Float32Array(buf, px, n * D).slice(), labels: new Int32Array(buf, pl, n).slice() };
  }

  /** The raw inputs and labels of a set, e.g. to draw the 2-D input space. */
  inputs(set = 'train') {
    this.alive();
    const setId = this.#setId(set), n = [this.nTrain, this.nTest, this.nHeldout][setId];
    if (!n) return { x: new Float32Array(0), labels: new Int32Array(0) };
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(n * this.inputDim * 4 + n * 4 + 32);
    const px = A.take(n * this.inputDim * 4), py = A.take(n * 4);
    this.iam.check(ex.iam_trainer_inputs(this.ptr, setId, px, py));
    const buf = ex.memory.buffer;
    return { x: new Float32Array(buf, px, n * this.inputDim).slice(), labels: new Int32Array(buf, py, n).slice() };
  }

  /** The class weights: { weights (classes × dim) normalized, norms ‖W_j‖ (classes) } (with
   *  sub-centers, each class's dominant one). */
  weights() {
    this.alive();
    const ex = this.iam.ex, A = this.iam.arena, c = this.classes, d = this.dim;
    A.reset(c * d * 4 + c * 4 + 32);
    const pw = A.take(c * d * 4), pn = A.take(c * 4);
    this.iam.check(ex.iam_trainer_weights(this.ptr, pw, pn));
    const buf = ex.memory.buffer;
    return { weights: new Float32Array(buf, pw, c * d).slice(), norms: new Float32Array(buf, pn, c).slice() };
  }

  /** The norms ‖W_j‖ of the class weights (Softmax decides by ‖W_j‖ cos θ_j). */
  weightNorms() {
    return this.weights().norms;
  }

  /** A copy of every parameter (nParams floats): for tests, and for saving a run. */
  params() {
    this.alive();
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(this.nParams * 4);
    const p = A.take(this.nParams * 4);
    this.iam.check(ex.iam_trainer_get_params(this.ptr, p, this.nParams));
    return new Float32Array(ex.memory.buffer, p, this.nParams).slice();
  }

  /** Set every parameter from an array of params().length finite numbers (the optimizer's
   *  moments are kept): for tests, and for loading a run. */
  setParams(params) {
    this.alive();
    if ((ArrayBuffer.isView(params) || Array.isArray(params)) && params.length !== this.nParams)   // before any memory is taken
      throw new Error(`the trainer has ${this.nParams} parameters (got an array of ${params.length})`);
    checkNumbers('params', params, this.nParams, 'nParams');
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(params.length * 4 + 16);
    const p = A.take(params.length * 4);
    new Float32Array(ex.memory.buffer).set(params, p >> 2);
    this.iam.check(ex.iam_trainer_set_params(this.ptr, p, params.length));
  }

  /** The trainer's whole state (iam_trainer_get_state): parameters, optimizer moments, the
   *  batch sampler, the step. A trainer made from the same config and data takes it back
   *  with setState and trains on exactly as this one would: a saved run (wasm/run.js). */
  state() {
    this.alive();
    const ex = this.iam.ex, A = this.iam.arena, bytes = ex.iam_trainer_state_bytes(this.ptr);
    A.reset(bytes);
    const p = A.take(bytes);
    this.iam.check(ex.iam_trainer_get_state(this.ptr, p, bytes));
    return new Uint8Array(ex.memory.buffer, p, bytes).slice();
  }

  /** Take back a state() (a Uint8Array): refused, changing nothing, if it is of another
   *  format or another trainer's shape, or holds a value that is not finite. */
  setState(state) {
    this.alive();
    if (!(state instanceof Uint8Array)) throw new Error(`a trainer state must be a Uint8Array (got ${show(state)})`);
    const ex = this.iam.ex, A = this.iam.arena;
    A.reset(state.length + 16);
    const p = A.take(state.length);
    new Uint8Array(ex.memory.buffer, p, state.length).set(state);
    this.iam.check(ex.iam_trainer_set_state(this.ptr, p, state.length));
  }

  #setId(set) {
    const sets = this.iam.names.set, id = sets.indexOf(set);
    if (id < 0) throw new Error(`unknown set '${set}' (expected one of ${sets.join(', ')})`);
    return id;
  }

  free() {
    if (this.ptr) this.iam.ex.iam_trainer_free(this.ptr);
    this.ptr = 0;
  }
}
