// table.mjs: the experiment's rows, their CSV, and the statistics the report uses.
//
// One row per run. Angles are in degrees; accuracies are fractions in [0, 1];
// packing_limit_deg and packing_ratio (min weight angle / packing limit) are empty
// where no packing limit is known (LOSSES.md, "Angular metrics": 2-D and 3-D up to 12).

// The open-set study (faces.csv): a row per run. val_* is the validation identities' TAR at
// FAR = 1e-3 (what the checkpoint and β are chosen by); the test identities' numbers come
// twice, at the last step and (c_…) at the checkpoint chosen on validation (chosen_step).
const OPEN_SET = ['verify_acc', 'tar_far_1e3', 'tar_far_1e4', 'rank1'];
export const FACES_COLUMNS = ['group', 'loss', 'beta', 'variant', 'seed', 'dim', 'scale', 'margin', 'lr', 'classes', 'steps', 'chosen_step',
  'val_final', 'val_chosen', ...OPEN_SET, ...OPEN_SET.map((k) => `c_${k}`),
  'test_acc', 'train_acc', 'min_weight_angle_deg', 'mean_nn_weight_angle_deg', 'mean_sample_margin_deg',
  'genuine_deg', 'impostor_deg', 'to_weight_deg', 'base', 'iam', 'ms', 'status'];

/** The validation curve of each faces run (faces-curve.csv). */
export const FACES_CURVE_COLUMNS = ['group', 'loss', 'beta', 'variant', 'seed', 'dim', 'scale', 'step', 'val_tar_far_1e3', 'loss_value'];

/** The ceilings of each seed (ceilings.csv): the raw inputs, LDA, a linear network (its last step). */
export const CEILING_COLUMNS = ['seed', 'method', ...OPEN_SET];

export const ROOM_COLUMNS = ['loss', 'beta', 'seed', 'dim', 'classes', 'steps',
  'test_acc', 'train_acc', 'min_weight_angle_deg', 'mean_nn_weight_angle_deg', 'min_center_angle_deg',
  'packing_limit_deg', 'packing_ratio', 'merged', 'min_sample_margin_deg', 'mean_sample_margin_deg',
  'base', 'iam', 'ms', 'status'];

/** A class pair counts as merged when the smallest weight angle is below this
 *  fraction of the packing limit: what the collapse of LOSSES.md looks like
 *  (9.5° of 60°, 3° of 45°), far below anything a trained loss leaves otherwise. */
export const MERGED_RATIO = 0.25;

/** How the report prints a fraction (as a percentage) and an angle; '—' where it is not a number. */
export const pct = (v, d = 1) => (Number.isFinite(v) ? (100 * v).toFixed(d) : '—');
export const deg = (v, d = 1) => (Number.isFinite(v) ? `${v.toFixed(d)}°` : '—');

const round = (v, digits) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);


function common(r) {
  const m = r.metrics, limit = m.packing_limit_deg > 0 ? m.packing_limit_deg : null;
  return {
    loss: r.meta.loss, beta: r.meta.beta, seed: r.meta.seed, dim: r.meta.dim, classes: r.meta.classes, steps: m.step,
    test_acc: round(m.test_acc, 4), train_acc: round(m.train_acc, 4),
    min_weight_angle_deg: round(m.min_weight_angle_deg, 2), mean_nn_weight_angle_deg: round(m.mean_nn_weight_angle_deg, 2),
    min_center_angle_deg: round(m.min_center_angle_deg, 2), mean_nn_center_angle_deg: round(m.mean_nn_center_angle_deg, 2),
    packing_limit_deg: limit === null ? null : round(limit, 2),
    packing_ratio: limit === null ? null : round(m.min_weight_angle_deg / limit, 4),
    min_sample_margin_deg: round(m.min_sample_margin_deg, 2), mean_sample_margin_deg: round(m.mean_sample_margin_deg, 2),
    base: round(m.base, 4), iam: round(m.iam, 4), ms: Math.round(r.ms), status: r.status,
  };
}

export function facesRow(r) {
  const m = r.metrics, t = r.meta, open = (o, prefix = '') => Object.fromEntries(OPEN_SET.map((k) => [`${prefix}${k}`, round(o[k], 5)]));
  return {
    group: r.group, loss: t.loss, beta: t.beta, variant: t.variant, seed: t.seed, dim: t.dim, scale: t.scale, margin: t.margin, lr: t.lr ?? null,
    classes: t.classes, steps: m.step, chosen_step: r.chosenStep, val_final: round(r.valFinal, 5), val_chosen: round(r.valChosen, 5),
    ...open(r.final), ...open(r.chosen, 'c_'),
    test_acc: round(m.test_acc, 4), train_acc: round(m.train_acc, 4),
    min_weight_angle_deg: round(m.min_weight_angle_deg, 2), mean_nn_weight_angle_deg: round(m.mean_nn_weight_angle_deg, 2),
    mean_sample_margin_deg: round(m.mean_sample_margin_deg, 2),
    genuine_deg: round(r.geometry.genuine_deg, 2), impostor_deg: round(r.geometry.impostor_deg, 2), to_weight_deg: round(r.geometry.to_weight_deg, 2),
    base: round(m.base, 4), iam: round(m.iam, 4), ms: Math.round(r.ms), status: r.status,
  };
}

export const facesCurveRows = (r) => r.curve.map((c) => ({
  group: r.group, loss: r.meta.loss, beta: r.meta.beta, variant: r.meta.variant, seed: r.meta.seed, dim: r.meta.dim, scale: r.meta.scale,
  step: c.step, val_tar_far_1e3: round(c.val_tar_far_1e3, 5), loss_value: round(c.loss, 4),
}));

export function ceilingRows(r) {
  const row = (method, o) => ({ seed: r.meta.seed, method, ...Object.fromEntries(OPEN_SET.map((k) => [k, round(o[k], 5)])) });
  return [row('raw', r.raw), row('lda', r.lda), ...(r.linear ? [row('linear', r.linear.final)] : [])];
}

/** What a training step costs as the classes grow (cost.csv): the trainer's milliseconds per
 *  step of the faces network, timed on the pool, and the bytes of its class weights. */
export const COST_COLUMNS = ['classes', 'dim', 'batch', 'ms_per_step', 'weight_bytes', 'steps_timed'];
export const costRow = (r) => ({ classes: r.meta.classes, dim: r.meta.dim, batch: r.batch, ms_per_step: round(r.msPerStep, 2),
  weight_bytes: r.weightBytes, steps_timed: r.stepsTimed });

export function roomRow(r) {
  const row = common(r);
  return { ...row, merged: row.packing_ratio === null ? null : row.packing_ratio < MERGED_RATIO ? 1 : 0 };
}

const cell = (v) => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const toCSV = (columns, rows) => [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';

/** Parse what toCSV wrote (numbers become numbers, empty cells null). */
export function parseCSV(text) {
  const lines = text.trimEnd().split('\n');
  const split = (line) => {
    const out = [];
    let cur = '', quoted = false;
    for (let k = 0; k < line.length; k++) {
      const ch = line[k];
      if (quoted) {
        if (ch === '"' && line[k + 1] === '"') { cur += '"'; k++; }
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { out.push(cur); cur = ''; }
      else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const header = split(lines[0]);
  const rows = lines.slice(1).map((line) => {
    const cells = split(line), row = {};
    header.forEach((h, k) => {
      const v = cells[k];
      row[h] = v === '' || v === undefined ? null : /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) ? Number(v) : v;
    });
    return row;
  });
  return { header, rows };
}

export function mean(values) {
  const v = values.filter(Number.isFinite);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(values) {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

/** { mean, std, n, values } of `metric` over the ok rows matching `where`. */
export function groupStats(rows, where, metric) {
  const values = rows.filter((r) => r.status === 'ok' && Object.entries(where).every(([k, v]) => r[k] === v)).map((r) => r[metric]);
  return { mean: mean(values), std: std(values), n: values.length, values };
}
