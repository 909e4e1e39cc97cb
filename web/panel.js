// panel.js: one loss, trained in its own Web Worker, with its views.
//
// The panel owns the DOM of one column (the loss chooser, the embedding view,
// the input-space view, the numbers, the divergence notice) and one worker. It
// only keeps the latest snapshot; the page's render loop calls draw(), which
// redraws only when a new snapshot has arrived.
import { CircleView } from './view2d.js';
import { InputView } from './inputview.js';
import { KINDS, parsePanel, panelToken, panelLabel } from './state.js';
import { LOSS_LABELS } from '../wasm/presets.js';
import { compiled } from './library.js';
import { workerUrl, workerType } from './sources.js';
import { panelColor } from './palette.js';
import { el } from './dom.js';

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

/** The rows under a view: [label, value, title, extra: true (hidden when presenting) or a class]. */
export function statRows(snap) {
  const m = snap.metrics;
  const rows = [
    ['step', m.step.toLocaleString('en-US'), 'optimizer steps taken', 'in-toolbar'],
    ['test acc', `${(100 * m.test_acc).toFixed(1)}%`],
    ['min angle', `${m.min_weight_angle_deg.toFixed(1)}°`, 'the smallest angle between class weights'],
    ['L_base', formatLossValue(m.base), 'cross-entropy of the last batch', true],
    ['L_IAM', formatLossValue(m.iam), 'the IAM term of the last batch (≤ −log(C−1))', true],
  ];
  if (m.packing_limit_deg > 0)
    rows.splice(3, 0, ['of at most', `${m.packing_limit_deg.toFixed(1)}°`, 'the packing limit: the largest the smallest angle between C directions can be', true]);
  if (snap.loss.kind === 'sphereface') rows.push(['λ', snap.loss.lambda.toFixed(1), 'SphereFace’s mix λ, as the last step used it', true]);
  if (m.verify_acc > 0)   // identities: the open-set question, on identities never trained on
    rows.push(['verify', `${(100 * m.verify_acc).toFixed(1)}%`, 'open-set verification accuracy: same or different identity, for held-out identities, at the best threshold (10-fold, as LFW)'],
      ['TAR', `${(100 * m.tar_far_1e2).toFixed(1)}%`, 'true accepts at a false-accept rate of 1%, on the held-out identities', true]);
  return rows;
}

const NUMBERS_PER_SEC = 4;

export class Panel {
  /** hooks: onToken(panel, token) when the user picks another loss; onSnapshot(panel, snap) */
  constructor(parent, { index, token, hooks }) {
    this.index = index;
    this.token = token;
    this.hooks = hooks;
    this.id = `p${index}`;
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
    const header = el('header', {}, [
      el('span', { className: 'panel-swatch' }), this.kindSelect, iamLabel, this.badge, this.title, this.exportButton,
    ]);
    header.querySelector('.panel-swatch').style.background = panelColor(index);

    this.embedBox = el('div', { className: 'panel-embed' });
    this.inputBox = el('div', { className: 'panel-input' });
    this.stats = el('dl', { className: 'panel-stats' });
    this.notice = el('div', { className: 'panel-diverged', hidden: true });
    this.root = el('section', { className: 'panel', id: this.id }, [
      header, el('div', { className: 'panel-views' }, [this.embedBox, this.inputBox]), this.stats, this.notice,
    ]);
    this.root.dataset.token = token;
    parent.append(this.root);
  }

  changed() {
    const previous = parsePanel(this.token);
    const token = panelToken({ kind: this.kindSelect.value, iam: this.iamBox.checked, fixed: previous.fixed });
    this.hooks.onToken(this, token);
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
    this.root.classList.remove('is-diverged');
    this.title.textContent = panelLabel(this.token);
    const { kind, iam, fixed } = parsePanel(this.token);
    this.kindSelect.value = kind;
    this.iamBox.checked = iam;
    this.badge.textContent = fixed ? `λ fixed at ${config.loss.lambda}` : '';
    this.badge.hidden = !fixed;
    await this.makeView(dim);
    if (!this.worker) {
      this.worker = new Worker(workerUrl(), { type: workerType });
      this.worker.onmessage = ({ data }) => this.receive(data);
      this.worker.onerror = (event) => this.showProblem(`the training worker failed: ${event.message ?? 'unknown error'}`);
      this.worker.postMessage({ type: 'library', module: compiled.module, simd: compiled.simd });
    }
    this.worker.postMessage({ type: 'reset', config, lrChanges, run: this.run });
    if (target > 0) this.runTo(target);
  }

  /** Draw the force arrows (and ask the worker for them) or not. */
  setForces(on) { this.forces = on; }

  /** The clock stopped or started: a weight can be dragged only while it is stopped. */
  setPaused(paused) { this.paused = paused; }

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
    if (this.snap) this.dirty = true;
  }

  receive(data) {
    if (data.run !== this.run) return;   // from before the last restart
    if (data.type === 'snapshot') {
      if (data.dim !== this.viewDim) return; // the view is still being made
      if (data.examples) this.examples = data.examples;
      else data.examples = this.examples;     // what the data look like: kept for the run
      this.snap = data;
      this.reached = data.step;
      if (data.inputs) this.inputs = data.inputs;
      this.dirty = true;
      this.hooks.onSnapshot?.(this, data);
    } else if (data.type === 'diverged') {
      this.stopped = true;
      this.showProblem(data.divergence ? divergenceText(data.divergence) : data.message, true);
      this.hooks.onDiverged?.(this);
    } else if (data.type === 'error') {
      this.stopped = true;
      this.showProblem(data.message);
    }
  }

  showProblem(message, canReset = false) {
    this.notice.replaceChildren(el('p', { textContent: message }));
    if (canReset) {
      const reset = el('button', { textContent: 'Reset this panel', className: 'panel-reset' });
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
    this.drawInputs(this.snap);
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
    if (!snap.grid && !this.inputs) { this.inputBox.hidden = true; return; }
    this.inputView ??= new InputView(this.inputBox, { size: 150 });
    if ((snap.grid && snap.grid !== this.lastGrid) || this.inputs !== this.lastInputs) {
      this.inputView.update({ inputs: this.inputs, grid: snap.grid });
      this.lastGrid = snap.grid ?? this.lastGrid;
      this.lastInputs = this.inputs;
    }
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

  dispose() {
    this.worker?.terminate();
    this.view?.dispose();
    this.root.remove();
  }
}
