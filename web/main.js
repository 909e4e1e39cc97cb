// main.js: the page. It reads the state from the URL, builds the panels, the
// controls, the charts and the teaching curves, and keeps them in step.
//
// Flow: a control changes → the state changes → the hash is rewritten → the
// panels restart (or, for speed and learning rate, just carry on). Each panel's
// worker posts snapshots; one requestAnimationFrame loop redraws what changed.
import { parseHash, toHash, reconcile, parsePanel, panelLabel, marginsOf, SPEEDS, MARGIN_STATE } from './state.js';
import { Panel } from './panel.js';
import { Controls } from './controls.js';
import { storyById } from './stories.js';
import { LiveCharts } from './charts.js';
import { TeachingCurves } from './curves.js';
import { panelColor } from './palette.js';
import { trainerPreset } from '../wasm/presets.js';

const $ = (id) => document.getElementById(id);

// settings that only change how fast or how the page looks: no restart needed
const LIVE_FIELDS = new Set(['speed', 'lr', 'hide', 'story']);

let { state, notices } = parseHash(location.hash);
let panels = [];
let playing = false;
let controls, charts, curves;

/** The trainer config of one panel, from the state and its token. */
export function panelConfig(st, token) {
  const { kind, iam, fixed } = parsePanel(token);
  const loss = { scale: st.scale, beta: iam ? st.beta : 0 };
  if (MARGIN_STATE[kind]) loss.margin = st[MARGIN_STATE[kind]];
  if (kind === 'sphereface') loss.lambda = st.lambda;
  return trainerPreset(kind, {
    data: st.data, classes: st.classes, dim: st.dim, seed: st.seed, optimizer: st.optimizer, lr: st.lr,
    batchSize: st.batch, anneal: kind === 'sphereface' ? st.anneal && !fixed : true,
  }, loss);
}

function showNotices(list) {
  const box = $('notices');
  if (!list.length) { box.hidden = true; return; }
  box.replaceChildren(...list.map((text) => Object.assign(document.createElement('p'), { textContent: text })));
  const close = Object.assign(document.createElement('button'), { textContent: '×', title: 'dismiss', className: 'notices-close' });
  close.addEventListener('click', () => { box.hidden = true; });
  box.append(close);
  box.hidden = false;
}

function applyHidden() {
  for (const part of ['controls', 'charts', 'curves', 'formulas', 'input', 'caption', 'stats'])
    document.body.classList.toggle(`hide-${part}`, state.hide.includes(part));
}

function showCaption() {
  const story = storyById(state.story);
  $('caption-title').textContent = story ? story.title : '';
  $('caption-text').textContent = story ? story.caption : '';
  $('caption').hidden = !story;
}

function writeHash() {
  const hash = toHash(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/** SphereFace's λ as the first SphereFace panel's last step used it (annealed or fixed). */
function sphereLambda() {
  const panel = panels.find((p) => p.snap?.loss.kind === 'sphereface');
  return panel ? panel.snap.loss.lambda : state.lambda;
}

// The SphereFace curve follows the λ the trainer anneals, redrawn when it moved by 2%.
let curveLambda = NaN;
function followLambda() {
  const lambda = sphereLambda();
  if (!(Math.abs(lambda - curveLambda) <= 0.02 * Math.max(1, curveLambda))) {
    curveLambda = lambda;
    curves?.update(curveParams());
  }
}

function curveParams() {
  return { scale: state.scale, beta: state.beta, classes: state.classes, lambda: sphereLambda(), margins: marginsOf(state) };
}

function chartPanels() {
  return panels.map((p) => ({ id: p.id, label: panelLabel(p.token), color: panelColor(p.index) }));
}

function buildPanels() {
  for (const p of panels) p.dispose();
  const grid = $('panels');
  grid.dataset.count = state.panels.length;
  panels = state.panels.map((token, index) => new Panel(grid, {
    index, token, hooks: {
      onToken: (panel, newToken) => { state.panels[panel.index] = newToken; state.story = ''; rebuild(); },
      onSnapshot: (panel, snap) => { charts?.push(panel.id, snap.metrics, snap.histogram); followLambda(); },
      onReset: (panel) => startPanel(panel),
      onDiverged: () => updatePlayButton(),
    },
  }));
  charts?.setPanels(chartPanels());
}

function startPanel(panel) {
  charts?.resetPanel(panel.id);
  panel.start(panelConfig(state, panel.token), { dim: state.dim, play: playing, stepsPerSec: SPEEDS[state.speed] });
}

/** Everything restarts from step 0 with the current state. */
function rebuild() {
  writeHash();
  applyHidden();
  showCaption();
  controls.set(state);
  curves.update(curveParams());
  const tokens = panels.map((p) => p.token).join(',');
  if (tokens !== state.panels.join(',')) buildPanels();
  for (const panel of panels) startPanel(panel);
}

function setPlaying(on) {
  playing = on;
  for (const p of panels) p.post({ type: on ? 'play' : 'pause' });
  updatePlayButton();
}

function updatePlayButton() { controls.setPlaying(playing); }

function commit(partial) {
  const restart = Object.keys(partial).some((k) => !LIVE_FIELDS.has(k));
  Object.assign(state, partial);
  const extra = reconcile(state);
  if (extra.length) showNotices(extra);
  if (restart) { state.story = ''; rebuild(); return; }
  writeHash();
  if ('speed' in partial) for (const p of panels) p.post({ type: 'speed', stepsPerSec: SPEEDS[state.speed] });
  if ('lr' in partial) for (const p of panels) p.post({ type: 'lr', lr: state.lr });
}

function chooseStory(id) {
  const story = storyById(id);
  if (!story) { state.story = ''; showCaption(); writeHash(); return; }
  Object.assign(state, structuredClone(story.state), { story: id });
  reconcile(state);
  rebuild();
  setPlaying(true);
}

function onKey(event) {
  if (event.target.closest?.('input, select, textarea') && event.key !== ' ') return;
  if (event.target.closest?.('input[type=number], select, textarea')) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === ' ') { event.preventDefault(); setPlaying(!playing); }
  else if (event.key === 's') { setPlaying(false); for (const p of panels) p.post({ type: 'step', k: 1 }); }
  else if (event.key === 'r') rebuild();
}

// one animation loop: redraw panels that received a snapshot, count frames
// counts animation frames, and the frames in which a view really redrew
const meter = { frames: 0, viewFrames: 0, since: performance.now(), fps: 0, viewFps: 0, totalViewFrames: 0 };
function frame(now) {
  let drew = false;
  for (const p of panels) drew = p.draw() || drew;
  meter.frames++;
  if (drew) { meter.viewFrames++; meter.totalViewFrames++; }
  if (now - meter.since >= 1000) {
    meter.fps = (meter.frames * 1000) / (now - meter.since);
    meter.viewFps = (meter.viewFrames * 1000) / (now - meter.since);
    meter.frames = meter.viewFrames = 0;
    meter.since = now;
    const rate = panels.reduce((sum, p) => sum + (p.snap?.stepsPerSec ?? 0), 0);
    controls.setRates(`${meter.fps.toFixed(0)} fps · ${Math.round(rate).toLocaleString('en-US')} steps/s in all`);
    document.body.dataset.fps = meter.fps.toFixed(1);
    document.body.dataset.stepsPerSec = rate.toFixed(0);
  }
  requestAnimationFrame(frame);
}

function init() {
  if (state.story && !storyById(state.story)) { notices.push(`unknown story '${state.story}'; ignored`); state.story = ''; }
  controls = new Controls($('controls-slot'), state, {
    preview: (partial) => curves.update({ ...curveParams(), ...previewParams(partial) }),
    commit, story: chooseStory, play: () => setPlaying(!playing),
    step: () => { setPlaying(false); for (const p of panels) p.post({ type: 'step', k: 1 }); },
    reset: () => rebuild(), notice: (text) => showNotices([text]),
  });
  curves = new TeachingCurves($('curves'));
  buildPanels();
  charts = new LiveCharts($('charts'), chartPanels());
  addExportButtons();
  showNotices(notices);
  rebuild();
  setPlaying(true);
  addEventListener('keydown', onKey);
  addEventListener('hashchange', () => {
    if (location.hash === toHash(state)) return;
    const parsed = parseHash(location.hash);
    state = parsed.state;
    showNotices(parsed.notices);
    rebuild();
  });
  requestAnimationFrame(frame);
  // a read-only window for the end-to-end tests and for the curious console user
  window.iamDemo = {
    state: () => structuredClone(state),
    panels: () => panels.map((p) => ({ id: p.id, token: p.token, step: p.snap?.step ?? -1, metrics: p.snap?.metrics ?? null, diverged: p.root.classList.contains('is-diverged') })),
    fps: () => meter.fps,
    viewFrames: () => meter.totalViewFrames,
  };
  document.body.dataset.ready = '1';
}

// every chart and curve gets a PNG button, like the panels
function addExportButtons() {
  for (const figure of document.querySelectorAll('figure[data-chart]')) {
    const button = Object.assign(document.createElement('button'), { textContent: 'PNG', className: 'chart-export', title: 'save this chart as a PNG image' });
    button.addEventListener('click', () => {
      const canvas = figure.querySelector('canvas');
      if (!canvas) return;
      Object.assign(document.createElement('a'), { download: `${figure.dataset.chart}.png`, href: canvas.toDataURL('image/png') }).click();
    });
    figure.prepend(button);
  }
}

function previewParams(partial) {
  const p = {};
  if ('scale' in partial) p.scale = partial.scale;
  if ('beta' in partial) p.beta = partial.beta;
  if ('classes' in partial) p.classes = partial.classes;
  if ('lambda' in partial && !state.anneal) p.lambda = partial.lambda;
  for (const [kind, field] of Object.entries(MARGIN_STATE))
    if (field in partial) p.margins = { ...curveParams().margins, [kind]: partial[field] };
  return p;
}

init();
