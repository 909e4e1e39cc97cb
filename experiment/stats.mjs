// stats.mjs: the statistics of paired comparisons, for "does IAM help?" over seeds.
//
// A comparison here is always paired: run A and run B share a seed (the same data, the same
// initial weights), so what is summarized is the per-seed difference b − a. Two views of it:
// a Student-t confidence interval for its mean, and the Wilcoxon signed-rank test, which
// assumes no normality and which, at 5 or 10 seeds, is exact. Plain float64 JS, no
// dependencies; the special functions are the textbook ones (Lanczos' log-gamma, the
// continued fraction of the incomplete beta function, the series and continued fraction of
// the incomplete gamma function), each accurate to about 1e-14 where they are used.

/** The mean of an array of numbers (NaN for none). */
export function mean(values) {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** The sample standard deviation (n − 1; NaN for fewer than two values). */
export function std(values) {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

// ---- special functions ----

// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15).
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
export function logGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let k = 1; k < 9; k++) a += LANCZOS[k] / (x + k);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

// The continued fraction of I_x(a, b) (modified Lentz), converging fast for x < (a + 1)/(a + b + 2).
function betaFraction(x, a, b) {
  const tiny = 1e-300;
  let c = 1, dd = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(dd) < tiny) dd = tiny;
  dd = 1 / dd;
  let h = dd;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    for (const num of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      dd = 1 + num * dd; if (Math.abs(dd) < tiny) dd = tiny; dd = 1 / dd;
      c = 1 + num / c; if (Math.abs(c) < tiny) c = tiny;
      h *= dd * c;
    }
    if (Math.abs(dd * c - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), x in [0, 1]. */
export function incompleteBeta(x, a, b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** The CDF of Student's t with df degrees of freedom. */
export function tCDF(t, df) {
  if (t === 0) return 0.5;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);   // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with df degrees of freedom (the inverse of tCDF), by
 *  bisection on the upper tail, to about 1e-12 relative. */
export function tQuantile(p, df) {
  if (!(p > 0 && p < 1)) throw new Error(`tQuantile needs p in (0, 1), not ${p}`);
  if (!(df > 0)) throw new Error(`tQuantile needs df > 0, not ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  // the upper tail 1 − p as P(T > t) = I_{df/(df+t²)}(df/2, 1/2)/2, decreasing in t
  const q = 1 - p, tail = (t) => 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  let lo = 0, hi = 1;
  while (tail(hi) > q) { lo = hi; hi *= 2; }
  for (let k = 0; k < 200 && hi - lo > 1e-13 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > q) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

// The regularized upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction above).
function upperGamma(a, x) {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let sum = 1 / a, term = sum;
    for (let k = 1; k < 1000 && Math.abs(term) > Math.abs(sum) * 1e-17; k++) { term *= x / (a + k); sum += term; }
    return 1 - front * sum;
  }
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, dd = 1 / b, h = dd;
  for (let k = 1; k < 1000; k++) {
    const an = -k * (k - a);
    b += 2;
    dd = an * dd + b; if (Math.abs(dd) < tiny) dd = tiny; dd = 1 / dd;
    c = b + an / c; if (Math.abs(c) < tiny) c = tiny;
    h *= dd * c;
    if (Math.abs(dd * c - 1) < 1e-16) break;
  }
  return front * h;
}

/** The standard normal's upper tail P(Z > z). */
export function normalUpper(z) {
  return z >= 0 ? 0.5 * upperGamma(0.5, (z * z) / 2) : 1 - 0.5 * upperGamma(0.5, (z * z) / 2);
}

// ---- paired comparisons ----

function paired(a, b) {
  if (a.length !== b.length) throw new Error(`paired values need equal lengths, not ${a.length} and ${b.length}`);
  const diffs = Array.from(a, (v, k) => b[k] - v);
  if (!diffs.every(Number.isFinite)) throw new Error('paired values must be finite numbers');
  return diffs;
}

/** The mean of the paired differences b − a with its Student-t interval at `level`:
 *  { n, mean, lo, hi, sd, wins (b > a), losses (b < a), ties } (lo, hi, sd NaN below n = 2). */
export function pairedCI(a, b, level = 0.95) {
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), not ${level}`);
  const diffs = paired(a, b), n = diffs.length, m = mean(diffs), sd = std(diffs);
  const half = n >= 2 ? (tQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n) : NaN;
  return {
    n, mean: m, lo: m - half, hi: m + half, sd,
    wins: diffs.filter((v) => v > 0).length, losses: diffs.filter((v) => v < 0).length, ties: diffs.filter((v) => v === 0).length,
  };
}

// Ranks of the values (ascending, 1-based), ties given the average of the ranks they span;
// also Σ(t³ − t) over the tie groups, for the variance's correction.
function averageRanks(values) {
  const order = Array.from(values, (_, k) => k).sort((x, y) => values[x] - values[y]);
  const ranks = new Float64Array(values.length);
  let tieTerm = 0;
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && values[order[e + 1]] === values[order[s]]) e++;
    const r = (s + e + 2) / 2, t = e - s + 1;
    for (let k = s; k <= e; k++) ranks[order[k]] = r;
    tieTerm += t * t * t - t;
    s = e + 1;
  }
  return { ranks, tieTerm };
}

// The number of subsets of {1, …, n} with each sum w = 0 … n(n+1)/2: the null distribution
// of W+ times 2^n (each rank is positive or negative with probability 1/2, independently).
function rankSumCounts(n) {
  const max = (n * (n + 1)) / 2, counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) for (let w = (r * (r + 1)) / 2; w >= r; w--) counts[w] += counts[w - r];
  return counts;
}

/** The two-sided Wilcoxon signed-rank test of paired differences: zeros dropped, tied |d|
 *  given average ranks; the exact p from the distribution of W+ for n ≤ 25 without ties,
 *  otherwise the normal approximation with the tie correction of the variance and a
 *  continuity correction of 1/2. `method` 'exact' or 'normal' forces one (exact needs no
 *  ties). Returns { n (non-zero differences), wPlus, p, exact }. */
export function signedRank(diffs, { method = 'auto' } = {}) {
  const nz = Array.from(diffs).filter((v) => v !== 0);
  if (!nz.every(Number.isFinite)) throw new Error('signedRank needs finite differences');
  const n = nz.length;
  if (n === 0) return { n: 0, wPlus: 0, p: 1, exact: true };
  const { ranks, tieTerm } = averageRanks(nz.map(Math.abs));
  let wPlus = 0;
  for (let k = 0; k < n; k++) if (nz[k] > 0) wPlus += ranks[k];
  const exact = method === 'exact' || (method === 'auto' && n <= 25 && tieTerm === 0);
  if (exact) {
    if (tieTerm !== 0) throw new Error('the exact signed-rank distribution assumes no tied |differences|');
    const counts = rankSumCounts(n), total = 2 ** n;
    let lower = 0, upper = 0;   // P(W+ ≤ w), P(W+ ≥ w)
    for (let w = 0; w < counts.length; w++) { if (w <= wPlus) lower += counts[w]; if (w >= wPlus) upper += counts[w]; }
    return { n, wPlus, p: Math.min(1, (2 * Math.min(lower, upper)) / total), exact: true };
  }
  const mu = (n * (n + 1)) / 4, sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  if (sigma === 0) return { n, wPlus, p: 1, exact: false };
  const z = Math.max(0, Math.abs(wPlus - mu) - 0.5) / sigma;
  return { n, wPlus, p: Math.min(1, 2 * normalUpper(z)), exact: false };
}

/** pairedCI(a, b, level) and the signed-rank test of the same differences in one object:
 *  { n, mean, lo, hi, sd, wins, losses, ties, wPlus, p, exact }. */
export function pairedSummary(a, b, level = 0.95) {
  const ci = pairedCI(a, b, level), w = signedRank(paired(a, b));
  return { ...ci, wPlus: w.wPlus, p: w.p, exact: w.exact };
}
