// panel.js: one loss, trained in its own Web Worker, with its views.
//
// The panel owns the DOM of one column (the loss chooser, the embedding view,
// the input-space view, the numbers, the divergence notice) and one worker. It
// only keeps the latest snapshot; the page's render loop calls draw(), which
// redraws only when a new snapshot has arrived.
import { CircleView } from './view2d.js';
import { InputView } from './inputview.js';
import { HeldoutView } from './heldoutview.js';
import { KINDS, parsePanel, withKind, panelLabel } from './state.js';
import { LOSS_LABELS } from '../wasm/presets.js';
import { compiled } from './library.js';
import { workerUrl, workerType } from './sources.js';
import { panelColor } from './palette.js';
import { el } from './dom.js';
import { InspectCard, sampleFacts } from './inspect.js';
import { NormPlot, NORM_PLOT_KINDS } from './normplot.js';

/** The sentence a divergence shows, from its fields ({ failedStep, goodStep, reason }). */
export function divergenceText({ failedStep, goodStep, reason }) {
  return `Diverged at step ${failedStep}: ${reason}. Rolled back to step ${goodStep}. Lower the learning rate, then reset.`;
}

/** A loss value in a cell: fixed digits, or, far from 0 (a run on its way to
 *  diverging), a short exponent that stays inside the cell. */
export function formatLossValue(v, digits = 3) {
  if (!Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e4 ? v.toExponential(1).replace('-', '−') : v.toFixed(digits).replace('-', '−');
}

/** What the test accuracy is measured on: every held-out sample, or (evalRows) a balanced share. */
function testAccTitle(evaluated) {
  if (!evaluated) return 'accuracy on the held-out test samples';
  const n = (v) => v.toLocaleString('en-US');
  return evaluated.test < evaluated.nTest
    ? `accuracy on ${n(evaluated.test)} of the ${n(evaluated.nTest)} held-out test samples, every class alike (to keep the page fast)`
    : `accuracy on all ${n(evaluated.nTest)} held-out test samples`;
}

/** The rows under a view: [label, value, title, extra: true (hidden when presenting) or a class]. */
export function statRows(snap) {
  const m = snap.metrics;
  const rows = [
    ['step', m.step.toLocaleString('en-US'), 'optimizer steps taken', 'in-toolbar'],
    ['test acc', `${(100 * m.test_acc).toFixed(1)}%`, testAccTitle(snap.evaluated)],
    ['min angle', `${m.min_weight_angle_deg.toFixed(1)}°`, 'the smallest angle between class weights'],
    ['L_base', formatLossValue(m.base), 'cross-entropy of the last batch', true],
    ['L_IAM', formatLossValue(m.iam), 'the IAM term of the last batch (≤ −log(C−1))', true],
  ];
  if (snap.edited) {   // a weight was dragged: the last batch's losses would be stale
    const on = `the mean over the ${snap.edited.samples} shown test samples, recomputed with the dragged weights`;
    rows[3] = ['L_base (shown)', rows[3][1], `cross-entropy: ${on}`, true];
    rows[4] = ['L_IAM (shown)', rows[4][1], `the IAM term: ${on}`, true];
  }
  if (m.packing_limit_deg > 0)
    rows.splice(3, 0, ['of at most', `${m.packing_limit_deg.toFixed(1)}°`, 'the packing limit: the largest the smallest angle between C directions can be', true]);
  if (snap.loss.kind === 'sphereface') rows.push(['λ', snap.loss.lambda.toFixed(1), 'SphereFace’s mix λ, as the last step used it', true]);
  // the running state the newer losses keep (src/train.c: the last step's loss config)
  if (snap.loss.kind === 'curricularface')
    rows.push(['t', snap.loss.t.toFixed(3), 'CurricularFace’s t: the running mean of cos θ_y; a hard negative’s logit is c_j (t + c_j)']);
  if (snap.loss.kind === 'adaface')
    rows.push(['μ, σ', `${snap.loss.normMean.toFixed(1)}, ${snap.loss.normStd.toFixed(1)}`,
      'AdaFace’s running mean and spread of the feature norms: ẑ = h (‖x‖ − μ) / σ']);
  if (m.verify_acc > 0)   // identities: the open-set question, on identities never trained on
    rows.push(['verify', `${(100 * m.verify_acc).toFixed(1)}%`, 'open-set verification accuracy: same or different identity, for held-out identities, at the best threshold (10-fold, as LFW)'],
      ['TAR', `${(100 * m.tar_far_1e2).toFixed(1)}%`, 'true accepts at a false-accept rate of 1%, on the held-out identities', true]);
  return rows;
}

/** The margin plot's side in CSS px: 150, and up to 240 beside a large (projected) view. */
const normPlotSize = (viewSize = 340) => Math.round(Math.min(240, Math.max(150, 0.36 * viewSize)));

const NUMBERS_PER_SEC = 4;
const DRAG_MS = 50;   // a dragged weight goes to the worker at most this often
// The heartbeat: a worker that closed or died says nothing, so the panel pings it every
// BEAT_MS and gives it up when a ping is unanswered for DEAD_MS. A worker answers between
// two calls of training (up to 25 steps) or after a snapshot: on 2 cores in software
// rendering, six sphere panels beside four busy processes and another page of six, the
// slowest answer took 1.9 s (bench/RESULTS.md, issue 16). A main thread that was itself
// held up (a long task, a hidden tab's throttled timers) re-arms instead of accusing.
export const BEAT_MS = 1000;
export const DEAD_MS = 6000;

/** The sentence a stopped worker's panel shows. */
export function workerStoppedText(reason) {
  return `The training worker stopped (${reason}).`;
}

export class Panel {
  /** hooks: onToken(panel, token) when the user picks another loss; onSnapshot(panel, snap).
   *  id: the panel's for as long as it lives (its index changes when panels come and go). */
  constructor(parent, { index, token, hooks, id = `p${index}` }) {
    this.index = index;
    this.token = token;
    this.hooks = hooks;
    this.id = id;
    this.dirty = false;
    this.snap = null;
    this.inputs = null;

    const { kind, iam } = parsePanel(token);
    this.kindSelect = el('select', { className: 'panel-kind', title: 'the base loss of this panel' },
      KINDS.map((k) => el('option', { value: k, textContent: LOSS_LABELS[k], selected: k === kind })));
    this.iamBox = el('input', { type: 'checkbox', checked: iam, className: 'panel-iam' });
    const iamLabel = el('label', { className: 'panel-iam-label', title: 'add β·L_IAM to this loss' }, [this.iamBox, ' + IAM']);
    this.kindSelect.addEventListener('change', () => this.changed());
    this.iamBox.addEventListener('change', () => this.changed());
    this.title = el('span', { className: 'panel-title', textContent: panelLabel(token) });
    // what the kind select and the IAM box cannot say: SphereFace with a fixed λ
    this.badge = el('span', { className: 'panel-badge', title: 'SphereFace with λ fixed: no annealing' });
    this.exportButton = el('button', { className: 'panel-export', textContent: 'PNG', title: 'save this view as a PNG image' });
    this.exportButton.addEventListener('click', () => this.exportPng());
    // the panel's own settings, its editor, duplicate, remove and sweep (compare.js, made by main.js)
    this.toolsSlot = el('span', { className: 'panel-tools' });
    const header = el('header', {}, [
      el('span', { className: 'panel-swatch' }), this.kindSelect, iamLabel, this.badge, this.toolsSlot, this.title, this.exportButton,
    ]);

    this.embedBox = el('div', { className: 'panel-embed' });
    this.inputBox = el('div', { className: 'panel-input' });
    this.normBox = el('div', { className: 'panel-normplot', hidden: true });   // AdaFace, MagFace: margin against ‖x‖
    this.stats = el('dl', { className: 'panel-stats' });
    this.notice = el('div', { className: 'panel-diverged', hidden: true });
    this.dragNote = el('div', { className: 'panel-dragnote', hidden: true });   // a weight moved by hand
    this.root = el('section', { className: 'panel', id: this.id }, [
      header, el('div', { className: 'panel-views' }, [this.embedBox, this.normBox, this.inputBox]), this.stats, this.notice, this.dragNote,
    ]);
    this.root.dataset.token = token;
    parent.append(this.root);
    this.setIndex(index);
  }

  /** The panel's place on the page; its colour is the place's, as in the charts. */
  setIndex(index) {
    this.index = index;
    this.root.querySelector('.panel-swatch').style.background = panelColor(index);
  }

  // another base loss or IAM on or off: the panel's own settings that still apply stay
  changed() {
    this.hooks.onToken(this, withKind(this.token, this.kindSelect.value, this.iamBox.checked));
  }

  /** (Re)start training from step 0 with a trainer config, and train on to `target`
   *  (the clock's step, which the other panels may have reached already). */
  async start(config, { dim, target = 0, lrChanges = [] }) {
    this.config = config;
    this.run = (this.run ?? 0) + 1;     // snapshots of an older run are dropped
    this.reached = -1;                  // no snapshot of this run yet
    this.stopped = false;
    this.inputs = this.examples = null;
    this.lastGrid = this.lastInputs = null;
    this.inputBox.hidden = true;
    this.notice.hidden = true;
    this.drags = [];
    this.dragNote.hidden = true;
    this.hover(null);
    this.root.classList.remove('is-diverged');
    this.title.textContent = panelLabel(this.token);
    const { kind, iam, fixed } = parsePanel(this.token);
    this.kindSelect.value = kind;
    this.iamBox.checked = iam;
    // the value is in the settings line beside it (compare.js); the badge says it does not anneal
    this.badge.textContent = fixed ? 'λ fixed' : '';
    this.badge.title = `SphereFace with λ fixed at ${config.loss.lambda ?? 0}: no annealing`;
    this.badge.hidden = !fixed;
    await this.makeView(dim);
    if (!this.worker) this.makeWorker();    // a new one after a fault: the old one is gone
    this.worker.postMessage({ type: 'reset', config, lrChanges, run: this.run });
    if (target > 0) this.runTo(target);
  }

  makeWorker() {
    const worker = this.worker = new Worker(workerUrl(), { type: workerType });
    worker.onmessage = ({ data }) => this.receive(data);
    worker.onerror = (event) => { event.preventDefault?.(); this.fail(event.message || 'it could not run', worker); };
    worker.onmessageerror = () => this.fail('a message from it could not be read', worker);
    worker.postMessage({ type: 'library', module: compiled.module, simd: compiled.simd });
    this.inspecting = false;
    this.inspect();
    this.beat = { pingAt: null, checkedAt: performance.now(), slowest: 0 };
    clearInterval(this.beatTimer);
    this.beatTimer = setInterval(() => this.checkBeat(), BEAT_MS);
  }

  // one heartbeat: give the worker up when its last ping went unanswered for DEAD_MS
  checkBeat(now = performance.now()) {
    const beat = this.beat;
    if (now - beat.checkedAt > 3 * BEAT_MS) beat.pingAt = null;   // this thread was held up, not the worker
    beat.checkedAt = now;
    if (beat.pingAt !== null && now - beat.pingAt > DEAD_MS) {
      this.fail(`it has not answered for ${Math.round((now - beat.pingAt) / 1000)} s`);
      return;
    }
    if (beat.pingAt === null) { beat.pingAt = now; this.worker?.postMessage({ type: 'ping' }); }
  }

  /** The worker is dead or faulted: it goes, the panel stops and offers a restart
   *  (start() makes a new worker). `worker`: the one that failed (an older one is ignored). */
  fail(reason, worker = this.worker) {
    if (!worker || worker !== this.worker) return;
    clearInterval(this.beatTimer);
    worker.terminate();
    this.worker = null;
    this.stopped = true;
    this.faults = (this.faults ?? 0) + 1;
    this.showProblem(workerStoppedText(reason), 'Restart this panel');
    this.hooks.onDiverged?.(this);   // the clock no longer waits for it
  }

  /** Draw the force arrows or not (the worker sends them with every snapshot). */
  setForces(on) {
    this.forces = on;
    this.view?.setForces(on);
    this.inspect();
  }

  /** The worker sends the forces while they are drawn or the pointer is over the view. */
  inspect() {
    const on = !!(this.forces || this.pointerIn || this.dragging);
    if (on !== this.inspecting) { this.inspecting = on; this.worker?.postMessage({ type: 'inspect', on }); }
  }

  /** The clock stopped or started: a weight can be dragged only while it is stopped;
   *  playing on trains from the dragged state, and the drags can no longer be undone. */
  setPaused(paused) {
    this.paused = paused;
    if (!paused && this.drags?.length) { this.drags = []; this.dragNote.hidden = true; }
    this.embedBox.classList.toggle('can-drag', paused);
  }

  /** Train up to this step (the clock's target). */
  runTo(step) { if (!this.stopped) this.worker?.postMessage({ type: 'runTo', step }); }

  /** Replace the learning-rate changes to replay ([{ step, lr }]). */
  setLrChanges(lrChanges) { this.worker?.postMessage({ type: 'lrChanges', lrChanges }); }

  /** The view's size in CSS px, as the page's layout gives it (main.js). */
  fit(size) {
    this.size = Math.max(80, Math.floor(size));
    if (this.view && Math.abs(this.view.size - this.size) >= 2) {
      this.view.resize(this.size);
      this.dirty = !!this.snap;
    }
  }

  async makeView(dim) {
    if (this.view && this.viewDim === dim) return;
    this.view?.dispose();
    this.viewDim = dim;
    const size = this.size ?? 340;
    if (dim === 3) {
      const { SphereView } = await import('./view3d.js'); // three.js loads only when a sphere is needed
      this.view = new SphereView(this.embedBox, { size });
    } else this.view = new CircleView(this.embedBox, { size });
    this.view.setForces(!!this.forces);
    this.listen(this.view.canvas);
    if (this.snap) this.dirty = true;
  }

  // The pointer on the view: hover (or tap) a sample for its card; drag a spoke while paused.
  listen(canvas) {
    this.card ??= new InspectCard(this.embedBox);
    const at = (event) => { const r = canvas.getBoundingClientRect(); return [event.clientX - r.left, event.clientY - r.top]; };
    canvas.addEventListener('pointermove', (event) => {
      const [x, y] = at(event);
      if (this.dragging) { this.dragTo(x, y); return; }
      const hit = this.view.pick(x, y);
      canvas.style.cursor = hit?.weight !== undefined && this.paused && this.viewDim === 2 ? 'grab' : '';
      this.hover(hit?.sample ?? null, x, y);
    });
    canvas.addEventListener('pointerenter', () => { this.pointerIn = true; this.inspect(); });
    canvas.addEventListener('pointerleave', (event) => {
      if (event.pointerType === 'touch') return;   // a tapped card stays until the next tap
      this.pointerIn = false;
      this.inspect();
      if (!this.dragging) this.hover(null);
    });
    canvas.addEventListener('pointerdown', (event) => {
      const [x, y] = at(event), hit = this.view.pick(x, y);
      if (hit?.weight !== undefined && this.paused && this.viewDim === 2) {
        canvas.setPointerCapture(event.pointerId);
        this.startDrag(hit.weight);
        event.preventDefault();
      } else this.hover(hit?.sample ?? null, x, y);   // a tap on a touch screen
    });
    const drop = () => { if (this.dragging) this.endDrag(); };
    canvas.addEventListener('pointerup', drop);
    canvas.addEventListener('pointercancel', drop);
  }

  // A dragged spoke: the view follows the hand at once (the ring and the bands are the
  // view's geometry), and the worker turns the weight and answers with a snapshot of
  // what the trainer computes from it (accuracy, margins, the losses), at most every
  // DRAG_MS while the hand moves, and once more where it lets go.
  startDrag(j) {
    this.dragging = { j, sentAt: -Infinity };
    this.drags ??= [];
    this.drags.push({ j, direction: Array.from(this.snap.weights.subarray(2 * j, 2 * j + 2)) });
    this.hover(null);
  }

  dragTo(x, y) {
    const { j } = this.dragging, [dx, dy] = this.view.directionAt(x, y), r = Math.hypot(dx, dy);
    if (r < 4) return;                                  // at the centre there is no direction
    this.dragging.direction = [dx / r, dy / r];
    this.snap.weights.set(this.dragging.direction, 2 * j);
    this.view.update(this.snap);
    const now = performance.now();
    if (now - this.dragging.sentAt >= DRAG_MS) { this.sendWeight(j, [dx / r, dy / r]); this.dragging.sentAt = now; }
  }

  endDrag() {
    const { j } = this.dragging;
    this.dragging = null;
    this.sendWeight(j, Array.from(this.snap.weights.subarray(2 * j, 2 * j + 2)));
    this.showDragNote();
  }

  sendWeight(j, direction) { this.worker?.postMessage({ type: 'setWeight', j, direction }); }

  /** Put the weights back as they were before the drags (newest first). */
  undoDrags() {
    for (const { j, direction } of this.drags.reverse()) this.sendWeight(j, direction);
    this.drags = [];
    this.dragNote.hidden = true;
  }

  showDragNote() {
    const classes = [...new Set(this.drags.map((d) => d.j))].join(', ');
    const undo = el('button', { textContent: 'Undo', className: 'panel-undo', title: 'put the weights back where training had them' });
    undo.addEventListener('click', () => this.undoDrags());
    this.dragNote.replaceChildren(el('p', { textContent: `Moved by hand at step ${this.reached.toLocaleString('en-US')}: `
      + `W${classes}. Play trains on from here; the link does not record it.` }), undo);
    this.dragNote.hidden = false;
  }

  /** Show sample i's card beside (x, y) and light it up; null hides it. */
  hover(i, x = this.hoverAt?.[0], y = this.hoverAt?.[1]) {
    this.hovered = i;
    this.hoverAt = [x, y];
    // the shown samples' images (MNIST), if the run has them: thumbnails round the focus
    this.view?.setDigits?.(i === null ? null : this.digits ?? null);
    this.view?.setFocus(i);
    // the forces (losses, margins) come with the next snapshot once the pointer is in
    if (i === null || !this.snap?.forces) { this.card?.hide(); return; }
    this.card.show(sampleFacts(this.snap, i), this.config?.data, x, y, this.digits ?? null);
  }

  receive(data) {
    if (data.type === 'pong') {
      if (this.beat.pingAt !== null) this.beat.slowest = Math.max(this.beat.slowest, performance.now() - this.beat.pingAt);
      this.beat.pingAt = null;
      this.beat.wasmBytes = data.wasmBytes;
      return;
    }
    if (data.type === 'fault') { this.fail(data.message); return; }   // whichever run: the worker is done
    if (data.run !== this.run) return;   // from before the last restart
    if (data.type === 'snapshot') {
      if (data.dim !== this.viewDim) return; // the view is still being made
      if (data.examples) this.examples = data.examples;
      else data.examples = this.examples;     // what the data look like: kept for the run
      // mid-drag, the hand is ahead of the worker's answer: the spoke stays under the hand
      if (this.dragging?.direction) data.weights.set(this.dragging.direction, 2 * this.dragging.j);
      this.snap = data;
      this.reached = data.step;
      if (data.inputs) this.inputs = data.inputs;
      if (data.digits) this.digits = data.digits;   // MNIST: the shown test digits' images (worker.js), for the hover thumbnails
      this.dirty = true;
      this.hooks.onSnapshot?.(this, data);
    } else if (data.type === 'diverged') {
      this.stopped = true;
      this.showProblem(data.divergence ? divergenceText(data.divergence) : data.message, 'Reset this panel');
      this.hooks.onDiverged?.(this);
    } else if (data.type === 'error') {
      this.stopped = true;
      this.showProblem(data.message);
    }
  }

  /** The panel's notice; action: the label of a button that restarts the panel, if any. */
  showProblem(message, action = null) {
    this.notice.replaceChildren(el('p', { textContent: message }));
    if (action) {
      const reset = el('button', { textContent: action, className: 'panel-reset' });
      reset.addEventListener('click', () => this.hooks.onReset?.(this));
      this.notice.append(reset);
    }
    this.notice.hidden = false;
    this.root.classList.add('is-diverged');
  }

  /** Whether a snapshot arrived that is not drawn yet. */
  wantsDraw() { return this.dirty && !!this.snap && !!this.view; }

  /** Redraw if a snapshot arrived since the last frame. */
  draw() {
    if (!this.dirty || !this.snap || !this.view) return false;
    const now = performance.now();
    this.lastDraw = now;
    this.dirty = false;
    this.view.update(this.snap);
    if (this.hovered !== null && this.hovered !== undefined) this.hover(this.hovered);   // the card follows the run
    this.drawInputs(this.snap);
    this.drawNormPlot(this.snap);
    // text changes cost the page a layout: the numbers follow at most NUMBERS_PER_SEC
    // times a second; flushNumbers() catches up when the clock stops
    this.numbersStale = true;
    if (now - (this.lastNumbers ?? -Infinity) >= 1000 / NUMBERS_PER_SEC) this.flushNumbers(now);
    return true;
  }

  /** Show the numbers of the latest snapshot drawn, if they are not shown yet. */
  flushNumbers(now = performance.now()) {
    if (!this.numbersStale || !this.snap) return;
    this.numbersStale = false;
    this.lastNumbers = now;
    this.showNumbers(statRows(this.snap));
  }

  /** The input plane (2-D inputs): redrawn only when its heatmap or its samples are new. */
  drawInputs(snap) {
    if (snap.heldout) { this.drawHeldout(snap); return; }
    if (!snap.grid && !this.inputs) { this.inputBox.hidden = true; return; }
    if (this.heldoutView) { this.heldoutView.dispose(); this.heldoutView = null; }
    this.inputView ??= new InputView(this.inputBox, { size: 150 });
    if ((snap.grid && snap.grid !== this.lastGrid) || this.inputs !== this.lastInputs) {
      this.inputView.update({ inputs: this.inputs, grid: snap.grid });
      this.lastGrid = snap.grid ?? this.lastGrid;
      this.lastInputs = this.inputs;
    }
    this.inputBox.hidden = false;
  }

  /** AdaFace and MagFace: the margin against the norm, the shown samples marked on it. */
  drawNormPlot(snap) {
    const wanted = NORM_PLOT_KINDS.includes(snap.loss.kind) && !!snap.norms;
    this.normBox.hidden = !wanted;
    if (!wanted) return;
    this.normPlot ??= new NormPlot(this.normBox, { size: normPlotSize(this.size) });
    this.normPlot.resize(normPlotSize(this.size));
    this.normPlot.update(snap);
  }

  /** Identities: the held-out people's features beside the trained view (the open-set question). */
  drawHeldout(snap) {
    if (!this.heldoutView) {
      this.inputBox.replaceChildren();
      this.inputView = null;
      this.heldoutView = new HeldoutView(this.inputBox, { size: 150 });
    }
    this.heldoutView.update({ heldout: snap.heldout, weights: snap.weights, dim: snap.dim });
    this.inputBox.hidden = false;
  }

  /** The numbers under the view, updated in place: rebuilding the nodes ten times a
   *  second costs layout. Rows marked extra (or with a class that says where else the
   *  number is shown) hide in presentation mode. */
  showNumbers(rows) {
    if (this.stats.dataset.keys !== rows.map((r) => r[0]).join()) {
      this.stats.dataset.keys = rows.map((r) => r[0]).join();
      this.stats.replaceChildren(...rows.flatMap(([k, , title, extra]) => {
        const className = extra === true ? 'extra' : extra || '';
        return [el('dt', { textContent: k, title: title ?? '', className }), el('dd', { className })];
      }));
    }
    rows.forEach(([, v], k) => {
      const dd = this.stats.children[2 * k + 1];
      if (dd.textContent !== v) dd.textContent = v;
    });
  }

  exportPng() {
    const canvas = this.view?.canvas;
    if (!canvas) return;
    const link = el('a', { download: `${this.token.replace(/\+/g, '-')}-step${this.snap?.step ?? 0}.png`, href: canvas.toDataURL('image/png') });
    link.click();
  }

  /** A test hook (tests/faults.test.mjs): the worker's faults (worker.js), or 'terminate':
   *  the worker killed from here, unannounced, as a crashed one would vanish. */
  injectFault(kind) {
    if (kind === 'terminate') this.worker?.terminate();
    else this.worker?.postMessage({ type: 'fault', kind });
  }

  dispose() {
    clearInterval(this.beatTimer);
    this.worker?.terminate();
    this.view?.dispose();
    this.root.remove();
  }
}
