// worker.mjs: one worker thread of the experiment runner (experiment/run.mjs).
//
// Each worker loads its own copy of the library (loadIAM) and trains the jobs the
// main thread sends, one at a time: { id, config, steps, snapshot? } in,
// { id, metrics, ms, status, snapshot? } out. A run that diverges is not retried:
// the trainer has rolled back to its last good step (src/train.c), its metrics
// there are reported with status 'diverged', and the report counts them.
import { parentPort, workerData } from 'node:worker_threads';
import { loadIAM } from '../wasm/iam.js';

const iam = await loadIAM({ simd: workerData?.simd ?? undefined });

const DEG = 180 / Math.PI;

// Two numbers that explain the open-set verification (identities only):
//   input_verify_acc: the same 6,000 pairs scored on the raw 32-D inputs, the
//     baseline that any embedding should beat;
//   heldout_to_weight_deg: the mean angle from a held-out identity's embedding to the
//     nearest trained class weight; small means that unseen faces are pulled onto
//     the directions of the trained identities.
export function heldoutDiagnostics(trainer) {
  const seed = trainer.config.seed ?? 1;
  const inputs = trainer.inputs('heldout');
  const raw = iam.verification(inputs.x, inputs.labels, { n: inputs.labels.length, d: trainer.inputDim, pairs: 6000, seed });
  const s = trainer.snapshot({ points: trainer.nHeldout, set: 'heldout', bins: 0 });
  const d = s.dim, c = s.classes, n = s.labels.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < d; k++) norm += s.embedding[i * d + k] ** 2;
    norm = Math.sqrt(norm) || 1;
    let best = -1;
    for (let j = 0; j < c; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += s.embedding[i * d + k] * s.weights[j * d + k];
      best = Math.max(best, dot / norm);
    }
    sum += Math.acos(Math.min(1, Math.max(-1, best))) * DEG;
  }
  return { input_verify_acc: raw.accuracy, input_tar_far_1e2: raw.tarAtFar1e2, heldout_to_weight_deg: sum / n };
}

export function runJob(job) {
  const t0 = performance.now();
  const trainer = iam.trainer(job.config);
  let status = 'ok';
  const curve = [];
  try {
    // checkpoints: evaluate along the way (evaluation does not touch the training state)
    let done = 0;
    for (const at of [...(job.checkpoints ?? []).filter((k) => k < job.steps), job.steps]) {
      trainer.step(at - done);
      done = at;
      if (job.checkpoints) curve.push(trainer.evaluate({ bins: 0 }).metrics);
    }
  } catch (err) {
    status = `diverged: ${err.message.replace(/[\r\n,]+/g, ' ')}`;
  }
  const { metrics } = trainer.evaluate({ bins: 0 });
  const out = { id: job.id, metrics, status, ms: 0 };
  if (job.checkpoints) out.curve = curve;
  if (job.heldout && trainer.nHeldout > 0) out.heldout = heldoutDiagnostics(trainer);
  if (job.snapshot) {
    // the Snapshot (wasm/trainer.js), its arrays as plain ones for the page that draws them
    const s = trainer.snapshot({ points: job.snapshot.points ?? 300, set: 'test', bins: 0 });
    out.snapshot = {
      step: s.step, dim: s.dim, classes: s.classes, metrics: s.metrics, loss: s.loss,
      embedding: Array.from(s.embedding), labels: Array.from(s.labels), weights: Array.from(s.weights),
      weightNorms: Array.from(s.weightNorms),
    };
  }
  trainer.free();
  out.ms = performance.now() - t0;
  return out;
}

parentPort?.on('message', (job) => {
  try {
    parentPort.postMessage(runJob(job));
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: err.message });
  }
});
parentPort?.postMessage({ ready: true, simd: iam.simd });
