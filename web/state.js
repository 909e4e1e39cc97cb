// state.js: all UI state in one serializable object that round-trips through the URL hash.
//
// A shared link reproduces a run: the seed fixes the data, the initial weights and
// the batches. Every field is validated on the way in; a bad value falls back to
// its default and produces a notice sentence, never an exception (a lecturer
// pasting a mangled link must still get a working page).

export const KINDS = ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined'];
export const DATA_SETS = ['blobs', 'spiral', 'glyphs', 'identities'];
export const SPEEDS = [10, 30, 100, 300, 1000, 3000]; // optimizer steps per second, per panel
export const HIDEABLE = ['controls', 'charts', 'curves', 'formulas', 'input', 'caption', 'stats'];
export const MAX_PANELS = 6;
const PANEL_TOKEN = /^(softmax|normface|sphereface|cosface|arcface|combined)(\+iam)?(\+fixed)?$/;

// field → { key in the hash, default, parse(string) → value | undefined, rule (for the notice) }
const int = (lo, hi) => (s) => (/^-?\d+$/.test(s) && +s >= lo && +s <= hi ? +s : undefined);
const num = (lo, hi) => (s) => (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(s) && +s >= lo && +s <= hi ? +s : undefined);
const oneOf = (list) => (s) => (list.includes(s) ? s : undefined);
const flag = (s) => (s === '1' ? true : s === '0' ? false : undefined);

export const FIELDS = {
  data: { key: 'data', def: 'blobs', parse: oneOf(DATA_SETS), rule: DATA_SETS.join(', ') },
  classes: { key: 'classes', def: 8, parse: int(2, 12), rule: 'an integer from 2 to 12' },
  dim: { key: 'dim', def: 2, parse: int(2, 3), rule: '2 or 3' },
  seed: { key: 'seed', def: 1, parse: int(0, 999999), rule: 'an integer from 0 to 999999' },
  panels: {
    key: 'panels', def: ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'arcface+iam'],
    parse: (s) => {
      const tokens = s.split(',').filter(Boolean);
      return tokens.length >= 1 && tokens.length <= MAX_PANELS && tokens.every((t) => PANEL_TOKEN.test(t)) ? tokens : undefined;
    },
    rule: `1 to ${MAX_PANELS} of ${KINDS.join(', ')}, each optionally +iam (and SphereFace +fixed), comma-separated`,
  },
  scale: { key: 's', def: 10, parse: num(1, 64), rule: 'a number from 1 to 64' },
  cosMargin: { key: 'mcos', def: 0.2, parse: num(0, 0.8), rule: 'a number from 0 to 0.8' },
  arcMargin: { key: 'marc', def: 0.2, parse: num(0, 1.2), rule: 'radians from 0 to 1.2' },
  sphereMargin: { key: 'msphere', def: 4, parse: num(1, 6), rule: 'a number from 1 to 6' },
  beta: { key: 'beta', def: 0.5, parse: num(0, 3), rule: 'a number from 0 to 3' },
  anneal: { key: 'anneal', def: true, parse: flag, rule: '1 or 0' },
  lambda: { key: 'lambda', def: 0, parse: num(0, 1000), rule: 'a number from 0 to 1000' },
  optimizer: { key: 'opt', def: 'adam', parse: oneOf(['adam', 'sgd']), rule: 'adam or sgd' },
  lr: { key: 'lr', def: 0.01, parse: num(0.00001, 5), rule: 'a number from 0.00001 to 5' },
  batch: { key: 'batch', def: 128, parse: int(8, 1024), rule: 'an integer from 8 to 1024' },
  speed: { key: 'speed', def: 3, parse: int(0, SPEEDS.length - 1), rule: `an integer from 0 to ${SPEEDS.length - 1}` },
  hide: {
    key: 'hide', def: [],
    parse: (s) => { const list = s.split(',').filter(Boolean); return list.every((h) => HIDEABLE.includes(h)) ? list : undefined; },
    rule: `a comma-separated list of ${HIDEABLE.join(', ')}`,
  },
  story: { key: 'story', def: '', parse: (s) => (/^[a-z0-9-]{0,40}$/.test(s) ? s : undefined), rule: 'a story name' },
};

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

/** Parse a location hash ('#data=blobs&classes=8…'). Never throws. '+' stays '+'
 *  (URLSearchParams would read it as a space, and panels use it: arcface+iam). */
export function parseHash(hash) {
  const state = defaultState();
  const notices = [];
  const byKey = Object.fromEntries(Object.entries(FIELDS).map(([name, f]) => [f.key, name]));
  for (const part of String(hash ?? '').replace(/^#/, '').split('&')) {
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
    const name = byKey[key];
    if (!name) { notices.push(`ignored the unknown setting '${key.slice(0, 40)}'`); continue; }
    const value = FIELDS[name].parse(raw);
    if (value === undefined) {
      const def = FIELDS[name].def;
      notices.push(`ignored ${key}=${raw.slice(0, 40)} (it must be ${FIELDS[name].rule}); using ${Array.isArray(def) ? def.join(',') || 'none' : def}`);
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
    if ((name === 'hide' || name === 'story') && (!v || v.length === 0)) continue;
    const text = Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    parts.push(`${f.key}=${encodeURIComponent(text).replace(/%2C/g, ',').replace(/%2B/g, '+')}`);
  }
  return '#' + parts.join('&');
}

/** A panel token ('arcface+iam', 'sphereface+fixed') → { kind, iam, fixed } */
export function parsePanel(token) {
  const m = PANEL_TOKEN.exec(token);
  return m ? { kind: m[1], iam: !!m[2], fixed: !!m[3] } : { kind: 'normface', iam: false, fixed: false };
}

export const panelToken = ({ kind, iam, fixed }) => kind + (iam ? '+iam' : '') + (fixed && kind === 'sphereface' ? '+fixed' : '');
