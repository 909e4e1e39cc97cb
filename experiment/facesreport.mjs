// facesreport.mjs: the open-set study's named numbers and tables for the report
// (experiment/report.mjs fills report.md with them; the names are listed there).
//
// Every comparison is paired by seed: the same faces, the same initial network, the same
// batches, only the loss option differs. The primary comparison is the one run.mjs names
// before the runs: per loss, the β chosen on the validation identities against β = 0, on
// the test identities' TAR at FAR = 1e-3 at the checkpoint chosen on validation.
import { LOSS_LABELS } from '../wasm/presets.js';
import { pairedSummary } from './stats.mjs';
import { mean, std, pct, deg } from './table.mjs';

const label = (loss) => LOSS_LABELS[loss] ?? loss;
const pts = (v, d = 1) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(d)}` : '—');
const pval = (p) => (!Number.isFinite(p) ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3));

/** The test metric of the primary comparison, and what β is chosen by. */
export const PRIMARY = Object.freeze({ metric: 'c_tar_far_1e3', select: 'val_chosen' });

const ok = (rows, where) => rows.filter((r) => r.status === 'ok' && Object.entries(where).every(([k, v]) => r[k] === v));
const bySeed = (rows, metric) => new Map(rows.map((r) => [r.seed, r[metric]]));

/** Paired by seed: b − a over the seeds both have. */
export function paired(rowsA, rowsB, metric) {
  const a = bySeed(rowsA, metric), b = bySeed(rowsB, metric);
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  if (seeds.length < 2) return { n: seeds.length, mean: NaN, lo: NaN, hi: NaN, p: NaN, wins: 0 };
  return pairedSummary(seeds.map((s) => a.get(s)), seeds.map((s) => b.get(s)));
}

/** How a paired difference reads: its sign only where the 95% CI excludes 0. */
export function verdict(s) {
  if (!(s.n >= 2) || !Number.isFinite(s.lo)) return 'could not be measured';
  if (s.lo > 0) return 'raised';
  if (s.hi < 0) return 'lowered';
  return 'did not change detectably';
}

const cell = (s) => `${pts(s.mean)} [${pts(s.lo)}, ${pts(s.hi)}]`;
const meanSd = (v, f) => (v.length ? `${f(mean(v))} ± ${f(std(v))}` : '—');

/** The β each loss's validation runs choose: the highest mean over seeds of the validation
 *  score at each run's chosen checkpoint (ties: the smaller β). */
export function chosenBeta(rows, F, loss) {
  let best = { beta: F.betas[0], score: -Infinity };
  for (const beta of F.betas) {
    const v = ok(rows, { group: 'faces', loss, beta }).map((r) => r[PRIMARY.select]);
    if (v.length && mean(v) > best.score + 1e-12) best = { beta, score: mean(v) };
  }
  return best.beta;
}

/** The primary comparison of one loss, and the same at the last checkpoint. */
export function primary(rows, F, loss) {
  const beta = chosenBeta(rows, F, loss);
  const base = ok(rows, { group: 'faces', loss, beta: 0 }), mine = ok(rows, { group: 'faces', loss, beta });
  return { beta, chosen: paired(base, mine, PRIMARY.metric), final: paired(base, mine, 'tar_far_1e3'),
    base: mean(base.map((r) => r[PRIMARY.metric])), with: mean(mine.map((r) => r[PRIMARY.metric])) };
}

export function primaryTable(rows, F) {
  const head = '| loss | β chosen on validation | test TAR@1e-3 at β = 0 | at that β | paired difference, points [95% CI] | signed-rank p | seeds better | the same at the last step [95% CI] |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = F.losses.map((loss) => {
    const p = primary(rows, F, loss);
    const same = p.beta === 0 ? '(β = 0 chosen: no comparison)' : cell(p.chosen);
    return `| ${label(loss)} | ${p.beta} | ${pct(p.base)} % | ${pct(p.with)} % | ${same} | ${p.beta === 0 ? '—' : pval(p.chosen.p)} | ` +
      `${p.beta === 0 ? '—' : `${p.chosen.wins} of ${p.chosen.n}`} | ${p.beta === 0 ? '—' : cell(p.final)} |`;
  });
  return `${head}\n${lines.join('\n')}`;
}

/** Per loss, per β: mean ± std over seeds, at the validation-chosen checkpoint, then the angles. */
export function betaTable(rows, F, loss) {
  const head = '| β | validation TAR@1e-3 % | test TAR@1e-3 % | TAR@1e-4 % | verification % | rank-1 % | TAR@1e-3 % at the last step | closed-set acc % | mean NN weight angle | genuine angle | chosen step | runs |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = F.betas.map((beta) => {
    const all = rows.filter((r) => r.group === 'faces' && r.loss === loss && r.beta === beta), g = ok(all, {});
    const col = (metric, f) => meanSd(g.map((r) => r[metric]), f);
    return `| ${beta} | ${col('val_chosen', pct)} | ${col('c_tar_far_1e3', pct)} | ${col('c_tar_far_1e4', pct)} | ${col('c_verify_acc', pct)} | ` +
      `${col('c_rank1', pct)} | ${col('tar_far_1e3', pct)} | ${col('test_acc', pct)} | ${col('mean_nn_weight_angle_deg', deg)} | ${col('genuine_deg', deg)} | ` +
      `${col('chosen_step', (v) => v.toFixed(0))} | ${g.length === all.length ? g.length : `${g.length} of ${all.length}`} |`;
  });
  return `${head}\n${lines.join('\n')}`;
}

/** Every β > 0 against β = 0, per loss: the secondary comparisons, for the test metrics. */
export function pairedTable(rows, F) {
  const metrics = [['c_tar_far_1e3', 'TAR@1e-3'], ['c_tar_far_1e4', 'TAR@1e-4'], ['c_rank1', 'rank-1'], ['c_verify_acc', 'verification']];
  const head = `| loss | β | ${metrics.map(([, l]) => `${l}, points [95% CI] (p)`).join(' | ')} |\n|---|---:|${metrics.map(() => '---:').join('|')}|`;
  const lines = [];
  for (const loss of F.losses)
    for (const beta of F.betas.filter((b) => b > 0)) {
      const base = ok(rows, { group: 'faces', loss, beta: 0 }), mine = ok(rows, { group: 'faces', loss, beta });
      lines.push(`| ${beta === F.betas[1] ? label(loss) : ''} | ${beta} | ${metrics.map(([m]) => {
        const s = paired(base, mine, m);
        return `${cell(s)} (${pval(s.p)})`;
      }).join(' | ')} |`);
    }
  return `${head}\n${lines.join('\n')}`;
}

/** The ceilings beside the base losses: what no training, a linear map, and each loss reach. */
export function ceilingTable(rows, ceilings, F) {
  const metrics = ['verify_acc', 'tar_far_1e3', 'tar_far_1e4', 'rank1'];
  const head = '| method | verification % | TAR@1e-3 % | TAR@1e-4 % | rank-1 % |\n|---|---:|---:|---:|---:|';
  const line = (name, values) => `| ${name} | ${metrics.map((m) => meanSd(values.map((r) => r[m]), pct)).join(' | ')} |`;
  const lines = [
    line('raw inputs (cosine of the 64 "pixels")', ceilings.filter((r) => r.method === 'raw')),
    line('LDA fitted on the training identities', ceilings.filter((r) => r.method === 'lda')),
    line('linear network (no hidden layer), NormFace, β = 0, last step', ceilings.filter((r) => r.method === 'linear')),
    ...F.losses.map((loss) => line(`${label(loss)} MLP, β = 0, chosen checkpoint`,
      ok(rows, { group: 'faces', loss, beta: 0 }).map((r) => Object.fromEntries(metrics.map((m) => [m, r[`c_${m}`]]))))),
  ];
  return `${head}\n${lines.join('\n')}`;
}

/** The readings and stops of IAM at one β, against β = 0 and against the default reading. */
export function variantTable(rows, F) {
  const V = F.variants, base = ok(rows, { group: 'faces', loss: V.loss, beta: 0 });
  const def = ok(rows, { group: 'faces', loss: V.loss, beta: V.beta });
  const head = '| IAM (β = ' + V.beta + ') | test TAR@1e-3 % | vs β = 0, points [95% CI] (p) | vs the default reading [95% CI] (p) | mean NN weight angle | mean sample margin (train) | genuine angle (test) | test face to nearest weight |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const line = (name, g) => {
    const a = paired(base, g, PRIMARY.metric), b = paired(def, g, PRIMARY.metric);
    const col = (metric, f) => meanSd(g.map((r) => r[metric]), f);
    return `| ${name} | ${col(PRIMARY.metric, pct)} | ${cell(a)} (${pval(a.p)}) | ${g === def ? '—' : `${cell(b)} (${pval(b.p)})`} | ` +
      `${col('mean_nn_weight_angle_deg', deg)} | ${col('mean_sample_margin_deg', deg)} | ${col('genuine_deg', deg)} | ${col('to_weight_deg', deg)} |`;
  };
  const none = (name) => `| ${name} | ${meanSd(base.map((r) => r[PRIMARY.metric]), pct)} | — | — | ${meanSd(base.map((r) => r.mean_nn_weight_angle_deg), deg)} | ` +
    `${meanSd(base.map((r) => r.mean_sample_margin_deg), deg)} | ${meanSd(base.map((r) => r.genuine_deg), deg)} | ${meanSd(base.map((r) => r.to_weight_deg), deg)} |`;
  const lines = [none('none (β = 0)'), line('default: −softplus(h)', def),
    ...V.list.map((options) => {
      const name = options.iamVariant ?? `stop ${options.iamStop}`;
      return line(VARIANT_LABELS[name] ?? name, ok(rows, { group: 'variant', variant: name }));
    })];
  return `${head}\n${lines.join('\n')}`;
}

export const VARIANT_LABELS = Object.freeze({
  'log-odds': 'log-odds: −h',
  'push-only': 'push-only: LSE_{j≠y} u_j',
  'stop W': 'default, gradient stopped on W (moves the samples only)',
  'stop x': 'default, gradient stopped on x (moves the weights only)',
  weights: 'weight-only control: the weights pushed apart, no sample',
});

/** The knobs: another dimension or scale (with its tuned margin), fewer seeds. */
export function knobTable(rows, F, margins) {
  const K = F.knobs, [b0, b1] = K.betas;
  const head = `| d | s | loss (margin) | test TAR@1e-3 % at β = ${b0} | at β = ${b1} | paired difference [95% CI] | seeds better |\n|---:|---:|---|---:|---:|---:|---:|`;
  const settings = [{ dim: F.net.dim, scale: F.scale, group: 'faces' }, ...K.settings.map((s) => ({ ...s, group: 'knob' }))];
  const lines = [];
  for (const { dim, scale, group } of settings)
    for (const loss of K.losses) {
      const where = (beta) => ok(rows, { group, loss, beta, dim, scale }).filter((r) => group !== 'faces' || r.seed <= K.seeds);
      const a = where(b0), b = where(b1), s = paired(a, b, PRIMARY.metric);
      const m = margins[loss]?.[scale];
      lines.push(`| ${dim} | ${scale} | ${label(loss)}${m !== undefined ? ` (m = ${m})` : ''} | ${meanSd(a.map((r) => r[PRIMARY.metric]), pct)} | ` +
        `${meanSd(b.map((r) => r[PRIMARY.metric]), pct)} | ${cell(s)} | ${s.wins} of ${s.n} |`);
    }
  return `${head}\n${lines.join('\n')}`;
}

/** The margins each scale got on validation (stage 1). */
export function tuneTable(rows, F) {
  const lines = [];
  for (const [loss, margins] of Object.entries(F.tune.margins))
    for (const scale of F.tune.scales) {
      const cells = margins.map((m) => {
        const r = rows.find((x) => x.group === 'tune' && x.loss === loss && x.scale === scale && x.margin === m);
        return r && r.status === 'ok' ? pct(r.val_chosen) : '—';
      });
      lines.push(`| ${label(loss)} | ${scale} | ${cells.join(' | ')} |`);
    }
  const ms = Object.values(F.tune.margins)[0];
  return `| loss | s | ${ms.map((m) => `m = ${m}`).join(' | ')} |\n|---|---:|${ms.map(() => '---:').join('|')}|\n${lines.join('\n')}`;
}

/** Stage 1's probes: other learning rates at one scale (they tune nothing; the report shows them). */
export function probeTable(rows) {
  const probes = rows.filter((r) => r.group === 'tune' && r.margin === null);
  return '| loss | s | lr | validation TAR@1e-3 % | closed-set acc % |\n|---|---:|---:|---:|---:|\n' +
    probes.map((r) => `| ${label(r.loss)} | ${r.scale} | ${r.lr} | ${r.status === 'ok' ? pct(r.val_chosen) : r.status} | ${pct(r.test_acc)} |`).join('\n');
}

/** Convergence: the same runs at the main number of steps (the β sweep's, same seeds) and at
 *  the long group's, β = 0 against β = 1 at each. */
export function longTable(rows, curve, F) {
  const L = F.long, [b0, b1] = L.betas;
  const head = `| loss | steps | test TAR@1e-3 % at β = ${b0} | at β = ${b1} | paired difference [95% CI] | seeds better | validation gain over the last fifth |\n|---|---:|---:|---:|---:|---:|---:|`;
  const lines = [];
  for (const loss of L.losses)
    for (const [group, steps] of [['faces', F.steps], ['long', L.steps]]) {
      const g = (beta) => ok(rows, { group, loss, beta }).filter((r) => r.seed <= L.seeds);
      const s = paired(g(b0), g(b1), PRIMARY.metric);
      lines.push(`| ${steps === F.steps ? label(loss) : ''} | ${steps} | ${meanSd(g(b0).map((r) => r[PRIMARY.metric]), pct)} | ` +
        `${meanSd(g(b1).map((r) => r[PRIMARY.metric]), pct)} | ${cell(s)} | ${s.wins} of ${s.n} | ${pts(longTail(curve, group, loss, steps, L.seeds))} |`);
    }
  return `${head}\n${lines.join('\n')}`;
}

/** The mean change of the validation score over the last fifth of one group's runs (both β,
 *  seeds 1…maxSeed), from the curve rows. */
function longTail(curve, group, loss, steps, maxSeed) {
  const c = curve.filter((r) => r.group === group && r.loss === loss && r.seed <= maxSeed);
  const stepsSeen = [...new Set(c.map((r) => r.step))].sort((a, b) => a - b);
  const from = stepsSeen.filter((x) => x <= steps * 0.8).pop();
  if (from === undefined) return NaN;
  const at = (step) => new Map(c.filter((r) => r.step === step).map((r) => [`${r.beta} ${r.seed}`, r.val_tar_far_1e3]));
  const a = at(from), b = at(steps);
  return mean([...b.keys()].filter((k) => a.has(k)).map((k) => b.get(k) - a.get(k)));
}

/** What a step costs as the classes grow (the cost group). */
export function costTable(costRows) {
  const base = costRows[0];
  return '| classes | ms per step | × the first | class weights |\n|---:|---:|---:|---:|\n' +
    costRows.map((r) => `| ${r.classes.toLocaleString('en-US')} | ${r.ms_per_step.toFixed(1)} | ${(r.ms_per_step / base.ms_per_step).toFixed(1)} | ` +
      `${(r.weight_bytes / 1024).toFixed(0)} KiB |`).join('\n');
}

/** The trainer at more identities. */
export function wideTable(rows, F) {
  const W = F.wide, [b0, b1] = W.betas;
  const g = (beta) => ok(rows, { group: 'wide', beta });
  const s = paired(g(b0), g(b1), PRIMARY.metric);
  const col = (beta, metric, f) => meanSd(g(beta).map((r) => r[metric]), f);
  return `| identities | β | test TAR@1e-3 % | rank-1 % | closed-set acc % | mean NN weight angle | run time |\n|---:|---:|---:|---:|---:|---:|---:|\n` +
    W.betas.map((beta) => `| ${W.train} | ${beta} | ${col(beta, PRIMARY.metric, pct)} | ${col(beta, 'c_rank1', pct)} | ${col(beta, 'test_acc', pct)} | ` +
      `${col(beta, 'mean_nn_weight_angle_deg', deg)} | ${col(beta, 'ms', (v) => `${(v / 1000).toFixed(0)} s`)} |`).join('\n') +
    `\n\nPaired, β = ${b1} − β = ${b0}: ${cell(s)} points of TAR@1e-3, ${s.wins} of ${s.n} seeds better.`;
}


/** Every name of the open-set part of report.md. */
export function facesValues({ run, facesRows: rows, ceilings, facesCurve, costRows = [] }) {
  const { grid } = run, F = grid.faces, P = setupValues(run);
  const primaries = Object.fromEntries(F.losses.map((loss) => [loss, primary(rows, F, loss)]));
  const named = {};
  for (const [loss, p] of Object.entries(primaries))
    Object.assign(named, {
      [`primary_${loss}_beta`]: p.beta, [`primary_${loss}_verdict`]: p.beta === 0 ? 'was not compared (validation chose β = 0)' : verdict(p.chosen),
      [`primary_${loss}_diff`]: p.chosen.mean, [`primary_${loss}_lo`]: p.chosen.lo, [`primary_${loss}_hi`]: p.chosen.hi,
      [`primary_${loss}_p`]: pval(p.chosen.p), [`primary_${loss}_wins`]: p.chosen.wins, [`primary_${loss}_n`]: p.chosen.n,
      [`primary_${loss}_base`]: p.base, [`primary_${loss}_with`]: p.with,
    });
  const ceiling = (method, metric) => mean(ceilings.filter((r) => r.method === method).map((r) => r[metric]));
  const anyTest = rows.find((r) => r.group === 'faces' && r.status === 'ok');
  const margins = run.margins ?? {};
  const complete = grid.name === 'full' && (run.seeds ?? F.seeds) >= 10;
  return {
    ...P, ...named, complete,
    ...(complete && { ...mechanismValues(rows, F), ...knobValues(rows, F) }), // the conclusion's, written for the full run
    losses_list: F.losses.map(label).join(' and '),
    margins_text: F.losses.filter((l) => margins[l]?.[F.scale] !== undefined).map((l) => `${label(l)} m = ${margins[l][F.scale]}`).join(', ') || 'none',
    ceiling_raw_tar: ceiling('raw', 'tar_far_1e3'), ceiling_lda_tar: ceiling('lda', 'tar_far_1e3'), ceiling_linear_tar: ceiling('linear', 'tar_far_1e3'),
    impostor_pairs: anyTest ? run.protocolCounts.impostor_pairs : 0, genuine_pairs: anyTest ? run.protocolCounts.genuine_pairs : 0,
    ...convergence(facesCurve, F),
    'table:primary': primaryTable(rows, F),
    'table:ceilings': ceilingTable(rows, ceilings, F),
    'table:beta_per_loss': F.losses.map((loss) => `### ${label(loss)}\n\n${betaTable(rows, F, loss)}`).join('\n\n'),
    'table:paired': pairedTable(rows, F),
    'table:variants': variantTable(rows, F),
    'table:knobs': knobTable(rows, F, margins),
    'table:tune': tuneTable(rows, F),
    'table:probes': probeTable(rows),
    long: Boolean(F.long), ...(F.long && { long_steps: F.long.steps, long_seeds: F.long.seeds, long_betas: F.long.betas.join(' and '), 'table:long': longTable(rows, facesCurve, F) }),
    cost: costRows.length > 0, ...(costRows.length && { 'table:cost': costTable(costRows), cost_batch: costRows[0].batch }),
    linear_seeds: Math.min(F.linearSeeds ?? F.seeds, run.seeds ?? F.seeds),
    wide: Boolean(F.wide), ...(F.wide && { wide_train: F.wide.train, wide_per_train: F.wide.perTrain, 'table:wide': wideTable(rows, F),
      wide_ms: mean(ok(rows, { group: 'wide' }).map((r) => r.ms)), faces_ms: mean(ok(rows, { group: 'faces' }).map((r) => r.ms)) }),
  };
}

/** The numbers the conclusion quotes about where the gain comes from: the β sweep's angles and
 *  accuracies at β = 0 and the largest β, and each reading or stop against β = 0. */
function mechanismValues(rows, F) {
  const top = F.betas[F.betas.length - 1], V = F.variants, out = { top_beta: top };
  const m = (where, metric) => mean(ok(rows, where).map((r) => r[metric]));
  for (const [b, name] of [[0, 'b0'], [top, 'btop']])
    for (const [metric, key] of [['mean_nn_weight_angle_deg', 'nn'], ['mean_sample_margin_deg', 'margin'], ['test_acc', 'closed']])
      out[`normface_${name}_${key}`] = m({ group: 'faces', loss: 'normface', beta: b }, metric);
  const base = ok(rows, { group: 'faces', loss: V.loss, beta: 0 });
  const groups = { default: ok(rows, { group: 'faces', loss: V.loss, beta: V.beta }),
    ...Object.fromEntries(V.list.map((o) => { const n = o.iamVariant ?? `stop ${o.iamStop}`; return [n, ok(rows, { group: 'variant', variant: n })]; })) };
  for (const [name, g] of Object.entries(groups)) {
    const key = name.replace(/[ -]/g, '_');
    out[`variant_${key}_diff`] = paired(base, g, PRIMARY.metric).mean;
    if (name === 'weights' || name === 'push-only') out[`variant_${key}_nn`] = mean(g.map((r) => r.mean_nn_weight_angle_deg));
  }
  out.arcface_b0_margin = m({ group: 'faces', loss: 'arcface', beta: 0 }, 'mean_sample_margin_deg');
  out.arcface_b0_nn = m({ group: 'faces', loss: 'arcface', beta: 0 }, 'mean_nn_weight_angle_deg');
  out.arcface_btop_nn = m({ group: 'faces', loss: 'arcface', beta: top }, 'mean_nn_weight_angle_deg');
  return out;
}

/** The conclusion's numbers of the knobs (NormFace at β = 0 per setting), the long runs and
 *  the wide ones: the test TAR at β = 0 (…_b0), at β = 1 (…_with) and their paired difference
 *  (…_diff). */
function knobValues(rows, F) {
  const out = {}, at = (g) => mean(g.map((r) => r[PRIMARY.metric]));
  const put = (key, base, mine) => Object.assign(out, { [`${key}_b0`]: at(base), [`${key}_with`]: at(mine), [`${key}_diff`]: paired(base, mine, PRIMARY.metric).mean });
  for (const { dim, scale } of F.knobs.settings)
    out[`knob_d${dim}_s${scale}_normface_b0`] = at(ok(rows, { group: 'knob', loss: 'normface', beta: 0, dim, scale }));
  const [l0, l1] = F.long.betas;
  for (const loss of F.long.losses) put(`long_${loss}`, ok(rows, { group: 'long', loss, beta: l0 }), ok(rows, { group: 'long', loss, beta: l1 }));
  const [w0, w1] = F.wide.betas;
  put('wide', ok(rows, { group: 'wide', beta: w0 }), ok(rows, { group: 'wide', beta: w1 }));
  out.wide_closed = mean(ok(rows, { group: 'wide', beta: w0 }).map((r) => r.test_acc));
  return out;
}

/** Has training converged? The mean change of the validation score over the last fifth of
 *  the steps, over the β sweep's runs. */
function convergence(curve, F) {
  const from = F.steps - Math.round(F.steps / 5 / F.evalEvery) * F.evalEvery;
  const at = (step) => new Map(curve.filter((r) => r.group === 'faces' && r.step === step).map((r) => [`${r.loss} ${r.beta} ${r.seed}`, r.val_tar_far_1e3]));
  const a = at(from), b = at(F.steps), gains = [...b.keys()].filter((k) => a.has(k)).map((k) => b.get(k) - a.get(k));
  const g = mean(gains);
  return { tail_from_step: from, val_tail_gain: g,
    tail_verdict: Math.abs(g) < 0.01 ? 'less than a point: converged, as far as this score tells' : 'a point or more: the low rates at the end of the schedule still help, and whether more steps would is not tested here' };
}

/** The setup's numbers, from the grid and the faces world. */
function setupValues(run) {
  const F = run.grid.faces, W = run.faces;
  const epochs = (F.steps * F.optim.batchSize) / (F.data.train * F.data.perTrain * (1 - F.optim.testFraction));
  return {
    faces_train: F.data.train, faces_val: F.data.val, faces_test: F.data.test, per_train: F.data.perTrain, per_eval: F.data.perEval,
    latent_id: W.latentId, latent_nuisance: W.latentNuisance, renderer_hidden: W.hidden, input_dim: W.dim, gain: W.gain,
    pose_deg: Math.round(W.pose * 180), jitter: W.jitter, nuisance: W.nuisance, noise: W.noise,
    hidden_layers: F.net.hidden.join(' → '), embed_dim: F.net.dim, momentum: F.optim.momentum, weight_decay: F.optim.weightDecay,
    face_lr: F.optim.lr, face_batch: F.optim.batchSize, face_steps: F.steps, epochs: Math.round(epochs), eval_every: F.evalEvery,
    test_fraction: F.optim.testFraction, scale: F.scale, betas_set: `{${F.betas.join(', ')}}`,
    folds: F.protocol.test.folds, pairs_same: F.protocol.test.same, pairs_diff: F.protocol.test.diff,
    probe_ids: Math.round(F.data.test * F.protocol.test.probeFraction), distractor_ids: F.data.test - Math.round(F.data.test * F.protocol.test.probeFraction),
    val_impostors: F.protocol.valImpostors, tune_seed: F.tune.seed,
    variant_loss: label(F.variants.loss), variant_beta: F.variants.beta, variant_seeds: F.variants.seeds,
    knob_seeds: F.knobs.seeds, knob_betas: F.knobs.betas.join(' and '),
  };
}
