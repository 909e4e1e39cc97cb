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
import { lossPreset, trainerPreset, LOSS_LABELS } from '../wasm/presets.js';
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
// a kind, then +iam and (SphereFace) +fixed in either order
const PANEL_TOKEN = new RegExp(`^(${KINDS.join('|')})((?:\\+iam|\\+fixed)*)$`);
export const MAX_STEP = 10_000_000;
const MAX_LR_CHANGES = 20;

/** The state field that sets each kind's margin (kinds without one are absent). */
export const MARGIN_STATE = Object.freeze({ cosface: 'cosMargin', arcface: 'arcMargin', sphereface: 'sphereMargin' });

/** Every margin a state trains with, by kind: its margin fields, and the combined
 *  margin's (m1, m2, m3), which has no control, from the preset for its dimension. */
export function marginsOf(state) {
  const margins = Object.fromEntries(Object.entries(MARGIN_STATE).map(([kind, field]) => [kind, state[field]]));
  const { m1, m2, m3 } = lib.defaults('loss_config', lossPreset('combined', state.dim));
  return { ...margins, combined: { m1, m2, m3 } };
}

// A field: { key in the hash, def, type, and what the type needs }:
//   int / num: min, max, step (num may be 'log': the control moves log10 of the value)
//   enum: options (values, or [value, label] pairs); flag: true/false; list: see parse
const numberText = /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i;

export const FIELDS = {
  data: { key: 'data', def: TRAIN.data, type: 'enum', options: DATA_SETS },
  classes: { key: 'classes', def: TRAIN.classes, type: 'int', min: 2, max: 12, step: 1 },
  dim: { key: 'dim', def: TRAIN.dim, type: 'enum', options: [[2, '2-D circle'], [3, '3-D sphere']] },
  seed: { key: 'seed', def: TRAIN.seed, type: 'int', min: 0, max: 999999, step: 1 },
  panels: {
    key: 'panels', def: ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'arcface+iam'], type: 'list',
    parse: (s) => {
      const tokens = s.split(',').filter(Boolean);
      const parsed = tokens.map(parsePanel);
      return tokens.length >= 1 && tokens.length <= MAX_PANELS && parsed.every(Boolean) ? parsed.map(panelToken) : undefined;
    },
    rule: `1 to ${MAX_PANELS} of ${KINDS.join(', ')}, each optionally +iam (and SphereFace +fixed), comma-separated`,
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

/** Parse one field's text from the URL: its value, or undefined when it is not allowed. */
export function parseField(field, text) {
  switch (field.type) {
    case 'int': return /^-?\d+$/.test(text) && +text >= field.min && +text <= field.max ? +text : undefined;
    case 'num': return numberText.test(text) && +text >= field.min && +text <= field.max && onGrid(field, +text) ? +text : undefined;
    case 'flag': return text === '1' ? true : text === '0' ? false : undefined;
    case 'enum': return optionValues(field).find((v) => String(v) === text);
    default: return field.parse(text);
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
  const story = parts.map((p) => /^story=([a-z0-9-]{1,40})$/.exec(p)?.[1]).find(Boolean);
  if (story && storyStates.has(story)) Object.assign(state, structuredClone(storyStates.get(story)));
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
    const field = FIELDS[name], value = parseField(field, raw);
    if (value === undefined) {
      const def = field.def;
      notices.push(`ignored ${key}=${raw.slice(0, 40)} (it must be ${fieldRule(field)}); using ${Array.isArray(def) ? def.join(',') || 'none' : def}`);
    } else state[name] = value;
  }
  notices.push(...reconcile(state));
  return { state, notices };
}

/** The hash for a state: every field, so that a link says exactly what ran. */
export function toHash(state) {
  const parts = [];
  for (const [name, f] of Object.entries(FIELDS)) {
    const v = state[name];
    if (f.omitDefault && JSON.stringify(v) === JSON.stringify(f.def)) continue;
    const text = f.text ? f.text(v) : Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    parts.push(`${f.key}=${encodeURIComponent(text).replace(/%2C/g, ',').replace(/%2B/g, '+').replace(/%3A/g, ':')}`);
  }
  return '#' + parts.join('&');
}

/** A panel token ('arcface+iam', 'sphereface+fixed+iam') → { kind, iam, fixed }, or null. */
export function parsePanel(token) {
  const m = PANEL_TOKEN.exec(token);
  if (!m) return null;
  const flags = m[2].split('+').filter(Boolean);
  if (new Set(flags).size !== flags.length || (flags.includes('fixed') && m[1] !== 'sphereface')) return null;
  return { kind: m[1], iam: flags.includes('iam'), fixed: flags.includes('fixed') };
}

export const panelToken = ({ kind, iam, fixed }) => kind + (iam ? '+iam' : '') + (fixed && kind === 'sphereface' ? '+fixed' : '');

/** The trainer config of one panel, from the state and its token: what its worker
 *  trains, and what the story tests train in Node. */
export function panelConfig(state, token) {
  const { kind, iam, fixed } = parsePanel(token);
  const loss = { scale: state.scale, beta: iam ? state.beta : 0 };
  if (MARGIN_STATE[kind]) loss.margin = state[MARGIN_STATE[kind]];
  const anneal = kind === 'sphereface' ? state.anneal && !fixed : true;
  if (kind === 'sphereface' && !anneal) loss.lambda = state.lambda;   // annealed, λ follows the schedule
  return trainerPreset(kind, {
    data: state.data, classes: state.classes, dim: state.dim, seed: state.seed, optimizer: state.optimizer,
    lr: state.lr, batchSize: state.batch, anneal,
  }, loss);
}

/** The label of a panel token: 'ArcFace + IAM', 'SphereFace (λ fixed)'. */
export function panelLabel(token) {
  const { kind, iam, fixed } = parsePanel(token) ?? { kind: token };
  return `${LOSS_LABELS[kind] ?? kind}${iam ? ' + IAM' : ''}${fixed ? ' (λ fixed)' : ''}`;
}
