// ceilings.mjs: what linear methods reach on the same data, to print beside every result.
//
// A trained embedding is only interesting if it beats what needs no training (the raw
// inputs, scored by cosine) and what a closed-form linear map fitted on the same training
// identities reaches: Fisher's LDA, the classical "Fisherfaces" of face recognition
// (Belhumeur et al. 1997). Both give embeddings that go through the same protocol.mjs.
//
// LDA here: within-class scatter S_w (plus a ridge, so that it is invertible when there are
// fewer samples than dimensions), between-class scatter S_b of the class means; the
// generalized problem S_b v = λ S_w v is made symmetric by the Cholesky factor of S_w,
// S_w = L Lᵀ: M = L⁻¹ S_b L⁻ᵀ, M u = λ u, v = L⁻ᵀ u, and M is diagonalized by cyclic
// Jacobi rotations (float64; fine for D ≤ 256). The directions are S_w-orthonormal
// (vᵀ S_w v = 1), so the projected training classes have unit within-class covariance.

/** The raw inputs as the embedding: a Float32Array copy of x (n × D). */
export function rawEmbedding(x, D) {
  if (!Number.isInteger(D) || D < 1 || x.length % D !== 0) throw new Error(`x has ${x.length} numbers, not a multiple of D = ${D}`);
  return Float32Array.from(x);
}

// The lower-triangular Cholesky factor of a symmetric positive definite D × D matrix.
function cholesky(A, D) {
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * D + j];
      for (let k = 0; k < j; k++) s -= L[i * D + k] * L[j * D + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`the within-class scatter is not positive definite (pivot ${i} is ${s}); raise the ridge`);
        L[i * D + i] = Math.sqrt(s);
      } else L[i * D + j] = s / L[j * D + j];
    }
  return L;
}

// L⁻¹ B for lower-triangular L and a D × m matrix B (forward substitution, column by column).
function forwardSolve(L, B, D, m) {
  const X = new Float64Array(D * m);
  for (let c = 0; c < m; c++)
    for (let i = 0; i < D; i++) {
      let s = B[i * m + c];
      for (let k = 0; k < i; k++) s -= L[i * D + k] * X[k * m + c];
      X[i * m + c] = s / L[i * D + i];
    }
  return X;
}

// L⁻ᵀ B (back substitution with Lᵀ, which is upper-triangular).
function backSolveTransposed(L, B, D, m) {
  const X = new Float64Array(D * m);
  for (let c = 0; c < m; c++)
    for (let i = D - 1; i >= 0; i--) {
      let s = B[i * m + c];
      for (let k = i + 1; k < D; k++) s -= L[k * D + i] * X[k * m + c];
      X[i * m + c] = s / L[i * D + i];
    }
  return X;
}

/** The eigen-decomposition of a symmetric D × D matrix by cyclic Jacobi rotations:
 *  { values (descending), vectors (D × D, column k the eigenvector of values[k]) }. */
export function symmetricEigen(S, D, { tol = 1e-14, maxSweeps = 100 } = {}) {
  const A = Float64Array.from(S), V = new Float64Array(D * D);
  for (let i = 0; i < D; i++) V[i * D + i] = 1;
  let scale = 0;
  for (let k = 0; k < D * D; k++) scale += A[k] * A[k];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < D; p++) for (let q = p + 1; q < D; q++) off += A[p * D + q] ** 2;
    if (off <= tol * tol * scale) break;
    for (let p = 0; p < D; p++)
      for (let q = p + 1; q < D; q++) {
        const apq = A[p * D + q];
        if (apq === 0) continue;
        // the rotation (c, s) that zeroes A[p][q] (Golub & Van Loan, Alg. 8.4.1)
        const tau = (A[q * D + q] - A[p * D + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t), s = t * c;
        for (let k = 0; k < D; k++) {   // columns p and q
          const akp = A[k * D + p], akq = A[k * D + q];
          A[k * D + p] = c * akp - s * akq; A[k * D + q] = s * akp + c * akq;
        }
        for (let k = 0; k < D; k++) {   // rows p and q
          const apk = A[p * D + k], aqk = A[q * D + k];
          A[p * D + k] = c * apk - s * aqk; A[q * D + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < D; k++) {
          const vkp = V[k * D + p], vkq = V[k * D + q];
          V[k * D + p] = c * vkp - s * vkq; V[k * D + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: D }, (_, k) => k).sort((a, b) => A[b * D + b] - A[a * D + a]);
  const values = Float64Array.from(order, (k) => A[k * D + k]), vectors = new Float64Array(D * D);
  order.forEach((k, col) => { for (let r = 0; r < D; r++) vectors[r * D + col] = V[r * D + k]; });
  return { values, vectors };
}

/** Fisher LDA fitted on training inputs x (n × D) of the identities `labels`: the top `dims`
 *  (default min(C − 1, D)) directions of S_b v = λ S_w v, S_w with ridge · trace(S_w)/D added
 *  to its diagonal. Returns { P (Float64Array D × k, column j the j-th direction), k, mean
 *  (Float64Array D, the training mean), eigenvalues (Float64Array k, descending) }. */
export function fitLDA(x, labels, D, { ridge = 1e-3, dims } = {}) {
  const n = labels.length;
  if (x.length !== n * D) throw new Error(`x has ${x.length} numbers, not n × D = ${n} × ${D}`);
  // the class means and the overall mean
  const index = new Map();
  for (let r = 0; r < n; r++) if (!index.has(labels[r])) index.set(labels[r], index.size);
  const C = index.size;
  if (C < 2) throw new Error(`LDA needs at least two classes, not ${C}`);
  const k = dims ?? Math.min(C - 1, D);
  if (!Number.isInteger(k) || k < 1 || k > D) throw new Error(`dims must be an integer in [1, ${D}], not ${k}`);
  const means = new Float64Array(C * D), counts = new Float64Array(C), mean = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    const c = index.get(labels[r]);
    counts[c]++;
    for (let j = 0; j < D; j++) { means[c * D + j] += x[r * D + j]; mean[j] += x[r * D + j]; }
  }
  for (let c = 0; c < C; c++) for (let j = 0; j < D; j++) means[c * D + j] /= counts[c];
  for (let j = 0; j < D; j++) mean[j] /= n;
  // S_w = Σ (x − μ_c)(x − μ_c)ᵀ, S_b = Σ n_c (μ_c − μ)(μ_c − μ)ᵀ (upper triangles, then mirrored)
  const Sw = new Float64Array(D * D), Sb = new Float64Array(D * D), z = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    const c = index.get(labels[r]);
    for (let j = 0; j < D; j++) z[j] = x[r * D + j] - means[c * D + j];
    for (let i = 0; i < D; i++) { const zi = z[i]; for (let j = i; j < D; j++) Sw[i * D + j] += zi * z[j]; }
  }
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < D; j++) z[j] = means[c * D + j] - mean[j];
    for (let i = 0; i < D; i++) { const zi = counts[c] * z[i]; for (let j = i; j < D; j++) Sb[i * D + j] += zi * z[j]; }
  }
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) { Sw[i * D + j] = Sw[j * D + i]; Sb[i * D + j] = Sb[j * D + i]; }
  let trace = 0;
  for (let i = 0; i < D; i++) trace += Sw[i * D + i];
  for (let i = 0; i < D; i++) Sw[i * D + i] += (ridge * trace) / D;
  // whiten: M = L⁻¹ S_b L⁻ᵀ = L⁻¹ (L⁻¹ S_b)ᵀ, symmetric
  const L = cholesky(Sw, D), half = forwardSolve(L, Sb, D, D), halfT = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) halfT[i * D + j] = half[j * D + i];
  const M = forwardSolve(L, halfT, D, D);
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) { const s = (M[i * D + j] + M[j * D + i]) / 2; M[i * D + j] = s; M[j * D + i] = s; }
  const { values, vectors } = symmetricEigen(M, D);
  // the top k eigenvectors, back to input space: v = L⁻ᵀ u
  const U = new Float64Array(D * k);
  for (let i = 0; i < D; i++) for (let j = 0; j < k; j++) U[i * k + j] = vectors[i * D + j];
  return { P: backSolveTransposed(L, U, D, k), k, mean, eigenvalues: values.slice(0, k) };
}

/** Any inputs x (n × D) projected by a fitted LDA, centered by its training mean: a
 *  Float32Array n × k. */
export function projectLDA(model, x, D) {
  const { P, k, mean } = model;
  if (mean.length !== D || x.length % D !== 0) throw new Error(`x (${x.length} numbers) does not have the model's D = ${mean.length}`);
  const n = x.length / D, out = new Float32Array(n * k), z = new Float64Array(D), acc = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < D; j++) z[j] = x[r * D + j] - mean[j];
    acc.fill(0);
    for (let i = 0; i < D; i++) { const zi = z[i]; for (let j = 0; j < k; j++) acc[j] += zi * P[i * k + j]; }
    out.set(acc, r * k);
  }
  return out;
}
