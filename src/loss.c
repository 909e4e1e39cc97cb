/* loss.c: the margin-based softmax losses and the IAM term, forward and backward.
 *
 * Every loss here is cross-entropy over logits z_ij. The kinds differ only in
 * the target logit z_iy (LOSSES.md, "Base losses"). The loss is a stack of
 * layers, each a forward/backward pair of plain loops, as in llm.c:
 *
 *   normalize   x̂ = x/‖x‖,  Ŵ = W/‖W‖
 *   cosine      c = x̂ Ŵᵀ                                   (simd.h)
 *   logits      z_i = r (c_i with c_iy replaced by f(c_iy)); softmax: z = x Wᵀ
 *   cross-entropy on z:  L_base_i = softplus(−g_i),  g_i = z_iy − LSE_{j≠y} z_ij
 *   IAM on u = s c:      L_IAM_i = −softplus(h_i) − log(C−1),  h_i = u_iy − LSE_{j≠y} u_ij
 *
 * softplus(−g) is exactly LSE_j(z_ij) − z_iy, and −softplus(h) − log(C−1) is
 * exactly LSE_{j≠y} − LSE_j − log(C−1): the same log-sum-exps as LOSSES.md,
 * grouped so that an easy sample (p → 1) keeps all its digits and nothing is
 * ever written as log(1 − p).
 *
 * Each forward writes what its backward needs into buffers of its own (struct
 * loss_buffers); each backward reads them and accumulates (+=) into gradient
 * buffers that iam_loss zeroes once per call, or into the caller's dx and dW,
 * which the caller zeroes. No buffer changes meaning on the way.
 *
 * This is the readable reference: one sample at a time, plain loops, and SIMD
 * only inside the simd.h kernels. It is not an autodiff engine.
 */
#include <math.h>
#include <string.h>

#include "iam.h"
#include "internal.h"
#include "simd.h"

#define PI_F 3.14159265358979f
#define HALF_PI_F 1.57079632679490f
/* acos is evaluated at c clamped to [−1+ε, 1−ε]: its derivative is infinite
   at ±1, the NaN every public ArcFace implementation has met (LOSSES.md). */
#define COS_EPS 1e-6f

iam_loss_config iam_loss_config_default(int kind) {
    iam_loss_config cfg = { 0 };
    cfg.kind = kind;
    cfg.scale = 10.0f;
    /* each kind's own margin (LOSSES.md, "toy 2D/3D defaults"); radians for ArcFace */
    cfg.margin = kind == IAM_COSFACE ? 0.2f : kind == IAM_ARCFACE ? 0.3f : kind == IAM_SPHEREFACE ? 4.0f : 0.0f;
    cfg.m1 = 1.0f;
    cfg.m2 = 0.3f;
    cfg.m3 = 0.2f;
    cfg.beta = 0.0f;
    cfg.lambda = 0.0f;
    cfg.feature_norm = 0;
    cfg.fallback = IAM_FALLBACK_CONTINUOUS;
    return cfg;
}

/* ---------------------------------------------------------------------------
 * Small numerics
 * ------------------------------------------------------------------------- */

static float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* log(1 + e^v) without overflow or lost digits */
static float softplusf(float v) { return fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v))); }

/* 1/(1 + e^−v) without overflow */
static float sigmoidf(float v) {
    if (v >= 0.0f) return 1.0f / (1.0f + expf(-v));
    float e = expf(v);
    return e / (1.0f + e);
}

/* The split of one row of logits at its label, forward: the row's logits are
 * scale·v_j (scale = 1 for z, s for the IAM logits u = s c). Writes q, the
 * softmax over the other classes only (q_y = 0), and returns the gap
 * g = scale·v_y − LSE_{j≠y} scale·v_j. Cross-entropy and IAM are both functions
 * of the gap, and both push the other classes in proportion to q (LOSSES.md,
 * the IAM term). */
static float label_split_forward(const float *v, float scale, int y, int c, float *q) {
    // v, q are (c)
    float max_other = -INFINITY;
    for (int j = 0; j < c; j++)
        if (j != y && scale * v[j] > max_other) max_other = scale * v[j];
    float sum = 0.0f;
    for (int j = 0; j < c; j++) {
        q[j] = (j == y) ? 0.0f : expf(scale * v[j] - max_other);
        sum += q[j];
    }
    float inv_sum = 1.0f / sum;
    for (int j = 0; j < c; j++) q[j] *= inv_sum; /* as llm.c's softmax_forward normalizes */
    return scale * v[y] - (max_other + logf(sum));
}

/* ... and backward: ∂gap/∂logit_j is −q_j for j ≠ y and 1 for y. A loss that is a
 * function of the gap, with ∂L/∂gap = −weight, adds weight·(q − e_y) to d_v. */
static void label_split_backward(float *d_v, const float *q, int y, int c, float weight) {
    // d_v, q are (c)
    for (int j = 0; j < c; j++) d_v[j] += weight * q[j];
    d_v[y] -= weight;
}

/* ---------------------------------------------------------------------------
 * Target functions ψ (LOSSES.md, "One monotone target function")
 * ------------------------------------------------------------------------- */

/* ψ(θ) = (−1)^k cos φ − 2k − m3,  φ = m1 θ + m2,  k = ⌊φ/π⌋.
 * Continuous and decreasing on [0, π]. Returns ψ; *dpsi_dc = dψ/dc. */
static float margin_psi(float c, float m1, float m2, float m3, float *dpsi_dc) {
    float c_clamped = clampf(c, -1.0f + COS_EPS, 1.0f - COS_EPS);
    float theta = acosf(c_clamped);
    float sin_theta = sqrtf((1.0f - c_clamped) * (1.0f + c_clamped));
    float phi = m1 * theta + m2;
    int k = (int)floorf(phi / PI_F);
    float sign = (k & 1) ? -1.0f : 1.0f;
    /* dψ/dθ = −(−1)^k m1 sin φ  and  dθ/dc = −1/sin θ */
    *dpsi_dc = sign * m1 * sinf(phi) / sin_theta;
    return sign * cosf(phi) - 2.0f * (float)k - m3;
}

/* SphereFace with integer m: cos(mθ) = T_m(c), the Chebyshev polynomial, and
 * d cos(mθ)/dc = m U_{m−1}(c). No acos, so no clamp. k = ⌊mθ/π⌋ counts the
 * j in 1..m with θ ≥ jπ/m, that is c ≤ cos(jπ/m). */
static float sphereface_psi_int(float c, int m, float *dpsi_dc) {
    float t_prev = 1.0f, t = c;           /* T_0, T_1 */
    float u_prev = 0.0f, u = 1.0f;        /* U_{-1}, U_0 */
    for (int q = 1; q < m; q++) {
        float t_next = 2.0f * c * t - t_prev;
        float u_next = 2.0f * c * u - u_prev;
        t_prev = t; t = t_next;
        u_prev = u; u = u_next;
    }
    int k = 0;
    for (int j = 1; j <= m; j++)
        if (c <= cosf((float)j * PI_F / (float)m)) k = j;
    float sign = (k & 1) ? -1.0f : 1.0f;
    *dpsi_dc = sign * (float)m * u;
    return sign * t - 2.0f * (float)k;
}

/* ArcFace's cos(θ + m) and its three ways of handling θ > π − m. */
static float arcface_psi(float c, float m, int fallback, float *dpsi_dc) {
    if (fallback == IAM_FALLBACK_INSIGHTFACE && c <= -cosf(m)) {
        /* insightface: th = cos(π − m), mm = sin(π − m)·m; monotone but it jumps */
        *dpsi_dc = 1.0f;
        return c - m * sinf(m);
    }
    if (fallback == IAM_FALLBACK_EASY && c <= 0.0f) { /* easy_margin: no margin past 90° */
        *dpsi_dc = 1.0f;
        return c;
    }
    return margin_psi(c, 1.0f, m, 0.0f, dpsi_dc);
}

/* The target logit is r·f(c_iy); the other logits are r·c_ij (softmax aside).
 * Returns f and writes df/dc. */
static float target_fn(const iam_loss_config *cfg, float c, float *df_dc) {
    switch (cfg->kind) {
    case IAM_COSFACE:
        *df_dc = 1.0f;
        return c - cfg->margin;
    case IAM_ARCFACE:
        return arcface_psi(c, cfg->margin, cfg->fallback, df_dc);
    case IAM_COMBINED:
        return margin_psi(c, cfg->m1, cfg->m2, cfg->m3, df_dc);
    case IAM_SPHEREFACE: {
        /* annealed: (λ c + ψ(θ)) / (1 + λ) (LOSSES.md, "SphereFace annealing") */
        float dpsi, psi, m = cfg->margin;
        if (m == floorf(m)) psi = sphereface_psi_int(c, (int)m, &dpsi);
        else psi = margin_psi(c, m, 0.0f, 0.0f, &dpsi);
        float lambda = cfg->lambda;
        *df_dc = (lambda + dpsi) / (1.0f + lambda);
        return (lambda * c + psi) / (1.0f + lambda);
    }
    default: /* NormFace: no margin */
        *df_dc = 1.0f;
        return c;
    }
}

/* ---------------------------------------------------------------------------
 * Row normalization, forward and backward
 * ------------------------------------------------------------------------- */

static int normalize_rows_forward(const float *a, int rows, int d, float *a_hat, float *norm,
                                  const char *name) {
    // a, a_hat are (rows,d), norm is (rows); a_hat = a/‖a‖ row by row. A zero row is an error.
    for (int r = 0; r < rows; r++) {
        float row_norm = sqrtf(vec_dot(a + r * d, a + r * d, d));
        if (!(row_norm > IAM_MIN_NORM))
            return iam_fail("row %d of %s has zero norm (or too small to normalize); its "
                            "angle to the other vectors is undefined", r, name);
        if (!isfinite(row_norm))
            return iam_fail("row %d of %s has a norm too large for float32", r, name);
        norm[r] = row_norm;
        vec_scale(a_hat + r * d, a + r * d, 1.0f / row_norm, d);
    }
    return 0;
}

static void normalize_rows_backward(float *d_a, const float *d_a_hat, const float *a_hat,
                                    const float *norm, int rows, int d) {
    // d_a, d_a_hat, a_hat are (rows,d), norm is (rows); ∂L/∂a += (∂L/∂â − (∂L/∂â·â) â)/‖a‖
    for (int r = 0; r < rows; r++) {
        const float *d_hat = d_a_hat + r * d, *hat = a_hat + r * d;
        float radial = vec_dot(d_hat, hat, d), inv_norm = 1.0f / norm[r];
        for (int k = 0; k < d; k++) d_a[r * d + k] += (d_hat[k] - radial * hat[k]) * inv_norm;
    }
}

/* ---------------------------------------------------------------------------
 * Logits: the target logit carries the margin (LOSSES.md, "From logits to ...")
 * ------------------------------------------------------------------------- */

/* r_i: ‖x_i‖ for the original SphereFace (feature_norm), else the scale s */
static float logit_radius(const iam_loss_config *cfg, const float *x_norm, int i) {
    return cfg->kind == IAM_SPHEREFACE && cfg->feature_norm ? x_norm[i] : cfg->scale;
}

static void margin_logits_forward(const iam_loss_config *cfg, const float *cos, const float *x_norm,
                                  const int *labels, int n, int c, float *logits) {
    // cos, logits are (n,c), x_norm is (n); z_ij = r_i c_ij, z_iy = r_i f(c_iy)
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        const float *cos_i = cos + (size_t)i * c;
        float *z_i = logits + (size_t)i * c, r = logit_radius(cfg, x_norm, i), df_dc;
        for (int j = 0; j < c; j++) z_i[j] = r * cos_i[j];
        z_i[y] = r * target_fn(cfg, cos_i[y], &df_dc);
    }
}

static void margin_logits_backward(const iam_loss_config *cfg, const float *cos, const float *x_norm,
                                   const int *labels, const float *d_logits, int n, int c,
                                   float *d_cos, float *d_radius) {
    // cos, d_logits, d_cos are (n,c), x_norm, d_radius are (n)
    // ∂z_ij/∂c_ij = r, ∂z_iy/∂c_iy = r f'(c_iy); and when r_i = ‖x_i‖, ∂z_ij/∂r_i = z_ij/r_i
    const int r_is_norm = cfg->kind == IAM_SPHEREFACE && cfg->feature_norm;
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        const float *cos_i = cos + (size_t)i * c, *d_z_i = d_logits + (size_t)i * c;
        float *d_cos_i = d_cos + (size_t)i * c, r = logit_radius(cfg, x_norm, i), df_dc;
        float f_y = target_fn(cfg, cos_i[y], &df_dc);
        for (int j = 0; j < c; j++)
            if (j != y) d_cos_i[j] += r * d_z_i[j];
        d_cos_i[y] += r * df_dc * d_z_i[y];
        if (r_is_norm) {
            float d_r = d_z_i[y] * f_y;
            for (int j = 0; j < c; j++)
                if (j != y) d_r += d_z_i[j] * cos_i[j];
            d_radius[i] += d_r;
        }
    }
}

/* ---------------------------------------------------------------------------
 * The two losses on a row split at its label
 * ------------------------------------------------------------------------- */

/* Cross-entropy: L_base_i = softplus(−g_i). Returns Σ_i L_base_i. */
static double cross_entropy_forward(const float *logits, const int *labels, int n, int c,
                                    float *q, float *gap) {
    // logits, q are (n,c), gap is (n)
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        gap[i] = label_split_forward(logits + (size_t)i * c, 1.0f, labels[i], c, q + (size_t)i * c);
        sum += softplusf(-gap[i]);
    }
    return sum;
}

/* ∂L_base/∂z_i = (1/N) sigmoid(−g_i) (q_i − e_y): it fades as the sample gets easy */
static void cross_entropy_backward(const float *q, const float *gap, const int *labels, int n, int c,
                                   float *d_logits) {
    // q, d_logits are (n,c), gap is (n)
    const float inv_n = 1.0f / (float)n;
    for (int i = 0; i < n; i++)
        label_split_backward(d_logits + (size_t)i * c, q + (size_t)i * c, labels[i], c,
                             sigmoidf(-gap[i]) * inv_n);
}

/* IAM on u = s c, reported even at β = 0: L_IAM_i = −softplus(h_i) − log(C−1).
 * Returns Σ_i L_IAM_i. */
static double iam_forward(const float *cos, const int *labels, float scale, int n, int c,
                          float *q, float *gap) {
    // cos, q are (n,c), gap is (n)
    const float log_c1 = logf((float)(c - 1));
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        gap[i] = label_split_forward(cos + (size_t)i * c, scale, labels[i], c, q + (size_t)i * c);
        sum += -softplusf(gap[i]) - log_c1;
    }
    return sum;
}

/* ∂(β L_IAM)/∂c_i = β s (1/N) sigmoid(h_i) (q_i − e_y): a push that never fades as p → 1 */
static void iam_backward(const float *q, const float *gap, const int *labels, float scale, float beta,
                         int n, int c, float *d_cos) {
    // q, d_cos are (n,c), gap is (n)
    const float inv_n = 1.0f / (float)n;
    for (int i = 0; i < n; i++)
        label_split_backward(d_cos + (size_t)i * c, q + (size_t)i * c, labels[i], c,
                             beta * scale * sigmoidf(gap[i]) * inv_n);
}

/* ---------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------- */

static const char *kind_name(int kind) {
    return (kind >= 0 && kind < IAM_KIND_COUNT) ? iam_kind_names[kind] : "?";
}

static int check_range(const char *name, const char *kind, float v, float lo, float hi) {
    if (!(v >= lo && v <= hi))
        return iam_fail("%s must be in [%g, %g] for %s (got %g)", name, lo, hi, kind, v);
    return 0;
}

int iam_loss_config_check(const iam_loss_config *cfg) {
    if (!cfg) return iam_fail("the loss config is NULL");
    if (cfg->kind < 0 || cfg->kind >= IAM_KIND_COUNT)
        return iam_fail("unknown loss kind %d (expected 0..5: softmax, normface, sphereface, "
                        "cosface, arcface, combined)", cfg->kind);
    const char *kind = kind_name(cfg->kind);
    if (!(cfg->scale > 0.0f && cfg->scale <= IAM_MAX_SCALE))
        return iam_fail("scale must be > 0 and at most %g (got %g)", IAM_MAX_SCALE, cfg->scale);
    if (!(cfg->beta >= 0.0f && isfinite(cfg->beta)))
        return iam_fail("beta must be >= 0 and finite (got %g)", cfg->beta);
    switch (cfg->kind) {
    case IAM_COSFACE:
        return check_range("margin", kind, cfg->margin, 0.0f, 1.0f);
    case IAM_ARCFACE:
        if (cfg->fallback < 0 || cfg->fallback > 2)
            return iam_fail("unknown arcface fallback %d (expected 0 continuous, 1 insightface, "
                            "2 easy)", cfg->fallback);
        return check_range("margin", kind, cfg->margin, 0.0f, HALF_PI_F);
    case IAM_SPHEREFACE:
        if (!(cfg->lambda >= 0.0f && isfinite(cfg->lambda)))
            return iam_fail("lambda must be >= 0 and finite for sphereface (got %g)", cfg->lambda);
        return check_range("margin", kind, cfg->margin, 1.0f, 8.0f);
    case IAM_COMBINED:
        if (check_range("m1", kind, cfg->m1, 1.0f, 8.0f)) return -1;
        if (check_range("m2", kind, cfg->m2, 0.0f, HALF_PI_F)) return -1;
        return check_range("m3", kind, cfg->m3, 0.0f, 1.0f);
    default:
        return 0;
    }
}

int iam_loss_check_sizes(int n, int d, int c) {
    if (n < 1 || n > IAM_MAX_N) return iam_fail("n must be in [1, %d] (got %d)", IAM_MAX_N, n);
    if (d < 1 || d > IAM_MAX_D) return iam_fail("d must be in [1, %d] (got %d)", IAM_MAX_D, d);
    if (c < 2 || c > IAM_MAX_C)
        return iam_fail("c, the number of classes, must be in [2, %d] (got %d)", IAM_MAX_C, c);
    /* in 64 bits: each factor is below 2^17 */
    long long nc = (long long)n * c, xw = ((long long)n + c) * d;
    if (nc > IAM_MAX_NC)
        return iam_fail("n*c = %lld is too large: at most %d, so that the workspace fits in the "
                        "memory of a 32-bit wasm (n = %d, c = %d)", nc, IAM_MAX_NC, n, c);
    if (xw > IAM_MAX_XW)
        return iam_fail("(n + c)*d = %lld is too large: at most %d, so that x and W fit in the "
                        "memory of a 32-bit wasm (n = %d, c = %d, d = %d)", xw, IAM_MAX_XW, n, c, d);
    return 0;
}

static int check_batch(const float *x, const float *W, const int *labels, int n, int d, int c) {
    if (iam_loss_check_sizes(n, d, c)) return -1;
    if (!x || !W || !labels) return iam_fail("x, W and labels must not be NULL");
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= c)
            return iam_fail("labels[%d] = %d is out of range [0, %d)", i, labels[i], c);
    if (iam_check_finite("x", x, (size_t)n * d, d)) return -1;
    return iam_check_finite("W", W, (size_t)c * d, d);
}

/* ---------------------------------------------------------------------------
 * The loss: the layers above, forward then backward
 * ------------------------------------------------------------------------- */

/* The workspace, carved into named buffers (like llm.c's ActivationTensors).
 * The forward writes the first group, the backward the second. */
typedef struct {
    float *x_hat, *x_norm;           /* (n,d), (n)  x̂ = x/‖x‖                        */
    float *w_hat, *w_norm;           /* (c,d), (c)  Ŵ = W/‖W‖                        */
    float *cos;                      /* (n,c)       c_ij = x̂_i·Ŵ_j                   */
    float *logits;                   /* (n,c)       z_ij                             */
    float *base_q, *base_gap;        /* (n,c), (n)  softmax_{j≠y} z_ij, g_i          */
    float *iam_q, *iam_gap;          /* (n,c), (n)  softmax_{j≠y} u_ij, h_i          */
    float *d_logits, *d_cos;         /* (n,c)       ∂L/∂z, ∂L/∂c                     */
    float *d_radius;                 /* (n)         ∂L/∂r_i when r_i = ‖x_i‖         */
    float *d_x_hat, *d_w_hat;        /* (n,d), (c,d) ∂L/∂x̂, ∂L/∂Ŵ                    */
} loss_buffers;

/* The next `count` floats of the workspace (NULL when only measuring it). */
static float *take(float *work, size_t *used, size_t count) {
    float *p = work ? work + *used : NULL;
    *used += count;
    return p;
}

/* Carves work into b; returns the floats used. The one home of the workspace's size. */
static size_t loss_buffers_carve(loss_buffers *b, float *work, size_t n, size_t d, size_t c) {
    size_t used = 0;
    b->x_hat = take(work, &used, n * d);     b->x_norm = take(work, &used, n);
    b->w_hat = take(work, &used, c * d);     b->w_norm = take(work, &used, c);
    b->cos = take(work, &used, n * c);       b->logits = take(work, &used, n * c);
    b->base_q = take(work, &used, n * c);    b->base_gap = take(work, &used, n);
    b->iam_q = take(work, &used, n * c);     b->iam_gap = take(work, &used, n);
    b->d_logits = take(work, &used, n * c);  b->d_cos = take(work, &used, n * c);
    b->d_radius = take(work, &used, n);
    b->d_x_hat = take(work, &used, n * d);   b->d_w_hat = take(work, &used, c * d);
    return used;
}

size_t iam_loss_work_floats(int n, int d, int c) {
    if (iam_loss_check_sizes(n, d, c)) return 0; /* within the limits nothing wraps */
    loss_buffers b;
    return loss_buffers_carve(&b, NULL, (size_t)n, (size_t)d, (size_t)c);
}

static int loss_forward(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
                        int n, int d, int c, loss_buffers *b, iam_loss_result *out) {
    // x is (n,d), W is (c,d), labels is (n)
    /* every kind needs the cosines: softmax too, for L_IAM */
    if (normalize_rows_forward(x, n, d, b->x_hat, b->x_norm, "x")) return -1;
    if (normalize_rows_forward(W, c, d, b->w_hat, b->w_norm, "W")) return -1;
    matmul_abt(b->cos, b->x_hat, b->w_hat, n, c, d);
    if (cfg->kind == IAM_SOFTMAX) matmul_abt(b->logits, x, W, n, c, d);
    else margin_logits_forward(cfg, b->cos, b->x_norm, labels, n, c, b->logits);
    double base_sum = cross_entropy_forward(b->logits, labels, n, c, b->base_q, b->base_gap);
    double iam_sum = iam_forward(b->cos, labels, cfg->scale, n, c, b->iam_q, b->iam_gap);

    out->base = (float)(base_sum / n);
    out->iam = (float)(iam_sum / n);
    out->loss = out->base + cfg->beta * out->iam;
    if (!isfinite(out->loss))
        return iam_fail("the loss overflowed float32 (got %g): the inputs are too large", out->loss);
    return 0;
}

/* Accumulates into dx and dW (either may be NULL); the loss's own gradient
   buffers are zeroed here, once, and every step below adds into them. */
static void loss_backward(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
                          int n, int d, int c, loss_buffers *b, float *dx, float *dW) {
    // x, dx are (n,d), W, dW are (c,d), labels is (n)
    const int softmax = cfg->kind == IAM_SOFTMAX;
    const int r_is_norm = cfg->kind == IAM_SPHEREFACE && cfg->feature_norm;
    memset(b->d_logits, 0, sizeof(float) * (size_t)n * c);
    memset(b->d_cos, 0, sizeof(float) * (size_t)n * c);
    memset(b->d_radius, 0, sizeof(float) * (size_t)n);

    /* the two losses, into the logits and the cosines */
    cross_entropy_backward(b->base_q, b->base_gap, labels, n, c, b->d_logits);
    if (!softmax)
        margin_logits_backward(cfg, b->cos, b->x_norm, labels, b->d_logits, n, c, b->d_cos,
                               b->d_radius);
    iam_backward(b->iam_q, b->iam_gap, labels, cfg->scale, cfg->beta, n, c, b->d_cos);

    if (dx) { /* ∂L/∂x: the cosines, through x̂ = x/‖x‖; then the direct paths */
        memset(b->d_x_hat, 0, sizeof(float) * (size_t)n * d);
        matmul_ab_acc(b->d_x_hat, b->d_cos, b->w_hat, n, c, d);
        normalize_rows_backward(dx, b->d_x_hat, b->x_hat, b->x_norm, n, d);
        if (r_is_norm) /* ∂r_i/∂x_i = x̂_i */
            for (int i = 0; i < n; i++)
                vec_axpy(dx + (size_t)i * d, b->d_radius[i], b->x_hat + (size_t)i * d, d);
        if (softmax) matmul_ab_acc(dx, b->d_logits, W, n, c, d); /* ∂z_ij/∂x_i = W_j */
    }
    if (dW) { /* ∂L/∂W: the cosines, through Ŵ = W/‖W‖; then softmax's path */
        memset(b->d_w_hat, 0, sizeof(float) * (size_t)c * d);
        matmul_atb_acc(b->d_w_hat, b->d_cos, b->x_hat, n, c, d);
        normalize_rows_backward(dW, b->d_w_hat, b->w_hat, b->w_norm, c, d);
        if (softmax) matmul_atb_acc(dW, b->d_logits, x, n, c, d); /* ∂z_ij/∂W_j = x_i */
    }
}

int iam_loss(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
             int n, int d, int c, float *dx, float *dW, iam_loss_result *out, float *work) {
    // x, dx are (n,d), W, dW are (c,d), labels is (n); dx and dW are accumulated into (+=)
    if (iam_loss_config_check(cfg) || check_batch(x, W, labels, n, d, c)) return -1;
    if (!out || !work) return iam_fail("out and work must not be NULL");
    loss_buffers b;
    loss_buffers_carve(&b, work, (size_t)n, (size_t)d, (size_t)c);

    if (loss_forward(cfg, x, W, labels, n, d, c, &b, out)) return -1;
    if (!dx && !dW) return 0;
    loss_backward(cfg, x, W, labels, n, d, c, &b, dx, dW);

    if (dx && iam_check_finite("dx", dx, (size_t)n * d, d)) return -1;
    if (dW && iam_check_finite("dW", dW, (size_t)c * d, d)) return -1;
    return 0;
}
