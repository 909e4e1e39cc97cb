// worker.js: one panel's trainer, in a Web Worker so that the page never stutters.
//
// The page sends first { type: 'library', module, simd }: the compiled WebAssembly
// module (web/library.js compiles it once for every panel); then
//   { type: 'reset', config, lrChanges }   a new trainer at step 0 (lrChanges: [{ step, lr }],
//                                          learning-rate changes to replay at their steps)
//   { type: 'runTo', step }                train up to exactly this step, then wait
//   { type: 'lrChanges', lrChanges }       the changes to replay, replaced (a new one at a later step)
//   { type: 'setWeight', j, direction }    turn class weight j (a dragged spoke), then a snapshot
//   { type: 'inspect', on }                send the forces with every snapshot (arrows shown, or the
//                                          pointer over the view), then a snapshot; they cost a third
//                                          of a snapshot, so they are not computed unasked
//   { type: 'rows', rows }                 the rows { x, labels } that the next resets train on when
//                                          config.data is mnist or rows (null: none); sent before the reset
//   { type: 'getState' }                   answered with { type: 'state', config, state, lrChanges, step }:
//                                          the trainer's whole config and state (trainer.state()), for a saved run
//   { type: 'restore', state }             after a reset with the saved config and rows: the trainer takes
//                                          the saved state back (trainer.setState) and is at its saved step;
//                                          then a first snapshot, as after a reset
// The page's clock (web/clock.js) hands every panel the same target, so the panels
// are compared at the same step; a worker that reached it uses no CPU. It posts a
// snapshot at every target it reaches, and every SNAPSHOT_MS while catching up: a
// Snapshot (wasm/trainer.js) with what only a panel needs on top:
//   { type: 'snapshot', ...Snapshot, forces, heldout?, edited?, grid?, inputs?, examples?, digits?, stepsPerSec, evaluated }
// forces: trainer.forces() of the same samples, while inspecting (the arrows and the hover card); heldout:
// { embedding, labels } of identities never trained on (data sets that have them);
// edited: the weights were dragged since the last step, and the losses in the metrics
// are then the mean over the shown samples (the last batch's would be stale); evaluated:
// { test, nTest }, how many of the held-out samples the test accuracy counts (evalRows).
// The first snapshot of a run also carries what the data look like: inputs, the 2-D
// points of the input plane (the test set; data 'rows': the whole set, which the user
// edits); else examples, a few inputs of each class (glyphs, MNIST); and for MNIST
// digits: { pixels: Uint8Array(points·196), side: 14 }, the shown test samples' images
// (trainer.shownInputs, in the snapshot's order).
// A divergence posts { type: 'diverged', message, divergence: { failedStep, goodStep,
// reason } }: the trainer has rolled back to its last good state (src/train.c), so
// nothing non-finite ever reaches the page.
//
// Faults. { type: 'ping' } is answered at once with { type: 'pong', wasmBytes } (the size
// of the library's memory, for bench/soak.mjs), even before the
// library has arrived: the page's heartbeat (panel.js), which is how a worker that
// closed or died is noticed (a dead worker cannot say so). Anything that throws where
// it should not (an exception in a message handler or in the training loop, an uncaught
// error or rejection) and a WebAssembly trap (RuntimeError: unreachable, memory access
// out of bounds) anywhere in the trainer post ONE { type: 'fault', kind: 'trap' | 'error',
// message } and stop this worker for good: the training loop ends, the trainer and the
// library instance are dropped unread (after a trap their memory may be corrupt), and
// every later message but ping is ignored. The page terminates it and offers a restart
// with a new worker.
//   { type: 'fault', kind }   a test hook (tests/faults.test.mjs; window.iamDemo.injectFault):
//                             kind 'throw' throws in this handler, 'uncaught' from a timer,
//                             'trap' makes the trainer's next step trap (a real wasm
//                             `unreachable`), 'close' closes the worker without a word.
//                             Harmless: only the page's own script can post to its worker,
//                             and it could terminate the worker as well; no URL reaches it.
import { loadIAM } from '../wasm/iam.js';
import { ROW_KINDS } from '../wasm/trainer.js';

const SNAPSHOT_MS = 125;     // while catching up: 8 snapshots a second
const SLICE_MS = 8;          // train at most this long before yielding to messages
const POINTS = 400;          // samples drawn per panel
const GRID = 64;             // input-space heatmap resolution (2-D inputs only)
const EXAMPLES_PER_CLASS = 3; // inputs sent once per run when they are not 2-D points
const HELDOUT_POINTS = 200;   // held-out identities' samples drawn beside the trained ones

let iam = null, trainer = null, rows = null;
let run = 0, target = 0, lrChanges = [], lastSnapshot = 0, stopped = false, running = false, edited = false, inspecting = false;
let measured = { steps: 0, since: 0, rate: 0 };
let faulted = false, trapNext = false;
let gridBox = null, gridInputs = null, snapshotsSinceGrid = 0;

// every message carries the run it belongs to: the page drops those of an older run
function post(message, transfer = []) { self.postMessage({ ...message, run }, transfer); }

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
  const message = { type: 'snapshot', ...s, stepsPerSec: measured.rate, evaluated: evaluated() };
  const transfer = [s.embedding.buffer, s.labels.buffer, s.weights.buffer, s.weightNorms.buffer, s.histogram.buffer];
  if (inspecting || edited) {
    const forces = trainer.forces({ points: POINTS, set: 'test' });
    message.forces = forces;
    transfer.push(...Object.values(forces).map((a) => a.buffer));
    if (edited) message.edited = editedMetrics(s, forces);
  }
  if (trainer.nHeldout > 0) {
    const h = trainer.embed({ points: HELDOUT_POINTS, set: 'heldout' });
    message.heldout = h;
    transfer.push(h.embedding.buffer, h.labels.buffer);
  }
  if (gridInputs && (withInputs || ++snapshotsSinceGrid >= 2)) {
    snapshotsSinceGrid = 0;
    message.grid = { ...gridBox, classes: trainer.predict(gridInputs) };
    transfer.push(message.grid.classes.buffer);
  }
  if (withInputs && gridInputs) {
    const { x, labels } = trainer.config.data === 'rows' ? wholeSet() : trainer.inputs('test');
    message.inputs = { x, labels };
    transfer.push(x.buffer, labels.buffer);
  } else if (withInputs) {
    message.examples = examples(EXAMPLES_PER_CLASS);
    transfer.push(message.examples.x.buffer, message.examples.labels.buffer);
  }
  if (withInputs && trainer.config.data === 'mnist') {
    message.digits = digits();
    transfer.push(message.digits.pixels.buffer);
  }
  post(message, transfer);
  lastSnapshot = performance.now();
}

// How many held-out samples the test accuracy is measured on (evalRows: a balanced prefix).
function evaluated() {
  const cap = trainer.config.evalRows;
  return { test: cap > 0 ? Math.min(cap, trainer.nTest) : trainer.nTest, nTest: trainer.nTest };
}

// After a drag the last batch's losses say nothing of the new weights: the snapshot's
// loss rows become the mean over the shown samples, recomputed (one forward pass).
function editedMetrics(s, forces) {
  const mean = (a) => a.reduce((sum, v) => sum + v, 0) / a.length;
  const base = mean(forces.lossBase), iamPart = mean(forces.lossIam);
  Object.assign(s.metrics, { base, iam: iamPart, loss: base + s.loss.beta * iamPart });
  return { samples: forces.lossBase.length };
}

// The train and test inputs together: a set of your own, as the user placed it.
function wholeSet() {
  const train = trainer.inputs('train'), test = trainer.inputs('test');
  const x = new Float32Array(train.x.length + test.x.length), labels = new Int32Array(train.labels.length + test.labels.length);
  x.set(train.x); x.set(test.x, train.x.length);
  labels.set(train.labels); labels.set(test.labels, train.labels.length);
  return { x, labels };
}

// The images of the test digits a snapshot shows, as bytes (pixels in 0..1 → 0..255).
function digits() {
  const { x } = trainer.shownInputs({ points: POINTS, set: 'test' });
  return { pixels: Uint8Array.from(x, (v) => Math.round(v * 255)), side: Math.round(Math.sqrt(trainer.inputDim)) };
}

// A few test inputs of each class, for the page to show what the data look like
// (glyphs: 8×8 images): { x (count, dim), labels, dim }.
function examples(perClass) {
  const { x, labels } = trainer.inputs('test'), dim = trainer.inputDim;
  const taken = new Map(), rows = [];
  for (let i = 0; i < labels.length; i++) {
    const n = taken.get(labels[i]) ?? 0;
    if (n < perClass) { taken.set(labels[i], n + 1); rows.push(i); }
  }
  rows.sort((a, b) => labels[a] - labels[b] || a - b);
  const out = new Float32Array(rows.length * dim);
  rows.forEach((i, r) => out.set(x.subarray(i * dim, (i + 1) * dim), r * dim));
  return { x: out, labels: Int32Array.from(rows, (i) => labels[i]), dim };
}

// The worker's end: said once, then nothing of the trainer or the library is touched again.
function fault(err, where) {
  if (faulted) return;
  faulted = stopped = true;
  running = false;
  trainer = null;          // not freed: after a trap the library's memory may be corrupt
  iam = null;
  const trap = err instanceof WebAssembly.RuntimeError;
  const message = trap ? `the WebAssembly library trapped (${err.message}) ${where}` : `${err?.message ?? err} (${where})`;
  post({ type: 'fault', kind: trap ? 'trap' : 'error', message });
}

// A function of one export that traps: what the 'trap' test hook runs inside a step.
const TRAP_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0,
  7, 8, 1, 4, 116, 114, 97, 112, 0, 0, 10, 5, 1, 3, 0, 0, 11]);
const trapNow = () => new WebAssembly.Instance(new WebAssembly.Module(TRAP_MODULE)).exports.trap();

function injectFault(kind) {
  if (kind === 'throw') throw new Error('an injected error');
  if (kind === 'uncaught') setTimeout(() => { throw new Error('an injected uncaught error'); }, 0);
  if (kind === 'close') self.close();
  if (kind === 'trap') { trapNext = true; if (trainer && !running) runSteps(1); }
}

// k steps; false when the trainer diverged (it has rolled back, the panel stops) or trapped
function runSteps(k) {
  try {
    if (trapNext) { trapNext = false; trapNow(); }
    trainer.step(k);
    edited = false;
    measured.steps += k;
    return true;
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) { fault(err, 'in a training step'); return false; }
    stopped = true;
    post({ type: 'diverged', message: err.message, divergence: err.divergence ?? null });
    snapshot();
    return false;
  }
}

// The steps to take before the next stop: the target, or a learning-rate change to replay.
function nextStop(step) {
  const change = lrChanges.find((c) => c.step >= step && c.step < target);
  return change ? change.step : target;
}

function applyLrChanges(step) {
  for (const c of lrChanges) if (c.step === step) trainer.setLr(c.lr);
}

function measure(now) {
  if (now - measured.since < 1000) return;
  measured.rate = (measured.steps * 1000) / (now - measured.since);
  measured.steps = 0;
  measured.since = now;
}

// Train toward the target in slices of SLICE_MS, yielding between them to messages.
function train() {
  try { trainSlice(); } catch (err) { fault(err, 'while training'); }
}

function trainSlice() {
  running = false;
  if (!trainer || stopped) return;
  const sliceEnd = performance.now() + SLICE_MS;
  let step = trainer.last().step;
  while (step < target && performance.now() < sliceEnd) {
    applyLrChanges(step);
    const k = Math.max(1, Math.min(nextStop(step) - step, 25));
    if (!runSteps(k)) return;
    step += k;
  }
  const now = performance.now();
  measure(now);
  if (step >= target) snapshot();                       // arrived: draw it, then wait
  else {
    if (now - lastSnapshot >= SNAPSHOT_MS) snapshot();  // catching up: show the way
    running = true;
    setTimeout(train, 0);
  }
}

function setWeight({ j, direction }) {
  if (!trainer) return;
  try {
    trainer.setWeight(j, direction);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;   // a fault, not a refusal
    post({ type: 'error', message: `the weight could not be moved: ${err.message}` });
    return;
  }
  edited = true;
  snapshot();
}

// A saved run's panel: the trainer (just made from the saved config and rows) takes its state back.
function restore(state) {
  if (!trainer) return;
  try {
    trainer.setState(state);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    stopped = true;
    post({ type: 'error', message: `the saved panel could not be restored: ${err.message}` });
    return;
  }
  target = trainer.last().step;
  snapshot(true);
}

function sendState() {
  if (!trainer) { post({ type: 'state', config: null, state: null, lrChanges, step: 0 }); return; }
  const state = trainer.state();
  post({ type: 'state', config: trainer.config, state, lrChanges, step: trainer.last().step }, [state.buffer]);
}

function runTo(step) {
  target = step;
  if (!running) train();
}

function build(config, changes = []) {
  trainer?.free();
  trainer = null;
  target = 0;
  stopped = false;
  edited = false;
  lrChanges = [...changes].sort((p, q) => p.step - q.step);
  try {
    trainer = ROW_KINDS.includes(config.data) ? iam.trainer(config, rows ?? undefined) : iam.trainer(config);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    post({ type: 'error', message: err.message });
    return;
  }
  makeGrid();
  measured = { steps: 0, since: performance.now(), rate: 0 };
  snapshot(true);
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
  if (data.type === 'ping') { self.postMessage({ type: 'pong', wasmBytes: iam?.ex.memory.buffer.byteLength ?? 0 }); return; }
  if (data.type === 'library') { instantiate(data); return; }
  await ready;
  if (!iam || faulted) return;
  try { handle(data); } catch (err) { fault(err, `on the page's '${data.type}'`); }
};

self.addEventListener('error', (event) => { event.preventDefault(); fault(event.error ?? new Error(event.message), 'uncaught'); });
self.addEventListener('unhandledrejection', (event) => { event.preventDefault(); fault(event.reason, 'unhandled'); });

function handle(data) {
  switch (data.type) {
    case 'reset': run = data.run; build(data.config, data.lrChanges); break;
    case 'lrChanges': lrChanges = [...data.lrChanges].sort((p, q) => p.step - q.step); break;
    case 'runTo': runTo(data.step); break;
    case 'setWeight': setWeight(data); break;
    case 'inspect': if (inspecting !== data.on) { inspecting = data.on; if (trainer && data.on) snapshot(); } break;
    case 'fault': injectFault(data.kind); break;
    case 'rows': rows = data.rows; break;
    case 'getState': sendState(); break;
    case 'restore': restore(data.state); break;
  }
}
