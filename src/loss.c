/* loss.c: the margin-based softmax losses and the IAM term, forward and backward.
 *
 * Every loss here is cross-entropy over logits z_ij. The kinds differ only in
 * the target logit z_iy (LOSSES.md, "Base losses"). One call does:
 *
 *   x̂ = x/‖x‖,  Ŵ = W/‖W‖,  c = x̂ Ŵᵀ            the cosine matrix (simd.h)
 *   z_i = r (c_i with c_iy replaced by f(c_iy))   the logits of sample i
 *   L_base_i = softplus(−g_i),  g_i = z_iy − LSE_{j≠y} z_ij
 *   u_i = s c_i                                   the IAM logits, no margin
 *   L_IAM_i = −softplus(h_i) − log(C−1),  h_i = u_iy − LSE_{j≠y} u_ij
 *   then ∂L/∂c, and back through the cosine and the two normalizations.
 *
 * softplus(−g) is exactly LSE_j(z_ij) − z_iy, and −softplus(h) − log(C−1) is
 * exactly LSE_{j≠y} − LSE_j − log(C−1): the same log-sum-exps as LOSSES.md,
 * grouped so that an easy sample (p → 1) keeps all its digits and nothing is
 * ever written as log(1 − p).
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

iam_loss_config iam_loss_config_default(void) {
    iam_loss_config cfg = { 0 };
    cfg.kind = IAM_NORMFACE;
    cfg.scale = 10.0f;
    cfg.margin = 0.2f;
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

/* Split a row of logits v (length c) at the label y.
 * Returns g = v_y − LSE_{j≠y} v_j and overwrites v with q, the softmax over the
 * other classes only (q_y = 0). Cross-entropy and IAM are both functions of g,
 * and both push the other classes in proportion to q (LOSSES.md, the IAM term). */
static float split_at_label(float *v, int y, int c) {
    float vmax = -INFINITY;
    for (int j = 0; j < c; j++)
        if (j != y && v[j] > vmax) vmax = v[j];
    float sum = 0.0f;
    for (int j = 0; j < c; j++)
        if (j != y) sum += expf(v[j] - vmax);
    float lse_others = vmax + logf(sum);
    float g = v[y] - lse_others;
    for (int j = 0; j < c; j++) v[j] = (j == y) ? 0.0f : expf(v[j] - lse_others);
    return g;
}

/* ---------------------------------------------------------------------------
 * Target functions ψ (LOSSES.md, "One monotone target function")
 * ------------------------------------------------------------------------- */

/* ψ(θ) = (−1)^k cos φ − 2k − m3,  φ = m1 θ + m2,  k = ⌊φ/π⌋.
 * Continuous and decreasing on [0, π]. Returns ψ; *dpsi_dc = dψ/dc. */
static float margin_psi(float c, float m1, float m2, float m3, float *dpsi_dc) {
    float cc = clampf(c, -1.0f + COS_EPS, 1.0f - COS_EPS);
    float theta = acosf(cc);
    float sin_theta = sqrtf((1.0f - cc) * (1.0f + cc));
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
        float lam = cfg->lambda;
        *df_dc = (lam + dpsi) / (1.0f + lam);
        return (lam * c + psi) / (1.0f + lam);
    }
    default: /* NormFace: no margin */
        *df_dc = 1.0f;
        return c;
    }
}

/* ---------------------------------------------------------------------------
 * Row normalization, forward and backward
 * ------------------------------------------------------------------------- */

/* a is (rows,d); ahat = a/‖a‖ row by row, norm gets ‖a‖. A zero row is an error. */
static int normalize_rows_forward(const float *a, int rows, int d, float *ahat, float *norm,
                                  const char *name) {
    for (int r = 0; r < rows; r++) {
        float nr = sqrtf(vec_dot(a + r * d, a + r * d, d));
        if (!(nr > 1e-30f))
            return iam_fail("row %d of %s has zero norm (or too small to normalize); its "
                            "angle to the other vectors is undefined", r, name);
        if (!isfinite(nr))
            return iam_fail("row %d of %s has a norm too large for float32", r, name);
        norm[r] = nr;
        vec_scale(ahat + r * d, a + r * d, 1.0f / nr, d);
    }
    return 0;
}

/* In place: g holds ∂L/∂â (rows,d) and becomes ∂L/∂a = (g − (g·â) â)/‖a‖ */
static void normalize_rows_backward(float *g, const float *ahat, const float *norm, int rows, int d) {
    for (int r = 0; r < rows; r++) {
        float *gr = g + r * d;
        const float *ar = ahat + r * d;
        vec_axpy(gr, -vec_dot(gr, ar, d), ar, d);
        vec_scale(gr, gr, 1.0f / norm[r], d);
    }
}

/* ---------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------- */

static const char *kind_name(int kind) {
    static const char *names[IAM_KIND_COUNT] = { "softmax", "normface", "sphereface",
                                                 "cosface", "arcface",  "combined" };
    return (kind >= 0 && kind < IAM_KIND_COUNT) ? names[kind] : "?";
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

static int check_batch(const float *x, const float *W, const int *labels, int n, int d, int c) {
    if (n < 1 || n > IAM_MAX_N) return iam_fail("n must be in [1, %d] (got %d)", IAM_MAX_N, n);
    if (d < 1 || d > IAM_MAX_D) return iam_fail("d must be in [1, %d] (got %d)", IAM_MAX_D, d);
    if (c < 2 || c > IAM_MAX_C)
        return iam_fail("c, the number of classes, must be in [2, %d] (got %d)", IAM_MAX_C, c);
    if ((size_t)n * (size_t)c > ((size_t)1 << 26))
        return iam_fail("n*c = %zu is too large (at most %zu)", (size_t)n * c, (size_t)1 << 26);
    if (!x || !W || !labels) return iam_fail("x, W and labels must not be NULL");
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= c)
            return iam_fail("labels[%d] = %d is out of range [0, %d)", i, labels[i], c);
    if (iam_check_finite("x", x, (size_t)n * d, d)) return -1;
    return iam_check_finite("W", W, (size_t)c * d, d);
}

/* ---------------------------------------------------------------------------
 * The loss
 * ------------------------------------------------------------------------- */

size_t iam_loss_work_floats(int n, int d, int c) {
    size_t N = (size_t)(n > 0 ? n : 0), D = (size_t)(d > 0 ? d : 0), C = (size_t)(c > 0 ? c : 0);
    return N * D + N + C * D + C + 2 * N * C + C + N;
}

int iam_loss(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
             int n, int d, int c, float *dx, float *dW, iam_loss_result *out, float *work) {
    // x is (n,d), W is (c,d), labels is (n); dx is (n,d), dW is (c,d)
    if (iam_loss_config_check(cfg) || check_batch(x, W, labels, n, d, c)) return -1;
    if (!out || !work) return iam_fail("out and work must not be NULL");

    const int softmax = cfg->kind == IAM_SOFTMAX;
    const int r_is_norm = cfg->kind == IAM_SPHEREFACE && cfg->feature_norm;
    const float s = cfg->scale;

    float *xhat = work;                   /* (n,d) */
    float *xnorm = xhat + (size_t)n * d;  /* (n)   */
    float *what = xnorm + n;              /* (c,d) */
    float *wnorm = what + (size_t)c * d;  /* (c)   */
    float *cosm = wnorm + c;              /* (n,c) cos θ_ij, then ∂L/∂cos θ_ij   */
    float *z = cosm + (size_t)n * c;      /* (n,c) logits, then ∂L_base/∂z_ij    */
    float *u = z + (size_t)n * c;         /* (c)   one sample's IAM logits, then q */
    float *grad_r = u + c;                /* (n)   ∂L/∂r_i when r_i = ‖x_i‖      */

    /* every kind needs the cosines: softmax too, for L_IAM */
    if (normalize_rows_forward(x, n, d, xhat, xnorm, "x")) return -1;
    if (normalize_rows_forward(W, c, d, what, wnorm, "W")) return -1;
    matmul_abt(cosm, xhat, what, n, c, d);
    if (softmax) matmul_abt(z, x, W, n, c, d);

    double base_sum = 0.0, iam_sum = 0.0;
    const float inv_n = 1.0f / (float)n;
    const float log_c1 = logf((float)(c - 1));
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        float *cos_i = cosm + (size_t)i * c, *z_i = z + (size_t)i * c;

        /* logits: r c_ij, with the target replaced by r f(c_iy) */
        float r = r_is_norm ? xnorm[i] : s, f_y = 0.0f, df_y = 0.0f;
        if (!softmax) {
            for (int j = 0; j < c; j++) z_i[j] = r * cos_i[j];
            f_y = target_fn(cfg, cos_i[y], &df_y);
            z_i[y] = r * f_y;
        }

        /* cross-entropy: L = softplus(−g); ∂L/∂z = sigmoid(−g)(q − e_y), in place */
        float g = split_at_label(z_i, y, c);
        base_sum += softplusf(-g);
        float w_base = sigmoidf(-g) * inv_n;
        for (int j = 0; j < c; j++) z_i[j] *= w_base;
        z_i[y] = -w_base;

        if (r_is_norm) { /* z_ij = r_i f_ij, so ∂L/∂r_i = Σ_j ∂L/∂z_ij f_ij */
            float gr = z_i[y] * f_y;
            for (int j = 0; j < c; j++)
                if (j != y) gr += z_i[j] * cos_i[j];
            grad_r[i] = gr;
        }

        /* IAM, reported even at β = 0: L = −softplus(h) − log(C−1), and
           ∂L/∂u = sigmoid(h)(q − e_y), a push that never fades as p → 1 */
        for (int j = 0; j < c; j++) u[j] = s * cos_i[j];
        float h = split_at_label(u, y, c);
        iam_sum += -softplusf(h) - log_c1;
        float w_iam = cfg->beta * s * sigmoidf(h) * inv_n; /* β · ∂u/∂c · sigmoid(h) / N */

        /* ∂L/∂c_ij overwrites the cosines of row i */
        for (int j = 0; j < c; j++) cos_i[j] = (softmax ? 0.0f : r * z_i[j]) + w_iam * u[j];
        cos_i[y] = (softmax ? 0.0f : r * df_y * z_i[y]) - w_iam;
    }

    out->base = (float)(base_sum / n);
    out->iam = (float)(iam_sum / n);
    out->loss = out->base + cfg->beta * out->iam;
    if (!isfinite(out->loss))
        return iam_fail("the loss overflowed float32 (got %g): the inputs are too large", out->loss);

    if (dx) { // ∂L/∂x: through x̂ = x/‖x‖, then the direct paths
        memset(dx, 0, sizeof(float) * (size_t)n * d);
        matmul_ab_acc(dx, cosm, what, n, c, d);
        normalize_rows_backward(dx, xhat, xnorm, n, d);
        if (r_is_norm)
            for (int i = 0; i < n; i++) vec_axpy(dx + (size_t)i * d, grad_r[i], xhat + (size_t)i * d, d);
        if (softmax) matmul_ab_acc(dx, z, W, n, c, d);
        if (iam_check_finite("dx", dx, (size_t)n * d, d)) return -1;
    }
    if (dW) { // ∂L/∂W: through Ŵ = W/‖W‖, then the softmax path
        memset(dW, 0, sizeof(float) * (size_t)c * d);
        matmul_atb_acc(dW, cosm, xhat, n, c, d);
        normalize_rows_backward(dW, what, wnorm, c, d);
        if (softmax) matmul_atb_acc(dW, z, x, n, c, d);
        if (iam_check_finite("dW", dW, (size_t)c * d, d)) return -1;
    }
    return 0;
}
