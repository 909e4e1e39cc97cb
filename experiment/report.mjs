// report.mjs: docs/RESULTS.md, rewritten by every run of the experiment, from the
// template beside this file (report.md) and the named numbers and blocks of the run.
//
// The prose (the setup and the conclusion) lives in report.md and is edited there,
// as Markdown. It was written by hand from the numbers of the full sweep; where it
// quotes a number it names it, and reportValues() below computes every name from the
// current run, so a rerun keeps the words and refreshes the numbers, tables and
// figures. A reduced run (--quick, or fewer seeds or steps) says so at the top,
// because the prose was written for the full one.
//
// The template language, all of it (fillTemplate):
//   {{name}}             a value: a number or a string (a table, a list, a figure: `table:…`)
//   {{name|format}}      a number through one of FORMATS (`pct`, `deg`, …); a [min, max]
//                        range prints "min to max", or one number when both print alike
//   {{#name}}…{{/name}}  a section, kept when the boolean `name` is true ({{^name}}: false);
//                        a tag alone on its line takes the line with it
//   {{! … }}             a comment, left out (with its line when it stands alone)
// The names: `primary_<loss>_<what>` is the primary comparison of a loss (facesreport.mjs);
// `room_<loss>_<dim>d_c<C>_b<β>_<metric>` a room-sweep cell's mean over seeds, with the
// metric named as in room.csv; `fig2_…` a number of Fig. 2's pictures; `all` in the loss's
// place and `_range` at the end are a [min, max] over those losses; `_runs` are counts.
// A placeholder without a value, or a value that the template never names, is an
// error: the template and this file cannot drift apart.
//
// What it deliberately is not: a template engine (no loops, no expressions, no
// escaping). Whatever repeats over the grid (a table row per loss, a heading per
// dimension) is a block made here.
import { readFileSync, writeFileSync } from 'node:fs';
import { LOSS_LABELS } from '../wasm/presets.js';
import { MERGED_RATIO, groupStats, pct, deg } from './table.mjs';
import { facesValues } from './facesreport.mjs';

export const REPORT_TEMPLATE = new URL('./report.md', import.meta.url);

const label = (loss) => LOSS_LABELS[loss] ?? loss;
const signed = (v, d, unit = '') => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}${unit}` : '—');
const minutes = (ms) => `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;

/** The room sweep's numbers, looked up by (loss, dim, β, C). */
function makeLookup(roomRows) {
  return { room: (loss, dim, beta, classes, metric) => groupStats(roomRows, { loss, dim, beta, classes }, metric) };
}

function roomTable(roomRows, grid, dim, L) {
  const { room } = grid;
  const cols = room.losses.flatMap((loss) => [`${label(loss)} ratio β=0 → ${room.betas[1]}`, 'merged', 'test acc %']);
  const head = `| C | limit | ${cols.join(' | ')} |\n|---:|---:|${cols.map(() => '---:').join('|')}|`;
  const lines = room.classes.map((classes) => {
    const limit = roomRows.find((r) => r.dim === dim && r.classes === classes)?.packing_limit_deg;
    const cells = room.losses.flatMap((loss) => {
      const [b0, b1] = room.betas;
      const r0 = L.room(loss, dim, b0, classes, 'packing_ratio'), r1 = L.room(loss, dim, b1, classes, 'packing_ratio');
      const m0 = L.room(loss, dim, b0, classes, 'merged'), m1 = L.room(loss, dim, b1, classes, 'merged');
      const a0 = L.room(loss, dim, b0, classes, 'test_acc'), a1 = L.room(loss, dim, b1, classes, 'test_acc');
      const sum = (g) => g.values.reduce((a, b) => a + b, 0);
      const arrow = r1.mean > r0.mean + 0.02 ? ' ↑' : r1.mean < r0.mean - 0.02 ? ' ↓' : '';
      return [`${r0.mean.toFixed(2)} → **${r1.mean.toFixed(2)}**${arrow}`, `${sum(m0)} → ${sum(m1)} of ${m1.n}`, `${pct(a0.mean)} → ${pct(a1.mean)}`];
    });
    return `| ${classes} | ${deg(limit, 1)} | ${cells.join(' | ')} |`;
  });
  return `${head}\n${lines.join('\n')}`;
}

/** Where does IAM (β > 0) stop widening: the smallest C at which its mean ratio falls below β = 0's. */
function roomTurn(grid, L, loss, dim) {
  const [b0, b1] = grid.room.betas;
  for (const classes of grid.room.classes) {
    const r0 = L.room(loss, dim, b0, classes, 'packing_ratio').mean, r1 = L.room(loss, dim, b1, classes, 'packing_ratio').mean;
    if (r1 < r0 - 0.02) return classes;
  }
  return null;
}

function fig2Table(fig2Metrics, grid) {
  const lines = [];
  for (const classes of grid.fig2.classes) {
    const cells = grid.fig2.losses.map((loss) => {
      const [a, b] = grid.fig2.betas.map((beta) => fig2Metrics.find((m) => m.loss === loss && m.beta === beta && m.classes === classes));
      return a && b ? `${deg(a.min_weight_angle_deg, 0)} → ${deg(b.min_weight_angle_deg, 0)}` : '—';
    });
    lines.push(`| ${classes} | ${cells.join(' | ')} |`);
  }
  return `| C | ${grid.fig2.losses.map(label).join(' | ')} |\n|---:|${grid.fig2.losses.map(() => '---:').join('|')}|\n${lines.join('\n')}`;
}

// ---------------------------------------------------------------------------
// The template: {{name}}, {{name|format}}, {{#name}}…{{/name}}, {{^name}}…{{/name}}.
// ---------------------------------------------------------------------------

/** How a named number is printed; '—' where it is not a number (a cell without runs). */
export const FORMATS = Object.freeze({
  pct: (v) => pct(v),                       // a fraction as a percentage, 1 decimal: 0.7125 → 71.3
  signed_pct: (v) => signed(100 * v, 1),    // a difference of fractions in points: −0.011 → −1.1
  round_pct: (v) => `${Math.round(100 * v)} %`,
  deg: (v) => deg(v),                       // degrees, 1 decimal, with the sign: 56.3°
  deg0: (v) => deg(v, 0),
  fixed0: (v) => (Number.isFinite(v) ? v.toFixed(0) : '—'),
  fixed2: (v) => (Number.isFinite(v) ? v.toFixed(2) : '—'),
  minutes: (ms) => minutes(ms),             // a duration: 2 min 5 s
  seconds: (ms) => (Number.isFinite(ms) ? `${Math.round(ms / 1000)} s` : '—'),
  s: (n) => (n > 1 ? 's' : ''),             // the plural ending: seed{{seeds|s}}
  runs: (n) => (n ? `${n} run(s)` : 'no run'),
});

const TAG = /\{\{([#^])([\w.:]+)\}\}([\s\S]*?)\{\{\/\2\}\}|\{\{([\w.:]+)(?:\|(\w+))?\}\}/g;
const ANY_NAME = /\{\{[#^/]?([\w.:]+)(?:\|\w+)?\}\}/g;

function formatted(name, value, format) {
  if (format === undefined) {
    if (typeof value === 'string' || Number.isFinite(value)) return String(value);
    throw new Error(`report.md: {{${name}}} is ${JSON.stringify(value)}, not a string or a number (a format, {{${name}|…}}?)`);
  }
  const f = FORMATS[format];
  if (!f) throw new Error(`report.md: unknown format '${format}' in {{${name}|${format}}} (expected one of ${Object.keys(FORMATS).join(', ')})`);
  if (Array.isArray(value)) {
    const [lo, hi] = value.map(f);
    return lo === hi ? lo : `${lo} to ${hi}`;
  }
  if (typeof value !== 'number') throw new Error(`report.md: {{${name}|${format}}} is ${JSON.stringify(value)}, not a number`);
  return f(value);
}

/**
 * The template with every tag replaced by its value from `values`, a flat object.
 * Throws on a placeholder without a value (in a kept section), on a value that the
 * template never names (in any section), on a section that is not a boolean, and on
 * a tag that is not closed or not well formed.
 */
export function fillTemplate(template, values) {
  const value = (name) => {
    if (!Object.hasOwn(values, name)) throw new Error(`report.md: no value named '${name}'`);
    return values[name];
  };
  const section = (name) => {
    const on = value(name);
    if (typeof on !== 'boolean') throw new Error(`report.md: the section {{#${name}}} needs a boolean, not ${JSON.stringify(on)}`);
    return on;
  };
  const expand = (text) => text.replace(TAG, (_, kind, name, body, placeholder, format) =>
    (name ? (section(name) === (kind === '#') ? expand(body) : '') : formatted(placeholder, value(placeholder), format)));
  const source = template.replace(/^\{\{![\s\S]*?\}\}\n/gm, '').replace(/\{\{![\s\S]*?\}\}/g, '');
  const text = expand(source.replace(/^(\{\{[#^/][\w.:]+\}\})\n/gm, '$1'));
  const broken = text.match(/\{\{[^\n]{0,40}|[^\n]{0,40}\}\}/);
  if (broken) throw new Error(`report.md: a tag that is not closed or not well formed: '${broken[0]}'`);
  const named = new Set([...source.matchAll(ANY_NAME)].map((m) => m[1]));
  const unused = Object.keys(values).filter((name) => !named.has(name));
  if (unused.length) throw new Error(`report.md never names ${unused.map((n) => `'${n}'`).join(', ')}`);
  return text;
}

// ---------------------------------------------------------------------------
// The named numbers and blocks of a run (see the top of this file for the names).
// ---------------------------------------------------------------------------

const list = (xs) => xs.join(', ');
const span = (values) => {
  const ok = values.filter(Number.isFinite);
  return [Math.min(...ok), Math.max(...ok)];
};

/** The room-sweep cell means of one loss and dimension, for every C × β asked for. */
function roomMeans(L, loss, dim, classesList, betas, metric) {
  const out = {};
  for (const classes of classesList) for (const beta of betas)
    out[`room_${loss}_${dim}d_c${classes}_b${beta}_${metric}`] = L.room(loss, dim, beta, classes, metric).mean;
  return out;
}

/** The header, the setup and the files: what was run, how, and how long it took. */
function runValues({ run, facesRows, linearRows, facesCurve, ceilings, roomRows }) {
  const { grid } = run, F = grid.faces;
  const diverged = [...facesRows, ...linearRows, ...roomRows].filter((r) => r.status !== 'ok').length;
  const full = grid.name === 'full' && run.seeds === null && run.steps === grid.steps;
  return {
    command: run.command, runs: run.runs, total_ms: run.totalMs, jobs: run.jobs, wasm: run.simd ? 'SIMD' : 'scalar',
    node: run.node, date: run.date,
    reduced: !full, grid_name: grid.name, seeds: run.seeds ?? F.seeds, room_seeds_n: run.seeds ?? grid.seeds, steps: run.steps,
    diverged: diverged > 0, diverged_runs: diverged,
    faces_rows: facesRows.length + linearRows.length, curve_rows: facesCurve.length, ceiling_rows: ceilings.length, room_rows: roomRows.length,
    faces_run_ms: run.runMs.faces, room_run_ms: run.runMs.room, sweep_ms: run.sweepMs,
    room_c_first: grid.room.classes[0], room_c_last: grid.room.classes[grid.room.classes.length - 1],
    room_dims_set: `{${list(grid.room.dims)}}`, room_losses_list: grid.room.losses.map(label).join(' and '),
    room_betas_set: `{${list(grid.room.betas)}}`, merged_ratio: MERGED_RATIO,
  };
}

/** Section 2: Fig. 2 in miniature, and Softmax's caveat when its crowded circle is drawn. */
function fig2Values({ run, fig2Files, fig2Note, fig2Metrics }) {
  const { grid } = run, { fig2 } = grid;
  const [roomy, crowded] = fig2.classes, last = fig2.classes[fig2.classes.length - 1];
  const softmax = fig2Metrics.find((x) => x.loss === 'softmax' && x.classes === last && x.beta === fig2.betas[1]);
  return {
    fig2_seed: fig2.seed, fig2_roomy_classes: roomy, fig2_roomy_limit_deg: 360 / roomy,
    fig2_crowded: Boolean(crowded), ...(crowded && { fig2_crowded_classes: crowded, fig2_crowded_limit_deg: 360 / crowded }),
    'figure:fig2': fig2Files.length
      ? fig2Files.map((f) => `![Fig. 2 in miniature, C = ${f.classes}](figures/${f.name})`).join('\n\n')
      : `_${fig2Note}_`,
    fig2_beta: fig2.betas[1], 'table:fig2': fig2Table(fig2Metrics, grid),
    fig2_softmax_note: Boolean(softmax),
    ...(softmax && { fig2_softmax_classes: last, fig2_softmax_min_weight_angle_deg: softmax.min_weight_angle_deg, fig2_softmax_test_acc: softmax.test_acc }),
    'list:fig2_files': fig2Files.map((f) => `- \`figures/${f.name}\`: drawn by \`web/view2d.js\` in Chromium (\`experiment/render.mjs\`).`).join('\n'),
  };
}

/** Section 3: the room sweep's tables, and where IAM stops widening. */
function roomValues({ run, roomRows }, L) {
  const { grid } = run, { room } = grid;
  const turns = room.dims.map((dim) => room.losses.map((loss) =>
    `${label(loss)} ${dim}-D: ${roomTurn(grid, L, loss, dim) ?? `none up to ${room.classes[room.classes.length - 1]}`}`).join('; '));
  return {
    room_beta_base: room.betas[0], room_beta_iam: room.betas[1],
    'table:room_per_dim': room.dims.map((dim) => `### ${dim}-D embedding\n\n${roomTable(roomRows, grid, dim, L)}`).join('\n\n'),
    'list:room_turns': turns.join('; '),
  };
}

/** The geometry conclusion's numbers (the room sweep and Fig. 2), when the grid has every C and
 *  loss its words talk about; else geometry_complete is false and the words are left out. */
function geometryValues({ run, roomRows, fig2Metrics }, L) {
  const { grid } = run, losses = grid.fig2.losses;
  const complete = grid.room.classes.length >= 10 && grid.room.dims.includes(3) && grid.fig2.classes.includes(8) && losses.length === 5;
  if (!complete) return { geometry_complete: false };
  const merged = (loss, dim, beta, classes) => L.room(loss, dim, beta, classes, 'merged').values.reduce((a, b) => a + b, 0);
  const fig2 = (loss, classes, beta) => fig2Metrics.find((m) => m.loss === loss && m.classes === classes && m.beta === beta)?.min_weight_angle_deg ?? NaN;
  return {
    geometry_complete: true,
    ...roomMeans(L, 'normface', 2, [3, 4, 5], [0, 0.5], 'packing_ratio'),
    'room_normface_2d_c7_b0.5_merged_runs': merged('normface', 2, 0.5, 7), 'room_normface_2d_c8_b0.5_merged_runs': merged('normface', 2, 0.5, 8),
    room_seeds: L.room('normface', 2, 0.5, 8, 'merged').n,
    ...roomMeans(L, 'normface', 2, [8], [0, 0.5], 'test_acc'),
    'room_arcface_2d_b0.5_most_merged_runs': Math.max(...grid.room.classes.map((c) => merged('arcface', 2, 0.5, c))),
    'room_arcface_2d_c6up_b0.5_packing_ratio_range': span(grid.room.classes.filter((c) => c >= 6).map((c) => L.room('arcface', 2, 0.5, c, 'packing_ratio').mean)),
    ...roomMeans(L, 'normface', 3, [4, 11], [0, 0.5], 'packing_ratio'),
    room_3d_merged_runs: roomRows.filter((r) => r.dim === 3 && r.merged === 1).length,
    fig2_all_c4_b0_min_weight_angle_deg_range: span(losses.map((l) => fig2(l, 4, 0))),
    'fig2_all_c4_b0.5_min_weight_angle_deg_range': span(losses.map((l) => fig2(l, 4, 0.5))),
    fig2_normface_c8_b0_min_weight_angle_deg: fig2('normface', 8, 0), 'fig2_normface_c8_b0.5_min_weight_angle_deg': fig2('normface', 8, 0.5),
  };
}

/**
 * Every name report.md quotes, computed from one run: { run, facesRows, linearRows,
 * facesCurve, ceilings, roomRows, fig2Files, fig2Note, fig2Metrics } as
 * experiment/run.mjs's runExperiment returns it.
 */
export function reportValues(input) {
  const L = makeLookup(input.roomRows);
  return { ...runValues(input), ...facesValues(input), ...fig2Values(input), ...roomValues(input, L), ...geometryValues(input, L) };
}

export function writeReport(path, input) {
  writeFileSync(path, fillTemplate(readFileSync(REPORT_TEMPLATE, 'utf8'), reportValues(input)));
}
