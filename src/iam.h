/* iam.h: the public C API of the IAM teaching library.
 *
 * The margin-based softmax losses of face recognition (Softmax, NormFace,
 * SphereFace, CosFace, ArcFace, the combined margin; the adaptive CurricularFace,
 * AdaFace, MagFace; sub-centers and ElasticFace's random margin as options) and the
 * IAM inter-class angular margin term of Sun et al. (2020), each with its forward
 * and its backward. The math is ../LOSSES.md (beside the repository) and, for the
 * losses after 2019, docs/LOSSES.md; section names in comments refer to them.
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

/* ---- limits (inputs outside them are errors, not crashes) ----
 * A batch must also fit in the memory of a 32-bit wasm, which can address 2 GB at most,
 * and every size below is computed without overflow in a 32-bit size_t:
 *   n·c ≤ IAM_MAX_NC, the floats of one (n, c) buffer;
 *   (n + c)·d ≤ IAM_MAX_XW, the floats of x and W together.
 * The workspace (2(n+c)d + 6nc + 4n + c floats) is then at most 8·2^24 + 4n + c floats,
 * 537 MB, and x, W, dx and dW take 2·2^24 floats, 134 MB, more: 671 MB in all (iam_variant
 * 'weights' adds nc floats: 738 MB). */
#define IAM_MAX_N 65536
#define IAM_MAX_D 4096
#define IAM_MAX_C 100000
#define IAM_MAX_NC (1 << 24)
#define IAM_MAX_XW (1 << 24)
#define IAM_MAX_SCALE 1000.0f

/* ---- loss kinds (LOSSES.md, "Base losses") ---- */
enum iam_kind {
    IAM_SOFTMAX = 0,    /* z_ij = W_j·x_i (no bias)                         */
    IAM_NORMFACE = 1,   /* z_ij = s cos θ_ij                                */
    IAM_SPHEREFACE = 2, /* z_iy = r (λ cos θ + ψ(θ))/(1+λ), ψ from cos(mθ)  */
    IAM_COSFACE = 3,    /* z_iy = s (cos θ − m)                             */
    IAM_ARCFACE = 4,    /* z_iy = s cos(θ + m), see the fallbacks below     */
    IAM_COMBINED = 5,   /* z_iy = s (cos(m1 θ + m2) − m3)                   */
    IAM_CURRICULARFACE = 6, /* z_iy = s cos(θ + m); a hard negative s c (t + c) */
    IAM_ADAFACE = 7,    /* z_iy = s (cos(θ + g_angle) − g_add), by the norm   */
    IAM_MAGFACE = 8,    /* z_iy = s cos(θ + m(a)), a = ‖x‖, plus λ_g g(a)     */
    IAM_KIND_COUNT = 9
};

/* What ArcFace does past θ > π − m, where cos(θ + m) would rise again. */
enum iam_fallback {
    IAM_FALLBACK_CONTINUOUS = 0,  /* −2 − cos(θ + m): the monotone ψ of LOSSES.md    */
    IAM_FALLBACK_INSIGHTFACE = 1, /* cos θ − m sin m: pytorch-metric-learning, and
                                     insightface's arcface_torch from January to
                                     December 2022 (docs/LOSSES.md, "What insightface
                                     parity means")                                  */
    IAM_FALLBACK_EASY = 2,        /* easy_margin: the margin only where cos θ > 0    */
    IAM_FALLBACK_NONE = 3         /* plain cos(θ + m) everywhere: insightface since
                                     December 2022 (with detach_margin, its gradient) */
};

/* Which reading of the IAM term L_IAM (docs/LOSSES.md, "IAM's readings and stops"). Per
 * sample, u_ij = s cos θ_ij and h_i = u_iy − LSE_{j≠y} u_ij; every reading is 0 where the
 * other classes are all at the target's angle, and L = L_base + β mean_i L_IAM_i. */
enum iam_variant {
    IAM_VARIANT_DEFAULT = 0,   /* −softplus(h_i) − log(C−1) = log((1 − p_iy)/(C−1)): the paper's;
                                  ∂/∂u_i = sigmoid(h_i) (q_i − e_y)                          */
    IAM_VARIANT_LOG_ODDS = 1,  /* −h_i − log(C−1): the default plus a plain cross-entropy on
                                  u (NormFace, no margin); ∂/∂u_i = q_i − e_y                */
    IAM_VARIANT_PUSH_ONLY = 2, /* LSE_{j≠y} u_ij − log(C−1): pushes the other classes away,
                                  never pulls the target; ∂/∂u_ij = q_ij, 0 at j = y         */
    IAM_VARIANT_WEIGHTS = 3,   /* LSE_{k≠y_i} s Ŵ_{y_i}·Ŵ_k − log(C−1): push-only with x̂_i
                                  replaced by its class weight, so it moves W only (the
                                  weights spread, the samples untouched); K = 1 only         */
    IAM_VARIANT_COUNT = 4
};

/* Which side the IAM term's gradient reaches (the base loss's reaches both). */
enum iam_stop {
    IAM_STOP_NONE = 0, /* both x and W                                               */
    IAM_STOP_W = 1,    /* stopped on W: IAM moves the samples only; dW is the base's  */
    IAM_STOP_X = 2,    /* stopped on x: IAM moves the weights only; dx is the base's  */
    IAM_STOP_COUNT = 3
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
    int fallback;      /* ArcFace, CurricularFace: enum iam_fallback             */
    /* options of the adaptive losses (docs/LOSSES.md) */
    float momentum;    /* CurricularFace's t, AdaFace's norm statistics: the running
                          average's rate α in (0, 1]: v ← α batch + (1 − α) v (0.01)  */
    float h;           /* AdaFace: ẑ = clip(h (‖x‖ − μ)/(σ + 1e-3), −1, 1), h in (0, 10] */
    float la, ua;      /* MagFace: a = ‖x‖ clipped to [la, ua], 0 < la < ua      */
    float lm, um;      /* MagFace: the margin m(a) runs from lm at la to um at ua */
    float lambda_g;    /* MagFace: the weight λ_g ≥ 0 of g(a) = 1/a + a/ua²      */
    int subcenters;    /* K in [1, 64], every kind but softmax: W holds c·K rows,
                          class j's sub-centers are rows jK .. jK+K−1, and
                          cos θ_j = max_k cos(x, W_jk) (sub-center ArcFace)       */
    float margin_std;  /* ElasticFace, ArcFace and CosFace only: σ in [0, 1]; each
                          sample's margin is m + σ N(0, 1), clipped to the margin's
                          range, drawn from margin_seed (0 = the fixed m)         */
    unsigned margin_seed; /* the seed of that draw: same seed, same margins       */
    int detach_margin; /* 1: the margin's gradient is cut, dψ/dc taken as 1 (and
                          MagFace's margin does not depend on a), as insightface's
                          ArcFace computes it since December 2022; every margin kind */
    /* the running state of CurricularFace and AdaFace: iam_loss reads it as a constant
       (as the papers' backward passes do); iam_loss_update_state moves it */
    float t;           /* CurricularFace: the running mean of cos θ_y, in [−1, 1] (starts at 0) */
    float norm_mean, norm_std; /* AdaFace: the running mean μ and std σ ≥ 0 of ‖x‖
                          (start 20 and 100, as in the paper's code)              */
    /* the IAM term's ablations (docs/LOSSES.md, "IAM's readings and stops") */
    int iam_variant;   /* enum iam_variant: which L_IAM (0, the paper's, by default);
                          'weights' refuses subcenters > 1                        */
    int iam_stop;      /* enum iam_stop: where IAM's gradient is stopped (0, nowhere);
                          'weights' with stop W does nothing at all (allowed)     */
} iam_loss_config;

typedef struct {
    float loss; /* base + beta * iam                            */
    float base; /* L_base, cross-entropy, mean over the batch   */
    float iam;  /* L_IAM, mean over the batch, of the chosen iam_variant
                   (the default's is ≤ −log(C−1))               */
} iam_loss_result;

/* The documented defaults for one kind: s = 10, β = 0, that kind's own margin (CosFace
   0.2, ArcFace 0.3 rad, SphereFace 4, the paper's m, CurricularFace 0.3, AdaFace 0.25;
   0 where unused), combined (1, 0.3, 0.2), λ = 0, r = s, the continuous ArcFace
   fallback; momentum 0.01, h 0.333, MagFace [la, ua] = [1, 10], [lm, um] = [0.1, 0.4],
   λ_g 1 (toy values: docs/LOSSES.md); K = 1, σ = 0, the margin's gradient kept; the
   state t = 0, μ = 20, σ = 100; the default IAM reading, its gradient stopped nowhere. */
iam_loss_config iam_loss_config_default(int kind);

/* 0 if the loss config is valid (kind, scale, beta, the kind's margins), else an error
   naming the bad field: iam_loss and iam_trainer_new check it first. */
int iam_loss_config_check(const iam_loss_config *cfg);

/* 0 if iam_loss takes these sizes (the limits above), else an error naming the size:
   what a caller that allocates for iam_loss asks before it allocates anything. With
   sub-centers, c is the rows of W (classes · K). */
int iam_loss_check_sizes(int n, int d, int c);

/* How many floats of workspace iam_loss needs for these sizes: what the forward
   saves for the backward, and the backward's own gradient buffers
   (2(n+c)d + 6nc + 4n + c floats). 0 for sizes iam_loss_check_sizes refuses (its
   sentence is then iam_last_error()), so that a product never wraps. */
size_t iam_loss_work_floats(int n, int d, int c);
/* The same for a config: with K sub-centers the cosines are (n, c·K) (a larger sum);
   iam_variant 'weights' adds the (n, c) weight cosines Ŵ_{y_i}·Ŵ_k. */
size_t iam_loss_work_floats_for(const iam_loss_config *cfg, int n, int d, int c);

/* The running state's step for this batch (CurricularFace's t, AdaFace's μ and σ; a no-op
 * for the other kinds), before iam_loss, as the papers' code does it:
 *   t ← α mean_i cos θ_iy + (1 − α) t,    μ ← α mean_i ‖x_i‖ + (1 − α) μ,
 *   σ ← α std_i ‖x_i‖ + (1 − α) σ  (std unbiased; with n = 1 σ stays; ‖x‖ clipped to
 *   [0.001, 100] as AdaFace's code does). x (n,d), W (c·K,d), labels (n), as for iam_loss. */
int iam_loss_update_state(iam_loss_config *cfg, const float *x, const float *W, const int *labels,
                          int n, int d, int c);

/* Forward and backward of L = L_base + β L_IAM.
 * x (n,d), W (c,d), labels (n) are read; ∂L/∂x and ∂L/∂W are accumulated (+=)
 * into dx (n,d) and dW (c,d), as nn.c's backward does, so the caller zeroes them
 * once per step; either may be NULL to skip it (both NULL: the loss only).
 * out gets the three loss values; work holds iam_loss_work_floats_for(cfg,n,d,c) floats.
 * With K sub-centers W is (c·K, d) and so is dW. MagFace's base is its whole loss,
 * cross-entropy + λ_g mean g(a). */
int iam_loss(const iam_loss_config *cfg, const float *x, const float *W, const int *labels,
             int n, int d, int c, float *dx, float *dW, iam_loss_result *out, float *work);

/* The sentence describing the last error (empty if none). */
const char *iam_last_error(void);

/* The names of the enum values, indexed by value, NULL-terminated: how the
   binding, the command line and the error messages spell them (api.c). */
extern const char *const iam_kind_names[];       /* enum iam_kind          */
extern const char *const iam_fallback_names[];   /* enum iam_fallback      */
extern const char *const iam_variant_names[];    /* enum iam_variant: default, log-odds, push-only, weights */
extern const char *const iam_stop_names[];       /* enum iam_stop: none, W, x */
extern const char *const iam_data_names[];       /* enum iam_data_kind     */
extern const char *const iam_activation_names[]; /* enum iam_activation    */
extern const char *const iam_init_names[];       /* enum iam_init          */
extern const char *const iam_optimizer_names[];  /* enum iam_optimizer     */
extern const char *const iam_set_names[];        /* the sets of a dataset: train, test, heldout */

/* ===========================================================================
 * Toy data (data.c): seeded, generated in C, split into train and test.
 * =========================================================================== */

enum iam_data_kind {
    IAM_DATA_BLOBS = 0,      /* C Gaussian clusters on a ring, 2-D input             */
    IAM_DATA_SPIRAL = 1,     /* C interleaved spiral arms, 2-D input                 */
    IAM_DATA_GLYPHS = 2,     /* 8×8 digit-like images (64-D), jitter and noise, C ≤ 10 */
    IAM_DATA_IDENTITIES = 3, /* synthetic faces in R^32: identity mean + shared nuisance
                                subspace (pose, light) + noise; plus held-out identities */
    IAM_DATA_MNIST = 4,      /* real MNIST digits, 14×14 (196-D): rows the caller passes
                                (wasm/mnist.js reads them), split below                */
    IAM_DATA_ROWS = 5,       /* the caller's own labelled rows: a CSV, points placed by hand */
    IAM_DATA_KIND_COUNT = 6
};

#define IAM_DATA_MAX_CLASSES 10000 /* W is C × d; a step costs about batch · C · d · 6 flops in the
                                      loss, so 5,000 identities in 64-D take 5× the 1,000-identity
                                      step (docs/RESULTS.md times both)                    */
#define IAM_DATA_MAX_ROWS 1000000 /* rows of a caller's data set (mnist, rows)        */
#define IAM_DATA_MAX_DIM 1024     /* their input dimension                             */

typedef struct {
    int kind;           /* enum iam_data_kind                                   */
    int classes;        /* C                                                    */
    int dim;            /* input dimension: 2, 2, 64 or 32                      */
    int n_train, n_test;
    float *x_train;     /* (n_train, dim) */
    int *y_train;       /* (n_train) in [0, C) */
    float *x_test;      /* (n_test, dim)  */
    int *y_test;        /* (n_test)       */
    /* identities only (else 0 and NULL): identities never trained on, for open-set
       verification; y_heldout are their ids in [0, heldout_ids) */
    int heldout_ids, n_heldout;
    float *x_heldout;   /* (n_heldout, dim) */
    int *y_heldout;     /* (n_heldout)      */
} iam_dataset;

/* Allocate and generate. train_per_class and test_per_class samples per class
 * (≥ 1 each). Deterministic in seed. On error nothing stays allocated. */
int iam_dataset_make(iam_dataset *ds, int kind, int classes, int train_per_class,
                     int test_per_class, unsigned seed);
void iam_dataset_free(iam_dataset *ds);

/* A data set from the caller's n labelled rows (kind IAM_DATA_MNIST or IAM_DATA_ROWS):
 * x (n, dim) and labels (n) in [0, classes), every class present, are copied and split
 * by seed, class by class: a shuffle, then round(test_fraction · n_k) of class k's rows
 * (never all of them) go to test and the rest to train; each split interleaves the
 * classes (sample i has class i mod C while every class has rows left). Same rows, same
 * seed: the same split. test_fraction in [0.01, 0.9]; at least one test row in all. */
int iam_dataset_from_rows(iam_dataset *ds, int kind, const float *x, const int *labels, int n, int dim,
                          int classes, float test_fraction, unsigned seed);

/* ===========================================================================
 * Angular metrics (metrics.c), in degrees (LOSSES.md, "Angular metrics").
 * They are not in the training hot loop and may allocate scratch memory.
 * =========================================================================== */

/* The largest possible minimum angle between C directions in R^dim: 360/C in
 * 2-D; the Tammes optimum in 3-D for C ≤ 12 (LOSSES.md's table); 180 for C = 2
 * in any dim; in dim ≥ 4 the regular simplex acos(−1/(C−1)) for C ≤ dim+1 and
 * 90 for dim+2 ≤ C ≤ 2·dim (Rankin 1955). 0 where no value is known. */
float iam_packing_limit_deg(int classes, int dim);

/* Angles between the rows of V (rows, d), each row normalized first: the
 * minimum over all pairs, and the mean over rows of each row's nearest-neighbour
 * angle. For class weights (V = W) and class centres. A zero row is an error. */
int iam_pairwise_angles(const float *V, int rows, int d, float *min_deg, float *mean_nn_deg);

/* The class centres: the mean of x̂ over each class (c, d). A class with no
 * sample, or whose mean is the zero vector, is an error. */
int iam_class_centers(const float *emb, const int *labels, int n, int d, int c, float *centers);

/* Per sample: θ_nearest_other − θ_target, in degrees (negative = misclassified
 * by angle). margins_deg is (n). */
int iam_sample_margins(const float *emb, const float *W, const int *labels, int n, int d, int c,
                       float *margins_deg);

/* Fraction of samples whose largest logit is their label: by cosine
 * (use_cosine = 1, every normalized kind) or by W_j·x (0, plain softmax). */
int iam_accuracy(const float *emb, const float *W, const int *labels, int n, int d, int c,
                 int use_cosine, float *accuracy);

/* Counts of values in `bins` equal bins over [lo, hi]; values outside are
 * clamped into the first or last bin. */
int iam_histogram(const float *values, int n, float lo, float hi, int bins, int *counts);

/* Toy-LFW open-set verification on embeddings of identities never trained on:
 * n_pairs/2 same-identity and n_pairs/2 different-identity pairs, drawn with
 * the seed; their cosine similarities give the accuracy at the best threshold
 * chosen by 10-fold cross-validation (as in LFW) and the TAR at FAR = 1e-2. */
int iam_verification(const float *emb, const int *ids, int n, int d, int n_pairs, unsigned seed,
                     float *accuracy, float *tar_at_far_1e2);

/* ===========================================================================
 * The embedding network (nn.c): an MLP from D_in to the embedding, then the
 * loss head W. Parameters live in one flat array (see iam_mlp's offsets).
 * =========================================================================== */

enum iam_activation { IAM_ACT_RELU = 0, IAM_ACT_PRELU = 1, IAM_ACT_TANH = 2, IAM_ACT_COUNT = 3 };
enum iam_init { IAM_INIT_HE = 0, IAM_INIT_XAVIER = 1, IAM_INIT_COUNT = 2 };

#define IAM_MAX_LAYERS 6   /* Linear layers, the embedding layer included */
#define IAM_MAX_WIDTH 1024
#define IAM_MAX_EMBED 128

typedef struct {
    int n_layers;                    /* Linear layers: the hidden ones, then the embedding */
    int sizes[IAM_MAX_LAYERS + 1];   /* sizes[0] = D_in, sizes[n_layers] = embedding dim   */
    int activation;                  /* after every Linear but the last                    */
    /* offsets, in floats, into the flat parameter array */
    size_t weight[IAM_MAX_LAYERS];   /* (out, in), as torch.nn.Linear                      */
    size_t bias[IAM_MAX_LAYERS];     /* (out)                                              */
    size_t slope[IAM_MAX_LAYERS];    /* (out) PReLU slopes, one per channel (hidden only)  */
    size_t n_params;
    int max_width;                   /* the widest layer, for scratch sizes                */
} iam_mlp;

/* Lay out an MLP d_in → hidden[0] → … → d_embed. */
int iam_mlp_make(iam_mlp *m, int d_in, const int *hidden, int n_hidden, int d_embed, int activation);
/* He (fan-in, for ReLU/PReLU) or Xavier (for tanh) normal init, zero biases, PReLU slopes 0.25. */
void iam_mlp_init_params(const iam_mlp *m, float *params, int init, unsigned long long seed);
/* Floats of activations kept for a batch of B (the backward needs them), and room the
   forward uses for the first layer on mostly-zero inputs. */
size_t iam_mlp_act_floats(const iam_mlp *m, int B);
/* Floats of the backward's scratch for a batch of B. */
size_t iam_mlp_scratch_floats(const iam_mlp *m, int B);
/* x (B, D_in) → acts; returns a pointer into acts to the embedding (B, d_embed). */
float *iam_mlp_forward(const iam_mlp *m, const float *params, const float *x, int B, float *acts);
/* Accumulates (+=) into grads from dembed (B, d_embed); scratch holds iam_mlp_scratch_floats. */
void iam_mlp_backward(const iam_mlp *m, const float *params, float *grads, const float *x, int B,
                      const float *acts, const float *dembed, float *scratch);

/* ===========================================================================
 * Optimizers and schedules (optim.c)
 * =========================================================================== */

enum iam_optimizer { IAM_OPT_SGD = 0, IAM_OPT_ADAM = 1, IAM_OPT_COUNT = 2 };

/* SGD with momentum and L2 weight decay, as torch.optim.SGD:
   v = μ v + (g + λ p);  p −= lr v */
void iam_sgd_step(float *p, const float *g, float *velocity, size_t n, float lr, float momentum,
                  float weight_decay);
/* Adam with L2 weight decay, as torch.optim.Adam; t counts steps from 1. */
void iam_adam_step(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1,
                   float beta2, float eps, float weight_decay, int t);
/* SphereFace's annealing: λ = max(λ_min, λ_base (1 + γ t)^(−power)) */
float iam_sphereface_lambda(int step, float lambda_base, float gamma, float power, float lambda_min);

/* ===========================================================================
 * The trainer (train.c): data, network, loss head, optimizer in one object.
 * =========================================================================== */

typedef struct {
    /* data */
    int data;                 /* enum iam_data_kind                                 */
    int classes;
    int train_per_class, test_per_class; /* generated kinds; mnist and rows ignore them */
    float test_fraction;      /* mnist and rows: the share of each class held out for test */
    unsigned seed;            /* the data, the init and the batches all follow it  */
    /* network */
    int hidden[IAM_MAX_LAYERS - 1];
    int n_hidden;
    int embed_dim;            /* 2 or 3 for the pictures, up to IAM_MAX_EMBED       */
    int activation;           /* enum iam_activation                                */
    int init;                 /* enum iam_init                                      */
    /* loss */
    iam_loss_config loss;
    int anneal;               /* SphereFace: 1 = λ follows the schedule, 0 = loss.lambda fixed */
    float lambda_base, lambda_gamma, lambda_power, lambda_min;
    /* optimizer */
    int optimizer;            /* enum iam_optimizer                                 */
    float lr, momentum, weight_decay;
    float w_lr_mult;          /* the class weights W learn at lr · w_lr_mult        */
    float adam_beta1, adam_beta2, adam_eps;
    int batch_size;
    int augment_shift;        /* images (glyphs, mnist): each batch image moves by a random
                                 whole number of pixels in [−k, k] across and down, zero fill;
                                 0 = none (the default), at most 3                         */
    int eval_rows;            /* evaluate on the first eval_rows rows of each set (a balanced
                                 prefix: the classes are interleaved); 0 = all (the default).
                                 A live page's budget on MNIST's 8,000 digits               */
} iam_train_config;

/* Defaults: blobs, C = 8, 2-D embedding, MLP 64-64-64 ReLU, NormFace s = 10, Adam lr 0.01,
   batch 128, SphereFace annealing with the Caffe constants (1000, 0.12, 1, 5). */
iam_train_config iam_train_config_default(void);

typedef struct iam_trainer iam_trainer;

typedef struct {
    int step;
    float loss, base, iam;      /* the last training batch                               */
    float train_acc, test_acc;
    float min_weight_angle_deg, mean_nn_weight_angle_deg;
    float min_center_angle_deg, mean_nn_center_angle_deg;     /* train-set class centres */
    float min_sample_margin_deg, mean_sample_margin_deg;     /* over the train set       */
    float packing_limit_deg;    /* 0 where none is known                                 */
    float verify_acc, tar_far_1e2; /* identities only (held-out ids); else 0             */
} iam_train_metrics;

/* How big a trainer's sets and arrays are. */
typedef struct {
    int n_train, n_test, n_heldout; /* samples per set (held-out: identities only, else 0) */
    int input_dim, embed_dim, classes;
    int subcenters;                 /* K: W holds classes · K rows                         */
    int n_params;                   /* floats in the parameter array (get/set_params)      */
} iam_trainer_sizes;

/* The last optimizer step: its batch loss, and the loss config it really used
   (SphereFace's annealed λ included). Before the first step: step 0, zero losses,
   and the config the first step will use. */
typedef struct {
    int step;                  /* optimizer steps taken                                   */
    float loss, base, iam;     /* of the last step's batch                                */
    iam_loss_config config;
    int zero_embeddings;       /* samples of its batch left out of its loss (0 normally): the
                                  network mapped them to the zero embedding, which has no
                                  direction; each adds 0 to the gradient, and the loss is the
                                  mean over the others. If every sample of a batch is 0 the step
                                  fails: try another seed or a wider layer                    */
} iam_last_step;

/* Why the last iam_trainer_step call failed, as data (failed_step 0: it did not). */
typedef struct {
    int failed_step;           /* the step that produced a non-finite (or exploding) value */
    int good_step;             /* the step the trainer rolled back to                      */
    char reason[160];          /* what went wrong, e.g. "a parameter became NaN"           */
} iam_divergence;

/* Create (allocates everything it will ever need) and free. iam_trainer_new generates the
   data set cfg->data names; iam_trainer_new_rows trains on the caller's rows instead
   (cfg->data IAM_DATA_MNIST or IAM_DATA_ROWS, cfg->classes their classes), split by
   iam_dataset_from_rows with cfg->test_fraction and cfg->seed. */
int iam_trainer_new(const iam_train_config *cfg, iam_trainer **out);
int iam_trainer_new_rows(const iam_train_config *cfg, const float *x, const int *labels, int n, int dim,
                         iam_trainer **out);
void iam_trainer_free(iam_trainer *t);
/* A state iam_trainer_step may roll back to: the first, or one whose last batch loss is
   at most IAM_GOOD_LOSS_RISE times (the first step's + 1) in magnitude and whose every
   parameter is at most IAM_GOOD_PARAM in magnitude. */
#define IAM_GOOD_LOSS_RISE 100.0f
#define IAM_GOOD_PARAM 1e6f

/* Run k optimizer steps. If anything becomes NaN or Inf (or heads there), stop,
   roll back to the last good state, and return an error; the trainer stays usable
   (lower the learning rate, or make a new one). The last good state is the one this
   call began from, unless that one was already on its way there (above): then the good
   state an earlier call began from, so that a lower rate trains on. iam_trainer_divergence then tells the
   failed step, the step rolled back to and the reason. A batch whose every sample the
   network maps to the zero embedding stops the call too, with its sentence, keeping
   the steps before it (not a divergence: iam_last_step's zero_embeddings). */
int iam_trainer_step(iam_trainer *t, int k);
int iam_trainer_divergence(const iam_trainer *t, iam_divergence *out);
int iam_trainer_get_sizes(const iam_trainer *t, iam_trainer_sizes *out);
int iam_trainer_last_step(const iam_trainer *t, iam_last_step *out);
/* Change the learning rate or β mid-run (e.g. to recover from a divergence). */
int iam_trainer_set_lr(iam_trainer *t, float lr);
/* Evaluate everything; margin_hist (bins counts over [−180°, 180°]) may be NULL. A sample
   the network maps to the zero embedding is at 90° from every weight: it counts as
   misclassified with a sample margin of 0°, and is left out of the class centres and of
   verification (0 when too few samples are left for pairs). */
int iam_trainer_evaluate(iam_trainer *t, iam_train_metrics *out, int *margin_hist, int bins);
const iam_train_config *iam_trainer_config(const iam_trainer *t);
const iam_dataset *iam_trainer_dataset(const iam_trainer *t);
enum iam_set { IAM_SET_TRAIN = 0, IAM_SET_TEST = 1, IAM_SET_HELDOUT = 2 };

/* Normalized embeddings x̂ (count, embed_dim) of `count` distinct samples of a
   set (enum iam_set), spread over the set; labels too. */
int iam_trainer_embed(iam_trainer *t, int set, int count, float *emb, int *labels);

/* What moves each sample, for the views' arrows and hover cards. For the same `count`
   samples of a set that iam_trainer_embed picks, with the loss config of the last step
   (SphereFace's λ as annealed), each sample's own loss L_i = L_base_i + β L_IAM_i at its
   embedding e_i = f(x_i), as the optimizer sees it (a batch divides it by its size), and:
   - x_base, x_iam (count, embed_dim): the gradients of L_base_i and of β L_IAM_i with
     respect to the sample's normalized feature x̂_i at its norm, ‖e_i‖ ∂L/∂e_i (descent
     is the negative). The two parts add up to the whole. For the normalized losses they
     are tangent to the sphere at x̂_i; Softmax's (and SphereFace's with the feature
     norm) also have a radial part, which grows or shrinks ‖e‖;
   - w_base, w_iam (classes, embed_dim): ∂/∂W_j of the mean loss over these samples, the
     same two parts;
   - loss_base, loss_iam (count): L_base_i and L_IAM_i (without β);
   - margins_deg (count): each sample's margin θ_nearest_other − θ_target, as
     iam_sample_margins gives it.
   With iam_stop x, or iam_variant weights, x_iam is exactly 0; with iam_stop W, w_iam is.
   A zero embedding has no direction: its forces and losses are 0. Any output may be NULL. */
int iam_trainer_forces(iam_trainer *t, int set, int count, float *x_base, float *x_iam, float *w_base,
                       float *w_iam, float *loss_base, float *loss_iam, float *margins_deg);

/* Turn class weight j to a direction (embed_dim, nonzero, finite), keeping its norm: a
   lecturer drags a spoke. The optimizer's state is kept; the next step trains on from it. */
int iam_trainer_set_weight(iam_trainer *t, int j, const float *direction);
/* Normalized class weights Ŵ (classes, embed_dim), and their norms ‖W_j‖ (classes)
   unless norms is NULL (Softmax decides by ‖W_j‖ cos θ_j). */
int iam_trainer_weights(const iam_trainer *t, float *w_hat, float *norms);
/* With sub-centers: every row of W normalized (classes·K, embed_dim), and each class's
   dominant one (classes), the one most of its training samples were nearest to at the last
   evaluation (0 before it); dominant may be NULL. The metrics, iam_trainer_weights, the
   forces and set_weight use the dominant ones; accuracy and predict take the nearest of all. */
int iam_trainer_subcenters(const iam_trainer *t, float *w_hat, int *dominant);
/* The embeddings e = f(x) (count, embed_dim) as they are, not normalized, of the samples
   iam_trainer_embed shows: their norms are what AdaFace and MagFace read. */
int iam_trainer_embed_raw(iam_trainer *t, int set, int count, float *emb, int *labels);
/* The raw inputs (count, input_dim) and labels of the `count` samples of a set that
   iam_trainer_embed shows, in its order: what a view draws beside a point (a digit). */
int iam_trainer_shown_inputs(const iam_trainer *t, int set, int count, float *x, int *labels);
/* A copy of the raw inputs of a set (0 train, 1 test, 2 held-out): x (n, input_dim), labels (n). */
int iam_trainer_inputs(const iam_trainer *t, int set, float *x, int *labels);
/* The predicted class at each of `count` input points (count, D_in): for the
   decision-region heatmap of 2-D inputs. */
int iam_trainer_predict(iam_trainer *t, const float *inputs, int count, int *classes);
/* The embeddings e = f(x) (count, embed_dim), not normalized, of any `count` inputs
   (count, D_in): identities the trainer never saw, for an open-set protocol of one's own. */
int iam_trainer_embed_inputs(iam_trainer *t, const float *inputs, int count, float *emb);
/* Copy all n_params parameters out, or in (finite values of at most IAM_GOOD_PARAM in
   magnitude: a larger one is what the trainer calls diverged; the optimizer's moments
   are kept). The layout inside is the trainer's own business. */
int iam_trainer_get_params(const iam_trainer *t, float *out, int count);
int iam_trainer_set_params(iam_trainer *t, const float *params, int count);

/* The trainer's whole state, as bytes, to save a run and continue it exactly: the
   parameters, the optimizer's moments, the batch sampler, the step, the last step's
   losses and loss config, the learning rate (set_lr), the rollback point. Not the
   config or the data: a trainer made from the same ones takes the state back, and its
   next steps are those the saved one would have taken, to the bit (on the same build).
   iam_trainer_state_bytes gives the size; set_state refuses bytes of another format,
   of a trainer of another shape, or with a value that is not finite. */
size_t iam_trainer_state_bytes(const iam_trainer *t);
int iam_trainer_get_state(const iam_trainer *t, void *out, size_t bytes);
int iam_trainer_set_state(iam_trainer *t, const void *state, size_t bytes);

#endif
