// worker.mjs: one worker thread of the experiment runner (experiment/run.mjs).
//
// Each worker loads its own copy of the library (loadIAM) and runs the jobs the main
// thread sends, one at a time, by their kind:
//   'trainer'  a run of the library's own data (the room sweep, Fig. 2): { id, config, steps,
//              snapshot? } in, { id, metrics, ms, status, snapshot? } out;
//   'faces'    a run of the open-set study (experiment/openset.mjs, trainFaces);
//   'ceiling'  the linear ceilings of a seed (raw inputs, LDA) and, when job.linear, a linear network;
//   'cost'     the milliseconds of a training step at job.faces.train classes (openset.mjs, stepCost).
// A run that diverges is not retried: the trainer has rolled back to its last good step
// (src/train.c), its metrics there are reported with status 'diverged', and the report
// counts them.
import { parentPort, workerData } from 'node:worker_threads';
import { loadIAM } from '../wasm/iam.js';
import { trainFaces, linearCeilings, stepCost } from './openset.mjs';

const iam = await loadIAM({ simd: workerData?.simd ?? undefined });

export function runJob(job) {
  const t0 = performance.now();
  if (job.kind === 'faces') return { id: job.id, ...trainFaces(iam, job), ms: performance.now() - t0 };
  if (job.kind === 'cost') return { id: job.id, ...stepCost(iam, job), ms: performance.now() - t0 };
  if (job.kind === 'ceiling') {
    const ceilings = linearCeilings(job), t1 = performance.now();
    const linear = job.linear ? trainFaces(iam, job) : null;
    return { id: job.id, ...ceilings, linear, linearMs: performance.now() - t1, ms: performance.now() - t0 };
  }
  const trainer = iam.trainer(job.config);
  let status = 'ok';
  try {
    trainer.step(job.steps);
  } catch (err) {
    status = `diverged: ${err.message.replace(/[\r\n,]+/g, ' ')}`;
  }
  const { metrics } = trainer.evaluate({ bins: 0 });
  const out = { id: job.id, metrics, status, ms: 0 };
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
