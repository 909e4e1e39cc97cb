// presets.d.ts: the types of wasm/presets.js.
import type { LossConfig, LossKind } from './iam.js';
import type { TrainConfig } from './trainer.js';

export const LOSS_LABELS: Readonly<Record<LossKind, string>>;
export const MARGIN_FIELDS: Readonly<Record<LossKind, readonly ('margin' | 'm1' | 'm2' | 'm3' | 'lm' | 'um')[]>>;
/** The options that are not kinds (sub-centers, ElasticFace): a kind and, per dimension (2, 3), its loss options */
export const OPTION_PRESETS: Readonly<Record<string, { kind: LossKind; 2: LossConfig; 3: LossConfig }>>;
export function lossPreset(kind: LossKind, dim?: number, overrides?: LossConfig): LossConfig & { kind: LossKind };
export function trainerPreset(kind: LossKind, train?: TrainConfig, lossOverrides?: LossConfig): TrainConfig;
