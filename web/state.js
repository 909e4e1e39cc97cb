// state.js: all UI state in one serializable object that round-trips through the URL hash.
//
// A shared link reproduces a run: the seed fixes the data, the initial weights and
// the batches. Every field is validated on the way in; a bad value falls back to
// its default and produces a notice sentence, never an exception (a lecturer
// pasting a mangled link must still get a working page).
//
// Each field says once what it may hold (its range and step, or its choices); the
// controls read the same spec, so the URL and the sliders cannot disagree. What the
// C library owns comes from it: the names of the loss kinds, data sets and
// optimizers, and the training defaults. A default that differs on purpose says so.
import { lib } from './library.js';
import { lossPreset, trainerPreset, LOSS_LABELS, MARGIN_FIELDS, DATA_LR_CHANGES } from '../wasm/presets.js';
import { STORIES } from './stories.js';

const TRAIN = lib.defaults();
/** A loss option's default for a kind, as a 2-D preset trains it (presets, then C). */
const presetDefault = (kind, option) => lib.defaults('loss_config', lossPreset(kind, 2))[option];

export const KINDS = lib.names.kind;
export const DATA_SETS = lib.names.data;
export const SPEEDS = [10, 30, 100, 300, 1000, 3000]; // optimizer steps per second, per panel
export const HIDEABLE = ['controls', 'charts', 'curves', 'formulas', 'input', 'caption', 'stats'];
export const MAX_PANELS = 6;
export const BATCH_SIZES = [16, 32, 64, 128, 256, 512];
// a kind, then +iam and (SphereFace) +fixed in either order, then the panel's own
// settings, ':key=value' each (OVERRIDES below)
const PANEL_TOKEN = new RegExp(`^(${KINDS.join('|')})((?:\\+iam|\\+fixed)*)((?::[^:]*)*)$`);
export const MAX_STEP = 10_000_000;
const MAX_LR_CHANGES = 20;
/** Points placed by hand that a link holds (pts=): more live in memory and in a saved run. */
export const LINK_POINTS = 300;
/** MNIST's metrics at every snapshot are measured on this many rows of each set (every
 *  class alike, config.evalRows): all 2,000 test digits cost ~0.1 s per panel and snapshot. */
export const MNIST_EVAL_ROWS = 1000;

/** The state field that sets each kind's margin (kinds without one are absent). */
export const MARGIN_STATE = Object.freeze({ cosface: 'cosMargin', arcface: 'arcMargin', sphereface: 'sphereMargin' });

/** Every margin a state trains with, by kind: its margin fields, and the combined
 *  margin's (m1, m2, m3), which has no control, from the preset for its dimension; the
 *  kinds without a control (CurricularFace, AdaFace, MagFace) bring their own options,
 *  the preset's (C's), for the curves and formulas. */
export function marginsOf(state) {
  const margins = Object.fromEntries(Object.entries(MARGIN_STATE).map(([kind, field]) => [kind, state[field]]));
  const { m1, m2, m3 } = lib.defaults('loss_config', lossPreset('combined', state.dim));
  const preset = (kind) => lib.defaults('loss_config', lossPreset(kind, state.dim));
  const { margin: curricular } = preset('curricularface');
  const { margin: ada, h } = preset('adaface'), { la, ua, lm, um } = preset('magface');
  // momentum: the rate of CurricularFace's and AdaFace's running averages (t; μ, σ)
  return { ...margins, combined: { m1, m2, m3 }, curricularface: curricular, adaface: { margin: ada, h }, magface: { la, ua, lm, um },
    momentum: preset('curricularface').momentum };
}

// A field: { key in the hash, def, type, and what the type needs }:
//   int / num: min, max, step (num may be 'log': the control moves log10 of the value)
//   enum: options (values, or [value, label] pairs); flag: true/false; list: see parse
const numberText = /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i;

/** What the data menu says for the kinds whose name alone says too little. */
const DATA_LABELS = { mnist: 'MNIST digits', rows: 'your own points / CSV' };

/** Data kinds whose classes come with the data, not from the classes control. */
export const CLASSES_FIXED = Object.freeze({ mnist: 'MNIST has 10 digit classes', rows: 'the classes of your own set' });

/** What a data kind's preset trains with unless the link or the controls say otherwise
 *  (wasm/presets.js): MNIST's learning rate and its change (DATA_LR_CHANGES), and its
 *  CosFace margin (DATA_LOSS_CHANGES). */
export function dataDefaults(data) {
  if (data !== 'mnist') return {};
  const { classes, lr } = trainerPreset('softmax', { data });
  return { classes, lr, lrChanges: DATA_LR_CHANGES.mnist.map((c) => ({ ...c })),
    cosMargin: trainerPreset('cosface', { data }).loss.margin };
}

// A point of pts=: 'x:y:class', the coordinates in at most three decimals.
const POINT_TEXT = /^(-?\d{1,6}(?:\.\d{1,3})?):(-?\d{1,6}(?:\.\d{1,3})?):(\d{1,2})$/;

export const FIELDS = {
  data: { key: 'data', def: TRAIN.data, type: 'enum', options: DATA_SETS.map((d) => [d, DATA_LABELS[d] ?? d]) },
  classes: { key: 'classes', def: TRAIN.classes, type: 'int', min: 2, max: 12, step: 1 },
  dim: { key: 'dim', def: TRAIN.dim, type: 'enum', options: [[2, '2-D circle'], [3, '3-D sphere']] },
  seed: { key: 'seed', def: TRAIN.seed, type: 'int', min: 0, max: 999999, step: 1 },
  // data=rows, a small set of 2-D points (placed by hand): [[x, y, class], …]; every
  // class from 0 up is used. A larger set is not in the link (web/dataset.js).
  points: {
    key: 'pts', def: [], type: 'list', omitDefault: true,
    parse: (s) => {
      const points = s.split(',').filter(Boolean).map((part) => POINT_TEXT.exec(part)?.slice(1).map(Number) ?? null);
      if (!points.length) return [];
      if (points.length > LINK_POINTS || points.some((p) => !p)) return undefined;
      const used = new Set(points.map((p) => p[2]));
      const ok = used.size >= 2 && used.size <= FIELDS.classes.max && [...used].every((c) => c < used.size);
      return ok ? points.map((p) => p.map((v) => v + 0)) : undefined;
    },
    text: (v) => v.map((p) => p.join(':')).join(','),
    rule: `up to ${LINK_POINTS} points x:y:class (numbers with up to 3 decimals, classes 0, 1, … each used, 2 to 12 of them), comma-separated`,
  },
  panels: {
    key: 'panels', def: ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'arcface+iam'], type: 'list',
    // a bad kind refuses the list; a bad setting of a panel is dropped, with a notice
    parse: (s, notices = []) => {
      const tokens = s.split(',').filter(Boolean);
      const read = tokens.map(readPanel);
      if (!(tokens.length >= 1 && tokens.length <= MAX_PANELS && read.every((r) => r.panel))) return undefined;
      notices.push(...read.flatMap((r) => r.problems));
      return read.map((r) => panelToken(r.panel));
    },
    rule: `1 to ${MAX_PANELS} of ${KINDS.join(', ')}, each optionally +iam (and SphereFace +fixed) and its own ` +
      'settings (:s=30:m=0.5:b=2), comma-separated',
  },
  scale: { key: 's', def: TRAIN.loss.scale, type: 'num', min: 1, max: 64, step: 1 },
  cosMargin: { key: 'mcos', def: presetDefault('cosface', 'margin'), type: 'num', min: 0, max: 0.8, step: 0.01 },
  arcMargin: { key: 'marc', def: presetDefault('arcface', 'margin'), type: 'num', min: 0, max: 1.2, step: 0.01, unit: 'radians' },
  sphereMargin: { key: 'msphere', def: presetDefault('sphereface', 'margin'), type: 'num', min: 1, max: 6, step: 0.5 },
  // the page shows IAM at work by default; the library's default β is 0 (no IAM)
  beta: { key: 'beta', def: 0.5, type: 'num', min: 0, max: 3, step: 0.05 },
  anneal: { key: 'anneal', def: TRAIN.anneal, type: 'flag' },
  lambda: { key: 'lambda', def: TRAIN.loss.lambda, type: 'num', min: 0, max: 20, step: 0.5 },
  optimizer: { key: 'opt', def: TRAIN.optimizer, type: 'enum', options: [['adam', 'Adam'], ['sgd', 'SGD + momentum']] },
  lr: { key: 'lr', def: TRAIN.lr, type: 'num', scale: 'log', min: 0.0001, max: 10, step: 0.05 },
  batch: { key: 'batch', def: TRAIN.batchSize, type: 'enum', options: BATCH_SIZES },
  speed: { key: 'speed', def: 3, type: 'int', min: 0, max: SPEEDS.length - 1, step: 1 },
  // pause when the panels reach this step (0: never); a story sets the step its caption names
  until: { key: 'until', def: 0, type: 'int', min: 0, max: MAX_STEP, step: 1, omitDefault: true },
  // learning-rate changes during the run, replayed at their steps: '500:0.001,2000:0.0001'
  lrChanges: {
    key: 'lrat', def: [], type: 'list', omitDefault: true,
    parse: (s) => {
      const changes = s.split(',').filter(Boolean).map((part) => {
        const m = /^(\d+):(.+)$/.exec(part);
        return m && { step: +m[1], lr: parseField(FIELDS.lr, m[2]) };
      });
      const ok = changes.length <= MAX_LR_CHANGES && changes.every((c, k) => c && c.lr !== undefined && c.step >= 1
        && c.step <= MAX_STEP && (k === 0 || c.step > changes[k - 1].step));
      return ok ? changes : undefined;
    },
    text: (v) => v.map((c) => `${c.step}:${c.lr}`).join(','),
    rule: `up to ${MAX_LR_CHANGES} step:rate pairs, steps increasing, rates as lr allows, comma-separated`,
  },
  // a link may ask to start playing; the page otherwise starts paused at step 0
  play: { key: 'play', def: false, type: 'flag', omitDefault: true },
  // presentation mode: every panel and the caption on one screen (key p)
  present: { key: 'present', def: false, type: 'flag', omitDefault: true },
  // the force arrows on every view: what moves each sample and weight, base loss and IAM (key f)
  forces: { key: 'forces', def: false, type: 'flag', omitDefault: true },
  hide: {
    key: 'hide', def: [], type: 'list', omitDefault: true,
    parse: (s) => { const list = s.split(',').filter(Boolean); return list.every((h) => HIDEABLE.includes(h)) ? list : undefined; },
    rule: `a comma-separated list of ${HIDEABLE.join(', ')}`,
  },
  story: { key: 'story', def: '', type: 'list', omitDefault: true, parse: (s) => (/^[a-z0-9-]{0,40}$/.test(s) ? s : undefined), rule: 'a story name' },
};

/** The values an enum field may take (its options without their labels). */
export const optionValues = (field) => field.options.map((o) => (Array.isArray(o) ? o[0] : o));

/** Parse one field's text from the URL: its value, or undefined when it is not allowed.
 *  A list may push sentences about what it dropped to `notices`. */
export function parseField(field, text, notices) {
  switch (field.type) {
    case 'int': return /^-?\d+$/.test(text) && +text >= field.min && +text <= field.max ? +text + 0 : undefined;
    case 'num': return numberText.test(text) && +text >= field.min && +text <= field.max && onGrid(field, +text) ? +text + 0 : undefined;   // −0 is 0
    case 'flag': return text === '1' ? true : text === '0' ? false : undefined;
    case 'enum': return optionValues(field).find((v) => String(v) === text);
    default: return field.parse(text, notices);
  }
}

// A slider's value sits on its grid, min + k·step (a log slider has none): else the
// slider would show another value than the one that runs.
function onGrid(field, v) {
  if (field.scale === 'log') return true;
  const k = (v - field.min) / field.step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}

/** What a field may hold, in words, for the notice about a bad value. */
export function fieldRule(field) {
  switch (field.type) {
    case 'int': return `an integer from ${field.min} to ${field.max}`;
    case 'num': return `a number from ${field.min} to ${field.max}${field.scale === 'log' ? '' : ` in steps of ${field.step}`}${field.unit ? ` (${field.unit})` : ''}`;
    case 'flag': return '1 or 0';
    case 'enum': return `one of ${optionValues(field).join(', ')}`;
    default: return field.rule;
  }
}

export function defaultState() {
  const state = {};
  for (const [name, f] of Object.entries(FIELDS)) state[name] = Array.isArray(f.def) ? [...f.def] : f.def;
  return state;
}

/** Cross-field rules the data generators impose; returns notices for what it changed. */
export function reconcile(state) {
  const notices = [];
  if (state.data === 'glyphs' && state.classes > 10) {
    notices.push(`glyphs has 10 digit classes at most; using 10 instead of ${state.classes}`);
    state.classes = 10;
  }
  if (state.data === 'mnist' && state.classes !== 10) {
    notices.push(`mnist has 10 digit classes; using 10 instead of ${state.classes}`);
    state.classes = 10;
  }
  if (state.data !== 'rows' && state.points?.length) {
    notices.push(`ignored the ${state.points.length} points of pts= (they are the data of data=rows, not of ${state.data})`);
    state.points = [];
  }
  // a set of the link's own: its classes are the set's (a larger set is the page's, main.js)
  if (state.data === 'rows' && state.points?.length) state.classes = new Set(state.points.map((p) => p[2])).size;
  return notices;
}

const storyStates = new Map(STORIES.map((s) => [s.id, s.state]));
const BY_KEY = new Map(Object.entries(FIELDS).map(([name, f]) => [f.key, name]));

/** Parse a location hash ('#data=blobs&classes=8…'). Never throws. '+' stays '+'
 *  (URLSearchParams would read it as a space, and panels use it: arcface+iam). */
export function parseHash(hash) {
  const state = defaultState();
  const notices = [];
  const parts = String(hash ?? '').replace(/^#/, '').split('&');
  // a story's settings first, so that '#story=crowded' alone is the story, and a
  // link's other settings on top of them
  // (the last story= wins, as it does for every other setting)
  const story = parts.map((p) => /^story=([a-z0-9-]{1,40})$/.exec(p)?.[1]).filter(Boolean).at(-1);
  if (story && storyStates.has(story)) Object.assign(state, structuredClone(storyStates.get(story)));
  // then the preset of the link's data set (MNIST's learning rate), under the link's own values
  const data = parts.map((p) => /^data=([a-z]{1,20})$/.exec(p)?.[1]).filter(Boolean).at(-1);
  if (data) Object.assign(state, dataDefaults(data));
  for (const part of parts) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let key, raw;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      raw = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      notices.push(`ignored '${part.slice(0, 40)}', which is not valid URL text`);
      continue;
    }
    const name = BY_KEY.get(key);   // a Map: 'constructor' or '__proto__' are just unknown keys
    if (!name) { notices.push(`ignored the unknown setting '${key.slice(0, 40)}'`); continue; }
    const field = FIELDS[name], value = parseField(field, raw, notices);
    if (value === undefined) {
      const def = field.def;
      notices.push(`ignored ${key}=${raw.slice(0, 40)} (it must be ${fieldRule(field)}); using ${Array.isArray(def) ? def.join(',') || 'none' : def}`);
    } else state[name] = value;
  }
  if (state.data === 'rows' && !state.points.length) {
    notices.push(`data=rows needs its points in pts= (a set of more than ${LINK_POINTS} points, or of more than 2 dimensions, ` +
      `is not in a link: open its saved run, or import its CSV); using ${FIELDS.data.def}`);
    state.data = FIELDS.data.def;
  }
  notices.push(...reconcile(state));
  return { state, notices };
}

/** The hash for a state: every field, so that a link says exactly what ran. */
export function toHash(state) {
  const parts = [];
  // a field left out is read back as its default, or as the story's value when a story
  // sets it: only what equals that may be left out
  const story = storyStates.get(state.story), preset = dataDefaults(state.data);
  for (const [name, f] of Object.entries(FIELDS)) {
    const v = state[name], readBack = Object.hasOwn(preset, name) ? preset[name] : story && Object.hasOwn(story, name) ? story[name] : f.def;
    if (f.omitDefault && JSON.stringify(v) === JSON.stringify(readBack)) continue;
    const text = f.text ? f.text(v) : Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    parts.push(`${f.key}=${encodeURIComponent(text).replace(/%2C/g, ',').replace(/%2B/g, '+').replace(/%3A/g, ':').replace(/%3D/g, '=')}`);
  }
  return '#' + parts.join('&');
}

// ---------------------------------------------------------------------------
// Panels: a token per panel, 'kind[+iam][+fixed][:key=value]…', such as
// 'arcface+iam:m=0.5:b=2'. The flags say which loss; the settings after ':' are the
// panel's own values of what the global controls set (and of two options that have
// no control). A panel without a setting follows the control.

const only = (kind) => (p) => p.kind === kind;
const among = (...kinds) => (p) => kinds.includes(p.kind);
const labels = (kinds) => kinds.map((k) => LOSS_LABELS[k]).join(', ').replace(/, ([^,]*)$/, ' and $1');
// the kinds with a margin m, and those with a margin at all (wasm/presets.js MARGIN_FIELDS)
const M_KINDS = KINDS.filter((k) => MARGIN_FIELDS[k].includes('margin'));
// detachMargin cuts ψ's gradient to f' = 1; CosFace's is 1 already
const DETACH_KINDS = KINDS.filter((k) => MARGIN_FIELDS[k].length > 0 && k !== 'cosface');
// ArcFace's fallback past θ > π − m, which CurricularFace's and MagFace's ψ share (src/loss.c)
const FALLBACK_KINDS = ['arcface', 'curricularface', 'magface'];
// ElasticFace's per-sample margin m + σ N(0, 1): ArcFace and CosFace only (src/loss.c)
const ELASTIC_KINDS = ['arcface', 'cosface'];
/** Sub-centers per class: K in [1, 64] (src/loss.c MAX_SUBCENTERS), every kind but Softmax. */
export const MAX_SUBCENTERS = 64;
const num = (min, max, step) => ({ type: 'num', min, max, step });
/** The margin m of a kind without a control: its range (C's: src/loss.c iam_loss_config_check). */
const OWN_MARGIN_FIELDS = Object.freeze({ curricularface: num(0, 1.5, 0.01), adaface: num(0, 1, 0.01) });
// MagFace's norm range [la, ua] and margin range [lm, um] (lm, um ≤ π/2 in C)
const NORM_FIELD = num(0.5, 100, 0.5), MAG_MARGIN_FIELD = num(0, 1.5, 0.01);

/** A panel's own settings, in the order a token writes them: the loss option each one
 *  sets, the state field whose control it overrides (its range is that field's; `field`
 *  where there is no control, or where a margin borrows another's range), which panels
 *  it applies to, its short label (the header) and its name (the notices). */
export const OVERRIDES = Object.freeze({
  s: { option: 'scale', global: 'scale', label: 's', name: 'the scale s', appliesTo: 'every loss', applies: () => true },
  m: { option: 'margin', label: 'm', name: 'the margin m', appliesTo: labels(M_KINDS), applies: among(...M_KINDS) },
  // the combined margin cos(m1 θ + m2) − m3 borrows SphereFace's, ArcFace's and CosFace's ranges
  m1: { option: 'm1', field: FIELDS.sphereMargin, label: 'm₁', name: 'm1', appliesTo: 'Combined', applies: only('combined') },
  m2: { option: 'm2', field: FIELDS.arcMargin, label: 'm₂', name: 'm2', appliesTo: 'Combined', applies: only('combined') },
  m3: { option: 'm3', field: FIELDS.cosMargin, label: 'm₃', name: 'm3', appliesTo: 'Combined', applies: only('combined') },
  b: { option: 'beta', global: 'beta', label: 'β', name: 'IAM’s β', appliesTo: 'panels with + IAM', applies: (p) => p.iam },
  l: { option: 'lambda', global: 'lambda', label: 'λ', name: 'SphereFace’s λ', appliesTo: 'SphereFace', applies: only('sphereface') },
  fb: {
    option: 'fallback', field: { type: 'enum', options: lib.names.fallback }, label: 'fallback',
    name: 'ArcFace’s fallback', appliesTo: labels(FALLBACK_KINDS), applies: among(...FALLBACK_KINDS),
  },
  // SphereFace's logit radius: the original r = ‖x‖ (1), or r = s (0, the library's default)
  fn: {
    option: 'featureNorm', field: { type: 'flag' }, label: 'r = ‖x‖', name: 'SphereFace’s feature norm',
    appliesTo: 'SphereFace', applies: only('sphereface'),
  },
  // sub-center ArcFace: K weights per class, cos θ_j the largest of them
  K: {
    option: 'subcenters', field: { type: 'int', min: 1, max: MAX_SUBCENTERS, step: 1 }, label: 'K',
    name: 'the sub-centers per class K', appliesTo: 'the cosine losses (not Softmax)', applies: (p) => p.kind !== 'softmax',
  },
  // ElasticFace: each sample's margin m + σ N(0, 1), clipped to the margin's range
  sd: {
    option: 'marginStd', field: num(0, 1, 0.01), label: 'σₘ', name: 'ElasticFace’s margin spread σ',
    appliesTo: labels(ELASTIC_KINDS), applies: among(...ELASTIC_KINDS),
  },
  // the margin's gradient cut (ψ' taken as 1), as insightface's ArcFace since 2022
  dm: {
    option: 'detachMargin', field: { type: 'flag' }, label: 'detach', name: 'the detached margin',
    appliesTo: labels(DETACH_KINDS), applies: among(...DETACH_KINDS),
  },
  h: { option: 'h', field: num(0.001, 2, 0.001), label: 'h', name: 'AdaFace’s h', appliesTo: 'AdaFace', applies: only('adaface') },
  la: { option: 'la', field: NORM_FIELD, label: 'lₐ', name: 'MagFace’s lowest norm la', appliesTo: 'MagFace', applies: only('magface') },
  ua: { option: 'ua', field: NORM_FIELD, label: 'uₐ', name: 'MagFace’s highest norm ua', appliesTo: 'MagFace', applies: only('magface') },
  lm: { option: 'lm', field: MAG_MARGIN_FIELD, label: 'lₘ', name: 'MagFace’s lowest margin lm', appliesTo: 'MagFace', applies: only('magface') },
  um: { option: 'um', field: MAG_MARGIN_FIELD, label: 'uₘ', name: 'MagFace’s highest margin um', appliesTo: 'MagFace', applies: only('magface') },
  lg: {
    option: 'lambdaG', field: num(0, 20, 0.1), label: 'λg', name: 'MagFace’s regularizer weight λg',
    appliesTo: 'MagFace', applies: only('magface'),
  },
});

/** The settings that have no control: the header shows them only where a panel sets its own. */
const WITHOUT_CONTROL = ['fb', 'fn', 'K', 'sd', 'dm', 'h', 'la', 'ua', 'lm', 'um', 'lg'];

/** The state field whose control a setting overrides on a kind (m: that kind's margin). */
const globalOf = (key, kind) => (key === 'm' ? MARGIN_STATE[kind] : OVERRIDES[key].global);

/** What a panel's setting may hold on a kind: the range of the control it overrides. */
export const overrideField = (key, kind) => OVERRIDES[key].field ?? (key === 'm' ? OWN_MARGIN_FIELDS[kind] : undefined) ?? FIELDS[globalOf(key, kind)];

const overrideText = (key, v) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/** A panel token → { panel: { kind, iam, fixed, overrides }, problems }: the panel is null
 *  when the kind or its flags are bad; a bad setting is dropped, with a sentence in problems. */
export function readPanel(token) {
  const m = PANEL_TOKEN.exec(token);
  if (!m) return { panel: null, problems: [] };
  const flags = m[2].split('+').filter(Boolean);
  if (new Set(flags).size !== flags.length || (flags.includes('fixed') && m[1] !== 'sphereface')) return { panel: null, problems: [] };
  const panel = { kind: m[1], iam: flags.includes('iam'), fixed: flags.includes('fixed'), overrides: {} };
  const problems = [...m[3].split(':').slice(1).map((part) => readOverride(panel, part)), ...readRanges(panel)].filter(Boolean)
    .map((problem) => `panel ${token.slice(0, 60)}: ignored ${problem}`);
  return { panel, problems };
}

// One ':key=value' of a token into panel.overrides; what is wrong with it, or null.
function readOverride(panel, part) {
  const eq = part.indexOf('='), key = eq < 0 ? part : part.slice(0, eq), text = eq < 0 ? '' : part.slice(eq + 1);
  const shown = `${key}=${text}`.slice(0, 40);
  if (!Object.hasOwn(OVERRIDES, key))
    return `the unknown setting '${key.slice(0, 20)}' (a panel's settings are ${Object.keys(OVERRIDES).join(', ')})`;
  if (Object.hasOwn(panel.overrides, key)) return `a second ${shown} (each setting once)`;
  const o = OVERRIDES[key];
  if (!o.applies(panel)) return `${shown}: ${o.name} applies to ${o.appliesTo} only`;
  const field = overrideField(key, panel.kind), value = parseField(field, text);
  if (value === undefined) return `${shown} (for ${LOSS_LABELS[panel.kind]} it must be ${fieldRule(field)})`;
  panel.overrides[key] = value;
  return null;
}

// MagFace's two ranges must stay ranges, la < ua and lm ≤ um (with C's defaults for an
// end the panel leaves): a pair that does not is dropped, both ends; what was wrong, or none.
function readRanges(panel) {
  if (panel.kind !== 'magface') return [];
  const own = panel.overrides, def = lib.defaults('loss_config', { kind: 'magface' });
  return [['la', 'ua', (a, b) => a < b, 'below'], ['lm', 'um', (a, b) => a <= b, 'at most']].map(([lo, hi, ok, word]) => {
    const a = own[lo] ?? def[lo], b = own[hi] ?? def[hi];
    if (ok(a, b)) return null;
    delete own[lo]; delete own[hi];
    return `${lo}=${a} and ${hi}=${b}: MagFace's ${lo} must be ${word} its ${hi}`;
  });
}

/** A panel token → { kind, iam, fixed, overrides }, or null if any part of it is bad. */
export function parsePanel(token) {
  const { panel, problems } = readPanel(token);
  return panel && !problems.length ? panel : null;
}

/** The token of a panel, canonical: flags in one order, then its settings in OVERRIDES'
 *  order (those that do not apply to it are left out). */
export function panelToken({ kind, iam, fixed, overrides = {} }) {
  const panel = { kind, iam, fixed: fixed && kind === 'sphereface' };
  const settings = Object.keys(OVERRIDES).filter((key) => Object.hasOwn(overrides, key) && OVERRIDES[key].applies(panel))
    .map((key) => `:${key}=${overrideText(key, overrides[key])}`);
  return kind + (iam ? '+iam' : '') + (panel.fixed ? '+fixed' : '') + settings.join('');
}

/** The same panel with another base loss or IAM on or off: what still means the same
 *  is kept (s, β, K; the margin and the kind's own options only while the kind stays). */
export function withKind(token, kind, iam) {
  const panel = parsePanel(token);
  // K, the sub-centers per class, means the same on every loss that has it
  const keep = panel.kind === kind ? panel.overrides : { s: panel.overrides.s, b: panel.overrides.b, K: panel.overrides.K };
  const overrides = Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined));
  return panelToken({ kind, iam, fixed: panel.kind === kind && panel.fixed, overrides });
}

/** The trainer config of one panel, from the state and its token: what its worker
 *  trains, and what the story tests train in Node. Each value is the panel's own
 *  setting, else the control's. */
export function panelConfig(state, token) {
  const { kind, iam, fixed, overrides: own } = parsePanel(token);
  // a kind whose preset sets its own s keeps it (wasm/presets.js: CurricularFace on a
  // circle trains at s = 3; at the control's s = 10 it merges classes) unless the panel sets s
  const presetScale = lossPreset(kind, state.dim).scale;
  const loss = { scale: own.s ?? presetScale ?? state.scale, beta: iam ? own.b ?? state.beta : 0 };
  if (MARGIN_STATE[kind]) loss.margin = own.m ?? state[MARGIN_STATE[kind]];
  else if (Object.hasOwn(own, 'm')) loss.margin = own.m;      // a kind without a margin control
  const anneal = kind === 'sphereface' ? state.anneal && !fixed : true;
  if (kind === 'sphereface' && !anneal) loss.lambda = own.l ?? state.lambda;   // annealed, λ follows the schedule
  // the settings without a control: the preset's (C's) value unless the panel has its own
  for (const key of ['m1', 'm2', 'm3', ...WITHOUT_CONTROL]) if (Object.hasOwn(own, key)) loss[OVERRIDES[key].option] = own[key];
  return trainerPreset(kind, {
    data: state.data, classes: state.classes, dim: state.dim, seed: state.seed, optimizer: state.optimizer,
    lr: state.lr, batchSize: state.batch, anneal, ...(state.data === 'mnist' ? { evalRows: MNIST_EVAL_ROWS } : {}),
  }, loss);
}

/** The label of a panel token: 'ArcFace + IAM', 'SphereFace (λ fixed)', and the panel's
 *  own settings, which tell a sweep's panels apart: 'ArcFace m=0.1'. */
export function panelLabel(token) {
  const { kind, iam, fixed, overrides } = parsePanel(token) ?? { kind: token, overrides: {} };
  const own = Object.keys(OVERRIDES).filter((key) => Object.hasOwn(overrides, key))
    .map((key) => (key === 'fn' ? (overrides.fn ? 'r=‖x‖' : 'r=s') : key === 'dm' ? (overrides.dm ? 'detached' : 'attached')
      : `${OVERRIDES[key].label}=${overrides[key]}`));
  return [`${LOSS_LABELS[kind] ?? kind}${iam ? ' + IAM' : ''}${fixed ? ' (λ fixed)' : ''}`, ...own].join(' ');
}

// s scales the cosines of the logits and of IAM's; plain Softmax has none, and the
// original SphereFace's radius is ‖x‖ (LOSSES.md)
const usesScale = (p) => p.iam || !(p.kind === 'softmax' || (p.kind === 'sphereface' && p.overrides.fn));

/** A panel's settings, as its header shows them and its editor edits them: every setting
 *  that applies to it, [{ key, label, value, own (the panel's own value, not the
 *  control's), used (the trainer reads it now), shown (in the header's one line) }]. */
export function panelSettings(state, token) {
  const panel = parsePanel(token), { kind, overrides } = panel;
  const config = panelConfig(state, token).loss, defaults = lib.defaults('loss_config', config);
  const annealed = kind === 'sphereface' && state.anneal && !panel.fixed;
  return Object.entries(OVERRIDES).filter(([, o]) => o.applies(panel)).map(([key, o]) => {
    const own = Object.hasOwn(overrides, key);
    const value = own ? overrides[key] : key === 'l' ? state.lambda : defaults[o.option];
    const used = key === 's' ? usesScale(panel) : key === 'l' ? !annealed : true;
    // the options without a control show only where the panel changed them
    const shown = used && (own || !WITHOUT_CONTROL.includes(key));
    return { key, label: o.label, value, own, used, shown };
  });
}

/** The state fields whose control a panel's setting overrides, by control. */
const OVERRIDDEN_BY = Object.freeze({
  scale: ['s'], beta: ['b'], lambda: ['l'],
  ...Object.fromEntries(Object.entries(MARGIN_STATE).map(([kind, field]) => [field, ['m', kind]])),
});

/** Whether moving this control takes away a panel's own value (clearOverrides). */
export const setsEveryPanel = (field) => Object.hasOwn(OVERRIDDEN_BY, field) || field === 'anneal';

/** The tokens after the controls of `fields` were moved: a global control sets every
 *  panel at once, so each panel's own value of it goes (and the anneal box, which anneals
 *  every SphereFace panel or none, takes away each panel's λ fixed). */
export function clearOverrides(tokens, fields) {
  return tokens.map((token) => {
    const panel = parsePanel(token), overrides = { ...panel.overrides };
    for (const field of fields) {
      const [key, kind] = OVERRIDDEN_BY[field] ?? [];
      if (key && (!kind || kind === panel.kind)) delete overrides[key];
    }
    return panelToken({ ...panel, fixed: panel.fixed && !fields.includes('anneal'), overrides });
  });
}

// ---------------------------------------------------------------------------
// Panel lists: add, duplicate, remove, and a sweep: one panel becomes several that
// differ in one setting only (all else equal), the paper's questions in one click.

/** The values a sweep trains, per setting; a margin's by kind (each in its own units). */
export const SWEEPS = Object.freeze({
  m: { cosface: [0.1, 0.2, 0.35], arcface: [0.1, 0.3, 0.5], sphereface: [1.5, 2.5, 4] },
  b: [0, 0.1, 0.5, 2],
  s: [4, 10, 30],
  l: [0, 1, 5, 20],
});

/** The paper's questions, a button each on the page: how much IAM, how wide a margin. */
export const PAPER_SWEEPS = Object.freeze([
  { id: 'beta', token: 'arcface+iam', key: 'b' },
  { id: 'margin', token: 'arcface', key: 'm' },
]);

// a sweep over β needs IAM, one over λ a λ that does not anneal: the sweep turns them on,
// so that every panel trains the value its label says
const sweepBase = (panel, key) => ({ ...panel, iam: panel.iam || key === 'b', fixed: panel.fixed || key === 'l' });

/** The values a sweep of this setting trains on this panel ([] when it cannot be swept). */
export function sweepValues(token, key) {
  const panel = parsePanel(token), values = key === 'm' ? SWEEPS.m[panel.kind] : SWEEPS[key];
  const base = sweepBase(panel, key);
  if (!values || !OVERRIDES[key].applies(base)) return [];
  return key === 's' && !usesScale(base) ? [] : values;
}

/** `count` of the values, spread over the list, its ends kept (the widest comparison). */
function spread(values, count) {
  if (count >= values.length) return [...values];
  return Array.from({ length: count }, (_, k) => values[Math.round((k * (values.length - 1)) / (count - 1))]);
}

/** The tokens of a sweep of one panel over one setting: one panel per value (at most
 *  `room`), each the panel with that value of the setting. */
export function sweepTokens(token, key, room = MAX_PANELS) {
  const panel = parsePanel(token), base = sweepBase(panel, key);
  return spread(sweepValues(token, key), room).map((v) => panelToken({ ...base, overrides: { ...panel.overrides, [key]: v } }));
}

/** 'ArcFace + IAM: β = 0 / 0.1 / 0.5 / 2', what a sweep's button says. */
export function sweepLabel(token, key, room = MAX_PANELS) {
  const values = spread(sweepValues(token, key), room);
  return `${panelLabel(panelToken(sweepBase(parsePanel(token), key)))}: ${OVERRIDES[key].label} = ${values.join(' / ')}`;
}

/** Panel k of the list replaced by its sweep over `key`: { panels, notice } (notice: what
 *  was cut to stay within MAX_PANELS, or why nothing changed). */
export function sweepPanels(tokens, k, key) {
  const room = MAX_PANELS - (tokens.length - 1), all = sweepValues(tokens[k], key);
  if (!all.length) return { panels: tokens, notice: `${OVERRIDES[key].name} cannot be swept on ${panelLabel(tokens[k])}` };
  if (room < 2) return { panels: tokens, notice: `a sweep needs room for two panels or more (at most ${MAX_PANELS}): remove a panel first` };
  const swept = sweepTokens(tokens[k], key, room);
  const notice = swept.length < all.length
    ? `the sweep trains ${OVERRIDES[key].label} = ${spread(all, room).join(' / ')}, not all of ${all.join(' / ')}: at most ${MAX_PANELS} panels` : '';
  return { panels: [...tokens.slice(0, k), ...swept, ...tokens.slice(k + 1)], notice };
}

/** A new panel at the end: the first of the page's default panels not on it yet. */
export function addPanel(tokens) {
  if (tokens.length >= MAX_PANELS) return tokens;
  return [...tokens, FIELDS.panels.def.find((t) => !tokens.includes(t)) ?? 'arcface'];
}

/** Panel k twice, side by side (then one of them can be changed). */
export const duplicatePanel = (tokens, k) => (tokens.length >= MAX_PANELS ? tokens : [...tokens.slice(0, k + 1), ...tokens.slice(k)]);

/** The list without panel k (the last panel stays). */
export const removePanel = (tokens, k) => (tokens.length <= 1 ? tokens : tokens.filter((_, j) => j !== k));

/** Which panel goes on training each token of a new list: tokens[k] → the index of a
 *  panel of the old list, or -1 for a new one. While the count stays, by place (a
 *  panel given another loss restarts in place); else the next unused panel with the
 *  same token, in order, so that adding, duplicating, removing or sweeping one panel
 *  leaves the others running. */
export function keptPanels(before, tokens) {
  if (before.length === tokens.length) return tokens.map((_, k) => k);
  let from = 0;
  return tokens.map((token) => {
    const at = before.indexOf(token, from);
    if (at >= 0) from = at + 1;
    return at;
  });
}
