/* simd.h: the few hot kernels, each a plain C loop with a WebAssembly SIMD twin.
 *
 * The plain loop is the reference: read it first. Under __wasm_simd128__
 * (emcc -msimd128) the twin below it is compiled instead; everywhere else
 * (the scalar wasm build, the native gcc build) the plain loop is used and the
 * compiler may vectorize it on its own. The twins compute the same sums in a
 * different order (and vec_exp_sum's twin its own e^x, within 1 ulp),
 * so results agree to float rounding, not bit for bit;
 * tests/binding.test.mjs checks that for the loss, tests/bench.test.mjs for
 * the network. Why the blocking pays: bench/RESULTS.md.
 *
 * All matrices are flat, row-major float arrays.
 */
#ifndef IAM_SIMD_H
#define IAM_SIMD_H

#include <math.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

static inline float f32x4_sum(v128_t v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
           wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}
#define F32X4_MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))

/* [Σa, Σb, Σc, Σd]: four horizontal sums at once, by a 4×4 transpose and adds */
static inline v128_t f32x4_sum4(v128_t a, v128_t b, v128_t c, v128_t d) {
    v128_t ab = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5),   /* a0+a2 b0+b2 a1+a3 b1+b3 */
                               wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
    v128_t cd = wasm_f32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5),
                               wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
    return wasm_f32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}
#endif

/* a · b, both of length n */
static inline float vec_dot(const float *a, const float *b, int n) {
#ifndef __wasm_simd128__
    float sum = 0.0f;
    for (int k = 0; k < n; k++) sum += a[k] * b[k];
    return sum;
#else
    v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = wasm_f32x4_splat(0.0f);
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        acc0 = F32X4_MADD(acc0, wasm_v128_load(a + k), wasm_v128_load(b + k));
        acc1 = F32X4_MADD(acc1, wasm_v128_load(a + k + 4), wasm_v128_load(b + k + 4));
    }
    for (; k + 4 <= n; k += 4)
        acc0 = F32X4_MADD(acc0, wasm_v128_load(a + k), wasm_v128_load(b + k));
    float sum = f32x4_sum(wasm_f32x4_add(acc0, acc1));
    for (; k < n; k++) sum += a[k] * b[k];
    return sum;
#endif
}

/* the largest of a[0..n); −∞ when n = 0 */
static inline float vec_max(const float *a, int n) {
#ifndef __wasm_simd128__
    float m = -INFINITY;
    for (int k = 0; k < n; k++)
        if (a[k] > m) m = a[k];
    return m;
#else
    v128_t acc = wasm_f32x4_splat(-INFINITY);
    int k = 0;
    for (; k + 4 <= n; k += 4) acc = wasm_f32x4_pmax(acc, wasm_v128_load(a + k)); /* pmax: one maxps (the inputs are finite) */
    float m = fmaxf(fmaxf(wasm_f32x4_extract_lane(acc, 0), wasm_f32x4_extract_lane(acc, 1)),
                    fmaxf(wasm_f32x4_extract_lane(acc, 2), wasm_f32x4_extract_lane(acc, 3)));
    for (; k < n; k++)
        if (a[k] > m) m = a[k];
    return m;
#endif
}

#ifdef __wasm_simd128__
/* e^x for 4 arguments x ≤ 88, as Cephes' expf: x = k ln2 + r with |r| ≤ ln2/2 (ln2 in two
   parts, so k ln2 is exact), e^r = 1 + r + r² P(r) with P of degree 5, and 2^k written
   into the exponent bits. Under 1 ulp from e^x on [−87.3, 88] (0.97 at worst, measured
   against double exp at 2 million points); below −87.3 (where e^x < 1.2e-38 and expf goes
   subnormal) it returns 0. */
static inline v128_t f32x4_exp(v128_t x) {
    const v128_t lo = wasm_f32x4_splat(-87.33f);
    v128_t under = wasm_f32x4_lt(x, lo);
    x = wasm_f32x4_pmax(x, lo);
    v128_t k = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
    v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(k, wasm_f32x4_splat(0.693359375f)));
    r = wasm_f32x4_sub(r, wasm_f32x4_mul(k, wasm_f32x4_splat(-2.12194440e-4f)));
    v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
    p = F32X4_MADD(wasm_f32x4_splat(1.3981999507e-3f), p, r);
    p = F32X4_MADD(wasm_f32x4_splat(8.3334519073e-3f), p, r);
    p = F32X4_MADD(wasm_f32x4_splat(4.1665795894e-2f), p, r);
    p = F32X4_MADD(wasm_f32x4_splat(1.6666665459e-1f), p, r);
    p = F32X4_MADD(wasm_f32x4_splat(5.0000001201e-1f), p, r);
    v128_t er = wasm_f32x4_add(F32X4_MADD(r, wasm_f32x4_mul(r, r), p), wasm_f32x4_splat(1.0f));
    v128_t two_k = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(k), wasm_i32x4_splat(127)), 23);
    return wasm_v128_andnot(wasm_f32x4_mul(er, two_k), under);
}
#endif

/* q = e^(scale·v − shift), length n, for a softmax's numerators (shift = the row's
   largest scale·v, so every argument is ≤ 0); returns Σ q. The twin evaluates e^x by
   f32x4_exp, four at a time. */
static inline float vec_exp_sum(float *q, const float *v, float scale, float shift, int n) {
#ifndef __wasm_simd128__
    float sum = 0.0f;
    for (int k = 0; k < n; k++) {
        q[k] = expf(scale * v[k] - shift);
        sum += q[k];
    }
    return sum;
#else
    v128_t acc = wasm_f32x4_splat(0.0f), s = wasm_f32x4_splat(scale), t = wasm_f32x4_splat(shift);
    int k = 0;
    for (; k + 4 <= n; k += 4) {
        v128_t e = f32x4_exp(wasm_f32x4_sub(wasm_f32x4_mul(s, wasm_v128_load(v + k)), t));
        wasm_v128_store(q + k, e);
        acc = wasm_f32x4_add(acc, e);
    }
    float sum = f32x4_sum(acc);
    for (; k < n; k++) {
        q[k] = expf(scale * v[k] - shift);
        sum += q[k];
    }
    return sum;
#endif
}

/* out = a * scale, length n (used to normalize a row: scale = 1/‖a‖) */
static inline void vec_scale(float *out, const float *a, float scale, int n) {
#ifndef __wasm_simd128__
    for (int k = 0; k < n; k++) out[k] = a[k] * scale;
#else
    v128_t s = wasm_f32x4_splat(scale);
    int k = 0;
    for (; k + 4 <= n; k += 4) wasm_v128_store(out + k, wasm_f32x4_mul(wasm_v128_load(a + k), s));
    for (; k < n; k++) out[k] = a[k] * scale;
#endif
}

/* y += alpha * x, length n (the gradient accumulation of one row) */
static inline void vec_axpy(float *y, float alpha, const float *x, int n) {
#ifndef __wasm_simd128__
    for (int k = 0; k < n; k++) y[k] += alpha * x[k];
#else
    v128_t a = wasm_f32x4_splat(alpha);
    int k = 0;
    for (; k + 4 <= n; k += 4)
        wasm_v128_store(y + k, F32X4_MADD(wasm_v128_load(y + k), a, wasm_v128_load(x + k)));
    for (; k < n; k++) y[k] += alpha * x[k];
#endif
}

/* out = A Bᵀ.  A is (n,d), B is (c,d), out is (n,c).
 * The cosine matrix (A = x̂, B = Ŵ) and a Linear layer's forward. */
static inline void matmul_abt(float *out, const float *A, const float *B, int n, int c, int d) {
#ifndef __wasm_simd128__
    for (int i = 0; i < n; i++)
        for (int j = 0; j < c; j++) out[i * c + j] = vec_dot(A + i * d, B + j * d, d);
#else
    int c4 = c & ~3;
    if (d < 8) {
        /* rows too short to vectorize along k (a 2-D input, a 2-D or 3-D embedding):
           vectorize along j instead, with 4 rows of B turned into d columns once,
           out[i, j..j+3] = Σ_k A[i,k] (B[j..j+3, k]), summed in the plain loop's order */
        for (int j = 0; j < c4; j += 4) {
            v128_t col[8];
            for (int k = 0; k < d; k++)
                col[k] = wasm_f32x4_make(B[j * d + k], B[(j + 1) * d + k], B[(j + 2) * d + k], B[(j + 3) * d + k]);
            for (int i = 0; i < n; i++) {
                v128_t acc = wasm_f32x4_mul(wasm_f32x4_splat(A[i * d]), col[0]);
                for (int k = 1; k < d; k++) acc = F32X4_MADD(acc, wasm_f32x4_splat(A[i * d + k]), col[k]);
                wasm_v128_store(out + i * c + j, acc);
            }
        }
        for (int i = 0; i < n; i++)
            for (int j = c4; j < c; j++) {
                float sum = 0.0f;
                for (int k = 0; k < d; k++) sum += A[i * d + k] * B[j * d + k];
                out[i * c + j] = sum;
            }
        return;
    }
    int d4 = d & ~3;
    int i = 0;
    /* 2 rows of A against 4 rows of B: 8 accumulators, 6 loads per 8 multiply-adds;
       the 8 dot products are reduced 4 at a time (f32x4_sum4) and stored as vectors */
    for (; i + 2 <= n; i += 2) {
        const float *a0 = A + i * d, *a1 = a0 + d;
        float *out0 = out + i * c, *out1 = out0 + c;
        for (int j = 0; j < c4; j += 4) {
            const float *b0 = B + j * d, *b1 = b0 + d, *b2 = b1 + d, *b3 = b2 + d;
            v128_t s00 = wasm_f32x4_splat(0.0f), s01 = s00, s02 = s00, s03 = s00;
            v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            for (int k = 0; k < d4; k += 4) {
                v128_t x0 = wasm_v128_load(a0 + k), x1 = wasm_v128_load(a1 + k);
                v128_t w0 = wasm_v128_load(b0 + k), w1 = wasm_v128_load(b1 + k);
                v128_t w2 = wasm_v128_load(b2 + k), w3 = wasm_v128_load(b3 + k);
                s00 = F32X4_MADD(s00, x0, w0); s01 = F32X4_MADD(s01, x0, w1);
                s02 = F32X4_MADD(s02, x0, w2); s03 = F32X4_MADD(s03, x0, w3);
                s10 = F32X4_MADD(s10, x1, w0); s11 = F32X4_MADD(s11, x1, w1);
                s12 = F32X4_MADD(s12, x1, w2); s13 = F32X4_MADD(s13, x1, w3);
            }
            wasm_v128_store(out0 + j, f32x4_sum4(s00, s01, s02, s03));
            wasm_v128_store(out1 + j, f32x4_sum4(s10, s11, s12, s13));
            for (int k = d4; k < d; k++) /* the last d mod 4 terms */
                for (int q = 0; q < 4; q++) {
                    out0[j + q] += a0[k] * B[(j + q) * d + k];
                    out1[j + q] += a1[k] * B[(j + q) * d + k];
                }
        }
        for (int j = c4; j < c; j++) {
            out0[j] = vec_dot(a0, B + j * d, d);
            out1[j] = vec_dot(a1, B + j * d, d);
        }
    }
    for (; i < n; i++)
        for (int j = 0; j < c; j++) out[i * c + j] = vec_dot(A + i * d, B + j * d, d);
#endif
}

#ifdef __wasm_simd128__
/* The SIMD body of both accumulating products below:
 *   out (rows,d) += S M,  S (rows,inner) read through strides as S[r*s_row + j*s_inner],
 *   M (inner,d) row-major.
 * matmul_ab_acc is S = G (s_row = c, s_inner = 1); matmul_atb_acc is S = Gᵀ
 * (s_row = 1, s_inner = c). A block of 4 rows × 8 columns of out stays in 8
 * registers while the inner dimension streams past: each step loads 2 vectors
 * of M and broadcasts 4 numbers of S for 8 multiply-adds, and no horizontal sum
 * is ever needed. Sums run over j in the plain loops' order. */
static inline void matmul_acc_blocked(float *out, const float *S, int s_row, int s_inner, const float *M,
                                      int rows, int inner, int d) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *s0 = S + r * s_row, *s1 = s0 + s_row, *s2 = s1 + s_row, *s3 = s2 + s_row;
        float *o0 = out + r * d, *o1 = o0 + d, *o2 = o1 + d, *o3 = o2 + d;
        int k = 0;
        for (; k + 8 <= d; k += 8) {
            v128_t o00 = wasm_v128_load(o0 + k), o01 = wasm_v128_load(o0 + k + 4);
            v128_t o10 = wasm_v128_load(o1 + k), o11 = wasm_v128_load(o1 + k + 4);
            v128_t o20 = wasm_v128_load(o2 + k), o21 = wasm_v128_load(o2 + k + 4);
            v128_t o30 = wasm_v128_load(o3 + k), o31 = wasm_v128_load(o3 + k + 4);
            for (int j = 0; j < inner; j++) {
                v128_t m0 = wasm_v128_load(M + j * d + k), m1 = wasm_v128_load(M + j * d + k + 4);
                v128_t g0 = wasm_f32x4_splat(s0[j * s_inner]), g1 = wasm_f32x4_splat(s1[j * s_inner]);
                v128_t g2 = wasm_f32x4_splat(s2[j * s_inner]), g3 = wasm_f32x4_splat(s3[j * s_inner]);
                o00 = F32X4_MADD(o00, g0, m0); o01 = F32X4_MADD(o01, g0, m1);
                o10 = F32X4_MADD(o10, g1, m0); o11 = F32X4_MADD(o11, g1, m1);
                o20 = F32X4_MADD(o20, g2, m0); o21 = F32X4_MADD(o21, g2, m1);
                o30 = F32X4_MADD(o30, g3, m0); o31 = F32X4_MADD(o31, g3, m1);
            }
            wasm_v128_store(o0 + k, o00); wasm_v128_store(o0 + k + 4, o01);
            wasm_v128_store(o1 + k, o10); wasm_v128_store(o1 + k + 4, o11);
            wasm_v128_store(o2 + k, o20); wasm_v128_store(o2 + k + 4, o21);
            wasm_v128_store(o3 + k, o30); wasm_v128_store(o3 + k + 4, o31);
        }
        for (; k < d; k++) /* the last d mod 8 columns */
            for (int j = 0; j < inner; j++) {
                const float m = M[j * d + k];
                o0[k] += s0[j * s_inner] * m; o1[k] += s1[j * s_inner] * m;
                o2[k] += s2[j * s_inner] * m; o3[k] += s3[j * s_inner] * m;
            }
    }
    for (; r < rows; r++) /* the last rows mod 4 */
        for (int j = 0; j < inner; j++) vec_axpy(out + r * d, S[r * s_row + j * s_inner], M + j * d, d);
}
#endif

/* out += G B.  G is (n,c), B is (c,d), out is (n,d).
 * Backward of the cosine matrix into x̂ (B = Ŵ); a Linear layer's input gradient. */
static inline void matmul_ab_acc(float *out, const float *G, const float *B, int n, int c, int d) {
#ifndef __wasm_simd128__
    for (int i = 0; i < n; i++)
        for (int j = 0; j < c; j++) {
            float g = G[i * c + j];
            for (int k = 0; k < d; k++) out[i * d + k] += g * B[j * d + k];
        }
#else
    matmul_acc_blocked(out, G, c, 1, B, n, c, d);
#endif
}

/* out += Gᵀ A.  G is (n,c), A is (n,d), out is (c,d).
 * Backward of the cosine matrix into Ŵ (A = x̂); a Linear layer's weight gradient. */
static inline void matmul_atb_acc(float *out, const float *G, const float *A, int n, int c, int d) {
#ifndef __wasm_simd128__
    for (int i = 0; i < n; i++)
        for (int j = 0; j < c; j++) {
            float g = G[i * c + j];
            for (int k = 0; k < d; k++) out[j * d + k] += g * A[i * d + k];
        }
#else
    if (d < 4) {
        /* short rows (the first layer of a 2-D input): vectorize along j, where 4
           neighbours G[i, j..j+3] are contiguous; out[j..j+3, k] += Σ_i G[i, j..j+3] A[i,k] */
        int c4 = c & ~3;
        for (int j = 0; j < c4; j += 4)
            for (int k = 0; k < d; k++) {
                v128_t acc = wasm_f32x4_make(out[j * d + k], out[(j + 1) * d + k], out[(j + 2) * d + k],
                                             out[(j + 3) * d + k]);
                for (int i = 0; i < n; i++)
                    acc = F32X4_MADD(acc, wasm_v128_load(G + i * c + j), wasm_f32x4_splat(A[i * d + k]));
                out[j * d + k] = wasm_f32x4_extract_lane(acc, 0);
                out[(j + 1) * d + k] = wasm_f32x4_extract_lane(acc, 1);
                out[(j + 2) * d + k] = wasm_f32x4_extract_lane(acc, 2);
                out[(j + 3) * d + k] = wasm_f32x4_extract_lane(acc, 3);
            }
        matmul_acc_blocked(out + c4 * d, G + c4, 1, c, A, c - c4, n, d);
        return;
    }
    matmul_acc_blocked(out, G, 1, c, A, c, n, d);
#endif
}

#endif
