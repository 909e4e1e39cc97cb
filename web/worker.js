// worker.js: one panel's trainer, in a Web Worker so that the page never stutters.
//
// The page sends first { type: 'library', module, simd }: the compiled WebAssembly
// module (web/library.js compiles it once for every panel); then
// { type: 'reset' | 'play' | 'pause' | 'step' | 'speed' | 'lr' }.
// The worker trains at the requested steps per second in slices of a few
// milliseconds, and posts a snapshot eight times a second: a Snapshot (wasm/trainer.js)
// with what only a panel needs on top:
//   { type: 'snapshot', ...Snapshot, grid?, inputs?, stepsPerSec, playing }
// A divergence posts { type: 'diverged', message, divergence: { failedStep, goodStep,
// reason } }: the trainer has rolled back to its last good state (src/train.c), so
// nothing non-finite ever reaches the page.
import { loadIAM } from '../wasm/iam.js';

const SNAPSHOT_MS = 125;     // 8 snapshots a second: smooth enough, and light on 2 cores
const SLICE_MS = 12;         // train at most this long before yielding to messages
const POINTS = 400;          // samples drawn per panel
const GRID = 64;             // input-space heatmap resolution (2-D inputs only)

let iam = null, trainer = null, config = null;
let playing = false, stepsPerSec = 300, owed = 0, lastTick = 0, lastSnapshot = 0;
let measured = { steps: 0, since: 0, rate: 0 };
let gridBox = null, gridInputs = null, snapshotsSinceGrid = 0;

function post(message, transfer = []) { self.postMessage(message, transfer); }

// The input plane's box, from the training inputs, with a margin around them.
function makeGrid() {
  gridBox = null; gridInputs = null;
  if (trainer.inputDim !== 2) return;
  const { x } = trainer.inputs('train');
  let lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (let i = 0; i < x.length; i += 2)
    for (let k = 0; k < 2; k++) { lo[k] = Math.min(lo[k], x[i + k]); hi[k] = Math.max(hi[k], x[i + k]); }
  const pad = 0.15 * Math.max(hi[0] - lo[0], hi[1] - lo[1]);
  const half = Math.max(hi[0] - lo[0], hi[1] - lo[1]) / 2 + pad, mid = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2];
  gridBox = { x0: mid[0] - half, x1: mid[0] + half, y0: mid[1] - half, y1: mid[1] + half, size: GRID };
  gridInputs = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++)
    for (let q = 0; q < GRID; q++) {
      const k = 2 * (r * GRID + q);
      gridInputs[k] = gridBox.x0 + ((q + 0.5) / GRID) * (gridBox.x1 - gridBox.x0);
      gridInputs[k + 1] = gridBox.y1 - ((r + 0.5) / GRID) * (gridBox.y1 - gridBox.y0);
    }
}

function snapshot(withInputs = false) {
  const s = trainer.snapshot({ points: POINTS, set: 'test', bins: 36 });
  const message = { type: 'snapshot', ...s, stepsPerSec: measured.rate, playing };
  const transfer = [s.embedding.buffer, s.labels.buffer, s.weights.buffer, s.weightNorms.buffer, s.histogram.buffer];
  if (gridInputs && (withInputs || ++snapshotsSinceGrid >= 2)) {
    snapshotsSinceGrid = 0;
    message.grid = { ...gridBox, classes: trainer.predict(gridInputs) };
    transfer.push(message.grid.classes.buffer);
  }
  if (withInputs && gridInputs) {
    const { x, labels } = trainer.inputs('test');
    message.inputs = { x, labels };
    transfer.push(x.buffer, labels.buffer);
  }
  post(message, transfer);
  lastSnapshot = performance.now();
}

function runSteps(k) {
  try {
    trainer.step(k);
    measured.steps += k;
    return true;
  } catch (err) {
    playing = false;
    post({ type: 'diverged', message: err.message, divergence: err.divergence ?? null });
    snapshot();
    return false;
  }
}

function tick() {
  if (!playing || !trainer) return;
  const now = performance.now();
  owed = Math.min(owed + ((now - lastTick) / 1000) * stepsPerSec, stepsPerSec * 0.25 + 1);
  lastTick = now;
  const sliceEnd = now + SLICE_MS;
  while (owed >= 1 && performance.now() < sliceEnd) {
    const k = Math.max(1, Math.min(Math.floor(owed), 25));
    if (!runSteps(k)) return;
    owed -= k;
  }
  if (now - measured.since > 1000) {
    measured.rate = (measured.steps * 1000) / (now - measured.since);
    measured.steps = 0;
    measured.since = now;
  }
  if (performance.now() - lastSnapshot >= SNAPSHOT_MS) snapshot();
  setTimeout(tick, owed >= 1 ? 0 : Math.max(1, 1000 / stepsPerSec));
}

function build(newConfig) {
  trainer?.free();
  trainer = null;
  config = newConfig;
  try {
    trainer = iam.trainer(config);
  } catch (err) {
    post({ type: 'error', message: err.message });
    return;
  }
  makeGrid();
  measured = { steps: 0, since: performance.now(), rate: 0 };
  snapshot(true);
}

function play() {
  if (!trainer) return;
  playing = true;
  lastTick = performance.now();
  owed = 0;
  tick();
}

// the library arrives first, as a compiled module; later messages wait for it in order
let libraryArrived;
const ready = new Promise((resolve) => { libraryArrived = resolve; });

async function instantiate({ module, simd }) {
  try {
    iam = await loadIAM({ module, simd });
  } catch (err) {
    post({ type: 'error', message: `the WebAssembly library did not load: ${err.message}` });
  }
  libraryArrived();
}

self.onmessage = async ({ data }) => {
  if (data.type === 'library') { instantiate(data); return; }
  await ready;
  if (!iam) return;
  switch (data.type) {
    case 'reset':
      build(data.config);
      if (data.play) play();
      break;
    case 'play': play(); break;
    case 'pause': playing = false; if (trainer) snapshot(); break;
    case 'step':
      playing = false;
      if (trainer && runSteps(data.k ?? 1)) snapshot();
      break;
    case 'speed': stepsPerSec = data.stepsPerSec; break;
    case 'lr':
      try { trainer?.setLr(data.lr); } catch (err) { post({ type: 'error', message: err.message }); }
      break;
  }
};
