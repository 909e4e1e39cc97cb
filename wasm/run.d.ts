// run.d.ts: the types of wasm/run.js (a saved run, continued exactly).
import type { IAM } from './iam.js';
import type { Trainer, TrainConfig } from './trainer.js';
import type { Mnist } from './mnist.js';
export interface LrChange { step: number; lr: number }
export interface RunData { kind: string; digest?: string; rows?: { x: Float32Array; labels: Int32Array; dim: number; names?: string[] | null } }
export interface SavedTrainer { config: TrainConfig; lrChanges?: LrChange[]; state: Uint8Array }
export interface OpenedRun { app: string; savedAt: string; settings: unknown; data: RunData; trainers: Required<SavedTrainer>[] }
export declare const RUN_KIND: string;
export declare const RUN_VERSION: number;
export declare const RUN_EXTENSION: string;
export declare function saveRun(run: { settings?: unknown; data: RunData; trainers: SavedTrainer[]; app?: string }): Uint8Array;
export declare function openRun(bytes: Uint8Array | ArrayBuffer): OpenedRun;
export declare function resumeTrainer(iam: IAM, run: OpenedRun, k?: number, options?: { mnist?: Mnist }): Trainer;
