// iam.d.ts: the types of the binding's public API (wasm/iam.js), checked by tsc against
// tests/package/consumer.ts. The names of kinds and options are the C library's
// (src/api.c); a config leaves out what it does not change.

import type { Trainer, TrainConfig, Rows } from './trainer.js';
export type { Trainer, TrainConfig, Snapshot, Metrics, LastStep, Divergence, Rows } from './trainer.js';
export { TrainingDiverged } from './trainer.js';

export type LossKind = 'softmax' | 'normface' | 'sphereface' | 'cosface' | 'arcface' | 'combined'
  | 'curricularface' | 'adaface' | 'magface';
export type ArcFaceFallback = 'continuous' | 'insightface' | 'easy' | 'none';
/** Which reading of L_IAM (docs/LOSSES.md, "IAM's readings and stops"); u = s cos θ, h = u_y − LSE_{j≠y} u_j:
 *  'default' −softplus(h) − log(C−1), the paper's; 'log-odds' −h − log(C−1) (= default + a plain
 *  cross-entropy on u); 'push-only' LSE_{j≠y} u_j − log(C−1), no pull on the target; 'weights'
 *  LSE_{k≠y} s Ŵ_y·Ŵ_k − log(C−1), the weight-only control: it moves W only (subcenters 1 only). */
export type IamVariant = 'default' | 'log-odds' | 'push-only' | 'weights';
/** Where the IAM term's gradient is stopped: 'none'; 'W' (it moves the samples only, dW is the
 *  base loss's); 'x' (it moves the weights only, dx is the base loss's). 'weights' with 'W' does nothing. */
export type IamStop = 'none' | 'W' | 'x';

/** iam_loss_config by name (LOSSES.md): what is left out is the kind's default. */
export interface LossConfig {
  kind?: LossKind;
  /** s > 0 (default 10); for softmax and SphereFace with featureNorm it scales only the IAM logits */
  scale?: number;
  /** m: CosFace [0, 1], ArcFace [0, π/2] radians, SphereFace [1, 8] (defaults 0.2, 0.3, 4) */
  margin?: number;
  /** combined margin cos(m1 θ + m2) − m3 (defaults 1, 0.3, 0.2) */
  m1?: number; m2?: number; m3?: number;
  /** β ≥ 0, the weight of L_IAM (default 0) */
  beta?: number;
  /** SphereFace's annealing mix λ ≥ 0 (default 0) */
  lambda?: number;
  /** SphereFace: r = ‖x‖ as in the original (true) or r = s (false, default) */
  featureNorm?: boolean;
  /** ArcFace, CurricularFace, MagFace past θ > π − m; 'none' = plain cos(θ + m), insightface since 2022 */
  fallback?: ArcFaceFallback;
  /** the running average's rate α in (0, 1] for CurricularFace's t and AdaFace's μ, σ (0.01) */
  momentum?: number;
  /** AdaFace: ẑ = clip(h (‖x‖ − μ)/(σ + 1e-3), −1, 1), h in (0, 10] (0.333) */
  h?: number;
  /** MagFace: a = ‖x‖ clipped to [la, ua]; the margin runs from lm at la to um at ua; λ_g g(a) (docs/LOSSES.md) */
  la?: number; ua?: number; lm?: number; um?: number; lambdaG?: number;
  /** sub-centers K in [1, 64] (not softmax): W holds c·K rows, class j's are rows jK..jK+K−1 */
  subcenters?: number;
  /** ElasticFace (arcface, cosface): each sample's margin m + marginStd·N(0, 1), drawn from marginSeed */
  marginStd?: number; marginSeed?: number;
  /** the margin's gradient cut (dψ/dc = 1), as insightface's ArcFace since December 2022 */
  detachMargin?: boolean;
  /** the running state: CurricularFace's t (starts 0), AdaFace's normMean, normStd (start 20, 100) */
  t?: number; normMean?: number; normStd?: number;
  /** which reading of L_IAM (default 'default'); the reported iam is this reading's mean */
  iamVariant?: IamVariant;
  /** where IAM's gradient is stopped (default 'none'): 'W' moves only the samples, 'x' only the weights */
  iamStop?: IamStop;
}

/** A loss config as the library resolved it: every field present. */
export type ResolvedLossConfig = Required<LossConfig>;

/** One batch: x (n·d), W (c·d, a row per class), labels (n integers in [0, c)). */
export interface Batch {
  x: Float32Array | Float64Array | number[];
  W: Float32Array | Float64Array | number[];
  labels: Int32Array | number[];
  n: number; d: number; c: number;
}

/** The loss (loss = base + β·iam, means over the batch) and its gradients. */
export interface LossResult {
  loss: number; base: number; iam: number;
  dx: Float32Array; dW: Float32Array;
}

export interface LoadOptions {
  /** force the SIMD build (true) or the scalar one (false); default: SIMD where it validates */
  simd?: boolean;
  /** where the .wasm comes from (default: beside iam.js) */
  url?: string | URL;
  /** a module compiled before (compileIAM), with `simd` saying which build it is */
  module?: WebAssembly.Module;
}

export interface IAM {
  /** whether the SIMD build is loaded */
  readonly simd: boolean;
  /** the enum values' names as C spells them: kind, fallback, data, activation, init, optimizer, set, iamVariant, iamStop */
  readonly names: Readonly<Record<'kind' | 'fallback' | 'data' | 'activation' | 'init' | 'optimizer' | 'set' | 'iamVariant' | 'iamStop', readonly string[]>>;
  readonly memoryBytes: number;
  /** Forward and backward of L = L_base + β L_IAM; bad input throws the C library's sentence. */
  loss(config: LossConfig, batch: Batch): LossResult;
  /** One batch's step of the running state (CurricularFace, AdaFace), as a trainer takes it before the loss */
  updateState(config: LossConfig, batch: Batch): { t: number; normMean: number; normStd: number };
  /** A trainer (src/train.c); call free() when done. */
  trainer(config?: TrainConfig, rows?: Rows): Trainer;
  /** The library's defaults: the whole training config, or one kind's loss config. */
  defaults(table?: 'train_config', object?: TrainConfig): Required<TrainConfig>;
  defaults(table: 'loss_config', object?: LossConfig): ResolvedLossConfig;
  /** Toy-LFW open-set verification of n embeddings (n·d) with their ids. */
  verification(embeddings: Float32Array | number[], ids: Int32Array | number[],
    options: { n: number; d: number; pairs?: number; seed?: number }): { accuracy: number; tarAtFar1e2: number };
}

/** 2 GB: what a 32-bit wasm addresses; one call that needs this much memory or more is refused. */
export const MAX_WASM_BYTES: number;

export function simdSupported(): boolean;
export function wasmUrl(options?: { simd?: boolean }): { url: URL; simd: boolean };
export function compileIAM(options?: { simd?: boolean; url?: string | URL; bytes?: (simd: boolean) => BufferSource | Promise<BufferSource> }):
  Promise<{ module: WebAssembly.Module; simd: boolean }>;
export function loadIAM(options?: LoadOptions): Promise<IAM>;
