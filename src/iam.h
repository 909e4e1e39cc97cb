/* iam.h: the public C API of the IAM teaching library.
 *
 * The margin-based softmax losses of face recognition (Softmax, NormFace,
 * SphereFace, CosFace, ArcFace, the combined margin) and the IAM inter-class
 * angular margin term of Sun et al. (2020), each with its forward and its
 * backward. The math is ../LOSSES.md (beside the repository); section names
 * in comments refer to it.
 *
 * Conventions:
 * - every entry point returns an int status, 0 on success, and never aborts;
 *   on failure iam_last_error() gives one sentence naming the bad argument;
 * - arrays are flat and row-major: x is (n,d), W is (c,d) with one row per
 *   class, as in insightface; labels is (n);
 * - nothing is allocated: the caller passes the workspace.
 */
#ifndef IAM_H
#define IAM_H

#include <stddef.h>

/* ---- limits (inputs outside them are errors, not crashes) ---- */
#define IAM_MAX_N 65536
#define IAM_MAX_D 4096
#define IAM_MAX_C 100000
#define IAM_MAX_SCALE 1000.0f

/* ---- loss kinds (LOSSES.md, "Base losses") ---- */
enum iam_kind {
    IAM_SOFTMAX = 0,    /* z_ij = W_j·x_i (no bias)                         */
    IAM_NORMFACE = 1,   /* z_ij = s cos θ_ij                                */
    IAM_SPHEREFACE = 2, /* z_iy = r (λ cos θ + ψ(θ))/(1+λ), ψ from cos(mθ)  */
    IAM_COSFACE = 3,    /* z_iy = s (cos θ − m)                             */
    IAM_ARCFACE = 4,    /* z_iy = s cos(θ + m), see the fallbacks below     */
    IAM_COMBINED = 5,   /* z_iy = s (cos(m1 θ + m2) − m3)                   */
    IAM_KIND_COUNT = 6
};

/* What ArcFace does past θ > π − m, where cos(θ + m) would rise again. */
enum iam_fallback {
    IAM_FALLBACK_CONTINUOUS = 0,  /* −2 − cos(θ + m): the monotone ψ of LOSSES.md    */
    IAM_FALLBACK_INSIGHTFACE = 1, /* cos θ − m sin m: insightface and PML parity     */
    IAM_FALLBACK_EASY = 2         /* easy_margin: the margin only where cos θ > 0    */
};

typedef struct {
    int kind;          /* enum iam_kind                                          */
    float scale;       /* s > 0; for softmax and SphereFace with featureNorm it
                          sets only the IAM term's logits u = s cos θ            */
    float margin;      /* m: CosFace [0, 1], ArcFace [0, π/2], SphereFace [1, 8] */
    float m1, m2, m3;  /* combined only: m1 in [1, 8], m2 in [0, π/2], m3 in [0, 1] */
    float beta;        /* β ≥ 0: L = L_base + β L_IAM                            */
    float lambda;      /* SphereFace annealing mix λ ≥ 0 (0 = none)              */
    int feature_norm;  /* SphereFace: 1 = r = ‖x‖ (original), 0 = r = s          */
    int fallback;      /* ArcFace: enum iam_fallback                             */
} iam_loss_config;

typedef struct {
    float loss; /* base + beta * iam                            */
    float base; /* L_base, cross-entropy, mean over the batch   */
    float iam;  /* L_IAM, mean over the batch (≤ −log(C−1))     */
} iam_loss_result;

/* A config with the documented defaults: NormFace, s = 10, β = 0,
   m = 0.2 (CosFace/ArcFace style), combined (1, 0.3, 0.2), continuous fallback. */
iam_loss_config iam_loss_config_default(void);

/* How many floats of workspace iam_loss needs for these sizes. */
size_t iam_loss_work_floats(int n, int d, int c);

/* Forward and backward of L = L_base + β L_IAM.
 * x (n,d), W (c,d), labels (n) are read; dx (n,d) and dW (c,d) are overwritten
 * with ∂L/∂x and ∂L/∂W; out gets the three loss values; work holds
 * iam_loss_work_floats(n,d,c) floats. dx and dW may be NULL to skip them. */
int iam_loss(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
             int n, int d, int c, float *dx, float *dW, iam_loss_result *out, float *work);

/* The sentence describing the last error (empty if none). */
const char *iam_last_error(void);

#endif
