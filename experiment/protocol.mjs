// protocol.mjs: the open-set evaluation protocol, on embeddings of identities never trained on.
//
// Three questions, as the face-recognition benchmarks ask them, at toy scale:
//   verification  LFW's 10-fold protocol: pairs, a threshold learned on nine folds, accuracy on
//                 the tenth. Here the folds are disjoint in identities (LFW's are only nearly so)
//                 and no pair is drawn twice.
//   tarAtFar      IJB's TAR at a fixed FAR: every genuine pair of the set, a large sample of
//                 impostor pairs, the threshold that lets at most a fraction f of impostors in.
//   rank1         MegaFace's identification: one image of each probe identity in the gallery,
//                 among every image of the distractor identities; is the nearest one right?
//
// Embeddings are n × d row-major (Float32Array, or any array of numbers), labels one identity
// id (a non-negative integer) per row; the score of a pair is the cosine of its two rows. All
// arithmetic is float64. Every draw comes from rng.mjs with the caller's seed and a stream tag
// per question, so the same seed gives the same pairs, folds and galleries, bit for bit.
import { makeRng } from './rng.mjs';

// One random stream per use of the seed, so that (say) the impostors of tarAtFar do not
// change when the number of verification folds does.
const TAG = Object.freeze({ folds: 1, genuine: 2, impostor: 3, tarImpostors: 4, split: 5, gallery: 6 });

// ---- inputs ----

function checkLabels(labels) {
  for (let k = 0; k < labels.length; k++) {
    const v = labels[k];
    if (!Number.isInteger(v) || v < 0) throw new Error(`labels[${k}] is ${v}: identity ids must be non-negative integers`);
  }
  return labels.length;
}

/** The rows of `emb` (n × d) scaled to unit length, as a Float64Array; throws on a zero or
 *  non-finite row, which has no cosine. */
export function normalizeRows(emb, d, n = emb.length / d) {
  if (!Number.isInteger(d) || d < 1) throw new Error(`d must be a positive integer, not ${d}`);
  if (emb.length !== n * d) throw new Error(`the embeddings have ${emb.length} numbers, not n × d = ${n} × ${d}`);
  const u = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = r * d, end = c + d; c < end; c++) s += emb[c] * emb[c];
    if (!(s > 0) || !Number.isFinite(s))
      throw new Error(`embedding row ${r} has ${s === 0 ? 'zero length' : `length² ${s}`}: a cosine needs a finite, non-zero row`);
    const inv = 1 / Math.sqrt(s);
    for (let c = r * d, end = c + d; c < end; c++) u[c] = emb[c] * inv;
  }
  return u;
}

// Every draw names its seed: an omitted one would silently be seed 0.
function checkSeed(seed, where) {
  if (!Number.isInteger(seed)) throw new Error(`${where} needs an integer seed, not ${seed}`);
}

function unitRows(emb, d, labels) {
  const n = checkLabels(labels);
  return normalizeRows(emb, d, n);
}

/** The distinct identities, ascending, and the images (row indices, ascending) of each. */
export function groupByIdentity(labels) {
  const members = new Map();
  for (let k = 0; k < labels.length; k++) {
    const list = members.get(labels[k]);
    if (list) list.push(k); else members.set(labels[k], [k]);
  }
  const ids = [...members.keys()].sort((a, b) => a - b);
  return { ids, members: new Map(ids.map((id) => [id, Int32Array.from(members.get(id))])) };
}

const dot = (u, a, b, d) => {
  let s = 0;
  for (let c = 0, ra = a * d, rb = b * d; c < d; c++) s += u[ra + c] * u[rb + c];
  return s;
};

// ---- folds and pairs ----

/** The distinct identities in k disjoint folds of nearly equal size (sizes differ by at most
 *  one), shuffled by the seed; each fold's ids ascending. */
export function identityFolds(labels, k, seed) {
  checkLabels(labels);
  checkSeed(seed, 'identityFolds');
  const { ids } = groupByIdentity(labels);
  if (!Number.isInteger(k) || k < 1) throw new Error(`the number of folds must be a positive integer, not ${k}`);
  if (k > ids.length) throw new Error(`${k} folds need at least ${k} identities; there are ${ids.length}`);
  const order = makeRng(seed, TAG.folds).shuffle([...ids]);
  const folds = [];
  for (let f = 0, start = 0; f < k; f++) {
    const size = Math.floor(ids.length / k) + (f < ids.length % k ? 1 : 0);
    folds.push(order.slice(start, start + size).sort((a, b) => a - b));
    start += size;
  }
  return folds;
}

// `count` distinct integers of [0, total), uniformly without replacement, in draw order:
// rejection against a Set when they are a small part of the range, a partial Fisher–Yates
// over the whole range otherwise (then the range is at most twice the count).
function sampleDistinct(total, count, rng) {
  const out = new Float64Array(count);
  if (2 * count <= total) {
    const seen = new Set();
    for (let k = 0; k < count;) {
      const v = rng.int(total);
      if (!seen.has(v)) { seen.add(v); out[k++] = v; }
    }
  } else {
    const all = new Float64Array(total);
    for (let v = 0; v < total; v++) all[v] = v;
    for (let k = 0; k < count; k++) {
      const j = k + rng.int(total - k);
      const t = all[k]; all[k] = all[j]; all[j] = t;
      out[k] = all[k];
    }
  }
  return out;
}

// The r-th unordered pair (a < b) of c items, in the order (0,1), (0,2), …, (0,c−1), (1,2), …
function unrankPair(r, c) {
  let a = 0;
  while (r >= c - 1 - a) { r -= c - 1 - a; a++; }
  return [a, a + 1 + r];
}

// `count` distinct genuine pairs among the images of `ids`, uniformly without replacement.
function drawGenuine(ids, members, count, rng, where) {
  const cum = [0];
  for (const id of ids) { const c = members.get(id).length; cum.push(cum[cum.length - 1] + (c * (c - 1)) / 2); }
  const total = cum[cum.length - 1];
  if (count > total)
    throw new Error(`${where} has only ${total} distinct genuine pairs (${ids.length} identities); ${count} were asked for`);
  const picks = sampleDistinct(total, count, rng);
  const i = new Int32Array(count), j = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const r = picks[k];
    let lo = 0, hi = ids.length - 1;   // the identity whose block of pairs holds r
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (cum[mid] <= r) lo = mid; else hi = mid - 1; }
    const imgs = members.get(ids[lo]), [a, b] = unrankPair(r - cum[lo], imgs.length);
    i[k] = imgs[a]; j[k] = imgs[b];
  }
  return { i, j, total };
}

// `count` distinct impostor pairs among the images `imgs` (ascending row indices): an
// unordered pair drawn uniformly, rejected if genuine or seen, which is uniform without
// replacement; every impostor pair listed and partly shuffled when they are few.
function drawImpostors(imgs, labels, count, genuineTotal, rng, where) {
  const m = imgs.length, total = (m * (m - 1)) / 2 - genuineTotal;
  if (count > total) throw new Error(`${where} has only ${total} distinct impostor pairs; ${count} were asked for`);
  const i = new Int32Array(count), j = new Int32Array(count);
  if (2 * count > total) {
    const all = new Float64Array(total);
    let t = 0;
    for (let a = 0; a < m; a++)
      for (let b = a + 1; b < m; b++) if (labels[imgs[a]] !== labels[imgs[b]]) all[t++] = a * m + b;
    const picks = sampleDistinct(total, count, rng);
    for (let k = 0; k < count; k++) { const key = all[picks[k]]; i[k] = imgs[Math.floor(key / m)]; j[k] = imgs[key % m]; }
  } else {
    const seen = new Set();
    for (let k = 0; k < count;) {
      const a = rng.int(m);
      let b = rng.int(m - 1);
      if (b >= a) b++;
      if (labels[imgs[a]] === labels[imgs[b]]) continue;
      const key = a < b ? a * m + b : b * m + a;
      if (seen.has(key)) continue;
      seen.add(key);
      i[k] = imgs[Math.min(a, b)]; j[k] = imgs[Math.max(a, b)]; k++;
    }
  }
  return { i, j, total };
}

/** Per fold, exactly `same` genuine and `diff` impostor pairs, both images of each among the
 *  fold's identities, no unordered pair twice: [{ i, j (Int32Array row indices, i < j),
 *  same (Uint8Array, 1 = genuine) }], the genuine pairs first. */
export function foldPairs(labels, folds, { same, diff, seed }) {
  checkLabels(labels);
  checkSeed(seed, 'foldPairs');
  for (const [name, v] of [['same', same], ['diff', diff]])
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, not ${v}`);
  const { members } = groupByIdentity(labels);
  return folds.map((ids, f) => {
    const where = `fold ${f}`;
    for (const id of ids) if (!members.has(id)) throw new Error(`${where}: identity ${id} has no images`);
    const imgs = Int32Array.from(ids.flatMap((id) => [...members.get(id)])).sort();
    const g = drawGenuine(ids, members, same, makeRng(seed, TAG.genuine, f), where);
    const im = drawImpostors(imgs, labels, diff, g.total, makeRng(seed, TAG.impostor, f), where);
    const i = new Int32Array(same + diff), j = new Int32Array(same + diff), s = new Uint8Array(same + diff);
    i.set(g.i); j.set(g.j); s.fill(1, 0, same);
    i.set(im.i, same); j.set(im.j, same);
    return { i, j, same: s };
  });
}

// ---- verification ----

/** The threshold t (accept a pair when score ≥ t) that classifies the most of these pairs
 *  right, searched exactly over every split of the sorted scores; among equally good ones the
 *  lowest. t is the midpoint between the two scores the split falls between (1 below the
 *  lowest score for "accept all", 1 above the highest for "reject all"). Returns { threshold,
 *  correct }. */
export function bestThreshold(scores, same) {
  const n = scores.length;
  if (n === 0) throw new Error('no pairs to learn a threshold from');
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => scores[a] - scores[b]);
  let genuine = 0;
  for (let k = 0; k < n; k++) genuine += same[k] ? 1 : 0;
  // accept everything at or above the k-th sorted score: correct = genuine at/above + impostors below
  let below = 0, genBelow = 0, best = -1, bestT = 0, prev = -Infinity;
  for (let k = 0; k <= n; k++) {
    const v = k < n ? scores[order[k]] : Infinity;
    if (v !== prev) {   // a split between distinct scores
      const correct = genuine - genBelow + (below - genBelow);
      if (correct > best) {
        best = correct;
        if (k === 0) bestT = v - 1;
        else if (k === n) bestT = prev + 1;
        else { const mid = (prev + v) / 2; bestT = mid > prev ? mid : v; }
      }
      prev = v;
    }
    if (k < n) { below++; if (same[order[k]]) genBelow++; }
  }
  return { threshold: bestT, correct: best };
}

/** LFW's 10-fold verification with identity-disjoint folds: per fold, the threshold that is
 *  best on the other folds' pairs, the accuracy on this fold's. Returns { accuracy (mean over
 *  folds), std (sample std over folds), perFold, thresholds }. */
export function verification(emb, d, labels, { folds = 10, same = 300, diff = 300, seed } = {}) {
  const u = unitRows(emb, d, labels);
  const pairs = foldPairs(labels, identityFolds(labels, folds, seed), { same, diff, seed });
  const scores = pairs.map((p) => Float64Array.from(p.i, (a, k) => dot(u, a, p.j[k], d)));
  const perFold = [], thresholds = [];
  for (let f = 0; f < folds; f++) {
    // the other folds' pairs, concatenated: the threshold never sees this fold
    const trainS = [], trainY = [];
    for (let g = 0; g < folds; g++) if (g !== f) { trainS.push(...scores[g]); trainY.push(...pairs[g].same); }
    const { threshold } = bestThreshold(trainS, trainY);
    let correct = 0;
    for (let k = 0; k < scores[f].length; k++) correct += (scores[f][k] >= threshold) === (pairs[f].same[k] === 1) ? 1 : 0;
    perFold.push(correct / scores[f].length);
    thresholds.push(threshold);
  }
  const accuracy = perFold.reduce((a, b) => a + b, 0) / folds;
  const std = folds > 1 ? Math.sqrt(perFold.reduce((a, b) => a + (b - accuracy) ** 2, 0) / (folds - 1)) : 0;
  return { accuracy, std, perFold, thresholds };
}

// ---- TAR at FAR ----

// The smallest double above x (for a finite x): a threshold just above a score.
function nextUp(x) {
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

const farKey = (f) => f.toExponential();   // 1e-3 → "1e-3", 0.01 → "1e-2"

/** The threshold t (accept when score ≥ t) for FAR f: the lowest one that accepts at most
 *  floor(f · N) of the N impostors. With the impostor scores sorted descending s_1 ≥ s_2 ≥ …,
 *  t is the double just above s_(m+1), m = floor(f · N): exactly the scores above s_(m+1) are
 *  accepted, at most m of them (fewer when s_(m+1) ties with those above it), so FAR ≤ f, and
 *  any lower t would accept s_(m+1) too. m ≥ N gives −Infinity (accept all). With fewer
 *  than 1/f impostors m is 0 and t lies above the highest impostor: FAR 0, a coarse estimate. */
export function thresholdAtFar(descending, f) {
  if (!(f > 0 && f <= 1)) throw new Error(`a FAR must be in (0, 1], not ${f}`);
  const N = descending.length, m = Math.floor(f * N * (1 + 1e-12));
  return m >= N ? -Infinity : nextUp(descending[m]);
}

/** TAR at fixed FARs over the whole set: genuine = every same-identity pair, impostors =
 *  `impostors` distinct different-identity pairs drawn without replacement (all of them when
 *  the set has fewer). Returns { tar, far (the FAR reached), thresholds (keyed "1e-3", …),
 *  genuinePairs, impostorPairs (used), impostorPairsTotal (in the set) }. */
export function tarAtFar(emb, d, labels, { fars = [1e-3, 1e-4], impostors = 200000, seed } = {}) {
  checkSeed(seed, 'tarAtFar');
  const u = unitRows(emb, d, labels), n = labels.length;
  const { ids, members } = groupByIdentity(labels);
  // every genuine pair
  let G = 0;
  for (const id of ids) { const c = members.get(id).length; G += (c * (c - 1)) / 2; }
  if (G === 0) throw new Error('TAR needs genuine pairs: every identity has a single image');
  const gen = new Float64Array(G);
  let g = 0;
  for (const id of ids) {
    const imgs = members.get(id);
    for (let a = 0; a < imgs.length; a++) for (let b = a + 1; b < imgs.length; b++) gen[g++] = dot(u, imgs[a], imgs[b], d);
  }
  // the impostors: all of them if there are no more than asked for
  const all = Int32Array.from({ length: n }, (_, k) => k);
  const total = (n * (n - 1)) / 2 - G;
  if (total === 0) throw new Error('TAR needs impostor pairs: there is a single identity');
  const N = Math.min(impostors, total);
  const pairs = drawImpostors(all, labels, N, G, makeRng(seed, TAG.tarImpostors), 'the set');
  const imp = Float64Array.from(pairs.i, (a, k) => dot(u, a, pairs.j[k], d)).sort().reverse();
  gen.sort();   // ascending: the scores ≥ t are a suffix
  const impAsc = Float64Array.from(imp).reverse();
  const tar = {}, far = {}, thresholds = {};
  for (const f of fars) {
    const t = thresholdAtFar(imp, f), key = farKey(f);
    thresholds[key] = t;
    tar[key] = (G - lowerBound(gen, t)) / G;
    far[key] = (N - lowerBound(impAsc, t)) / N;
  }
  return { tar, far, thresholds, genuinePairs: G, impostorPairs: N, impostorPairsTotal: total };
}

// The number of entries of an ascending array below t.
function lowerBound(asc, t) {
  let lo = 0, hi = asc.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (asc[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
}

// ---- identification ----

/** probeCount identities (chosen by the seed) as probe ids, the rest as distractor ids, both
 *  ascending: { probeIds, distractorIds }. */
export function splitProbeDistractor(labels, probeCount, seed) {
  checkLabels(labels);
  checkSeed(seed, 'splitProbeDistractor');
  const { ids } = groupByIdentity(labels);
  if (!Number.isInteger(probeCount) || probeCount < 1 || probeCount > ids.length)
    throw new Error(`probeCount must be an integer in [1, ${ids.length}] (the identities), not ${probeCount}`);
  const order = makeRng(seed, TAG.split).shuffle([...ids]);
  return { probeIds: order.slice(0, probeCount).sort((a, b) => a - b), distractorIds: order.slice(probeCount).sort((a, b) => a - b) };
}

/** MegaFace's gallery and probes: per probe identity (ascending), one image chosen by the seed
 *  to the gallery and the others to the probes; every image of the distractor identities to
 *  the gallery. Returns { gallery, probes } (Int32Array row indices, ascending). */
export function identificationSplit(labels, probeIds, distractorIds, seed) {
  checkLabels(labels);
  checkSeed(seed, 'identificationSplit');
  const { members } = groupByIdentity(labels);
  const probeSet = new Set(probeIds);
  if (probeSet.size !== probeIds.length) throw new Error('probeIds repeats an identity');
  for (const id of distractorIds) if (probeSet.has(id)) throw new Error(`identity ${id} is both a probe and a distractor`);
  const rng = makeRng(seed, TAG.gallery), gallery = [], probes = [];
  for (const id of [...probeIds].sort((a, b) => a - b)) {
    const imgs = members.get(id);
    if (!imgs) throw new Error(`probe identity ${id} has no images`);
    const pick = rng.int(imgs.length);
    imgs.forEach((r, k) => (k === pick ? gallery : probes).push(r));
  }
  for (const id of distractorIds) {
    const imgs = members.get(id);
    if (!imgs) throw new Error(`distractor identity ${id} has no images`);
    gallery.push(...imgs);
  }
  return { gallery: Int32Array.from(gallery).sort(), probes: Int32Array.from(probes).sort() };
}

// For each probe row, the best score over gallery rows of another identity and the score of its
// own identity's gallery row. This is the one quadratic loop of the protocol (probes × gallery
// × d), so it works on a 2 × 2 tile: two probes against two gallery rows, four sums from four
// loads per step. An odd row out is paired with a copy of itself, which changes no maximum.
function nearestScores(u, d, labels, probes, gallery) {
  const copyRows = (rows) => {
    const m = rows.length + (rows.length % 2), out = new Float64Array(m * d), lab = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      const r = rows[Math.min(k, rows.length - 1)];
      out.set(u.subarray(r * d, r * d + d), k * d); lab[k] = labels[r];
    }
    return { rows: out, lab, m };
  };
  const P = copyRows(probes), G = copyRows(gallery);
  const pr = P.rows, gr = G.rows, bestOther = new Float64Array(P.m), own = new Float64Array(P.m);
  for (let p = 0; p < P.m; p += 2) {
    const r0 = p * d, r1 = r0 + d, l0 = P.lab[p], l1 = P.lab[p + 1];
    let b0 = -Infinity, b1 = -Infinity, o0 = -Infinity, o1 = -Infinity;
    for (let k = 0; k < G.m; k += 2) {
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let c = 0, g = k * d, h = g + d; c < d; c++) {
        const v = gr[g + c], w = gr[h + c], x = pr[r0 + c], y = pr[r1 + c];
        s00 += x * v; s01 += x * w; s10 += y * v; s11 += y * w;
      }
      const m0 = G.lab[k], m1 = G.lab[k + 1];
      if (m0 === l0) o0 = s00; else if (s00 > b0) b0 = s00;
      if (m1 === l0) o0 = s01; else if (s01 > b0) b0 = s01;
      if (m0 === l1) o1 = s10; else if (s10 > b1) b1 = s10;
      if (m1 === l1) o1 = s11; else if (s11 > b1) b1 = s11;
    }
    bestOther[p] = b0; own[p] = o0; bestOther[p + 1] = b1; own[p + 1] = o1;
  }
  return { bestOther: bestOther.subarray(0, probes.length), own: own.subarray(0, probes.length) };
}

/** MegaFace-style rank-1 identification: a probe counts as identified when its own identity's
 *  gallery image scores strictly above every other gallery image (a tie counts as a miss).
 *  Returns { rank1, probes, gallery, distractors } (the last three are counts; distractors =
 *  gallery images of distractor identities). */
export function rank1(emb, d, labels, { probeIds, distractorIds, seed } = {}) {
  if (!probeIds || !distractorIds) throw new Error('rank1 needs probeIds and distractorIds (splitProbeDistractor gives both)');
  const u = unitRows(emb, d, labels);
  const { gallery, probes } = identificationSplit(labels, probeIds, distractorIds, seed);
  if (probes.length === 0) throw new Error('no probes: every probe identity has a single image');
  const { bestOther, own } = nearestScores(u, d, labels, probes, gallery);
  let hits = 0;
  for (let p = 0; p < probes.length; p++) hits += own[p] > bestOther[p] ? 1 : 0;
  return { rank1: hits / probes.length, probes: probes.length, gallery: gallery.length, distractors: gallery.length - probeIds.length };
}

// ---- all three ----

/** Verification, TAR at FAR 1e-3 and 1e-4, and rank-1 of one set of embeddings; opts
 *  { seed (required), folds = 10, same = 300, diff = 300, impostors = 200000, probeFraction =
 *  0.5 (of the identities, rounded) }. Returns { verify_acc, verify_std, tar_far_1e3,
 *  tar_far_1e4, rank1, impostor_pairs, genuine_pairs }, fractions in [0, 1]. */
export function evaluateOpenSet(emb, d, labels, opts = {}) {
  const { seed, folds = 10, same = 300, diff = 300, impostors = 200000, probeFraction = 0.5 } = opts;
  checkSeed(seed, 'evaluateOpenSet');
  const v = verification(emb, d, labels, { folds, same, diff, seed });
  const t = tarAtFar(emb, d, labels, { fars: [1e-3, 1e-4], impostors, seed });
  const ids = groupByIdentity(labels).ids.length;
  const split = splitProbeDistractor(labels, Math.max(1, Math.round(ids * probeFraction)), seed);
  const r = rank1(emb, d, labels, { ...split, seed });
  return {
    verify_acc: v.accuracy, verify_std: v.std, tar_far_1e3: t.tar['1e-3'], tar_far_1e4: t.tar['1e-4'],
    rank1: r.rank1, impostor_pairs: t.impostorPairs, genuine_pairs: t.genuinePairs,
  };
}
