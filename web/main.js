// main.js: the page. It reads the state from the URL, builds the panels, the
// controls, the charts and the teaching curves, and keeps them in step.
//
// Flow: a control changes → the state changes → the hash is rewritten → the panels
// whose training config changed restart (the others carry on). One clock
// (clock.js) hands every panel the same target step; each panel's worker trains to
// it and posts a snapshot; one requestAnimationFrame loop redraws what changed and
// moves the clock on when every panel has arrived. The page starts paused at step 0.
import { parseHash, toHash, reconcile, panelLabel, panelConfig, parsePanel, marginsOf, defaultState, SPEEDS, MARGIN_STATE, HIDEABLE,
  clearOverrides, keptPanels, FIELDS, dataDefaults, addPanel, duplicatePanel, removePanel, sweepPanels, sweepTokens } from './state.js';
import { LockStep, STEP_CHUNK, FRAME_GOALS } from './clock.js';
import { Panel } from './panel.js';
import { Controls } from './controls.js';
import { storyById } from './stories.js';
import { LiveCharts } from './charts.js';
import { TeachingCurves } from './curves.js';
import { panelColor } from './palette.js';
import { bestGrid } from './layout.js';
import { DataNote } from './datanote.js';
import { PanelTools, PanelBar } from './compare.js';
import { DataTools } from './datatools.js';
import { mnistSet, generatedSet, generatedInputDim, linkPoints, setFromPoints, addPoint, removeNearest, emptySet, makeSet,
  trainError } from './dataset.js';
import { decodeCsvBytes, toCsv } from '../wasm/csv.js';
import { ROW_KINDS } from '../wasm/trainer.js';
import { runBytes, readRun, RUN_FILE } from './runio.js';

const $ = (id) => document.getElementById(id);

// settings that change no panel's training: they apply at once
const LIVE_FIELDS = new Set(['speed', 'hide', 'story', 'until', 'play', 'lrChanges', 'present', 'forces']);

let { state, notices } = parseHash(location.hash);
let panels = [];
let controls, charts, curves, dataNote, panelBar, dataTools;
// data 'rows': the set the panels train on (dataset.js; state.points is the link's copy
// of a small one); pendingSet: an edited set that cannot train yet (the planes show it);
// generatedFrom: the generated kind that regenerate goes back to
let ownSet = state.data === 'rows' ? setFromPoints(state.points) : null, pendingSet = null, generatedFrom = FIELDS.data.def;
const clock = new LockStep({ stepsPerSec: SPEEDS[state.speed] });

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
  for (const part of HIDEABLE) document.body.classList.toggle(`hide-${part}`, state.hide.includes(part));
  document.body.classList.toggle('present', state.present);
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

// The SphereFace curve follows the λ the trainer anneals: redrawn when λ moved by 2%,
// at most once a second while training (the curves and formulas cost a few ms each).
let curveLambda = NaN, curveLambdaAt = -Infinity;
function followLambda(now = performance.now()) {
  const lambda = sphereLambda();
  if (Math.abs(lambda - curveLambda) <= 0.02 * Math.max(1, curveLambda)) return;
  if (clock.playing && now - curveLambdaAt < 1000) return;
  curveLambda = lambda;
  curveLambdaAt = now;
  curves?.update(curveParams());
}

function curveParams() {
  return { scale: state.scale, beta: state.beta, classes: state.classes, lambda: sphereLambda(), margins: marginsOf(state),
    kinds: [...new Set(state.panels.map((t) => parsePanel(t)?.kind))] };
}

function chartPanels() {
  return panels.map((p) => ({ id: p.id, label: panelLabel(p.token), color: panelColor(p.index) }));
}

const setToken = (panel, token) => commit({ panels: state.panels.map((t, k) => (k === panel.index ? token : t)) });
const panelHooks = {
  onToken: setToken,
  onSnapshot: (panel, snap) => {
    charts?.push(panel.id, snap.metrics, snap.histogram);
    followLambda();
    if (snap.examples) showDataNote(snap.examples);
    if (pendingSet) panel.inputView?.showSet(pendingSet);   // still editing a set that cannot train yet
  },
  onReset: (panel) => startPanel(panel),
  onDiverged: () => updatePlayButton(),
};

// A panel, with its settings and tools in its header; it draws and pauses as the others do.
function makePanel(index, token, id) {
  const panel = new Panel($('panels'), { index, token, id, hooks: panelHooks });
  panel.tools = new PanelTools(panel.toolsSlot, {
    token: (t) => setToken(panel, t),
    duplicate: () => commit({ panels: duplicatePanel(state.panels, panel.index) }),
    remove: () => commit({ panels: removePanel(state.panels, panel.index) }),
    sweep: (key) => {
      const { panels: swept, notice } = sweepPanels(state.panels, panel.index, key);
      commit({ panels: swept });
      if (notice) showNotices([notice]);
    },
    notice: (text) => showNotices([text]),
  });
  panel.setForces(state.forces);
  panel.setPaused(!clock.playing);
  return panel;
}

function buildPanels() {
  for (const p of panels) p.dispose();
  panels = state.panels.map((token, index) => makePanel(index, token));
  $('panels').dataset.count = panels.length;
  charts?.setPanels(chartPanels());
}

/** The panels follow state.panels: the ones whose token stays train on (keptPanels),
 *  new ones are made (they start in restartChanged), the rest go. */
function syncPanels() {
  const grid = $('panels'), kept = keptPanels(panels.map((p) => p.token), state.panels).map((k) => panels[k] ?? null);
  for (const p of panels) if (!kept.includes(p)) p.dispose();
  const ids = new Set(kept.filter(Boolean).map((p) => p.id));
  const freeId = () => { let k = 0; while (ids.has(`p${k}`)) k++; ids.add(`p${k}`); return `p${k}`; };
  panels = kept.map((p, k) => p ?? makePanel(k, state.panels[k], freeId()));
  panels.forEach((p, k) => {
    p.setIndex(k);
    p.token = p.root.dataset.token = state.panels[k];
    if (grid.children[k] !== p.root) grid.insertBefore(p.root, grid.children[k] ?? null);
  });
  grid.dataset.count = panels.length;
}

/** The rows the panels train on, for the data kinds whose rows the page passes (mnist, rows). */
async function rowsOf(data) {
  if (data === 'mnist') return mnistSet();
  return data === 'rows' ? ownSet : null;
}

// (Re)start one panel from step 0; it trains on to the clock's target, where the others
// are. saved: { config, lrChanges, state } of a saved run's panel, which it restores instead.
async function startPanel(panel, saved = null) {
  charts?.resetPanel(panel.id);
  const config = panelConfig(state, panel.token);
  panel.startedWith = JSON.stringify(config);
  let rows = null;
  if (ROW_KINDS.includes(config.data)) {
    try {
      rows = await rowsOf(config.data);
    } catch (err) {
      showNotices([`the ${config.data} data could not be loaded: ${err.message}`]);
    }
  }
  if (panel.startedWith !== JSON.stringify(panelConfig(state, panel.token))) return;   // changed again meanwhile
  if (!panel.worker) panel.makeWorker();
  panel.worker.postMessage({ type: 'rows', rows: rows && { x: rows.x, labels: rows.labels } });
  if (!saved) { panel.start(config, { dim: state.dim, target: clock.target, lrChanges: state.lrChanges }); return; }
  await panel.start(saved.config, { dim: state.dim, target: 0, lrChanges: saved.lrChanges });
  panel.worker.postMessage({ type: 'restore', state: saved.state });
  panel.runTo(clock.target);
}

const NORMAL_VIEW = 340;   // a view's size outside presentation mode (smaller where the panel is narrower)

/** Size the views: in presentation mode every panel on the screen below the caption;
 *  else each view as wide as its panel allows, up to NORMAL_VIEW. */
function layoutPanels() {
  const grid = $('panels');
  if (!state.present || !panels.length) {
    grid.style.removeProperty('--columns');
    for (const p of panels) p.fit(Math.min(NORMAL_VIEW, p.root.clientWidth - 18));
    return;
  }
  const first = panels[0];
  // header and numbers (one line in this mode; the numbers may not have arrived yet), padding
  const chromeH = first.root.querySelector('header').offsetHeight + Math.max(first.stats.offsetHeight, 22) + 20;
  const height = innerHeight - grid.getBoundingClientRect().top - 8;
  const { columns, size } = bestGrid(panels.length, grid.clientWidth, height, { chromeW: 18, chromeH, gap: 8 });
  grid.style.setProperty('--columns', columns);
  for (const p of panels) p.fit(size);
}

let layoutFrame = null;
function scheduleLayout() {
  if (layoutFrame === null) layoutFrame = requestAnimationFrame(() => { layoutFrame = null; layoutPanels(); });
}

/** Show the state everywhere (controls, caption, curves, hash), without restarting. */
function showState() {
  writeHash();
  applyHidden();
  showCaption();
  showDataNote(panels[0]?.snap?.examples ?? null);
  showDataTools();
  controls.set({ ...state, lr: state.lrChanges.at(-1)?.lr ?? state.lr }); // the rate training uses now
  curves.update(curveParams());
  clock.stepsPerSec = SPEEDS[state.speed];
  clock.goals = FRAME_GOALS[state.dim];
  clock.pauseAt = state.until || null;
  for (const p of panels) p.setForces(state.forces);
  for (const p of panels) p.tools.show(state, p.token, panels.length);
  panelBar.show(panels.length);
  scheduleLayout();
}

/** Everything restarts from step 0 with the current state. */
function rebuild() {
  if (panels.map((p) => p.token).join(',') !== state.panels.join(',')) buildPanels();
  showState();
  clock.reset();
  for (const panel of panels) startPanel(panel);
}

/** Only the panels whose training config changed restart; the others carry on. */
function restartChanged() {
  syncPanels();
  showState();
  charts?.setPanels(chartPanels());
  const changed = panels.filter((p) => JSON.stringify(panelConfig(state, p.token)) !== p.startedWith);
  if (changed.length === panels.length) { rebuild(); return; }
  for (const panel of changed) startPanel(panel);
}

function setPlaying(on) {
  // Play at (or past) the step to pause at goes on: that stop has been seen
  if (on && state.until && commonStep() >= state.until) { state.until = 0; showState(); }
  if (on) clock.play();
  else clock.pause();
  updatePlayButton();
}

// A lecturer may drag a class weight only while the clock is paused (panel.js).
function updatePlayButton() {
  controls.setPlaying(clock.playing);
  for (const p of panels) p.setPaused(!clock.playing);
}

// The panels reached the step to pause at: a story's next stop (its caption names it)
// becomes the one Play runs to.
function arrived() {
  const next = storyById(state.story)?.stops.find((s) => s > clock.target);
  state.until = next ?? state.until;
  showState();
  updatePlayButton();
}


/** The step every running panel has reached (the one they are compared at). */
function commonStep() {
  const live = panels.filter((p) => !p.stopped);
  return live.length ? Math.min(...live.map((p) => p.reached)) : 0;
}

function step() {
  const target = clock.stepBy(STEP_CHUNK, commonStep());
  for (const p of panels) p.runTo(target);
  updatePlayButton();
}

// A new learning rate: at step 0 it is the run's rate; later it is a change at the
// clock's target, which no panel has passed, replayed by every later reset or link.
function changeLr(lr) {
  // at step 0, or when a panel has stopped (a change at a later step would only replay
  // its divergence), the new rate is the run's rate: the panels restart with it
  if (clock.target === 0 || panels.some((p) => p.stopped)) return { lr, lrChanges: [] };
  const at = clock.target;
  return { lrChanges: [...state.lrChanges.filter((c) => c.step < at), { step: at, lr }] };
}

function commit(partial) {
  if ('data' in partial && partial.data !== state.data) {
    partial = { ...dataChange(partial.data), ...partial };
    if (partial.data === 'rows' && !ownSet) {
      showNotices(['no set of your own yet: import a CSV, or click on a panel’s input plane (blobs, spiral) to place points']);
      controls.set(state);
      return;
    }
  }
  if ('lr' in partial) { const { lr, ...rest } = partial; partial = { ...rest, ...changeLr(lr) }; }
  // a global control sets every panel at once: the panels' own values of it go, so that
  // the control and the panels agree (the sliders' tooltips say so)
  if (!('panels' in partial)) {
    const cleared = clearOverrides(state.panels, Object.keys(partial));
    if (cleared.join() !== state.panels.join()) partial = { ...partial, panels: cleared };
  }
  const restart = Object.keys(partial).some((k) => !LIVE_FIELDS.has(k));
  Object.assign(state, partial);
  const extra = reconcile(state);
  showNotices(extra);                      // a notice says what the last change did, no more
  if (restart) { state.story = ''; restartChanged(); return; }
  showState();
  if ('lrChanges' in partial) for (const p of panels) p.setLrChanges(state.lrChanges);
}

/** What else changes with the data kind: a preset's settings (MNIST's learning rate, its
 *  change and its CosFace margin) come and go with it, a set of your own brings its classes
 *  and its link's points. */
function dataChange(data) {
  const leaving = Object.fromEntries(Object.keys(dataDefaults(state.data)).map((key) => [key, FIELDS[key].def]));
  const partial = { ...leaving, ...dataDefaults(data), points: [] };
  if (data === 'rows' && ownSet) Object.assign(partial, { classes: ownSet.classes, points: linkPoints(ownSet) });
  if (data !== 'rows') pendingSet = null;
  return partial;
}

// ---------------------------------------------------------------------------
// Data of your own: points placed on an input plane, a CSV in and out.

/** Whether a click on an input plane places a point: the data is 2-D. */
function editable() {
  if (pendingSet) return true;
  if (state.data === 'rows') return ownSet?.dim === 2;
  return !ROW_KINDS.includes(state.data) && generatedInputDim(panelConfig(state, state.panels[0])) === 2;
}

/** The set an edit starts from: the one being edited, yours, or the generated one. */
function setToEdit() {
  if (pendingSet) return pendingSet;
  if (state.data === 'rows') return ownSet;
  generatedFrom = state.data;
  return generatedSet(panelConfig(state, state.panels[0]));
}

/** Train every panel on a set from step 0 (the same seed: the same start), or, when the
 *  library cannot train on it yet, keep it on the planes and say what it needs. */
function trainOn(set, notices = []) {
  const problem = trainError(set, panelConfig({ ...state, data: 'rows', classes: set.classes }, state.panels[0]));
  if (problem) {
    pendingSet = set;
    for (const p of panels) p.inputView?.showSet(set);
    showNotices([`${problem}: place more points, and the panels train on them`]);
    showDataTools();
    return;
  }
  pendingSet = null;
  ownSet = set;
  Object.assign(state, dataChange('rows'), { data: 'rows', story: '' });
  showNotices([...notices, ...reconcile(state)]);
  rebuild();
}

function onInputEdit({ detail: { at, remove, radius } }) {
  if (!editable()) return;
  const set = setToEdit(), edited = remove ? removeNearest(set, at, radius) : addPoint(set, at, dataTools.chosen);
  if (edited) trainOn(edited);
}

function clearPoints() {
  if (state.data !== 'rows' && !pendingSet) generatedFrom = state.data;
  trainOn(emptySet(2));
}

function regenerate() {
  pendingSet = null;
  for (const p of panels) p.inputView?.showSet(null);
  if (state.data === 'rows') commit({ data: generatedFrom });
  else showDataTools();
}

async function importCsv(file) {
  let set;
  try {
    const rows = decodeCsvBytes(new Uint8Array(await file.arrayBuffer()));
    const plain = rows.names.every((name, j) => name === String(j));   // labels 0, 1, … need no names
    set = makeSet(rows.x, rows.labels, rows.dim, plain ? null : rows.names);
  } catch (err) {
    showNotices([`${file.name} was not imported: ${err.message}`]);
    return;
  }
  if (set.classes > FIELDS.classes.max) {
    showNotices([`${file.name} was not imported: it has ${set.classes} classes, and the page trains ${FIELDS.classes.max} at most`]);
    return;
  }
  const problem = trainError(set, panelConfig({ ...state, data: 'rows', classes: set.classes }, state.panels[0]));
  if (problem) { showNotices([`${file.name} was not imported: ${problem}`]); return; }
  if (state.data !== 'rows') generatedFrom = ROW_KINDS.includes(state.data) ? generatedFrom : state.data;
  const n = set.labels.length.toLocaleString('en-US');
  trainOn(set, [`${file.name}: ${n} rows of ${set.dim} values in ${set.classes} classes` +
    (set.dim === 2 ? '' : ' (not 2-D: no input plane)')]);
}

/** The set the panels train on, as the rows a CSV holds. */
async function currentSet() {
  if (state.data === 'rows') return ownSet;
  if (state.data === 'mnist') return mnistSet();
  return generatedSet(panelConfig(state, state.panels[0]));
}

function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  Object.assign(document.createElement('a'), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function exportCsv() {
  const set = await currentSet();
  download(toCsv({ x: set.x, labels: set.labels, dim: set.dim, names: set.names }), `${state.data}-seed${state.seed}.csv`, 'text/csv');
}

function showDataTools() {
  const set = pendingSet ?? (state.data === 'rows' ? ownSet : null);
  dataTools.show({ classes: set ? set.classes : state.classes, maxClasses: FIELDS.classes.max, editable: editable(),
    regenerable: state.data === 'rows' || !!pendingSet });
}

function showDataNote(examples = panels[0]?.snap?.examples ?? null) {
  const own = state.data === 'rows' && ownSet ? { rows: ownSet.labels.length, dim: ownSet.dim, inLink: state.points.length > 0 } : null;
  dataNote.update(state.data, examples, { own, evalRows: panelConfig(state, state.panels[0]).evalRows ?? 0 });
}

// ---------------------------------------------------------------------------
// Saved runs: Save pauses and writes every panel at its step; Open restores them there.

async function saveRunFile() {
  setPlaying(false);
  try {
    const bytes = await runBytes({ settings: structuredClone(state), kind: state.data, set: ownSet, workers: panels.map((p) => p.worker) });
    download(bytes, RUN_FILE, 'application/octet-stream');
  } catch (err) {
    showNotices([`the run was not saved: ${err.message}`]);
  }
}

/** A saved run's settings as a state, checked by the link's own rules (a run's set of
 *  your own comes from the file, so its points are not needed). */
function runState(run) {
  const settings = { ...defaultState(), ...run.settings, data: run.data.kind === 'rows' ? FIELDS.data.def : run.settings.data, points: [] };
  let parsed;
  try { parsed = parseHash(toHash(settings)); } catch { throw new Error('its settings are not the page’s'); }
  const opened = parsed.state;
  if (opened.data !== run.data.kind && run.data.kind !== 'rows') throw new Error(`its settings say data ${opened.data}, its trainers ${run.data.kind}`);
  if (opened.panels.length !== run.trainers.length) throw new Error(`its settings list ${opened.panels.length} panels, and it holds ${run.trainers.length} trainers`);
  return { opened, notices: parsed.notices };
}

async function openRunFile(file) {
  let run, opened, notices;
  try {
    run = await readRun(new Uint8Array(await file.arrayBuffer()));
    ({ opened, notices } = runState(run));
    if (run.data.kind === 'rows') {
      const { x, labels, dim, names } = run.data.rows, set = makeSet(x, labels, dim, names);
      const problem = trainError(set, panelConfig({ ...opened, data: 'rows', classes: set.classes }, opened.panels[0]));
      if (problem) throw new Error(`its rows cannot be trained on: ${problem}`);
      ownSet = set;
      Object.assign(opened, { data: 'rows', classes: set.classes, points: linkPoints(set) });
    }
  } catch (err) {
    showNotices([`${file.name} was not opened: ${err.message}`]);
    return;
  }
  setPlaying(false);
  state = opened;
  pendingSet = null;
  showNotices([`${file.name}: the run continues at step ${Math.max(0, ...(run.settings.steps ?? [0])).toLocaleString('en-US')}`, ...notices]);
  buildPanels();
  showState();
  clock.target = Math.max(0, ...(run.settings.steps ?? []).filter(Number.isInteger));
  panels.forEach((panel, k) => startPanel(panel, run.trainers[k]));
}

// a .csv dropped anywhere on the page is imported; a saved run (.iamrun) is opened
function onDrop(event) {
  const file = event.dataTransfer?.files?.[0];
  if (!file) return;
  event.preventDefault();
  if (/\.iamrun$/i.test(file.name)) openRunFile(file);
  else importCsv(file);
}

function chooseStory(id) {
  const story = storyById(id);
  if (!story) { state.story = ''; showCaption(); writeHash(); return; }
  state = { ...defaultState(), ...structuredClone(story.state), story: id };
  reconcile(state);
  showNotices([]);
  setPlaying(false);
  rebuild();
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  // typing goes to text and number boxes; space and enter belong to a focused button or box
  if (target.closest?.('input[type=number], input[type=text], textarea')) return;
  if (event.key === ' ' && target.closest?.('button, input[type=checkbox], select, summary')) return;
  const actions = { ' ': () => setPlaying(!clock.playing), s: step, r: () => rebuild(), p: () => commit({ present: !state.present }), f: () => commit({ forces: !state.forces }) };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
}

// counts animation frames, and the frames in which a view really redrew
const meter = { frames: 0, viewFrames: 0, since: performance.now(), fps: 0, viewFps: 0, totalViewFrames: 0, totalRedraws: 0 };
function measureFrame(now, drew) {
  meter.frames++;
  meter.totalRedraws += drew;
  if (drew) { meter.viewFrames++; meter.totalViewFrames++; }
  if (now - meter.since < 1000) return;
  meter.fps = (meter.frames * 1000) / (now - meter.since);
  meter.viewFps = (meter.viewFrames * 1000) / (now - meter.since);
  meter.frames = meter.viewFrames = 0;
  meter.since = now;
  const rate = panels.filter((p) => !p.stopped).reduce((sum, p) => sum + (p.snap?.stepsPerSec ?? 0), 0);
  const slowed = clock.factor < 0.95 ? ` · slowed to ${Math.round(100 * clock.factor)}% to keep the page smooth` : '';
  controls.setRates(clock.playing ? `${meter.fps.toFixed(0)} fps · ` +
    `${Math.round(rate / Math.max(1, panels.length)).toLocaleString('en-US')} steps/s per panel${slowed}` : `${meter.fps.toFixed(0)} fps · paused`);
  document.body.dataset.fps = meter.fps.toFixed(1);
  document.body.dataset.stepsPerSec = rate.toFixed(0);
}

// Redraw the panels that received a snapshot, together: in lock-step they arrive
// within a few ms of each other, and one frame that redraws six views costs the page
// less than six frames that redraw one each (every changed frame is composited whole).
// A panel still on its way does not hold the others back for more than BATCH_WAIT_MS.
const BATCH_WAIT_MS = 120;
let firstPendingAt = null;
function drawPanels(now) {
  const pending = panels.filter((p) => p.wantsDraw());
  if (!pending.length) { firstPendingAt = null; return 0; }
  // a sphere costs tens of ms in software WebGL: one a frame, the longest-waiting first,
  // so that frames stay short and input is answered between them
  if (state.dim === 3) {
    const next = pending.reduce((a, b) => ((a.lastDraw ?? 0) <= (b.lastDraw ?? 0) ? a : b));
    return next.draw() ? 1 : 0;
  }
  firstPendingAt ??= now;
  const live = panels.filter((p) => !p.stopped).length;
  if (pending.length < live && now - firstPendingAt < BATCH_WAIT_MS) return 0;
  firstPendingAt = null;
  let drew = 0;
  for (const p of pending) drew += p.draw() ? 1 : 0;
  return drew;
}

// one animation loop: redraw the panels that received a snapshot, then move the clock
function frame(now) {
  const drew = drawPanels(now);
  if (!clock.playing) {
    for (const p of panels) p.flushNumbers(now);
    followLambda(now);
  }
  measureFrame(now, drew);
  clock.frame(now);
  if (charts) charts.redrawInterval = 333 / Math.max(0.25, clock.factor);   // charts slow down with the workers
  const target = clock.tick(now, panels.filter((p) => !p.stopped).map((p) => p.reached));
  if (target !== null) for (const p of panels) p.runTo(target);
  if (clock.arrived) arrived();
  controls.setStep(commonStep());
  requestAnimationFrame(frame);
}

// A hidden tab or a minimized window pauses training; coming back resumes it.
let resumeWhenVisible = false;
function onVisibility() {
  if (document.hidden) { resumeWhenVisible = clock.playing; setPlaying(false); }
  else if (resumeWhenVisible) { resumeWhenVisible = false; setPlaying(true); }
}

function onHashChange() {
  if (location.hash === toHash(state)) return;
  const parsed = parseHash(location.hash);
  state = parsed.state;
  if (state.data === 'rows') ownSet = setFromPoints(state.points);
  pendingSet = null;
  showNotices(parsed.notices);
  rebuild();
}

function init() {
  if (state.story && !storyById(state.story)) { notices.push(`unknown story '${state.story}'; ignored`); state.story = ''; }
  controls = new Controls($('controls-slot'), state, {
    preview: (partial) => curves.update({ ...curveParams(), ...previewParams(partial) }),
    commit, story: chooseStory, play: () => setPlaying(!clock.playing), step,
    reset: () => rebuild(), notice: (text) => showNotices([text]),
    runTo: (until) => { commit({ until }); setPlaying(true); },
    present: () => commit({ present: !state.present }),
    forces: (on) => commit({ forces: on }),
  });
  curves = new TeachingCurves($('curves'));
  dataNote = new DataNote($('data-note'));
  panelBar = new PanelBar($('panels'), {
    add: () => commit({ panels: addPanel(state.panels) }),
    sweep: ({ token, key }) => commit({ panels: sweepTokens(token, key) }),   // these panels only, all else equal
  });
  dataTools = new DataTools(controls.dataGroup, controls.runGroup, {
    clear: clearPoints, regenerate, importCsv, exportCsv, save: saveRunFile, open: openRunFile,
  });
  $('panels').addEventListener('input-edit', onInputEdit);
  addEventListener('dragover', (event) => event.preventDefault());
  addEventListener('drop', onDrop);
  buildPanels();
  charts = new LiveCharts($('charts'), chartPanels());
  showNotices(notices);
  rebuild();
  setPlaying(state.play);
  addEventListener('keydown', onKey);
  addEventListener('hashchange', onHashChange);
  addEventListener('resize', scheduleLayout);
  // presentation mode fits the views below whatever sits above them: the caption, the
  // notices, the data note and the controls (whose status line wraps as its text changes)
  const above = new ResizeObserver(() => { if (state.present) scheduleLayout(); });
  for (const id of ['caption', 'notices', 'data-note', 'controls-slot']) above.observe($(id));
  above.observe($('panel-bar'));
  document.addEventListener('visibilitychange', onVisibility);
  requestAnimationFrame(frame);
  // a read-only window for the end-to-end tests and for the curious console user
  window.iamDemo = {
    state: () => structuredClone(state),
    // run: how many times the panel has (re)started, so that a test can tell one that trained on
    panels: () => panels.map((p) => ({ id: p.id, token: p.token, step: p.reached, run: p.run, metrics: p.snap?.metrics ?? null,
      diverged: p.root.classList.contains('is-diverged'), problem: p.notice.hidden ? null : p.notice.querySelector('p')?.textContent ?? '',
      worker: !!p.worker, faults: p.faults ?? 0, slowestBeatMs: p.beat?.slowest ?? 0, wasmBytes: p.beat?.wasmBytes ?? 0 })),
    // a test hook (tests/faults.test.mjs): panel k's worker throws, traps, closes or is terminated (panel.js)
    injectFault: (k, kind) => panels[k]?.injectFault(kind),
    clock: () => ({ target: clock.target, playing: clock.playing, factor: clock.factor, step: commonStep() }),
    fps: () => meter.fps,
    viewFrames: () => meter.totalViewFrames,
    viewRedraws: () => meter.totalRedraws,
    // where sample i of panel k is drawn, in page px (2-D views), for the inspection tests
    samplePosition: (k, i) => {
      const p = panels[k]?.view?.samplePosition?.(i), r = panels[k]?.view?.canvas.getBoundingClientRect();
      return p && r ? [r.left + p[0], r.top + p[1]] : null;
    },
    // what panel k's views drew from their snapshot: the norm at the circle's radius
    // (AdaFace, MagFace: radius = ‖x‖) and the margin-against-norm plot's data
    drawn: (k) => ({ normScale: panels[k]?.view?.normScale?.() ?? null, normPlot: structuredClone(panels[k]?.normPlot?.data ?? null),
      normPlotShown: !!panels[k] && !panels[k].normBox.hidden, subcenters: panels[k]?.view?.subcentersDrawn?.() ?? 0 }),
    // the snapshot a panel draws, in plain arrays (what its card and arrows are made of)
    snapshot: (k) => structuredClone(panels[k]?.snap ?? null),
    // the points panel k's input plane shows (data rows: the whole set), and where an input
    // point (x, y) is on the page, for the tests that place points
    inputCount: (k) => panels[k]?.inputs?.labels.length ?? 0,
    inputPosition: (k, x, y) => {
      const view = panels[k]?.inputView, grid = view?.grid;
      if (!grid) return null;
      const r = view.canvas.getBoundingClientRect();
      return [r.left + ((x - grid.x0) / (grid.x1 - grid.x0)) * r.width, r.top + ((grid.y1 - y) / (grid.y1 - grid.y0)) * r.height];
    },
    ownSet: () => (ownSet ? { rows: ownSet.labels.length, dim: ownSet.dim, classes: ownSet.classes } : null),
    pending: () => (pendingSet ? pendingSet.labels.length : null),
    digits: (k) => (panels[k]?.digits ? { count: panels[k].digits.pixels.length / panels[k].digits.side ** 2, side: panels[k].digits.side } : null),
  };
  document.body.dataset.ready = '1';
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
