// runio.js: a whole run of the page to a file and back (Save and Open). The file is
// wasm/run.js's: the page's state as its settings, the data (a set of your own as its
// rows, MNIST by its digest, a generated set by its kind and seed, which C makes again),
// and every panel's trainer, config and state, asked of its worker ({ type: 'getState' }).
//
// It does not touch the panels: main.js pauses them before a save and restarts them
// from what an opened run holds (each worker's { type: 'restore' }).
import { saveRun, openRun, RUN_EXTENSION } from '../wasm/run.js';
import { loadMnist, mnistDigest } from '../wasm/mnist.js';

export const RUN_FILE = `margin-losses-run${RUN_EXTENSION}`;
const ANSWER_MS = 10000;   // a worker that has not answered by then has stopped

/** A panel's trainer, as its worker sends it: { config, state, lrChanges, step }. */
function askState(worker) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { worker.removeEventListener('message', on); reject(new Error('a panel’s worker did not answer')); }, ANSWER_MS);
    function on({ data }) {
      if (data.type !== 'state') return;
      clearTimeout(timer);
      worker.removeEventListener('message', on);
      resolve(data);
    }
    worker.addEventListener('message', on);
    worker.postMessage({ type: 'getState' });
  });
}

/** The bytes of the run: settings (JSON: the page's state, and each panel's step), the data
 *  kind and, for data 'rows', its set; `workers`: every panel's, in order. */
export async function runBytes({ settings, kind, set, workers }) {
  if (workers.some((w) => !w)) throw new Error('a panel has stopped: restart it before saving');
  const trainers = await Promise.all(workers.map(askState));
  if (trainers.some((t) => !t.state)) throw new Error('a panel has no trainer to save (it stopped): reset it before saving');
  const data = { kind };
  if (kind === 'rows') data.rows = { x: set.x, labels: set.labels, dim: set.dim, names: set.names };
  if (kind === 'mnist') data.digest = mnistDigest(await loadMnist());
  return saveRun({
    settings: { ...settings, steps: trainers.map((t) => t.step) }, data,
    trainers: trainers.map(({ config, state, lrChanges }) => ({ config, state, lrChanges })),
  });
}

/** A run from a file's bytes, checked (a corrupted, truncated or foreign file, or a run
 *  of other MNIST digits, throws an Error of one sentence). */
export async function readRun(bytes) {
  const run = openRun(bytes);
  if (run.data.kind === 'mnist' && run.data.digest !== undefined) {
    const digest = mnistDigest(await loadMnist());
    if (run.data.digest !== digest) throw new Error(`the run was saved with other MNIST digits (digest ${run.data.digest}, this page's is ${digest})`);
  }
  return run;
}
