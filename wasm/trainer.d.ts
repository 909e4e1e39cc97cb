// trainer.d.ts: the types of wasm/trainer.js (see iam.d.ts).
import type { LossConfig, ResolvedLossConfig } from './iam.js';

/** iam_train_config by name: what is left out is the library's default. */
export interface TrainConfig {
  /** mnist and rows: the caller passes the rows (iam.trainer(config, rows)) */
  data?: 'blobs' | 'spiral' | 'glyphs' | 'identities' | 'mnist' | 'rows';
  classes?: number; trainPerClass?: number; testPerClass?: number; seed?: number;
  /** mnist and rows: the share of each class held out for test, in [0.01, 0.9] (default 0.2) */
  testFraction?: number;
  /** hidden layer sizes, at most 5 (default [64, 64, 64]) */
  hidden?: number[];
  /** the embedding dimension: 2 or 3 for the pictures, up to 128 */
  dim?: number;
  activation?: 'relu' | 'prelu' | 'tanh'; init?: 'he' | 'xavier';
  loss?: LossConfig;
  /** SphereFace: λ follows its schedule λ_base (1 + γ t)^−power, at least λ_min */
  anneal?: boolean; lambdaBase?: number; lambdaGamma?: number; lambdaPower?: number; lambdaMin?: number;
  optimizer?: 'sgd' | 'adam'; lr?: number; momentum?: number; weightDecay?: number;
  /** the class weights learn at lr · wLrMult */
  wLrMult?: number; adamBeta1?: number; adamBeta2?: number; adamEps?: number; batchSize?: number;
  /** images (glyphs, mnist): each batch image moves by up to this many pixels, 0..3 (default 0) */
  augmentShift?: number;
  /** metrics on the first evalRows rows of each set (a balanced prefix); 0 = all */
  evalRows?: number;
}

/** The rows of data 'mnist' or 'rows': x (n·dim, row-major) and labels (n) in [0, classes). */
export interface Rows { x: Float32Array | number[]; labels: Int32Array | number[] }

/** iam_train_metrics by name (LOSSES.md, "Angular metrics"), angles in degrees. */
export interface Metrics {
  step: number; loss: number; base: number; iam: number; train_acc: number; test_acc: number;
  min_weight_angle_deg: number; mean_nn_weight_angle_deg: number;
  min_center_angle_deg: number; mean_nn_center_angle_deg: number;
  min_sample_margin_deg: number; mean_sample_margin_deg: number;
  packing_limit_deg: number; verify_acc: number; tar_far_1e2: number;
}

/** The last step: its batch's loss parts and the loss config it really used. */
export interface LastStep {
  step: number; loss: number; base: number; iam: number; config: ResolvedLossConfig;
  /** samples of the batch left out of its loss: the network mapped them to the zero embedding (0 normally) */
  zeroEmbeddings: number;
}

/** The most input points trainer.predict copies into wasm memory at once (it takes any number, in chunks). */
export const PREDICT_CHUNK: number;

export interface Divergence { failedStep: number; goodStep: number; reason: string }

/** A step() that diverged: the trainer is back where the call began. */
export class TrainingDiverged extends Error {
  readonly divergence: Divergence;
}

/** One trainer at one step: everything a view draws. */
export interface Snapshot {
  step: number; dim: number; classes: number;
  /** (points, dim) normalized features */
  embedding: Float32Array;
  labels: Int32Array;
  /** (classes, dim) normalized class weights */
  weights: Float32Array;
  weightNorms: Float32Array;
  metrics: Metrics;
  /** sample margins, equal bins over [−180°, 180°] */
  histogram: Int32Array;
  /** the loss the last step really used (SphereFace's λ annealed, the running state where it stands) */
  loss: ResolvedLossConfig;
  /** (points) ‖e‖ of each feature before normalizing: what AdaFace and MagFace read */
  norms: Float32Array;
  /** with K > 1 sub-centers: every normalized row (classes·K, dim) and each class's dominant one; else null */
  subcenters: { weights: Float32Array; dominant: Int32Array } | null;
}

export type DataSet = 'train' | 'test' | 'heldout';

/** Trainer.forces(): for the samples a snapshot of the same set and size shows */
export interface Forces {
  /** (points × dim) ∂L_base/∂x̂ per sample */
  base: Float32Array;
  /** (points × dim) ∂(β·L_IAM)/∂x̂ per sample */
  iam: Float32Array;
  /** (classes × dim) ∂L_base/∂W_j, mean over the samples */
  weightBase: Float32Array;
  /** (classes × dim) ∂(β·L_IAM)/∂W_j, mean over the samples */
  weightIam: Float32Array;
  lossBase: Float32Array;
  lossIam: Float32Array;
  /** sample margins in degrees */
  margins: Float32Array;
}

export class Trainer {
  readonly config: Required<TrainConfig>;
  readonly nTrain: number; readonly nTest: number; readonly nHeldout: number;
  readonly inputDim: number; readonly dim: number; readonly classes: number; readonly nParams: number;
  /** K, the sub-centers per class (1: plain) */
  readonly subcenters: number;
  /** k optimizer steps in one wasm call; throws a TrainingDiverged on NaN or Inf */
  step(k?: number): LastStep;
  last(): LastStep;
  /** a number in (0, 10]; after a divergence the trainer trains on from its last good state */
  setLr(lr: number): void;
  evaluate(options?: { bins?: number }): { metrics: Metrics; histogram: Int32Array };
  snapshot(options?: { points?: number; set?: DataSet; bins?: number }): Snapshot;
  embed(options?: { points?: number; set?: DataSet }): { embedding: Float32Array; labels: Int32Array };
  /** the same samples' features as they are, not normalized */
  embedRaw(options?: { points?: number; set?: DataSet }): { embedding: Float32Array; labels: Int32Array };
  /** with K sub-centers: every row normalized (classes·K, dim), each class's dominant one (classes) */
  subcenterWeights(): { weights: Float32Array; dominant: Int32Array };
  predict(inputs: Float32Array | number[]): Int32Array;
  /** The embeddings f(x) (count × dim), not normalized, of any inputs (count × inputDim): identities never trained on. */
  embedInputs(inputs: Float32Array | number[]): Float32Array;
  inputs(set?: DataSet): { x: Float32Array; labels: Int32Array };
  /** The class weights normalized (classes × dim) and their norms (with sub-centers, each class's dominant one). */
  weights(): { weights: Float32Array; norms: Float32Array };
  weightNorms(): Float32Array;
  params(): Float32Array;
  setParams(params: Float32Array | number[]): void;
  /** The gradients that move each shown sample and each class weight, base and IAM parts */
  forces(options?: { points?: number; set?: DataSet }): Forces;
  /** Turn class weight j toward a direction, keeping its norm */
  setWeight(j: number, direction: Float32Array | number[]): void;
  /** The raw inputs of the samples embed() shows, in its order */
  shownInputs(options?: { points?: number; set?: DataSet }): { x: Float32Array; labels: Int32Array };
  /** The whole state (parameters, optimizer moments, sampler, step), to continue exactly */
  state(): Uint8Array;
  setState(state: Uint8Array): void;
  free(): void;
}
