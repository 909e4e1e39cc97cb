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
import { panelColor } from './palette.js';
import { el } from './dom.js';

/** The sentence a divergence shows, from its fields ({ failedStep, goodStep, reason }). */
export function divergenceText({ failedStep, goodStep, reason }) {
  return `Diverged at step ${failedStep}: ${reason}. Rolled back to step ${goodStep}. Lower the learning rate, then reset.`;
}

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
    this.exportButton = el('button', { className: 'panel-export', textContent: 'PNG', title: 'save this view as a PNG image' });
    this.exportButton.addEventListener('click', () => this.exportPng());
    const header = el('header', {}, [
      el('span', { className: 'panel-swatch' }), this.kindSelect, iamLabel, this.title, this.exportButton,
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

  /** (Re)start training with a trainer config; makes the worker on first use. */
  async start(config, { dim, play, stepsPerSec }) {
    this.config = config;
    this.notice.hidden = true;
    this.root.classList.remove('is-diverged');
    this.title.textContent = panelLabel(this.token);
    await this.makeView(dim);
    if (!this.worker) {
      this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      this.worker.onmessage = ({ data }) => this.receive(data);
      this.worker.onerror = (event) => this.showProblem(`the training worker failed: ${event.message ?? 'unknown error'}`);
      this.worker.postMessage({ type: 'library', module: compiled.module, simd: compiled.simd });
    }
    this.worker.postMessage({ type: 'speed', stepsPerSec });
    this.worker.postMessage({ type: 'reset', config, play: this.playing ?? play });
  }

  async makeView(dim) {
    if (this.view && this.viewDim === dim) return;
    this.view?.dispose();
    this.viewDim = dim;
    const size = this.root.classList.contains('is-compact') ? 300 : 340;
    if (dim === 3) {
      const { SphereView } = await import('./view3d.js'); // three.js loads only when a sphere is needed
      this.view = new SphereView(this.embedBox, { size });
    } else this.view = new CircleView(this.embedBox, { size });
    if (this.snap) this.dirty = true;
  }

  receive(data) {
    if (data.type === 'snapshot') {
      if (data.dim !== this.viewDim) return; // a snapshot from before a 2-D/3-D switch
      this.snap = data;
      if (data.inputs) this.inputs = data.inputs;
      this.dirty = true;
      this.hooks.onSnapshot?.(this, data);
    } else if (data.type === 'diverged') {
      this.showProblem(data.divergence ? divergenceText(data.divergence) : data.message, true);
      this.hooks.onDiverged?.(this);
    } else if (data.type === 'error') this.showProblem(data.message);
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

  /** Redraw if a snapshot arrived since the last frame. */
  draw() {
    if (!this.dirty || !this.snap || !this.view) return false;
    // a sphere costs a WebGL frame, tens of ms in software GL: at most ~6 a second
    const now = performance.now();
    if (this.viewDim === 3 && now - (this.lastDraw ?? 0) < 160) return false;
    this.lastDraw = now;
    this.dirty = false;
    const snap = this.snap;
    this.view.update(snap);
    if (snap.grid || this.inputs) {
      this.inputView ??= new InputView(this.inputBox, { size: 150 });
      // the heatmap comes with every other snapshot: redraw only when it is new
      if ((snap.grid && snap.grid !== this.lastGrid) || this.inputs !== this.lastInputs) {
        this.inputView.update({ inputs: this.inputs, grid: snap.grid });
        this.lastGrid = snap.grid ?? this.lastGrid;
        this.lastInputs = this.inputs;
      }
      this.inputBox.hidden = false;
    } else this.inputBox.hidden = true;
    const m = snap.metrics;
    const rows = [
      ['step', m.step.toLocaleString('en-US')],
      ['test acc', `${(100 * m.test_acc).toFixed(1)}%`],
      ['min angle', `${m.min_weight_angle_deg.toFixed(1)}°` + (m.packing_limit_deg > 0 ? ` / ${m.packing_limit_deg.toFixed(1)}°` : '')],
      ['L_base', m.base.toFixed(3)],
      ['L_IAM', m.iam.toFixed(3)],
    ];
    if (snap.loss.kind === 'sphereface') rows.push(['λ', snap.loss.lambda.toFixed(1)]);
    // update the numbers in place: rebuilding the nodes ten times a second costs layout
    if (this.stats.childElementCount !== 2 * rows.length)
      this.stats.replaceChildren(...rows.flatMap(([k]) => [el('dt', { textContent: k }), el('dd')]));
    rows.forEach(([, v], k) => {
      const dd = this.stats.children[2 * k + 1];
      if (dd.textContent !== v) dd.textContent = v;
    });
    return true;
  }

  /** Send to the worker; play/pause are remembered for a worker that is still starting. */
  post(message) {
    if (message.type === 'play' || message.type === 'pause') this.playing = message.type === 'play';
    if (message.type === 'step') this.playing = false;
    this.worker?.postMessage(message);
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
