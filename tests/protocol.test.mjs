// protocol.test.mjs: the open-set protocol (experiment/protocol.mjs), its statistics
// (experiment/stats.mjs) and the linear ceilings (experiment/ceilings.mjs), against brute-force
// references written here from the definitions, on small constructed sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng } from '../experiment/rng.mjs';
import {
  normalizeRows, identityFolds, foldPairs, verification, tarAtFar, rank1, splitProbeDistractor,
  identificationSplit, evaluateOpenSet,
} from '../experiment/protocol.mjs';
import { mean, std, tQuantile, pairedCI, signedRank, pairedSummary } from '../experiment/stats.mjs';
import { rawEmbedding, fitLDA, projectLDA } from '../experiment/ceilings.mjs';

// ---- constructed sets ----

// `ids` identities of `per` images in R^d: a random center per identity (scaled by spread)
// plus unit noise per image; ids are spelled sparsely (7k + 3) as real ids may be.
function makeSet({ ids, per, d, spread = 1, noise = 1, seed = 1, perOf = () => per }) {
  const rng = makeRng(seed, 99), rows = [], labels = [];
  for (let k = 0; k < ids; k++) {
    const center = Array.from({ length: d }, () => rng.normal() * spread);
    for (let s = 0; s < perOf(k); s++) { rows.push(center.map((c) => c + noise * rng.normal())); labels.push(7 * k + 3); }
  }
  return { emb: Float32Array.from(rows.flat()), labels: Int32Array.from(labels), d, n: labels.length };
}

const cosine = (emb, d, a, b) => {
  let s = 0, na = 0, nb = 0;
  for (let c = 0; c < d; c++) { s += emb[a * d + c] * emb[b * d + c]; na += emb[a * d + c] ** 2; nb += emb[b * d + c] ** 2; }
  return s / Math.sqrt(na * nb);
};

// ---- folds and pairs ----

test('identityFolds: k disjoint folds of nearly equal size covering every identity, fixed by the seed', () => {
  const { labels } = makeSet({ ids: 43, per: 3, d: 2 });
  const folds = identityFolds(labels, 10, 5);
  assert.equal(folds.length, 10);
  const all = folds.flat();
  assert.equal(new Set(all).size, all.length, 'an identity is in two folds');
  assert.deepEqual([...all].sort((a, b) => a - b), [...new Set(labels)].sort((a, b) => a - b), 'the folds do not cover the identities');
  const sizes = folds.map((f) => f.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
  assert.deepEqual(identityFolds(labels, 10, 5), folds);
  assert.notDeepEqual(identityFolds(labels, 10, 6), folds);
  assert.throws(() => identityFolds(labels, 44, 1), /at least 44 identities; there are 43/);
  assert.throws(() => identityFolds(labels, 4), /needs an integer seed, not undefined/);
});

test('foldPairs: exact counts, distinct pairs, both images in the fold, genuine and impostor as labelled, fixed by the seed', () => {
  const { labels } = makeSet({ ids: 60, per: 5, d: 2, perOf: (k) => 2 + (k % 6) });
  const folds = identityFolds(labels, 6, 3);
  const pairs = foldPairs(labels, folds, { same: 40, diff: 70, seed: 3 });
  assert.equal(pairs.length, 6);
  pairs.forEach((p, f) => {
    assert.equal(p.i.length, 110); assert.equal(p.j.length, 110);
    assert.equal(p.same.reduce((a, b) => a + b, 0), 40);
    const inFold = new Set(folds[f]), seen = new Set();
    for (let k = 0; k < p.i.length; k++) {
      const a = p.i[k], b = p.j[k];
      assert.notEqual(a, b);
      assert.ok(inFold.has(labels[a]) && inFold.has(labels[b]), `fold ${f}: pair (${a}, ${b}) leaves the fold`);
      assert.equal(labels[a] === labels[b], p.same[k] === 1, `fold ${f}: pair ${k} is labelled wrong`);
      const key = `${Math.min(a, b)},${Math.max(a, b)}`;
      assert.ok(!seen.has(key), `fold ${f}: pair ${key} twice`);
      seen.add(key);
    }
  });
  assert.deepEqual(foldPairs(labels, folds, { same: 40, diff: 70, seed: 3 }), pairs);
  assert.notDeepEqual(foldPairs(labels, folds, { same: 40, diff: 70, seed: 4 }), pairs);
  // asking for every genuine pair of a fold gets each once; asking for more says how many there are
  const tiny = Int32Array.from([1, 1, 1, 2, 2, 5, 5, 5, 5]);   // 3 + 1 + 6 = 10 genuine pairs
  const every = foldPairs(tiny, [[1, 2, 5]], { same: 10, diff: 26, seed: 1 })[0];
  assert.equal(new Set(Array.from(every.i, (a, k) => `${a},${every.j[k]}`)).size, 36);
  assert.throws(() => foldPairs(tiny, [[1, 2, 5]], { same: 11, diff: 0, seed: 1 }), /only 10 distinct genuine pairs/);
  assert.throws(() => foldPairs(tiny, [[1, 2, 5]], { same: 1, diff: 27, seed: 1 }), /only 26 distinct impostor pairs/);
});

test('a zero row is an error that says so', () => {
  assert.throws(() => normalizeRows(Float32Array.from([1, 0, 0, 0, 3, 4]), 2), /row 1 has zero length/);
  assert.throws(() => verification(new Float32Array(6), 2, Int32Array.from([1, 2, 3]), { seed: 1 }), /row 0 has zero length/);
});

// ---- verification ----

test('verification: perfectly separated identities give accuracy 1, random embeddings about 0.5', () => {
  // one-hot directions per identity, tiny noise: genuine cosines ≈ 1, impostors ≈ 0
  const d = 64, ids = 60, per = 6, rng = makeRng(2), emb = new Float32Array(ids * per * d), labels = new Int32Array(ids * per);
  for (let r = 0; r < ids * per; r++) {
    const k = Math.floor(r / per);
    labels[r] = 1000 + k;
    for (let c = 0; c < d; c++) emb[r * d + c] = (c === k ? 1 : 0) + 0.01 * rng.normal();
  }
  const perfect = verification(emb, d, labels, { same: 60, diff: 60, seed: 1 });
  assert.equal(perfect.accuracy, 1);
  assert.equal(perfect.std, 0);
  const random = makeSet({ ids: 200, per: 8, d: 32, spread: 0, seed: 4 });
  const chance = verification(random.emb, random.d, random.labels, { seed: 1 });
  assert.equal(chance.perFold.length, 10);
  assert.ok(Math.abs(chance.accuracy - 0.5) < 0.04, `random embeddings verify at ${chance.accuracy}`);
});

// The reference: thresholds tried one by one (the midpoints between the sorted distinct training
// scores, 1 below the lowest and 1 above the highest), training accuracy counted pair by pair.
function referenceVerification(emb, d, labels, { folds, same, diff, seed }) {
  const pairs = foldPairs(labels, identityFolds(labels, folds, seed), { same, diff, seed });
  const scored = pairs.map((p) => Array.from(p.i, (a, k) => ({ s: cosine(emb, d, a, p.j[k]), y: p.same[k] === 1 })));
  const accuracy = (list, t) => list.filter(({ s, y }) => (s >= t) === y).length / list.length;
  return scored.map((mine, f) => {
    const train = scored.filter((_, g) => g !== f).flat();
    const u = [...new Set(train.map((p) => p.s))].sort((a, b) => a - b);
    const candidates = [u[0] - 1, ...u.slice(1).map((v, k) => (u[k] + v) / 2), u[u.length - 1] + 1];
    let best = -1, bestT = null;
    for (const t of candidates) { const a = accuracy(train, t); if (a > best) { best = a; bestT = t; } }
    return { threshold: bestT, accuracy: accuracy(mine, bestT) };
  });
}

test('verification: each fold’s threshold is the best one on the other folds, checked against a brute-force reference', () => {
  const set = makeSet({ ids: 50, per: 6, d: 8, spread: 0.6, seed: 7 });
  const opts = { folds: 10, same: 40, diff: 40, seed: 2 };
  const got = verification(set.emb, set.d, set.labels, opts), ref = referenceVerification(set.emb, set.d, set.labels, opts);
  ref.forEach((r, f) => {
    assert.ok(Math.abs(got.thresholds[f] - r.threshold) < 1e-12, `fold ${f}: threshold ${got.thresholds[f]} vs ${r.threshold}`);
    assert.equal(got.perFold[f], r.accuracy, `fold ${f}`);
  });
  assert.ok(Math.abs(got.accuracy - mean(got.perFold)) < 1e-15);
  assert.ok(Math.abs(got.std - std(got.perFold)) < 1e-15);
  // the threshold of fold 0 never sees fold 0: scramble the embeddings of fold 0's identities
  // and it stays, while every other fold's threshold (which trains on fold 0) moves
  const fold0 = new Set(identityFolds(set.labels, 10, 2)[0]), emb = Float32Array.from(set.emb), rng = makeRng(11);
  for (let r = 0; r < set.n; r++) if (fold0.has(set.labels[r])) for (let c = 0; c < set.d; c++) emb[r * set.d + c] = rng.normal();
  const moved = verification(emb, set.d, set.labels, opts);
  assert.equal(moved.thresholds[0], got.thresholds[0]);
  assert.ok(moved.thresholds.slice(1).filter((t, f) => t !== got.thresholds[f + 1]).length >= 5, 'the other folds did not train on fold 0');
});

// ---- TAR at FAR ----

// A set whose scores tie a lot: every image is one of 10 fixed vectors (an identity mostly
// uses three neighbouring ones), so the pairs take at most 55 distinct scores.
function tiedSet() {
  const d = 5, rng = makeRng(8), book = Array.from({ length: 10 }, (_, k) => Array.from({ length: d }, (_, c) => (c === k % d ? 2 : 0) + Math.round(rng.normal())));
  const rows = [], labels = [];
  for (let k = 0; k < 25; k++) for (let s = 0; s < 4; s++) { rows.push(book[(k + rng.int(3)) % 10]); labels.push(3 * k); }
  for (const r of book) assert.ok(r.some((v) => v !== 0));
  return { emb: Float32Array.from(rows.flat()), d, labels: Int32Array.from(labels), n: labels.length };
}

test('tarAtFar: against a brute-force reference over every pair, with tied scores; FAR ≤ f', () => {
  const { emb, d, labels, n } = tiedSet();
  // the scores exactly as the protocol computes them (unit rows, one dot product), so that its
  // ties are the reference's: a cosine computed another way can differ in the last bit
  const u = normalizeRows(emb, d), score = (a, b) => { let s = 0; for (let c = 0; c < d; c++) s += u[a * d + c] * u[b * d + c]; return s; };
  const gen = [], imp = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) (labels[a] === labels[b] ? gen : imp).push(score(a, b));
  assert.ok(new Set(imp).size < imp.length / 4, 'the set was meant to have many tied scores');
  const fars = [0.2, 0.05, 0.01, 1e-3, 1e-4];
  const got = tarAtFar(emb, d, labels, { fars, seed: 1 });
  assert.equal(got.genuinePairs, gen.length);
  assert.equal(got.impostorPairs, imp.length, 'every impostor pair is used when there are fewer than asked for');
  for (const f of fars) {
    // the best TAR over every threshold "accept when score > s" (s an impostor score), or accept all
    let best = imp.length <= f * imp.length ? 1 : 0;
    for (const s of imp) {
      const far = imp.filter((v) => v > s).length / imp.length;
      if (far <= f) best = Math.max(best, gen.filter((v) => v > s).length / gen.length);
    }
    const key = f.toExponential(), t = got.thresholds[key];
    assert.ok(Math.abs(got.tar[key] - best) < 1e-12, `TAR at FAR ${key}: ${got.tar[key]} vs ${best}`);
    const far = imp.filter((v) => v >= t).length / imp.length;
    assert.ok(far <= f, `FAR ${far} above ${f}`);
    assert.equal(got.far[key], far);
    assert.equal(got.tar[key], gen.filter((v) => v >= t).length / gen.length);
  }
  // fewer impostors than the set has: that many, distinct ones, fixed by the seed
  const some = tarAtFar(emb, d, labels, { fars, impostors: 1000, seed: 1 });
  assert.equal(some.impostorPairs, 1000);
  assert.equal(some.impostorPairsTotal, imp.length);
  assert.deepEqual(tarAtFar(emb, d, labels, { fars, impostors: 1000, seed: 1 }), some);
});

// ---- identification ----

test('rank1: against a brute-force reference; distractors that copy the probes’ images pull it down', () => {
  const set = makeSet({ ids: 40, per: 4, d: 6, spread: 0.8, seed: 9, perOf: (k) => 1 + (k % 5) });
  const { probeIds, distractorIds } = splitProbeDistractor(set.labels, 20, 3);
  assert.equal(probeIds.length, 20); assert.equal(distractorIds.length, 20);
  assert.equal(new Set([...probeIds, ...distractorIds]).size, 40);
  const { gallery, probes } = identificationSplit(set.labels, probeIds, distractorIds, 3);
  assert.deepEqual(identificationSplit(set.labels, probeIds, distractorIds, 3), { gallery, probes });
  assert.notDeepEqual(identificationSplit(set.labels, probeIds, distractorIds, 4).gallery, gallery, 'the seed does not choose the gallery image');
  // the split: one gallery image per probe identity, every distractor image in the gallery
  const inGallery = new Set(gallery), probeSet = new Set(probeIds);
  for (const id of probeIds) assert.equal([...gallery].filter((r) => set.labels[r] === id).length, 1);
  for (let r = 0; r < set.n; r++) {
    if (probeSet.has(set.labels[r])) assert.ok(inGallery.has(r) !== probes.includes(r), `row ${r}`);
    else { assert.ok(inGallery.has(r)); assert.ok(!probes.includes(r)); }
  }
  let hits = 0;
  for (const p of probes) {
    let best = -Infinity, right = false;
    for (const g of gallery) {
      const s = cosine(set.emb, set.d, p, g);
      if (s > best) { best = s; right = set.labels[g] === set.labels[p]; } else if (s === best) right = false;
    }
    hits += right ? 1 : 0;
  }
  const got = rank1(set.emb, set.d, set.labels, { probeIds, distractorIds, seed: 3 });
  assert.equal(got.rank1, hits / probes.length);
  assert.deepEqual({ probes: got.probes, gallery: got.gallery, distractors: got.distractors },
    { probes: probes.length, gallery: gallery.length, distractors: gallery.length - 20 });
  // separated identities, then distractors that are copies of the probe identities' images
  const clean = makeSet({ ids: 20, per: 5, d: 16, spread: 3, noise: 0.3, seed: 10 });
  const ids = [...new Set(clean.labels)], probeHalf = ids.slice(0, 10), rest = ids.slice(10);
  const base = rank1(clean.emb, clean.d, clean.labels, { probeIds: probeHalf, distractorIds: rest, seed: 1 });
  assert.equal(base.rank1, 1);
  const copies = Float32Array.from(clean.emb), labels = Int32Array.from(clean.labels);
  for (let r = 0; r < clean.n; r++) if (rest.includes(labels[r])) {
    const twin = r - 50;   // the same image index of identity k − 10: a probe identity
    copies.set(clean.emb.subarray(twin * 16, twin * 16 + 16), r * 16);
  }
  const fooled = rank1(copies, clean.d, labels, { probeIds: probeHalf, distractorIds: rest, seed: 1 });
  assert.equal(fooled.rank1, 0, 'each probe has an exact copy of itself among the distractors');
  // distractors that copy each probe identity's gallery image: a tie with the right answer, a miss
  const { gallery: chosen } = identificationSplit(clean.labels, probeHalf, rest, 1);
  const ties = Float32Array.from(clean.emb);
  for (let r = 0; r < clean.n; r++) if (rest.includes(labels[r])) {
    const own = [...chosen].find((g) => labels[g] === labels[r - 50]);
    ties.set(clean.emb.subarray(own * 16, own * 16 + 16), r * 16);
  }
  assert.equal(rank1(ties, clean.d, labels, { probeIds: probeHalf, distractorIds: rest, seed: 1 }).rank1, 0, 'a tie counted as a hit');
});

test('evaluateOpenSet: the flat row, fractions in [0, 1], the same numbers for the same seed', () => {
  const set = makeSet({ ids: 80, per: 6, d: 16, spread: 0.7, seed: 12 });
  const opts = { same: 30, diff: 30, seed: 5 };
  const row = evaluateOpenSet(set.emb, set.d, set.labels, opts);
  assert.deepEqual(Object.keys(row).sort(),
    ['genuine_pairs', 'impostor_pairs', 'rank1', 'tar_far_1e3', 'tar_far_1e4', 'verify_acc', 'verify_std'].sort());
  for (const k of ['verify_acc', 'tar_far_1e3', 'tar_far_1e4', 'rank1']) assert.ok(row[k] >= 0 && row[k] <= 1, `${k} = ${row[k]}`);
  assert.ok(row.verify_acc > 0.7, `verify_acc ${row.verify_acc}`);
  assert.equal(row.genuine_pairs, 80 * 15);
  assert.equal(row.impostor_pairs, (480 * 479) / 2 - 1200);
  assert.deepEqual(evaluateOpenSet(set.emb, set.d, set.labels, opts), row);
  assert.notDeepEqual(evaluateOpenSet(set.emb, set.d, set.labels, { ...opts, seed: 6 }), row);
});

// ---- statistics ----

test('tQuantile: the tabulated values of Student’s t', () => {
  const table = [[0.975, 9, 2.262157], [0.975, 4, 2.776445], [0.975, 29, 2.045230], [0.975, 1, 12.7062047], [0.995, 9, 3.249836],
    [0.95, 2, 2.919986], [0.9, 30, 1.310415]];
  for (const [p, df, want] of table) {
    assert.ok(Math.abs(tQuantile(p, df) - want) < 1e-6 * Math.max(1, want / 10), `t(${p}, ${df}) = ${tQuantile(p, df)}, not ${want}`);
    assert.ok(Math.abs(tQuantile(1 - p, df) + want) < 1e-6 * Math.max(1, want / 10));
  }
  assert.equal(tQuantile(0.5, 7), 0);
  assert.ok(Math.abs(tQuantile(0.975, 1e6) - 1.959966) < 1e-5, 'large df is the normal quantile');
});

test('signedRank: exact p-values, and the normal approximation near the exact one at n = 25', () => {
  const ten = signedRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(ten, { n: 10, wPlus: 55, p: 2 / 1024, exact: true });
  assert.deepEqual(signedRank([0.3, 0.1, 0.5, 0.2, 0.4]), { n: 5, wPlus: 15, p: 2 / 32, exact: true });
  // ranks of |d| 0.5 0.7 1 1.5 2 2.5 3 4 are 1…8; the negatives hold ranks 1 and 3, W+ = 32, W− = 4;
  // subsets of {1…8} summing to ≤ 4: {}, {1}, {2}, {3}, {1,2}, {4}, {1,3}: p = 2 · 7/256
  // (the exact two-sided p scipy.stats.wilcoxon defines; worked by hand, scipy is not installed here)
  assert.deepEqual(signedRank([1.5, -0.5, 2, 3, -1, 4, 2.5, 0.7, 0]), { n: 8, wPlus: 32, p: 14 / 256, exact: true });
  // exact against all 2^10 sign patterns of a sample
  const rng = makeRng(21), mags = Array.from({ length: 10 }, () => rng.uniform() + 0.01);
  const signs = mags.map(() => (rng.uniform() < 0.7 ? 1 : -1)), diffs = mags.map((m, k) => m * signs[k]);
  const ranks = mags.map((m) => mags.filter((v) => v <= m).length), wObs = ranks.reduce((a, r, k) => a + (signs[k] > 0 ? r : 0), 0);
  let le = 0, ge = 0;
  for (let mask = 0; mask < 1024; mask++) {
    const w = ranks.reduce((a, r, k) => a + ((mask >> k) & 1 ? r : 0), 0);
    if (w <= wObs) le++; if (w >= wObs) ge++;
  }
  assert.equal(signedRank(diffs).p, Math.min(1, (2 * Math.min(le, ge)) / 1024));
  // ties: average ranks and the normal approximation (|d| 1 1 2 2 3: ranks 1.5 1.5 3.5 3.5 5)
  const tied = signedRank([1, 1, 2, -2, 3]);
  assert.equal(tied.wPlus, 11.5); assert.equal(tied.exact, false);
  assert.ok(Math.abs(tied.p - 0.3408032) < 1e-6, `${tied.p}`);   // z = 3.5/√13.5
  // n = 25: the normal approximation (continuity-corrected) within 0.01 of the exact p
  for (let s = 0; s < 20; s++) {
    const r = makeRng(30, s), shift = (s % 5) * 0.15;
    const x = Array.from({ length: 25 }, () => r.normal() + shift);
    const exact = signedRank(x), approx = signedRank(x, { method: 'normal' });
    assert.equal(exact.exact, true); assert.equal(approx.exact, false);
    assert.ok(Math.abs(exact.p - approx.p) < 0.01, `sample ${s}: exact ${exact.p}, normal ${approx.p}`);
  }
  assert.equal(signedRank(Array.from({ length: 26 }, (_, k) => k + 1)).exact, false);
});

test('pairedCI: wins, losses, ties, and 95% coverage of the true mean over 2,000 seeded samples', () => {
  const ci = pairedCI([0.5, 0.6, 0.7, 0.8], [0.6, 0.6, 0.9, 0.7]);
  assert.deepEqual({ n: ci.n, wins: ci.wins, losses: ci.losses, ties: ci.ties }, { n: 4, wins: 2, losses: 1, ties: 1 });
  assert.ok(Math.abs(ci.mean - 0.05) < 1e-12);
  assert.ok(Math.abs(ci.hi - ci.mean - (tQuantile(0.975, 3) * ci.sd) / 2) < 1e-12);
  const rng = makeRng(40);
  let covered = 0;
  for (let s = 0; s < 2000; s++) {
    const a = Array.from({ length: 8 }, () => rng.normal()), b = a.map((v) => v + 0.3 + 0.5 * rng.normal());
    const c = pairedCI(a, b);
    if (c.lo <= 0.3 && 0.3 <= c.hi) covered++;
  }
  assert.ok(covered / 2000 >= 0.93 && covered / 2000 <= 0.97, `coverage ${covered / 2000}`);
  const sum = pairedSummary([1, 2, 3, 4, 5], [2, 3, 4, 5, 6.5]);
  assert.equal(sum.wins, 5); assert.equal(sum.p, signedRank([1, 1, 1, 1, 1.5]).p);
  assert.ok(sum.lo > 0);
});

// ---- linear ceilings ----

test('LDA: the one direction the classes differ along, under large isotropic nuisance', () => {
  const D = 20, C = 30, per = 25, rng = makeRng(50);
  const e = Array.from({ length: D }, () => rng.normal()), ne = Math.hypot(...e), dir = e.map((v) => v / ne);
  const x = new Float32Array(C * per * D), labels = new Int32Array(C * per);
  for (let c = 0; c < C; c++) {
    const m = 2 * rng.normal();
    for (let s = 0; s < per; s++) {
      const r = c * per + s, g = Array.from({ length: D }, () => 3 * rng.normal()), along = g.reduce((a, v, k) => a + v * dir[k], 0);
      const a = m + 0.2 * rng.normal();
      labels[r] = 5 * c;
      for (let k = 0; k < D; k++) x[r * D + k] = g[k] + (a - along) * dir[k];
    }
  }
  const model = fitLDA(x, labels, D);
  assert.equal(model.k, D); assert.equal(model.P.length, D * D);
  const v = Array.from({ length: D }, (_, k) => model.P[k * model.k]);
  const cos = Math.abs(v.reduce((a, vi, k) => a + vi * dir[k], 0)) / Math.hypot(...v);
  assert.ok(cos > 0.99, `|cos| of the first LDA direction and the true one: ${cos}`);
  assert.ok(model.eigenvalues[0] > 10 * model.eigenvalues[1], `eigenvalues ${model.eigenvalues.slice(0, 3)}`);
  const one = fitLDA(x, labels, D, { dims: 1 }), y = projectLDA(one, x, D);
  assert.equal(y.length, C * per);
  assert.ok(y instanceof Float32Array);
});

test('LDA fitted on training identities beats the raw inputs at verifying new ones', () => {
  // identities differ in a 4-D subspace; 20 other dimensions carry large per-image nuisance
  const D = 24, rng = makeRng(60);
  const make = (C, per) => {
    const x = new Float32Array(C * per * D), labels = new Int32Array(C * per);
    for (let c = 0; c < C; c++) {
      const mu = Array.from({ length: 4 }, () => 2 * rng.normal());
      for (let s = 0; s < per; s++) {
        const r = c * per + s;
        labels[r] = c;
        for (let k = 0; k < D; k++) x[r * D + k] = k < 4 ? mu[k] + 0.3 * rng.normal() : 3 * rng.normal();
      }
    }
    return { x, labels };
  };
  const train = make(60, 20), heldout = make(40, 20);
  const model = fitLDA(train.x, train.labels, D);
  const opts = { folds: 10, same: 50, diff: 50, seed: 1 };
  const raw = verification(rawEmbedding(heldout.x, D), D, heldout.labels, opts);
  const lda = verification(projectLDA(model, heldout.x, D), model.k, heldout.labels, opts);
  assert.ok(lda.accuracy > raw.accuracy + 0.15, `LDA ${lda.accuracy} vs raw ${raw.accuracy}`);
  assert.ok(lda.accuracy > 0.85, `LDA ${lda.accuracy}`);
  const copy = rawEmbedding(heldout.x, D);
  assert.deepEqual(copy, heldout.x); assert.notEqual(copy, heldout.x);
});
