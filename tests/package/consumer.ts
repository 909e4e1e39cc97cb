// consumer.ts: a TypeScript user of the installed package; tests/package.test.mjs has
// tsc check it (strict) against the package's declarations. It is type-checked, not run.
import { loadIAM, TrainingDiverged, type LossConfig, type Snapshot } from 'iam-loss';
import { trainerPreset, LOSS_LABELS } from 'iam-loss/presets';

const iam = await loadIAM({ simd: false });
const config: LossConfig = { kind: 'arcface', scale: 10, margin: 0.3, beta: 0.5, fallback: 'insightface' };
const r = iam.loss(config, { x: new Float32Array(6), W: new Float32Array(9), labels: [0, 1], n: 2, d: 3, c: 3 });
const total: number = r.loss + r.dx[0] + r.dW[0];
const t = iam.trainer(trainerPreset('cosface', { classes: 4, dim: 3 }));
try { t.step(10); } catch (err) { if (err instanceof TrainingDiverged) console.log(err.divergence.goodStep); }
const s: Snapshot = t.snapshot({ points: 10, set: 'test' });
const angle: number = s.metrics.min_weight_angle_deg + s.loss.margin + total;
const label: string = LOSS_LABELS[s.loss.kind];
const margin: number = iam.defaults('loss_config', { kind: 'sphereface' }).margin;
console.log(angle, label, margin, iam.names.kind.length, t.nParams);
t.setParams(t.params());
t.free();
