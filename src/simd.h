/* simd.h: the few hot kernels, each a plain C loop with a WebAssembly SIMD twin.
 *
 * The plain loop is the reference: read it first. Under __wasm_simd128__
 * (emcc -msimd128) the twin below it is compiled instead; everywhere else
 * (the scalar wasm build, the native gcc build) the plain loop is used and the
 * compiler may vectorize it on its own. The twins compute the same sums in a
 * different order, so results agree to float rounding, not bit for bit;
 * tests/simd.test.mjs checks that.
 *
 * All matrices are flat, row-major float arrays.
 */
#ifndef IAM_SIMD_H
#define IAM_SIMD_H

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

static inline float f32x4_sum(v128_t v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
           wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}
#define F32X4_MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
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
    if (d < 8) { /* too short to vectorize along d: plain loop */
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) {
                float sum = 0.0f;
                for (int k = 0; k < d; k++) sum += A[i * d + k] * B[j * d + k];
                out[i * c + j] = sum;
            }
        return;
    }
    int d4 = d & ~3;
    int i = 0;
    /* 2 rows of A against 4 rows of B: 8 accumulators, 6 loads per 8 multiply-adds */
    for (; i + 2 <= n; i += 2) {
        const float *a0 = A + i * d, *a1 = a0 + d;
        int j = 0;
        for (; j + 4 <= c; j += 4) {
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
            float r[8] = { f32x4_sum(s00), f32x4_sum(s01), f32x4_sum(s02), f32x4_sum(s03),
                           f32x4_sum(s10), f32x4_sum(s11), f32x4_sum(s12), f32x4_sum(s13) };
            for (int k = d4; k < d; k++)
                for (int q = 0; q < 4; q++) {
                    r[q] += a0[k] * B[(j + q) * d + k];
                    r[4 + q] += a1[k] * B[(j + q) * d + k];
                }
            for (int q = 0; q < 4; q++) {
                out[i * c + j + q] = r[q];
                out[(i + 1) * c + j + q] = r[4 + q];
            }
        }
        for (; j < c; j++) {
            out[i * c + j] = vec_dot(a0, B + j * d, d);
            out[(i + 1) * c + j] = vec_dot(a1, B + j * d, d);
        }
    }
    for (; i < n; i++)
        for (int j = 0; j < c; j++) out[i * c + j] = vec_dot(A + i * d, B + j * d, d);
#endif
}

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
    int d16 = d & ~15;
    for (int i = 0; i < n; i++) {
        float *o = out + i * d;
        const float *g = G + i * c;
        /* keep 16 outputs in 4 registers while all c rows of B stream past */
        for (int k = 0; k < d16; k += 16) {
            v128_t o0 = wasm_v128_load(o + k), o1 = wasm_v128_load(o + k + 4);
            v128_t o2 = wasm_v128_load(o + k + 8), o3 = wasm_v128_load(o + k + 12);
            for (int j = 0; j < c; j++) {
                const float *b = B + j * d + k;
                v128_t gj = wasm_f32x4_splat(g[j]);
                o0 = F32X4_MADD(o0, gj, wasm_v128_load(b));
                o1 = F32X4_MADD(o1, gj, wasm_v128_load(b + 4));
                o2 = F32X4_MADD(o2, gj, wasm_v128_load(b + 8));
                o3 = F32X4_MADD(o3, gj, wasm_v128_load(b + 12));
            }
            wasm_v128_store(o + k, o0); wasm_v128_store(o + k + 4, o1);
            wasm_v128_store(o + k + 8, o2); wasm_v128_store(o + k + 12, o3);
        }
        if (d16 < d)
            for (int j = 0; j < c; j++) vec_axpy(o + d16, g[j], B + j * d + d16, d - d16);
    }
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
    int d16 = d & ~15;
    for (int j = 0; j < c; j++) {
        float *o = out + j * d;
        for (int k = 0; k < d16; k += 16) {
            v128_t o0 = wasm_v128_load(o + k), o1 = wasm_v128_load(o + k + 4);
            v128_t o2 = wasm_v128_load(o + k + 8), o3 = wasm_v128_load(o + k + 12);
            for (int i = 0; i < n; i++) {
                const float *a = A + i * d + k;
                v128_t gi = wasm_f32x4_splat(G[i * c + j]);
                o0 = F32X4_MADD(o0, gi, wasm_v128_load(a));
                o1 = F32X4_MADD(o1, gi, wasm_v128_load(a + 4));
                o2 = F32X4_MADD(o2, gi, wasm_v128_load(a + 8));
                o3 = F32X4_MADD(o3, gi, wasm_v128_load(a + 12));
            }
            wasm_v128_store(o + k, o0); wasm_v128_store(o + k + 4, o1);
            wasm_v128_store(o + k + 8, o2); wasm_v128_store(o + k + 12, o3);
        }
        if (d16 < d)
            for (int i = 0; i < n; i++) vec_axpy(o + d16, G[i * c + j], A + i * d + d16, d - d16);
    }
#endif
}

#endif
