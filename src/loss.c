/* loss.c: the margin-based softmax losses and the IAM term, forward and backward.
 *
 * Every loss here is cross-entropy over logits z_ij. The kinds differ only in
 * the target logit z_iy (LOSSES.md, "Base losses"), and CurricularFace also in its
 * hard negatives (docs/LOSSES.md). The loss is a stack of layers, each a
 * forward/backward pair of plain loops, as in llm.c:
 *
 *   normalize   x̂ = x/‖x‖,  Ŵ = W/‖W‖
 *   cosine      c = x̂ Ŵᵀ                                   (simd.h)
 *   sub-centers c_ij = max_k c_i,jk   (K = 1: a copy)
 *   target sin  sin θ_iy = ‖Ŵ_y − c_iy x̂_i‖, θ_iy = atan2(sin, c): exact near 0 and π
 *   margins     each sample's angular and additive margin (ElasticFace, AdaFace, MagFace)
 *   logits      z_i = r (c_i with c_iy replaced by f(θ_iy)); softmax: z = x Wᵀ
 *   cross-entropy on z:  L_base_i = softplus(−g_i),  g_i = z_iy − LSE_{j≠y} z_ij
 *   IAM on u = s c:      L_IAM_i = −softplus(h_i) − log(C−1),  h_i = u_iy − LSE_{j≠y} u_ij
 *                        (or another reading, iam_variant: −h_i − log(C−1), LSE_{j≠y} u_ij −
 *                        log(C−1), or that on the weights' cosines s Ŵ_y·Ŵ_k)
 *
 * The target's gradient goes to x and W along the vectors themselves,
 * (Ŵ_y − c x̂)/‖x‖ and (x̂ − c Ŵ_y)/‖W_y‖, whose length is sin θ: df/dc grows as
 * 1/sin θ near θ = 0, and their product stays exact where a projection would cancel.
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
 * iam_stop stops IAM's gradient on one side: that side's gradient is taken from the
 * base loss's cosine gradient alone, then IAM's part joins the cosine gradient and the
 * other side is taken from both (loss_backward).
 *
 * This is the readable reference: one sample at a time, plain loops, and SIMD
 * only inside the simd.h kernels. It is not an autodiff engine.
 */
#include <math.h>
#include <string.h>

#include "iam.h"
#include "internal.h"
#include "rng.h"
#include "simd.h"

#define PI_F 3.14159265358979f
#define HALF_PI_F 1.57079632679490f
#define MAX_SUBCENTERS 64
/* AdaFace's code: norms clipped to [0.001, 100], σ + 1e-3 in the denominator */
#define ADA_NORM_MIN 0.001f
#define ADA_NORM_MAX 100.0f
#define ADA_EPS 1e-3f

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
    if (kind == IAM_CURRICULARFACE) cfg.margin = 0.3f;
    if (kind == IAM_ADAFACE) cfg.margin = 0.25f;
    cfg.momentum = 0.01f;
    cfg.h = 0.333f;
    cfg.la = 1.0f;
    cfg.ua = 10.0f;
    cfg.lm = 0.1f;
    cfg.um = 0.4f;
    cfg.lambda_g = 1.0f;
    cfg.subcenters = 1;
    cfg.margin_std = 0.0f;
    cfg.margin_seed = 0;
    cfg.detach_margin = 0;
    cfg.t = 0.0f;
    cfg.norm_mean = 20.0f;
    cfg.norm_std = 100.0f;
    cfg.iam_variant = IAM_VARIANT_DEFAULT;
    cfg.iam_stop = IAM_STOP_NONE;
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
    // v, q are (c); scale > 0, so the largest scale·v_j is scale times the largest v_j
    const int after = c - y - 1; /* the classes j > y */
    float max_other = scale * fmaxf(vec_max(v, y), vec_max(v + y + 1, after));
    float sum = vec_exp_sum(q, v, scale, max_other, y) + vec_exp_sum(q + y + 1, v + y + 1, scale, max_other, after);
    q[y] = 0.0f;
    vec_scale(q, q, 1.0f / sum, c); /* as llm.c's softmax_forward normalizes */
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

/* ψ = (−1)^k cos φ − 2k − m3,  φ = m1 θ + m2,  k = ⌊φ/π⌋: continuous and decreasing
 * on [0, π]. A phase below 0 (AdaFace's negative angular margin near θ = 0) is held at
 * 0, as AdaFace's code clips it: ψ = 1 − m3 there. Returns ψ; *dpsi_dphi = ∂ψ/∂φ
 * (∂ψ/∂θ = m1 ∂ψ/∂φ, ∂ψ/∂m2 = ∂ψ/∂φ). */
static float margin_psi(float theta, float m1, float m2, float m3, float *dpsi_dphi) {
    float phi = m1 * theta + m2;
    if (phi < 0.0f) {
        *dpsi_dphi = 0.0f;
        return 1.0f - m3;
    }
    int k = (int)floorf(phi / PI_F);
    float sign = (k & 1) ? -1.0f : 1.0f;
    *dpsi_dphi = -sign * sinf(phi);
    return sign * cosf(phi) - 2.0f * (float)k - m3;
}

/* SphereFace with integer m: cos(mθ) = T_m(c), the Chebyshev polynomial, and
 * d cos(mθ)/dc = m U_{m−1}(c). No angle at all. k = ⌊mθ/π⌋ counts the
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

/* cos(θ + m) with ArcFace's four ways past θ > π − m, where it would rise again (and
 * CurricularFace's and MagFace's target, which are ArcFace's at their own m).
 * Returns f; *df_dtheta and *df_dm. */
static float arcface_psi(float c, float theta, float m, int fallback, float *df_dtheta, float *df_dm) {
    if ((fallback == IAM_FALLBACK_INSIGHTFACE && c <= -cosf(m)) || (fallback == IAM_FALLBACK_EASY && c <= 0.0f)) {
        /* insightface: th = cos(π − m), mm = sin(π − m)·m, monotone but it jumps; easy_margin:
           no margin past 90°. Both are functions of c: ∂/∂θ = −sin θ */
        *df_dtheta = -sinf(theta);
        *df_dm = fallback == IAM_FALLBACK_EASY ? 0.0f : -(sinf(m) + m * cosf(m));
        return fallback == IAM_FALLBACK_EASY ? c : c - m * sinf(m);
    }
    if (fallback == IAM_FALLBACK_NONE) {
        *df_dtheta = *df_dm = -sinf(theta + m);
        return cosf(theta + m);
    }
    float f = margin_psi(theta, 1.0f, m, 0.0f, df_dm);
    *df_dtheta = *df_dm;
    return f;
}

/* The target logit is r·f(θ_iy); the other logits are r·c_ij (softmax aside). f at
 * c = cos θ, sin θ, with the sample's angular margin m_angle (added to θ) and additive
 * margin m_add (taken from the cosine). Returns f and writes ∂f/∂c (through θ: −∂f/∂θ /
 * sin θ, 0 at sin θ = 0 where the vectors below are 0 too) and ∂f/∂m_angle. */
static float target_fn(const iam_loss_config *cfg, float c, float sin_theta, float m_angle, float m_add,
                       float *df_dc, float *df_dm) {
    float theta = atan2f(sin_theta, c), df_dtheta = 0.0f, f;
    *df_dm = 0.0f;
    switch (cfg->kind) {
    case IAM_COSFACE:
        *df_dc = 1.0f;
        return c - m_add;
    case IAM_ARCFACE: case IAM_CURRICULARFACE: case IAM_MAGFACE:
        f = arcface_psi(c, theta, m_angle, cfg->fallback, &df_dtheta, df_dm);
        break;
    case IAM_ADAFACE: /* s (cos(θ + g_angle) − g_add): the continuous ψ at that phase */
        f = margin_psi(theta, 1.0f, m_angle, m_add, &df_dtheta);
        break;
    case IAM_COMBINED:
        f = margin_psi(theta, cfg->m1, cfg->m2, cfg->m3, &df_dtheta);
        df_dtheta *= cfg->m1;
        break;
    case IAM_SPHEREFACE: {
        /* annealed: (λ c + ψ(θ)) / (1 + λ) (LOSSES.md, "SphereFace annealing") */
        float dpsi_dc, psi, m = cfg->margin, lambda = cfg->lambda;
        if (m == floorf(m)) psi = sphereface_psi_int(c, (int)m, &dpsi_dc);
        else {
            float dpsi_dphi;
            psi = margin_psi(theta, m, 0.0f, 0.0f, &dpsi_dphi);
            dpsi_dc = sin_theta > 0.0f ? -m * dpsi_dphi / sin_theta : 0.0f;
        }
        *df_dc = (lambda + dpsi_dc) / (1.0f + lambda);
        return (lambda * c + psi) / (1.0f + lambda);
    }
    default: /* NormFace: no margin */
        *df_dc = 1.0f;
        return c;
    }
    *df_dc = sin_theta > 0.0f ? -df_dtheta / sin_theta : 0.0f; /* dθ/dc = −1/sin θ */
    return f;
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

/* Sub-centers, forward: c_ij = max_k c_i,jK+k, and which k won (as a float, exact for
   K ≤ 64). K = 1 is a copy. */
static void subcenter_pool_forward(const float *cos_all, int n, int c, int K, float *cos, float *winner) {
    // cos_all is (n, c·K), cos and winner are (n, c)
    if (K == 1) {
        memcpy(cos, cos_all, sizeof(float) * (size_t)n * c);
        memset(winner, 0, sizeof(float) * (size_t)n * c);
        return;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < c; j++) {
            const float *row = cos_all + (size_t)i * c * K + (size_t)j * K;
            int best = 0;
            for (int k = 1; k < K; k++)
                if (row[k] > row[best]) best = k;
            cos[(size_t)i * c + j] = row[best];
            winner[(size_t)i * c + j] = (float)best;
        }
}

/* ... and backward: the gradient flows to the winning sub-center only */
static void subcenter_pool_backward(float *d_cos_all, const float *d_cos, const float *winner, int n, int c, int K) {
    // d_cos_all is (n, c·K), d_cos and winner are (n, c)
    if (K == 1) {
        vec_axpy(d_cos_all, 1.0f, d_cos, n * c);
        return;
    }
    for (size_t q = 0; q < (size_t)n * c; q++) d_cos_all[q * K + (size_t)winner[q]] += d_cos[q];
}

/* The row of W that is sample i's target: its class's winning sub-center */
static int target_row(const float *winner, const int *labels, int i, int c, int K) {
    return labels[i] * K + (int)winner[(size_t)i * c + labels[i]];
}

/* sin θ_iy = ‖Ŵ_t − c_iy x̂_i‖ from the vectors: sqrt(1 − c²) would lose every digit of a
   small angle to the rounding of c (LOSSES.md's clamp is no longer needed) */
static void target_sin_forward(const float *x_hat, const float *w_hat, const float *cos, const float *winner,
                               const int *labels, int n, int d, int c, int K, float *target_sin) {
    // x_hat is (n,d), w_hat is (c·K,d), cos and winner are (n,c), target_sin is (n)
    for (int i = 0; i < n; i++) {
        const float *xh = x_hat + (size_t)i * d, *wh = w_hat + (size_t)target_row(winner, labels, i, c, K) * d;
        float cy = cos[(size_t)i * c + labels[i]], sum = 0.0f;
        for (int k = 0; k < d; k++) {
            float diff = wh[k] - cy * xh[k];
            sum += diff * diff;
        }
        target_sin[i] = sqrtf(sum);
    }
}

/* Each sample's margins (docs/LOSSES.md): the angle m_angle added to θ_y and the
   amount m_add taken from its cosine, and ∂m_angle/∂‖x‖ (MagFace). ElasticFace draws
   m + σ N(0, 1) per sample from margin_seed, clipped to the margin's range. */
static void sample_margins_forward(const iam_loss_config *cfg, const float *x_norm, int n, float *m_angle,
                                   float *m_add, float *dm_dnorm) {
    // x_norm, m_angle, m_add, dm_dnorm are (n)
    iam_rng rng = iam_rng_seeded(cfg->margin_seed);
    for (int i = 0; i < n; i++) {
        float m = cfg->margin;
        m_angle[i] = m_add[i] = dm_dnorm[i] = 0.0f;
        if (cfg->margin_std > 0.0f)
            m = clampf(m + cfg->margin_std * iam_rng_normal(&rng), 0.0f, cfg->kind == IAM_COSFACE ? 1.0f : HALF_PI_F);
        if (cfg->kind == IAM_COSFACE) m_add[i] = m;
        else if (cfg->kind == IAM_ARCFACE || cfg->kind == IAM_CURRICULARFACE) m_angle[i] = m;
        else if (cfg->kind == IAM_ADAFACE) { /* ẑ: the norm against the running statistics */
            float norm = clampf(x_norm[i], ADA_NORM_MIN, ADA_NORM_MAX);
            float z = clampf(cfg->h * (norm - cfg->norm_mean) / (cfg->norm_std + ADA_EPS), -1.0f, 1.0f);
            m_angle[i] = -m * z;
            m_add[i] = m * z + m;
        } else if (cfg->kind == IAM_MAGFACE) { /* m(a), linear in a = ‖x‖ clipped to [la, ua] */
            float slope = (cfg->um - cfg->lm) / (cfg->ua - cfg->la), a = clampf(x_norm[i], cfg->la, cfg->ua);
            m_angle[i] = slope * (a - cfg->la) + cfg->lm;
            dm_dnorm[i] = x_norm[i] > cfg->la && x_norm[i] < cfg->ua ? slope : 0.0f;
        }
    }
}

/* r_i: ‖x_i‖ for the original SphereFace (feature_norm), else the scale s */
static float logit_radius(const iam_loss_config *cfg, const float *x_norm, int i) {
    return cfg->kind == IAM_SPHEREFACE && cfg->feature_norm ? x_norm[i] : cfg->scale;
}

/* The per-sample inputs of the target logit, as the forward saved them */
typedef struct {
    const float *cos, *target_sin, *x_norm, *m_angle, *m_add;
} target_inputs;

static float sample_target(const iam_loss_config *cfg, const target_inputs *in, int i, int y, int c, float *df_dc,
                           float *df_dm) {
    return target_fn(cfg, in->cos[(size_t)i * c + y], in->target_sin[i], in->m_angle[i], in->m_add[i], df_dc, df_dm);
}

/* CurricularFace's hard negative: a class j with c_ij above the target's f(θ_y) */
static int curricular_hard(const iam_loss_config *cfg, float c_ij, float f_y) {
    return cfg->kind == IAM_CURRICULARFACE && c_ij > f_y;
}

static void margin_logits_forward(const iam_loss_config *cfg, const target_inputs *in, const int *labels, int n,
                                  int c, float *logits) {
    // logits are (n,c); z_ij = r_i c_ij (CurricularFace's hard ones r c (t + c)), z_iy = r_i f(θ_iy)
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        const float *cos_i = in->cos + (size_t)i * c;
        float *z_i = logits + (size_t)i * c, r = logit_radius(cfg, in->x_norm, i), df_dc, df_dm;
        float f_y = sample_target(cfg, in, i, y, c, &df_dc, &df_dm);
        for (int j = 0; j < c; j++)
            z_i[j] = curricular_hard(cfg, cos_i[j], f_y) && j != y ? r * cos_i[j] * (cfg->t + cos_i[j]) : r * cos_i[j];
        z_i[y] = r * f_y;
    }
}

/* ∂z_ij/∂c_ij = r (r (t + 2c) for a hard negative) into d_cos; ∂z_iy/∂c_iy = r f' into
   d_target (the target's own path, below); ∂z/∂‖x_i‖ into d_norm: z_ij/r_i when r_i = ‖x_i‖,
   and MagFace's r ∂f/∂m ∂m/∂a. detach_margin takes f' as 1 and ∂f/∂m as 0. */
static void margin_logits_backward(const iam_loss_config *cfg, const target_inputs *in, const float *dm_dnorm,
                                   const int *labels, const float *d_logits, int n, int c, float *d_cos,
                                   float *d_target, float *d_norm) {
    // d_logits, d_cos are (n,c), dm_dnorm, d_target, d_norm are (n)
    const int r_is_norm = cfg->kind == IAM_SPHEREFACE && cfg->feature_norm;
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        const float *cos_i = in->cos + (size_t)i * c, *d_z_i = d_logits + (size_t)i * c;
        float *d_cos_i = d_cos + (size_t)i * c, r = logit_radius(cfg, in->x_norm, i), df_dc, df_dm;
        float f_y = sample_target(cfg, in, i, y, c, &df_dc, &df_dm);
        if (cfg->detach_margin && cfg->kind != IAM_NORMFACE) df_dc = 1.0f, df_dm = 0.0f;
        for (int j = 0; j < c; j++)
            if (j != y) d_cos_i[j] += (curricular_hard(cfg, cos_i[j], f_y) ? r * (cfg->t + 2.0f * cos_i[j]) : r) * d_z_i[j];
        d_target[i] += r * df_dc * d_z_i[y];
        d_norm[i] += r * df_dm * dm_dnorm[i] * d_z_i[y];
        if (r_is_norm) {
            float d_r = d_z_i[y] * f_y;
            for (int j = 0; j < c; j++)
                if (j != y) d_r += d_z_i[j] * cos_i[j];
            d_norm[i] += d_r;
        }
    }
}

/* v − (v·u) u: what is left of v across the unit vector u */
static float across(float v_k, float radial, float u_k) { return v_k - radial * u_k; }

/* The target cosine's gradient along the vectors: ∂c/∂x_i = (Ŵ_t − c x̂_i)/‖x_i‖ and
   ∂c/∂W_t = (x̂_i − c Ŵ_t)/‖W_t‖, each of length sin θ/‖·‖. The rounding of c (a sum of d
   products) leaves a part along x̂ (along Ŵ) that is not small beside sin θ for θ ~ 1e-4 and
   d = 512, so that part is taken out: each vector is made exactly tangent. */
static void target_backward(const float *d_target, const float *x_hat, const float *x_norm, const float *w_hat,
                            const float *w_norm, const float *cos, const float *winner, const int *labels, int n,
                            int d, int c, int K, float *dx, float *dW) {
    // d_target is (n), x_hat and dx are (n,d), w_hat and dW are (c·K,d)
    for (int i = 0; i < n; i++) {
        if (d_target[i] == 0.0f) continue;
        const int t = target_row(winner, labels, i, c, K);
        const float *xh = x_hat + (size_t)i * d, *wh = w_hat + (size_t)t * d, cy = cos[(size_t)i * c + labels[i]];
        float x_radial = 0.0f, w_radial = 0.0f; /* (Ŵ − c x̂)·x̂ and (x̂ − c Ŵ)·Ŵ: 0 but for rounding */
        for (int k = 0; k < d; k++) {
            x_radial += (wh[k] - cy * xh[k]) * xh[k];
            w_radial += (xh[k] - cy * wh[k]) * wh[k];
        }
        for (int k = 0; k < d; k++) {
            if (dx) dx[(size_t)i * d + k] += d_target[i] * across(wh[k] - cy * xh[k], x_radial, xh[k]) / x_norm[i];
            if (dW) dW[(size_t)t * d + k] += d_target[i] * across(xh[k] - cy * wh[k], w_radial, wh[k]) / w_norm[t];
        }
    }
}

/* MagFace's regularizer: λ_g mean_i g(a_i), g(a) = 1/a + a/ua², a = ‖x_i‖ clipped to
   [la, ua]; returns its sum over the batch (before λ_g and 1/N). */
static double magface_g_forward(const iam_loss_config *cfg, const float *x_norm, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        float a = clampf(x_norm[i], cfg->la, cfg->ua);
        sum += 1.0f / a + a / (cfg->ua * cfg->ua);
    }
    return sum;
}

/* ∂(λ_g/N Σ g)/∂‖x_i‖ = λ_g/N (−1/a² + 1/ua²) inside the clip, 0 outside */
static void magface_g_backward(const iam_loss_config *cfg, const float *x_norm, int n, float *d_norm) {
    const float inv_n = 1.0f / (float)n;
    for (int i = 0; i < n; i++)
        if (x_norm[i] > cfg->la && x_norm[i] < cfg->ua)
            d_norm[i] += cfg->lambda_g * inv_n * (-1.0f / (x_norm[i] * x_norm[i]) + 1.0f / (cfg->ua * cfg->ua));
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

/* IAM on u = s c, reported even at β = 0, in the chosen reading (enum iam_variant):
 *   default     L_IAM_i = −softplus(h_i) − log(C−1)
 *   log-odds    L_IAM_i = −h_i − log(C−1)
 *   push-only   L_IAM_i = LSE_{j≠y} u_ij − log(C−1) = u_iy − h_i − log(C−1)
 * ('weights' reads the weights' cosines instead: iam_weights_forward.) Returns Σ_i L_IAM_i. */
static double iam_forward(int variant, const float *cos, const int *labels, float scale, int n, int c,
                          float *q, float *gap) {
    // cos, q are (n,c), gap is (n)
    const float log_c1 = logf((float)(c - 1));
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const float *cos_i = cos + (size_t)i * c;
        gap[i] = label_split_forward(cos_i, scale, labels[i], c, q + (size_t)i * c);
        if (variant == IAM_VARIANT_LOG_ODDS) sum += -gap[i] - log_c1;
        else if (variant == IAM_VARIANT_PUSH_ONLY) sum += scale * cos_i[labels[i]] - gap[i] - log_c1;
        else sum += -softplusf(gap[i]) - log_c1;
    }
    return sum;
}

/* ∂(β L_IAM)/∂c_i = β s (1/N) w_i (q_i − e_y), with w_i = sigmoid(h_i) (default: a push that
 * never fades as p → 1) or 1 (log-odds: −∂h/∂u); push-only: β s (1/N) q_i, no pull on the
 * target (q_iy = 0) */
static void iam_backward(int variant, const float *q, const float *gap, const int *labels, float scale,
                         float beta, int n, int c, float *d_cos) {
    // q, d_cos are (n,c), gap is (n)
    const float inv_n = 1.0f / (float)n;
    for (int i = 0; i < n; i++) {
        const float *q_i = q + (size_t)i * c;
        float *d_i = d_cos + (size_t)i * c;
        float w = variant == IAM_VARIANT_DEFAULT ? sigmoidf(gap[i]) : 1.0f, weight = beta * scale * w * inv_n;
        if (variant == IAM_VARIANT_PUSH_ONLY)
            for (int j = 0; j < c; j++) d_i[j] += weight * q_i[j];
        else label_split_backward(d_i, q_i, labels[i], c, weight);
    }
}

/* The weight-only control ('weights'): push-only with x̂_i replaced by its class weight,
 *   L_IAM_i = LSE_{k≠y_i} s Ŵ_{y_i}·Ŵ_k − log(C−1),
 * so the batch picks which classes push (as often as they appear) and no sample moves.
 * Writes the weights' cosines w_cos_ik = Ŵ_{y_i}·Ŵ_k and their split q, gap (as for u);
 * returns Σ_i L_IAM_i. K = 1 (iam_loss_config_check). */
static double iam_weights_forward(const float *w_hat, const int *labels, float scale, int n, int d, int c,
                                  float *w_cos, float *q, float *gap) {
    // w_hat is (c,d), w_cos, q are (n,c), gap is (n)
    const float log_c1 = logf((float)(c - 1));
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        float *v = w_cos + (size_t)i * c;
        for (int k = 0; k < c; k++) v[k] = vec_dot(w_hat + (size_t)y * d, w_hat + (size_t)k * d, d);
        gap[i] = label_split_forward(v, scale, y, c, q + (size_t)i * c);
        sum += scale * v[y] - gap[i] - log_c1; /* s v_y − gap = LSE_{k≠y} s v_k */
    }
    return sum;
}

/* ... and backward: ∂(β L_IAM_i)/∂(Ŵ_y·Ŵ_k) = a_ik = β s q_ik / N (0 at k = y), and the
 * product moves both factors: ∂/∂Ŵ_k += a_ik Ŵ_y, ∂/∂Ŵ_y += a_ik Ŵ_k */
static void iam_weights_backward(const float *w_hat, const float *q, const int *labels, float scale, float beta,
                                 int n, int d, int c, float *d_w_hat) {
    // w_hat, d_w_hat are (c,d), q is (n,c)
    const float inv_n = 1.0f / (float)n;
    for (int i = 0; i < n; i++) {
        const int y = labels[i];
        for (int k = 0; k < c; k++) {
            float a = beta * scale * q[(size_t)i * c + k] * inv_n;
            if (k == y || a == 0.0f) continue;
            vec_axpy(d_w_hat + (size_t)k * d, a, w_hat + (size_t)y * d, d);
            vec_axpy(d_w_hat + (size_t)y * d, a, w_hat + (size_t)k * d, d);
        }
    }
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
        return iam_fail("unknown loss kind %d (expected 0..8: softmax, normface, sphereface, "
                        "cosface, arcface, combined, curricularface, adaface, magface)", cfg->kind);
    const char *kind = kind_name(cfg->kind);
    if (!(cfg->scale > 0.0f && cfg->scale <= IAM_MAX_SCALE))
        return iam_fail("scale must be > 0 and at most %g (got %g)", IAM_MAX_SCALE, cfg->scale);
    if (!(cfg->beta >= 0.0f && isfinite(cfg->beta)))
        return iam_fail("beta must be >= 0 and finite (got %g)", cfg->beta);
    if (cfg->subcenters < 1 || cfg->subcenters > MAX_SUBCENTERS)
        return iam_fail("subcenters must be in [1, %d] (got %d)", MAX_SUBCENTERS, cfg->subcenters);
    if (cfg->subcenters > 1 && cfg->kind == IAM_SOFTMAX)
        return iam_fail("subcenters is for the cosine losses, not softmax (got %d)", cfg->subcenters);
    if (check_range("margin_std", kind, cfg->margin_std, 0.0f, 1.0f)) return -1;
    if (cfg->margin_std > 0.0f && cfg->kind != IAM_ARCFACE && cfg->kind != IAM_COSFACE)
        return iam_fail("margin_std (ElasticFace) is for arcface and cosface, not %s (got %g)", kind, cfg->margin_std);
    if (cfg->detach_margin != 0 && cfg->detach_margin != 1)
        return iam_fail("detach_margin must be 0 or 1 (got %d)", cfg->detach_margin);
    if (cfg->fallback < 0 || cfg->fallback > 3)
        return iam_fail("unknown arcface fallback %d (expected 0 continuous, 1 insightface, "
                        "2 easy, 3 none)", cfg->fallback);
    if (cfg->iam_variant < 0 || cfg->iam_variant >= IAM_VARIANT_COUNT)
        return iam_fail("unknown iam_variant %d (expected 0 default, 1 log-odds, 2 push-only, 3 weights)",
                        cfg->iam_variant);
    if (cfg->iam_stop < 0 || cfg->iam_stop >= IAM_STOP_COUNT)
        return iam_fail("unknown iam_stop %d (expected 0 none, 1 W, 2 x)", cfg->iam_stop);
    if (cfg->iam_variant == IAM_VARIANT_WEIGHTS && cfg->subcenters > 1)
        return iam_fail("iam_variant weights pushes one weight per class apart, so it needs subcenters = 1 "
                        "(got subcenters %d)", cfg->subcenters);
    switch (cfg->kind) {
    case IAM_COSFACE:
        return check_range("margin", kind, cfg->margin, 0.0f, 1.0f);
    case IAM_ARCFACE:
        return check_range("margin", kind, cfg->margin, 0.0f, HALF_PI_F);
    case IAM_CURRICULARFACE:
        if (check_range("momentum", kind, cfg->momentum, 1e-6f, 1.0f) || check_range("t", kind, cfg->t, -1.0f, 1.0f))
            return -1;
        return check_range("margin", kind, cfg->margin, 0.0f, HALF_PI_F);
    case IAM_ADAFACE:
        if (check_range("momentum", kind, cfg->momentum, 1e-6f, 1.0f) || check_range("h", kind, cfg->h, 1e-6f, 10.0f) ||
            check_range("norm_mean", kind, cfg->norm_mean, 0.0f, 1e6f) ||
            check_range("norm_std", kind, cfg->norm_std, 0.0f, 1e6f))
            return -1;
        return check_range("margin", kind, cfg->margin, 0.0f, 1.0f);
    case IAM_MAGFACE:
        if (check_range("la", kind, cfg->la, 1e-3f, 1e4f) || check_range("ua", kind, cfg->ua, 1e-3f, 1e4f) ||
            check_range("lm", kind, cfg->lm, 0.0f, HALF_PI_F) || check_range("um", kind, cfg->um, 0.0f, HALF_PI_F) ||
            check_range("lambda_g", kind, cfg->lambda_g, 0.0f, 1e4f))
            return -1;
        if (!(cfg->la < cfg->ua)) return iam_fail("la must be below ua for magface (got la %g, ua %g)", cfg->la, cfg->ua);
        if (!(cfg->lm <= cfg->um)) return iam_fail("lm must be at most um for magface (got lm %g, um %g)", cfg->lm, cfg->um);
        return 0;
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

static int check_batch(const float *x, const float *W, const int *labels, int n, int d, int c, int K) {
    if (iam_loss_check_sizes(n, d, c) || iam_loss_check_sizes(n, d, c * K)) return -1;
    if (!x || !W || !labels) return iam_fail("x, W and labels must not be NULL");
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= c)
            return iam_fail("labels[%d] = %d is out of range [0, %d)", i, labels[i], c);
    if (iam_check_finite("x", x, (size_t)n * d, d)) return -1;
    return iam_check_finite("W", W, (size_t)c * K * d, d);
}

/* ---------------------------------------------------------------------------
 * The loss: the layers above, forward then backward
 * ------------------------------------------------------------------------- */

/* The workspace, carved into named buffers (like llm.c's ActivationTensors).
 * The forward writes the first group, the backward the second. R = c·K, the rows of W. */
typedef struct {
    float *x_hat, *x_norm;           /* (n,d), (n)  x̂ = x/‖x‖                        */
    float *w_hat, *w_norm;           /* (R,d), (R)  Ŵ = W/‖W‖                        */
    float *cos_all;                  /* (n,R)       x̂_i·Ŵ_r                          */
    float *cos, *winner;             /* (n,c)       c_ij = max_k, and the k that won */
    float *target_sin;               /* (n)         sin θ_iy                          */
    float *m_angle, *m_add, *dm_dnorm; /* (n)       each sample's margins            */
    float *logits;                   /* (n,c)       z_ij                             */
    float *base_q, *base_gap;        /* (n,c), (n)  softmax_{j≠y} z_ij, g_i          */
    float *iam_q, *iam_gap;          /* (n,c), (n)  softmax_{j≠y} u_ij, h_i          */
    float *d_logits, *d_cos;         /* (n,c)       ∂L/∂z, ∂L/∂c                     */
    float *d_cos_all;                /* (n,R)       ∂L/∂c to the sub-centers         */
    float *d_target, *d_norm;        /* (n)         the target's ∂L/∂c_iy, ∂L/∂‖x_i‖ */
    float *d_x_hat, *d_w_hat;        /* (n,d), (R,d) ∂L/∂x̂, ∂L/∂Ŵ                    */
    float *w_cos;                    /* (n,c)       Ŵ_{y_i}·Ŵ_k, iam_variant 'weights' only */
} loss_buffers;

/* The next `count` floats of the workspace (NULL when only measuring it). */
static float *take(float *work, size_t *used, size_t count) {
    float *p = work ? work + *used : NULL;
    *used += count;
    return p;
}

/* Carves work into b; returns the floats used. The one home of the workspace's size. */
static size_t loss_buffers_carve(loss_buffers *b, float *work, size_t n, size_t d, size_t c, size_t K,
                                 int variant) {
    size_t used = 0, R = c * K;
    b->x_hat = take(work, &used, n * d);     b->x_norm = take(work, &used, n);
    b->w_hat = take(work, &used, R * d);     b->w_norm = take(work, &used, R);
    b->cos_all = take(work, &used, n * R);
    b->cos = take(work, &used, n * c);       b->winner = take(work, &used, n * c);
    b->target_sin = take(work, &used, n);
    b->m_angle = take(work, &used, n);       b->m_add = take(work, &used, n);
    b->dm_dnorm = take(work, &used, n);
    b->logits = take(work, &used, n * c);
    b->base_q = take(work, &used, n * c);    b->base_gap = take(work, &used, n);
    b->iam_q = take(work, &used, n * c);     b->iam_gap = take(work, &used, n);
    b->d_logits = take(work, &used, n * c);  b->d_cos = take(work, &used, n * c);
    b->d_cos_all = take(work, &used, n * R);
    b->d_target = take(work, &used, n);      b->d_norm = take(work, &used, n);
    b->d_x_hat = take(work, &used, n * d);   b->d_w_hat = take(work, &used, R * d);
    b->w_cos = take(work, &used, variant == IAM_VARIANT_WEIGHTS ? n * c : 0);
    return used;
}

static int subcenters_of(const iam_loss_config *cfg) { return cfg->subcenters > 1 ? cfg->subcenters : 1; }

size_t iam_loss_work_floats_for(const iam_loss_config *cfg, int n, int d, int c) {
    if (iam_loss_config_check(cfg)) return 0;
    const int K = subcenters_of(cfg);
    if (iam_loss_check_sizes(n, d, c) || iam_loss_check_sizes(n, d, c * K)) return 0; /* nothing wraps */
    loss_buffers b;
    return loss_buffers_carve(&b, NULL, (size_t)n, (size_t)d, (size_t)c, (size_t)K, cfg->iam_variant);
}

size_t iam_loss_work_floats(int n, int d, int c) {
    iam_loss_config one = iam_loss_config_default(IAM_NORMFACE);
    return iam_loss_work_floats_for(&one, n, d, c);
}

static int loss_forward(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
                        int n, int d, int c, loss_buffers *b, iam_loss_result *out) {
    // x is (n,d), W is (c·K,d), labels is (n)
    const int K = subcenters_of(cfg);
    /* every kind needs the cosines: softmax too, for L_IAM */
    if (normalize_rows_forward(x, n, d, b->x_hat, b->x_norm, "x")) return -1;
    if (normalize_rows_forward(W, c * K, d, b->w_hat, b->w_norm, "W")) return -1;
    matmul_abt(b->cos_all, b->x_hat, b->w_hat, n, c * K, d);
    subcenter_pool_forward(b->cos_all, n, c, K, b->cos, b->winner);
    target_sin_forward(b->x_hat, b->w_hat, b->cos, b->winner, labels, n, d, c, K, b->target_sin);
    sample_margins_forward(cfg, b->x_norm, n, b->m_angle, b->m_add, b->dm_dnorm);
    const target_inputs in = { b->cos, b->target_sin, b->x_norm, b->m_angle, b->m_add };
    if (cfg->kind == IAM_SOFTMAX) matmul_abt(b->logits, x, W, n, c, d);
    else margin_logits_forward(cfg, &in, labels, n, c, b->logits);
    double base_sum = cross_entropy_forward(b->logits, labels, n, c, b->base_q, b->base_gap);
    if (cfg->kind == IAM_MAGFACE) base_sum += cfg->lambda_g * magface_g_forward(cfg, b->x_norm, n);
    double iam_sum = cfg->iam_variant == IAM_VARIANT_WEIGHTS
        ? iam_weights_forward(b->w_hat, labels, cfg->scale, n, d, c, b->w_cos, b->iam_q, b->iam_gap)
        : iam_forward(cfg->iam_variant, b->cos, labels, cfg->scale, n, c, b->iam_q, b->iam_gap);

    out->base = (float)(base_sum / n);
    out->iam = (float)(iam_sum / n);
    out->loss = out->base + cfg->beta * out->iam;
    if (!isfinite(out->loss))
        return iam_fail("the loss overflowed float32 (got %g): the inputs are too large", out->loss);
    return 0;
}

/* ∂L/∂x from the cosines' gradient in d_cos_all: through x̂ = x/‖x‖; the target's own path;
   then the direct ones (the norm's, softmax's) */
static void x_side_backward(const iam_loss_config *cfg, const float *W, const int *labels, int n, int d, int c,
                            const loss_buffers *b, float *dx) {
    // W is (c·K,d), dx is (n,d)
    const int K = subcenters_of(cfg), R = c * K;
    memset(b->d_x_hat, 0, sizeof(float) * (size_t)n * d);
    matmul_ab_acc(b->d_x_hat, b->d_cos_all, b->w_hat, n, R, d);
    normalize_rows_backward(dx, b->d_x_hat, b->x_hat, b->x_norm, n, d);
    target_backward(b->d_target, b->x_hat, b->x_norm, b->w_hat, b->w_norm, b->cos, b->winner, labels, n, d, c, K,
                    dx, NULL);
    for (int i = 0; i < n; i++) /* ∂‖x_i‖/∂x_i = x̂_i */
        if (b->d_norm[i] != 0.0f) vec_axpy(dx + (size_t)i * d, b->d_norm[i], b->x_hat + (size_t)i * d, d);
    if (cfg->kind == IAM_SOFTMAX) matmul_ab_acc(dx, b->d_logits, W, n, c, d); /* ∂z_ij/∂x_i = W_j */
}

/* ∂L/∂W from d_cos_all: through Ŵ = W/‖W‖ (with the 'weights' reading's own push when
   with_iam); the target's path; then softmax's */
static void w_side_backward(const iam_loss_config *cfg, const float *x, const int *labels, int n, int d, int c,
                            const loss_buffers *b, int with_iam, float *dW) {
    // x is (n,d), dW is (c·K,d)
    const int K = subcenters_of(cfg), R = c * K;
    memset(b->d_w_hat, 0, sizeof(float) * (size_t)R * d);
    matmul_atb_acc(b->d_w_hat, b->d_cos_all, b->x_hat, n, R, d);
    if (with_iam && cfg->iam_variant == IAM_VARIANT_WEIGHTS)
        iam_weights_backward(b->w_hat, b->iam_q, labels, cfg->scale, cfg->beta, n, d, c, b->d_w_hat);
    normalize_rows_backward(dW, b->d_w_hat, b->w_hat, b->w_norm, R, d);
    target_backward(b->d_target, b->x_hat, b->x_norm, b->w_hat, b->w_norm, b->cos, b->winner, labels, n, d, c, K,
                    NULL, dW);
    if (cfg->kind == IAM_SOFTMAX) matmul_atb_acc(dW, b->d_logits, x, n, c, d); /* ∂z_ij/∂W_j = x_i */
}

/* Accumulates into dx and dW (either may be NULL); the loss's own gradient
   buffers are zeroed here, once, and every step below adds into them. */
static void loss_backward(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
                          int n, int d, int c, loss_buffers *b, float *dx, float *dW) {
    // x, dx are (n,d), W, dW are (c·K,d), labels is (n)
    const int softmax = cfg->kind == IAM_SOFTMAX, K = subcenters_of(cfg), R = c * K;
    memset(b->d_logits, 0, sizeof(float) * (size_t)n * c);
    memset(b->d_cos, 0, sizeof(float) * (size_t)n * c);
    memset(b->d_cos_all, 0, sizeof(float) * (size_t)n * R);
    memset(b->d_target, 0, sizeof(float) * (size_t)n);
    memset(b->d_norm, 0, sizeof(float) * (size_t)n);

    /* the base loss into the logits and the cosines; MagFace's g into the norms */
    cross_entropy_backward(b->base_q, b->base_gap, labels, n, c, b->d_logits);
    const target_inputs in = { b->cos, b->target_sin, b->x_norm, b->m_angle, b->m_add };
    if (!softmax)
        margin_logits_backward(cfg, &in, b->dm_dnorm, labels, b->d_logits, n, c, b->d_cos, b->d_target, b->d_norm);
    if (cfg->kind == IAM_MAGFACE) magface_g_backward(cfg, b->x_norm, n, b->d_norm);

    /* IAM into the cosines (every reading but 'weights', which is w_side_backward's own) */
    const int stop = cfg->iam_stop, on_cos = cfg->iam_variant != IAM_VARIANT_WEIGHTS;
    if (stop == IAM_STOP_NONE) { /* both sides see both losses */
        if (on_cos) iam_backward(cfg->iam_variant, b->iam_q, b->iam_gap, labels, cfg->scale, cfg->beta, n, c, b->d_cos);
        subcenter_pool_backward(b->d_cos_all, b->d_cos, b->winner, n, c, K);
        if (dx) x_side_backward(cfg, W, labels, n, d, c, b, dx);
        if (dW) w_side_backward(cfg, x, labels, n, d, c, b, 1, dW);
        return;
    }
    /* a stop: the stopped side first, from the base loss's cosine gradient alone; then IAM's
       part joins d_cos, the sub-center pooling runs again into a re-zeroed d_cos_all, and
       the other side sees both */
    subcenter_pool_backward(b->d_cos_all, b->d_cos, b->winner, n, c, K);
    if (stop == IAM_STOP_W && dW) w_side_backward(cfg, x, labels, n, d, c, b, 0, dW);
    if (stop == IAM_STOP_X && dx) x_side_backward(cfg, W, labels, n, d, c, b, dx);
    if (on_cos) {
        iam_backward(cfg->iam_variant, b->iam_q, b->iam_gap, labels, cfg->scale, cfg->beta, n, c, b->d_cos);
        memset(b->d_cos_all, 0, sizeof(float) * (size_t)n * R);
        subcenter_pool_backward(b->d_cos_all, b->d_cos, b->winner, n, c, K);
    }
    if (stop == IAM_STOP_W && dx) x_side_backward(cfg, W, labels, n, d, c, b, dx);
    if (stop == IAM_STOP_X && dW) w_side_backward(cfg, x, labels, n, d, c, b, 1, dW);
}

int iam_loss(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
             int n, int d, int c, float *dx, float *dW, iam_loss_result *out, float *work) {
    // x, dx are (n,d), W, dW are (c·K,d), labels is (n); dx and dW are accumulated into (+=)
    if (iam_loss_config_check(cfg) || check_batch(x, W, labels, n, d, c, subcenters_of(cfg))) return -1;
    if (!out || !work) return iam_fail("out and work must not be NULL");
    const int K = subcenters_of(cfg);
    loss_buffers b;
    loss_buffers_carve(&b, work, (size_t)n, (size_t)d, (size_t)c, (size_t)K, cfg->iam_variant);

    if (loss_forward(cfg, x, W, labels, n, d, c, &b, out)) return -1;
    if (!dx && !dW) return 0;
    loss_backward(cfg, x, W, labels, n, d, c, &b, dx, dW);

    if (dx && iam_check_finite("dx", dx, (size_t)n * d, d)) return -1;
    if (dW && iam_check_finite("dW", dW, (size_t)c * K * d, d)) return -1;
    return 0;
}

/* ---------------------------------------------------------------------------
 * The running state (CurricularFace's t, AdaFace's μ and σ), one step per batch
 * ------------------------------------------------------------------------- */

int iam_loss_update_state(iam_loss_config *cfg, const float *x, const float *W, const int *labels,
                          int n, int d, int c) {
    if (iam_loss_config_check(cfg) || check_batch(x, W, labels, n, d, c, subcenters_of(cfg))) return -1;
    if (cfg->kind != IAM_CURRICULARFACE && cfg->kind != IAM_ADAFACE) return 0;
    const int K = subcenters_of(cfg);
    const float alpha = cfg->momentum;
    double sum = 0.0, sum_sq = 0.0;
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * d;
        float norm = sqrtf(vec_dot(xi, xi, d));
        if (!(norm > IAM_MIN_NORM)) return iam_fail("row %d of x has zero norm (or too small to normalize)", i);
        if (cfg->kind == IAM_ADAFACE) { /* AdaFace's safe norms */
            norm = clampf(norm, ADA_NORM_MIN, ADA_NORM_MAX);
            sum += norm;
            sum_sq += (double)norm * norm;
            continue;
        }
        float best = -INFINITY; /* cos θ_iy: the best of the class's sub-centers */
        for (int k = 0; k < K; k++) {
            const float *w = W + ((size_t)labels[i] * K + k) * d;
            float wn = sqrtf(vec_dot(w, w, d));
            if (!(wn > IAM_MIN_NORM))
                return iam_fail("row %d of W has zero norm (or too small to normalize)", labels[i] * K + k);
            float cos = vec_dot(xi, w, d) / (norm * wn);
            if (cos > best) best = cos;
        }
        sum += clampf(best, -1.0f, 1.0f);
    }
    if (cfg->kind == IAM_CURRICULARFACE) {
        cfg->t = clampf(alpha * (float)(sum / n) + (1.0f - alpha) * cfg->t, -1.0f, 1.0f);
        return 0;
    }
    double mean = sum / n;
    cfg->norm_mean = alpha * (float)mean + (1.0f - alpha) * cfg->norm_mean;
    if (n > 1) { /* torch's std: unbiased */
        double var = (sum_sq - n * mean * mean) / (n - 1);
        cfg->norm_std = alpha * (float)sqrt(var > 0.0 ? var : 0.0) + (1.0f - alpha) * cfg->norm_std;
    }
    return 0;
}
