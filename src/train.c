/* train.c: one object that holds the data, the network, the loss head and the optimizer.
 *
 * A training step is the whole story in five lines (train_one_step):
 *   sample a batch → MLP forward → loss forward and backward (loss.c) →
 *   MLP backward → optimizer step on the network and, at its own rate, on W.
 *
 * Everything is allocated once in iam_trainer_new; a step allocates nothing.
 * The trainer never lets a non-finite number out: a step that produces NaN or
 * Inf is undone (the state after the last good step is kept) and reported.
 * It deliberately has no scheduler zoo, no checkpoint files, no threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "internal.h"
#include "rng.h"
#include "simd.h"

/* Past this magnitude a value is on its way to Inf: its square (a norm, a logit)
   is within a few steps of float32's 3.4e38. Treated as a divergence. */
#define EXPLODED 1e15f


struct iam_trainer {
    iam_train_config cfg;
    iam_dataset data;
    iam_mlp mlp;
    int d, c, B;                  /* embedding dim, classes, batch size                   */
    int K;                        /* sub-centers per class (1: plain)                     */
    size_t n_params;              /* the MLP's, then the class weights W (c·K, d) at the end */
    float *params, *grads, *opt_m, *opt_v;
    float *good;                  /* params, opt_m, opt_v where the current step() began  */
    iam_loss_result good_last;    /* ... and the rest of that state                        */
    iam_loss_config good_config;
    int good_step, good_zero;
    float first_loss;             /* the loss of step 1's batch: the scale of a good loss  */
    iam_rng rng, good_rng;        /* the batch sampler, and where step() began            */
    int step;                     /* optimizer steps taken                                */
    iam_loss_result last;         /* of the last step's batch                             */
    iam_loss_config last_config;  /* the loss config the last step used (λ annealed)      */
    int last_zero;                /* samples of its batch left out: their embedding was 0 */
    iam_divergence divergence;    /* why the last step() call failed (failed_step 0: it did not) */
    /* per-step buffers */
    float *batch_x, *acts, *scratch, *dembed, *loss_work;
    int *batch_y;
    float *live_emb, *live_d;     /* the batch's rows that have a direction, and their ∂L  */
    int *live_y, *live_row;       /* ... their labels, and where they sit in the batch     */
    /* evaluation buffers */
    float *eval_emb, *eval_centers, *eval_margins;
    int *eval_labels;
    /* iam_trainer_forces' own buffers */
    float *force_x, *force_w;
    /* sub-centers: each class's dominant one (the one most of its training samples are
       nearest to, at the last evaluation; 0 before), and its rows (c, d) */
    int *dominant;
    float *dominant_w;
};

iam_train_config iam_train_config_default(void) {
    iam_train_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data = IAM_DATA_BLOBS;
    cfg.classes = 8;
    cfg.train_per_class = 200;
    cfg.test_per_class = 100;
    cfg.test_fraction = 0.2f;
    cfg.seed = 1;
    cfg.n_hidden = 3; /* see wasm/presets.js: two hidden layers get stuck more often */
    cfg.hidden[0] = 64;
    cfg.hidden[1] = 64;
    cfg.hidden[2] = 64;
    cfg.embed_dim = 2;
    cfg.activation = IAM_ACT_RELU;
    cfg.init = IAM_INIT_HE;
    cfg.loss = iam_loss_config_default(IAM_NORMFACE);
    cfg.anneal = 1;
    cfg.lambda_base = 1000.0f;
    cfg.lambda_gamma = 0.12f;
    cfg.lambda_power = 1.0f;
    cfg.lambda_min = 5.0f;
    cfg.optimizer = IAM_OPT_ADAM;
    cfg.lr = 0.01f;
    cfg.momentum = 0.9f;
    cfg.weight_decay = 0.0f;
    cfg.w_lr_mult = 1.0f;
    cfg.adam_beta1 = 0.9f;
    cfg.adam_beta2 = 0.999f;
    cfg.adam_eps = 1e-8f;
    cfg.batch_size = 128;
    return cfg;
}

static int in_range(const char *name, float v, float lo, float hi) {
    if (!(v >= lo && v <= hi)) return iam_fail("%s must be in [%g, %g] (got %g)", name, lo, hi, v);
    return 0;
}

static int check_train_config(const iam_train_config *cfg) {
    if (!cfg) return iam_fail("the training config is NULL");
    if (iam_loss_config_check(&cfg->loss)) return -1;
    if (cfg->optimizer < 0 || cfg->optimizer >= IAM_OPT_COUNT)
        return iam_fail("unknown optimizer %d (expected 0 sgd, 1 adam)", cfg->optimizer);
    if (cfg->init < 0 || cfg->init >= IAM_INIT_COUNT)
        return iam_fail("unknown init %d (expected 0 he, 1 xavier)", cfg->init);
    if (cfg->batch_size < 1 || cfg->batch_size > 4096)
        return iam_fail("batch_size must be in [1, 4096] (got %d)", cfg->batch_size);
    if (cfg->eval_rows < 0) return iam_fail("eval_rows must be >= 0, 0 for all (got %d)", cfg->eval_rows);
    if (cfg->augment_shift < 0 || cfg->augment_shift > 3)
        return iam_fail("augment_shift must be in [0, 3] pixels (got %d)", cfg->augment_shift);
    if (cfg->augment_shift && cfg->data != IAM_DATA_GLYPHS && cfg->data != IAM_DATA_MNIST)
        return iam_fail("augment_shift moves images: it is for glyphs and mnist data, not %s",
                        iam_data_names[cfg->data >= 0 && cfg->data < IAM_DATA_KIND_COUNT ? cfg->data : 0]);
    if (!(cfg->lr > 0.0f) || in_range("lr", cfg->lr, 0.0f, 10.0f)) return iam_fail("lr must be in (0, 10] (got %g)", cfg->lr);
    if (in_range("momentum", cfg->momentum, 0.0f, 0.999f) || in_range("weight_decay", cfg->weight_decay, 0.0f, 1.0f) ||
        in_range("w_lr_mult", cfg->w_lr_mult, 0.0f, 1000.0f) || in_range("adam_beta1", cfg->adam_beta1, 0.0f, 0.9999f) ||
        in_range("adam_beta2", cfg->adam_beta2, 0.0f, 0.99999f) || in_range("adam_eps", cfg->adam_eps, 1e-12f, 1.0f) ||
        in_range("lambda_base", cfg->lambda_base, 0.0f, 1e6f) || in_range("lambda_gamma", cfg->lambda_gamma, 0.0f, 100.0f) ||
        in_range("lambda_power", cfg->lambda_power, 0.0f, 100.0f) || in_range("lambda_min", cfg->lambda_min, 0.0f, 1e6f) ||
        in_range("test_fraction", cfg->test_fraction, 0.01f, 0.9f))
        return -1;
    return 0;
}

/* The loss config for the current step: SphereFace's λ follows its schedule, and the
   running state (CurricularFace's t, AdaFace's μ, σ) is where the last step left it. */
static iam_loss_config step_loss_config(const iam_trainer *t) {
    iam_loss_config lc = t->cfg.loss;
    lc.t = t->last_config.t;
    lc.norm_mean = t->last_config.norm_mean;
    lc.norm_std = t->last_config.norm_std;
    if (lc.kind == IAM_SPHEREFACE && t->cfg.anneal)
        lc.lambda = iam_sphereface_lambda(t->step, t->cfg.lambda_base, t->cfg.lambda_gamma,
                                          t->cfg.lambda_power, t->cfg.lambda_min);
    return lc;
}

void iam_trainer_free(iam_trainer *t) {
    if (!t) return;
    iam_dataset_free(&t->data);
    free(t->params); free(t->grads); free(t->opt_m); free(t->opt_v); free(t->good);
    free(t->batch_x); free(t->batch_y); free(t->acts); free(t->scratch); free(t->dembed);
    free(t->loss_work); free(t->eval_emb); free(t->eval_centers); free(t->eval_margins);
    free(t->eval_labels); free(t->force_x); free(t->force_w);
    free(t->live_emb); free(t->live_d); free(t->live_y); free(t->live_row);
    free(t->dominant); free(t->dominant_w);
    free(t);
}

static void save_good(iam_trainer *t);

/* The trainer around a data set that is ready (moved in: the trainer frees it). */
static int trainer_make(const iam_train_config *cfg, iam_dataset *data, iam_trainer **out) {
    iam_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        iam_dataset_free(data);
        return iam_fail("out of memory for the trainer");
    }
    t->cfg = *cfg;
    t->data = *data;
    memset(data, 0, sizeof *data);
    const int dim = t->data.dim, side = (int)(sqrtf((float)dim) + 0.5f);
    if (cfg->augment_shift && side * side != dim) {
        iam_trainer_free(t);
        return iam_fail("augment_shift moves square images, and rows of %d values are not one", dim);
    }
    if (iam_mlp_make(&t->mlp, t->data.dim, cfg->hidden, cfg->n_hidden, cfg->embed_dim, cfg->activation)) {
        iam_trainer_free(t);
        return -1;
    }
    t->d = cfg->embed_dim;
    t->c = cfg->classes;
    t->B = cfg->batch_size;
    t->K = cfg->loss.subcenters > 1 ? cfg->loss.subcenters : 1;
    t->n_params = t->mlp.n_params + (size_t)t->c * t->K * t->d;
    int n_eval = t->data.n_train;
    if (t->data.n_test > n_eval) n_eval = t->data.n_test;
    if (t->data.n_heldout > n_eval) n_eval = t->data.n_heldout;

    t->params = calloc(t->n_params, sizeof(float));
    t->grads = calloc(t->n_params, sizeof(float));
    t->opt_m = calloc(t->n_params, sizeof(float));
    t->opt_v = calloc(t->n_params, sizeof(float));
    t->good = calloc(3 * t->n_params, sizeof(float));
    t->batch_x = calloc((size_t)t->B * t->data.dim, sizeof(float));
    t->batch_y = calloc((size_t)t->B, sizeof(int));
    t->acts = calloc(iam_mlp_act_floats(&t->mlp, t->B), sizeof(float));
    t->scratch = calloc(iam_mlp_scratch_floats(&t->mlp, t->B), sizeof(float));
    t->dembed = calloc((size_t)t->B * t->d, sizeof(float));
    size_t work_floats = iam_loss_work_floats_for(&cfg->loss, t->B, t->d, t->c);
    if (!work_floats) {
        iam_trainer_free(t);
        return -1; /* sizes the loss refuses: its sentence stands */
    }
    t->loss_work = calloc(work_floats, sizeof(float));
    t->eval_emb = calloc((size_t)n_eval * t->d, sizeof(float));
    t->eval_centers = calloc((size_t)t->c * t->d, sizeof(float));
    t->eval_margins = calloc((size_t)n_eval, sizeof(float));
    t->eval_labels = calloc((size_t)n_eval, sizeof(int));
    t->force_x = calloc((size_t)t->d, sizeof(float));
    t->force_w = calloc((size_t)2 * t->c * t->K * t->d, sizeof(float));
    t->dominant = calloc((size_t)t->c, sizeof(int));
    t->dominant_w = calloc((size_t)t->c * t->d, sizeof(float));
    t->live_emb = calloc((size_t)t->B * t->d, sizeof(float));
    t->live_d = calloc((size_t)t->B * t->d, sizeof(float));
    t->live_y = calloc((size_t)t->B, sizeof(int));
    t->live_row = calloc((size_t)t->B, sizeof(int));
    if (!t->params || !t->grads || !t->opt_m || !t->opt_v || !t->good || !t->batch_x || !t->batch_y ||
        !t->acts || !t->scratch || !t->dembed || !t->loss_work || !t->eval_emb || !t->eval_centers ||
        !t->eval_margins || !t->eval_labels || !t->force_x || !t->force_w || !t->live_emb ||
        !t->live_d || !t->live_y || !t->live_row || !t->dominant || !t->dominant_w) {
        iam_trainer_free(t);
        return iam_fail("out of memory for a trainer with %zu parameters", (size_t)t->n_params);
    }

    /* one seed, three streams: data (in data.c), the init, the batches */
    iam_mlp_init_params(&t->mlp, t->params, cfg->init, (unsigned long long)cfg->seed * 2 + 1);
    iam_rng init_rng = iam_rng_seeded((unsigned long long)cfg->seed * 2 + 2);
    float *W = t->params + t->mlp.n_params;
    for (size_t k = 0; k < (size_t)t->c * t->K * t->d; k++) W[k] = iam_rng_normal(&init_rng);
    t->rng = iam_rng_seeded((unsigned long long)cfg->seed * 2 + 3);
    t->last_config = cfg->loss; /* the running state (CurricularFace, AdaFace) starts as configured */
    t->last_config = step_loss_config(t);
    save_good(t);   /* the first rollback point is the start, and a state taken now holds it */
    *out = t;
    return 0;
}

int iam_trainer_new(const iam_train_config *cfg, iam_trainer **out) {
    if (!out) return iam_fail("the trainer out-pointer is NULL");
    *out = NULL;
    if (check_train_config(cfg)) return -1;
    iam_dataset data;
    if (iam_dataset_make(&data, cfg->data, cfg->classes, cfg->train_per_class, cfg->test_per_class, cfg->seed))
        return -1;
    return trainer_make(cfg, &data, out);
}

int iam_trainer_new_rows(const iam_train_config *cfg, const float *x, const int *labels, int n, int dim,
                         iam_trainer **out) {
    if (!out) return iam_fail("the trainer out-pointer is NULL");
    *out = NULL;
    if (check_train_config(cfg)) return -1;
    iam_dataset data;
    if (iam_dataset_from_rows(&data, cfg->data, x, labels, n, dim, cfg->classes, cfg->test_fraction, cfg->seed))
        return -1;
    return trainer_make(cfg, &data, out);
}

/* The class weights W (c·K, d) sit after the MLP's parameters, and so do their gradients. */
static float *class_weights(const iam_trainer *t, float *flat) { return flat + t->mlp.n_params; }

/* The class weights the metrics and views show (c, d): W itself, or with sub-centers each
   class's dominant one, copied into out. */
static const float *shown_weights(const iam_trainer *t, float *out) {
    const float *W = class_weights(t, t->params);
    if (t->K == 1) return W;
    for (int j = 0; j < t->c; j++)
        memcpy(out + (size_t)j * t->d, W + ((size_t)j * t->K + t->dominant[j]) * t->d, sizeof(float) * t->d);
    return out;
}

/* The class of embedding e (d): the row of W with the largest cos θ (or W·e for softmax),
   over every sub-center, as the loss decides */
static int nearest_class(const iam_trainer *t, const float *e) {
    const int d = t->d, rows = t->c * t->K, use_cos = t->cfg.loss.kind != IAM_SOFTMAX;
    const float *W = class_weights(t, t->params);
    int best = 0;
    float best_score = -INFINITY;
    for (int r = 0; r < rows; r++) {
        float dot = vec_dot(e, W + (size_t)r * d, d), wn = sqrtf(vec_dot(W + (size_t)r * d, W + (size_t)r * d, d));
        float score = use_cos ? dot / (wn + 1e-30f) : dot;
        if (score > best_score) { best_score = score; best = r; }
    }
    return best / t->K;
}

/* dst = src (side × side) moved dx pixels right and dy down, zeros where it came from outside */
static void shift_image(float *dst, const float *src, int side, int dx, int dy) {
    for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++) {
            int sr = r - dy, sc = c - dx;
            dst[r * side + c] = sr >= 0 && sr < side && sc >= 0 && sc < side ? src[sr * side + sc] : 0.0f;
        }
}

/* A batch of B training samples, drawn with replacement; images moved by augment_shift. */
static void sample_batch(iam_trainer *t) {
    const int D = t->data.dim, k = t->cfg.augment_shift;
    const int side = (int)(sqrtf((float)D) + 0.5f);   /* images are square: 8×8, 14×14 */
    for (int b = 0; b < t->B; b++) {
        int i = iam_rng_below(&t->rng, t->data.n_train);
        const float *src = t->data.x_train + (size_t)i * D;
        if (k) {
            int dx = iam_rng_below(&t->rng, 2 * k + 1) - k, dy = iam_rng_below(&t->rng, 2 * k + 1) - k;
            shift_image(t->batch_x + (size_t)b * D, src, side, dx, dy);
        } else
            memcpy(t->batch_x + (size_t)b * D, src, sizeof(float) * D);
        t->batch_y[b] = t->data.y_train[i];
    }
}

/* A value past EXPLODED or NaN anywhere in a (count) is a divergence, named by `what`. */
static int check_exploded(const float *a, size_t count, const char *what) {
    for (size_t k = 0; k < count; k++)
        if (!(fabsf(a[k]) <= EXPLODED)) return iam_fail("%s %s", what, isnan(a[k]) ? "became NaN" : "exploded");
    return 0;
}

/* The rows of the batch's embedding (B, d) that have a direction, with their labels and
   places, moved to live_emb, live_y and live_row; returns how many. */
static int live_rows(iam_trainer *t, const float *emb) {
    const int d = t->d;
    int n = 0;
    for (int b = 0; b < t->B; b++) {
        const float *e = emb + (size_t)b * d;
        if (!(sqrtf(vec_dot(e, e, d)) > IAM_MIN_NORM)) continue;
        memcpy(t->live_emb + (size_t)n * d, e, sizeof(float) * d);
        t->live_y[n] = t->batch_y[b];
        t->live_row[n++] = b;
    }
    return n;
}

/* What loss_step returns when no sample of the batch has a direction. */
#define ALL_ZERO (-2)

/* The loss head, forward and backward: zero the gradients, then ∂L/∂embedding and ∂L/∂W.
   A sample the network maps to the zero embedding has no direction, so the normalized
   losses (and IAM, in every kind) are undefined at it: it is left out of the step, which
   is the mean over the others, and its ∂L/∂embedding is 0 (iam.h, iam_last_step). */
static int loss_step(iam_trainer *t, const float *emb) {
    iam_loss_config lc = step_loss_config(t);
    const int d = t->d, n = live_rows(t, emb);
    memset(t->grads, 0, sizeof(float) * t->n_params);
    memset(t->dembed, 0, sizeof(float) * (size_t)t->B * d);
    if (n == 0) {
        iam_fail("step %d: the network maps every sample of the batch to the zero embedding, which "
                 "has no direction, so no gradient reaches it; try another seed or a wider layer",
                 t->step + 1);
        return ALL_ZERO;
    }
    memset(t->live_d, 0, sizeof(float) * (size_t)n * d);
    /* ElasticFace's margins: a seed per step from the batch stream (only when drawn, so that
       every other run's batches stay as they were) */
    if (lc.margin_std > 0.0f) lc.margin_seed = iam_rng_u32(&t->rng);
    if (iam_loss_update_state(&lc, t->live_emb, class_weights(t, t->params), t->live_y, n, d, t->c)) return -1;
    if (iam_loss(&lc, t->live_emb, class_weights(t, t->params), t->live_y, n, d, t->c, t->live_d,
                 class_weights(t, t->grads), &t->last, t->loss_work))
        return -1;
    for (int q = 0; q < n; q++)
        memcpy(t->dembed + (size_t)t->live_row[q] * d, t->live_d + (size_t)q * d, sizeof(float) * d);
    t->last_config = lc;
    t->last_zero = t->B - n;
    if (t->step == 0) t->first_loss = t->last.loss;
    return 0;
}

/* One optimizer step on the network, and one on W at its own rate (w_lr_mult). */
static void optimizer_step(iam_trainer *t) {
    const iam_train_config *cfg = &t->cfg;
    size_t n_net = t->mlp.n_params, n_w = (size_t)t->c * t->K * t->d;
    float *W = class_weights(t, t->params), *dW = class_weights(t, t->grads);
    float lr_w = cfg->lr * cfg->w_lr_mult;
    if (cfg->optimizer == IAM_OPT_SGD) {
        iam_sgd_step(t->params, t->grads, t->opt_m, n_net, cfg->lr, cfg->momentum, cfg->weight_decay);
        iam_sgd_step(W, dW, t->opt_m + n_net, n_w, lr_w, cfg->momentum, cfg->weight_decay);
    } else {
        int step = t->step + 1;
        iam_adam_step(t->params, t->grads, t->opt_m, t->opt_v, n_net, cfg->lr, cfg->adam_beta1,
                      cfg->adam_beta2, cfg->adam_eps, cfg->weight_decay, step);
        iam_adam_step(W, dW, t->opt_m + n_net, t->opt_v + n_net, n_w, lr_w, cfg->adam_beta1,
                      cfg->adam_beta2, cfg->adam_eps, cfg->weight_decay, step);
    }
}

static int train_one_step(iam_trainer *t) {
    sample_batch(t);
    float *emb = iam_mlp_forward(&t->mlp, t->params, t->batch_x, t->B, t->acts);
    if (check_exploded(emb, (size_t)t->B * t->d, "the embedding")) return -1;
    int status = loss_step(t, emb);
    if (status) return status;
    iam_mlp_backward(&t->mlp, t->params, t->grads, t->batch_x, t->B, t->acts, t->dembed, t->scratch);
    optimizer_step(t);
    return check_exploded(t->params, t->n_params, "a parameter");
}

/* The state a step() call can return to: parameters, optimizer moments, sampler, last step. */
static void save_good(iam_trainer *t) {
    size_t n = t->n_params;
    memcpy(t->good, t->params, sizeof(float) * n);
    memcpy(t->good + n, t->opt_m, sizeof(float) * n);
    memcpy(t->good + 2 * n, t->opt_v, sizeof(float) * n);
    t->good_rng = t->rng;
    t->good_last = t->last;
    t->good_config = t->last_config;
    t->good_step = t->step;
    t->good_zero = t->last_zero;
}

static void restore_good(iam_trainer *t) {
    size_t n = t->n_params;
    memcpy(t->params, t->good, sizeof(float) * n);
    memcpy(t->opt_m, t->good + n, sizeof(float) * n);
    memcpy(t->opt_v, t->good + 2 * n, sizeof(float) * n);
    t->rng = t->good_rng;
    t->last = t->good_last;
    t->last_config = t->good_config;
    t->step = t->good_step;
    t->last_zero = t->good_zero;
}

/* Whether the current state may be rolled back to (iam.h, IAM_GOOD_LOSS_RISE): the
   initial state is; a later one if its loss has not risen far above the first step's
   and no parameter is on its way to Inf. A finite loss of 10^13 after three steps at
   lr 10 is on its way there, and no learning rate trains on from it. */
static int state_is_good(const iam_trainer *t) {
    if (t->step == 0) return 1;
    if (!(fabsf(t->last.loss) <= IAM_GOOD_LOSS_RISE * (fabsf(t->first_loss) + 1.0f))) return 0;
    for (size_t k = 0; k < t->n_params; k++)
        if (!(fabsf(t->params[k]) <= IAM_GOOD_PARAM)) return 0;
    return 1;
}

int iam_trainer_step(iam_trainer *t, int k) {
    if (!t) return iam_fail("the trainer is NULL");
    memset(&t->divergence, 0, sizeof t->divergence); /* it describes this call only */
    if (k < 0 || k > 1000000) return iam_fail("the number of steps must be in [0, 1000000] (got %d)", k);
    /* the rollback point: where this call begins, if that state is good; else the last
       good one, from an earlier call (a finite state may be on its way to Inf) */
    if (state_is_good(t)) save_good(t);
    for (int q = 0; q < k; q++, t->step++) {
        int status = train_one_step(t);
        if (!status) continue;
        if (status == ALL_ZERO) return -1; /* not a divergence: the steps before it stand */
        /* undo the whole call: a state a few steps before an explosion is often
           already on its way there, so go back to where the user last saw it */
        iam_divergence *d = &t->divergence;
        d->failed_step = t->step + 1;
        snprintf(d->reason, sizeof d->reason, "%s", iam_last_error());
        restore_good(t);
        d->good_step = t->step;
        return iam_fail("training diverged at step %d (%s); rolled back to step %d, the last good "
                        "state. Lower the learning rate or reset", d->failed_step, d->reason, d->good_step);
    }
    return 0;
}

int iam_trainer_divergence(const iam_trainer *t, iam_divergence *out) {
    if (!t || !out) return iam_fail("the trainer and the output must not be NULL");
    *out = t->divergence;
    return 0;
}

int iam_trainer_last_step(const iam_trainer *t, iam_last_step *out) {
    if (!t || !out) return iam_fail("the trainer and the output must not be NULL");
    out->step = t->step;
    out->loss = t->last.loss;
    out->base = t->last.base;
    out->iam = t->last.iam;
    out->config = t->last_config;
    out->zero_embeddings = t->last_zero;
    return 0;
}

int iam_trainer_get_sizes(const iam_trainer *t, iam_trainer_sizes *out) {
    if (!t || !out) return iam_fail("the trainer and the output must not be NULL");
    out->n_train = t->data.n_train;
    out->n_test = t->data.n_test;
    out->n_heldout = t->data.n_heldout;
    out->input_dim = t->data.dim;
    out->embed_dim = t->d;
    out->classes = t->c;
    out->subcenters = t->K;
    out->n_params = (int)t->n_params;
    return 0;
}

int iam_trainer_set_lr(iam_trainer *t, float lr) {
    if (!t) return iam_fail("the trainer is NULL");
    if (!(lr > 0.0f && lr <= 10.0f)) return iam_fail("lr must be in (0, 10] (got %g)", lr);
    t->cfg.lr = lr;
    return 0;
}

/* Embeddings of `count` input rows, in chunks of the batch size, into out (count, d). */
static void embed_rows(iam_trainer *t, const float *inputs, int count, float *out) {
    for (int start = 0; start < count; start += t->B) {
        int chunk = count - start < t->B ? count - start : t->B;
        const float *emb = iam_mlp_forward(&t->mlp, t->params, inputs + (size_t)start * t->data.dim, chunk, t->acts);
        memcpy(out + (size_t)start * t->d, emb, sizeof(float) * chunk * t->d);
    }
}

/* The rows of emb (n, d) that have a direction moved to the front, their labels (from y)
   into labels beside them; returns how many. */
static int live_first(float *emb, const int *y, int *labels, int n, int d) {
    int live = 0;
    for (int i = 0; i < n; i++) {
        const float *e = emb + (size_t)i * d;
        if (!(sqrtf(vec_dot(e, e, d)) > IAM_MIN_NORM)) continue;
        memmove(emb + (size_t)live * d, e, sizeof(float) * d);
        labels[live++] = y[i];
    }
    return live;
}

/* Accuracy over a set's n samples, of which the first `live` (live_first) have a direction;
   a zero embedding is at 90° from every class weight, a tie, so it counts as wrong. */
static int set_accuracy(const iam_trainer *t, int n, int live, float *accuracy) {
    const float *W = class_weights(t, t->params);
    *accuracy = 0.0f;
    if (live == 0) return 0;
    if (t->K > 1) { /* sub-centers: the class of the nearest of them all */
        int right = 0;
        for (int i = 0; i < live; i++) right += nearest_class(t, t->eval_emb + (size_t)i * t->d) == t->eval_labels[i];
        *accuracy = (float)right / (float)n;
        return 0;
    }
    if (iam_accuracy(t->eval_emb, W, t->eval_labels, live, t->d, t->c, t->cfg.loss.kind != IAM_SOFTMAX,
                     accuracy))
        return -1;
    *accuracy *= (float)live / (float)n;
    return 0;
}

/* Each class's dominant sub-center: the one most of its `live` training samples (eval_emb)
   are nearest to; a class with no sample keeps its last one. */
static int update_dominant(iam_trainer *t, int live) {
    if (t->K == 1) return 0;
    const int d = t->d, K = t->K;
    const float *W = class_weights(t, t->params);
    int *wins = calloc((size_t)t->c * K, sizeof(int));
    if (!wins) return iam_fail("out of memory for %d sub-center counts", t->c * K);
    for (int i = 0; i < live; i++) {
        const int y = t->eval_labels[i];
        int best = 0;
        float best_cos = -INFINITY;
        for (int k = 0; k < K; k++) {
            const float *w = W + ((size_t)y * K + k) * d;
            float cos = vec_dot(t->eval_emb + (size_t)i * d, w, d) / (sqrtf(vec_dot(w, w, d)) + 1e-30f);
            if (cos > best_cos) { best_cos = cos; best = k; }
        }
        wins[y * K + best]++;
    }
    for (int j = 0; j < t->c; j++) {
        int best = t->dominant[j];
        for (int k = 0; k < K; k++)
            if (wins[j * K + k] > wins[j * K + best]) best = k;
        t->dominant[j] = best;
    }
    free(wins);
    return 0;
}

/* The train set's margins (eval_margins, n): a zero embedding's is 0° (90° − 90°), as far
   from its own class as from any other; then their min, mean and histogram. */
static int train_margins(iam_trainer *t, int n, int live, iam_train_metrics *m, int *hist, int bins) {
    if (live > 0 && iam_sample_margins(t->eval_emb, shown_weights(t, t->dominant_w), t->eval_labels, live,
                                       t->d, t->c, t->eval_margins))
        return -1;
    for (int i = live; i < n; i++) t->eval_margins[i] = 0.0f;
    double sum = 0.0;
    float min = INFINITY;
    for (int i = 0; i < n; i++) {
        sum += t->eval_margins[i];
        if (t->eval_margins[i] < min) min = t->eval_margins[i];
    }
    m->min_sample_margin_deg = min;
    m->mean_sample_margin_deg = (float)(sum / n);
    return hist ? iam_histogram(t->eval_margins, n, -180.0f, 180.0f, bins, hist) : 0;
}

/* Held-out verification over the identities' samples that have a direction; 0 when too
   few of them are left to form pairs. */
static int heldout_verification(iam_trainer *t, iam_train_metrics *m) {
    const iam_dataset *ds = &t->data;
    embed_rows(t, ds->x_heldout, ds->n_heldout, t->eval_emb);
    int live = live_first(t->eval_emb, ds->y_heldout, t->eval_labels, ds->n_heldout, t->d);
    if (live == ds->n_heldout)
        return iam_verification(t->eval_emb, t->eval_labels, live, t->d, 6000, t->cfg.seed, &m->verify_acc,
                                &m->tar_far_1e2);
    if (live < 2 || iam_verification(t->eval_emb, t->eval_labels, live, t->d, 6000, t->cfg.seed,
                                     &m->verify_acc, &m->tar_far_1e2))
        m->verify_acc = m->tar_far_1e2 = 0.0f;
    return 0;
}

/* Every metric of the sets. A sample the network maps to the zero embedding has no
   direction: it counts as misclassified with a margin of 0°, and is left out of the class
   centres and of verification (iam.h, zero_embeddings). */
int iam_trainer_evaluate(iam_trainer *t, iam_train_metrics *m, int *margin_hist, int bins) {
    if (!t || !m) return iam_fail("the trainer and the metrics must not be NULL");
    if (margin_hist && (bins < 1 || bins > 1000)) return iam_fail("bins must be in [1, 1000] (got %d)", bins);
    const iam_dataset *ds = &t->data;
    const int d = t->d, c = t->c, cap = t->cfg.eval_rows;
    const int n_train = cap && cap < ds->n_train ? cap : ds->n_train, n_test = cap && cap < ds->n_test ? cap : ds->n_test;
    memset(m, 0, sizeof *m);
    m->step = t->step;
    m->loss = t->last.loss;
    m->base = t->last.base;
    m->iam = t->last.iam;
    m->packing_limit_deg = iam_packing_limit_deg(c, d);

    embed_rows(t, ds->x_train, n_train, t->eval_emb);
    if (iam_check_finite("the train embedding", t->eval_emb, (size_t)n_train * d, d)) return -1;
    int live = live_first(t->eval_emb, ds->y_train, t->eval_labels, n_train, d);
    if (update_dominant(t, live) ||
        iam_pairwise_angles(shown_weights(t, t->dominant_w), c, d, &m->min_weight_angle_deg,
                            &m->mean_nn_weight_angle_deg))
        return -1;
    if (set_accuracy(t, n_train, live, &m->train_acc) ||
        train_margins(t, n_train, live, m, margin_hist, bins))
        return -1;
    /* class centres can be undefined early on (a class mean of x̂ at zero): report 0 then */
    if (live == 0 || iam_class_centers(t->eval_emb, t->eval_labels, live, d, c, t->eval_centers) ||
        iam_pairwise_angles(t->eval_centers, c, d, &m->min_center_angle_deg, &m->mean_nn_center_angle_deg))
        m->min_center_angle_deg = m->mean_nn_center_angle_deg = 0.0f;

    embed_rows(t, ds->x_test, n_test, t->eval_emb);
    live = live_first(t->eval_emb, ds->y_test, t->eval_labels, n_test, d);
    if (set_accuracy(t, n_test, live, &m->test_acc)) return -1;
    return ds->n_heldout > 0 ? heldout_verification(t, m) : 0;
}

const iam_train_config *iam_trainer_config(const iam_trainer *t) { return t ? &t->cfg : NULL; }
const iam_dataset *iam_trainer_dataset(const iam_trainer *t) { return t ? &t->data : NULL; }

/* The rows, labels and count of a set: 0 train, 1 test, 2 held-out. */
static int set_of(const iam_trainer *t, int set, const float **x, const int **y) {
    const iam_dataset *ds = &t->data;
    *x = set == 0 ? ds->x_train : set == 1 ? ds->x_test : ds->x_heldout;
    *y = set == 0 ? ds->y_train : set == 1 ? ds->y_test : ds->y_heldout;
    return set == 0 ? ds->n_train : set == 1 ? ds->n_test : ds->n_heldout;
}

/* x̂ = x/‖x‖ row by row; a zero row stays zero (it is drawn at the centre, never as NaN) */
static void normalize_or_zero(float *v, int rows, int d) {
    for (int r = 0; r < rows; r++) {
        double norm = 0.0;   /* in double: a float sum of squares overflows past 1.8e19 */
        for (int k = 0; k < d; k++) norm += (double)v[r * d + k] * v[r * d + k];
        norm = sqrt(norm);
        double inv = norm > 0.0 ? 1.0 / norm : 0.0;
        for (int k = 0; k < d; k++) v[r * d + k] = (float)(v[r * d + k] * inv);
    }
}

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

/* The stride P of the rows a set shows: rows k·P mod n with P coprime to n are distinct,
   and spread over every class even though the data sets store labels interleaved (row i
   has class i mod C), which an even stride would alias (a stride of 2 over 4 classes
   shows only 2 of them). */
static int shown_stride(int n) {
    int P = (int)(0.618034 * n) | 1;
    while (gcd(P, n) != 1) P++;
    return P;
}

/* The set's rows and count, with `count` checked against it. */
static int shown_set(const iam_trainer *t, int set, int count, const float **x, const int **y, int *n) {
    if (set < 0 || set > 2) return iam_fail("set must be 0 (train), 1 (test) or 2 (held-out) (got %d)", set);
    *n = set_of(t, set, x, y);
    if (count < 1 || count > *n) return iam_fail("count must be in [1, %d] for this set (got %d)", *n, count);
    return 0;
}

/* The embeddings e = f(x) (count, embed_dim), not normalized, of `count` distinct rows
   of a set, and their labels: the rows iam_trainer_embed and iam_trainer_forces show. */
static int embed_raw(iam_trainer *t, int set, int count, float *emb, int *labels) {
    const float *x = NULL;
    const int *y = NULL;
    int n = 0;
    if (shown_set(t, set, count, &x, &y, &n)) return -1;
    const int D = t->data.dim, P = shown_stride(n);
    for (int start = 0; start < count; start += t->B) {
        int chunk = count - start < t->B ? count - start : t->B;
        for (int q = 0; q < chunk; q++) {
            int i = (int)(((long long)(start + q) * P) % n);
            memcpy(t->batch_x + (size_t)q * D, x + (size_t)i * D, sizeof(float) * D);
            labels[start + q] = y[i];
        }
        const float *e = iam_mlp_forward(&t->mlp, t->params, t->batch_x, chunk, t->acts);
        memcpy(emb + (size_t)start * t->d, e, sizeof(float) * chunk * t->d);
    }
    return 0;
}

int iam_trainer_shown_inputs(const iam_trainer *t, int set, int count, float *x, int *labels) {
    if (!t || !x || !labels) return iam_fail("the trainer and the output arrays must not be NULL");
    const float *sx = NULL;
    const int *sy = NULL;
    int n = 0;
    if (shown_set(t, set, count, &sx, &sy, &n)) return -1;
    const int D = t->data.dim, P = shown_stride(n);
    for (int q = 0; q < count; q++) {
        int i = (int)(((long long)q * P) % n);
        memcpy(x + (size_t)q * D, sx + (size_t)i * D, sizeof(float) * D);
        labels[q] = sy[i];
    }
    return 0;
}

int iam_trainer_embed(iam_trainer *t, int set, int count, float *emb, int *labels) {
    if (!t || !emb || !labels) return iam_fail("the trainer and the output arrays must not be NULL");
    if (embed_raw(t, set, count, emb, labels)) return -1;
    /* finite parameters can still overflow on the way through the network */
    if (iam_check_finite("the embedding", emb, (size_t)count * t->d, t->d)) return -1;
    normalize_or_zero(emb, count, t->d);
    return 0;
}

int iam_trainer_weights(const iam_trainer *t, float *w_hat, float *norms) {
    if (!t || !w_hat) return iam_fail("the trainer and the output array must not be NULL");
    const float *W = shown_weights(t, w_hat);
    if (W != w_hat) memcpy(w_hat, W, sizeof(float) * t->c * t->d);
    W = w_hat;
    if (norms)
        for (int j = 0; j < t->c; j++) norms[j] = sqrtf(vec_dot(W + j * t->d, W + j * t->d, t->d));
    normalize_or_zero(w_hat, t->c, t->d);
    return 0;
}

int iam_trainer_subcenters(const iam_trainer *t, float *w_hat, int *dominant) {
    if (!t || !w_hat) return iam_fail("the trainer and the output array must not be NULL");
    memcpy(w_hat, class_weights(t, t->params), sizeof(float) * t->c * t->K * t->d);
    normalize_or_zero(w_hat, t->c * t->K, t->d);
    if (dominant) memcpy(dominant, t->dominant, sizeof(int) * t->c);
    return 0;
}

int iam_trainer_embed_raw(iam_trainer *t, int set, int count, float *emb, int *labels) {
    if (!t || !emb || !labels) return iam_fail("the trainer and the output arrays must not be NULL");
    if (embed_raw(t, set, count, emb, labels)) return -1;
    return iam_check_finite("the embedding", emb, (size_t)count * t->d, t->d);
}

int iam_trainer_inputs(const iam_trainer *t, int set, float *x, int *labels) {
    if (!t || !x || !labels) return iam_fail("the trainer and the output arrays must not be NULL");
    if (set < 0 || set > 2) return iam_fail("set must be 0 (train), 1 (test) or 2 (held-out) (got %d)", set);
    const float *sx;
    const int *sy;
    int n = set_of(t, set, &sx, &sy);
    if (n == 0) return 0; /* no held-out set: sx is NULL, and memcpy from NULL is undefined even for 0 bytes */
    memcpy(x, sx, sizeof(float) * (size_t)n * t->data.dim);
    memcpy(labels, sy, sizeof(int) * (size_t)n);
    return 0;
}

int iam_trainer_get_params(const iam_trainer *t, float *out, int count) {
    if (!t || !out) return iam_fail("the trainer and the output array must not be NULL");
    if (count != (int)t->n_params)
        return iam_fail("the trainer has %zu parameters (got an array of %d)", t->n_params, count);
    memcpy(out, t->params, sizeof(float) * t->n_params);
    return 0;
}

int iam_trainer_set_params(iam_trainer *t, const float *params, int count) {
    if (!t || !params) return iam_fail("the trainer and the parameter array must not be NULL");
    if (count != (int)t->n_params)
        return iam_fail("the trainer has %zu parameters (got an array of %d)", t->n_params, count);
    if (iam_check_finite("params", params, t->n_params, (int)t->n_params)) return -1;
    /* what the trainer would call exploded is no state to load (iam.h, IAM_GOOD_PARAM) */
    for (size_t k = 0; k < t->n_params; k++)
        if (!(fabsf(params[k]) <= IAM_GOOD_PARAM))
            return iam_fail("params[%zu] = %g is past %g in magnitude, which the trainer treats as diverged", k,
                            params[k], IAM_GOOD_PARAM);
    memcpy(t->params, params, sizeof(float) * t->n_params);
    return 0;
}

int iam_trainer_predict(iam_trainer *t, const float *inputs, int count, int *classes) {
    if (!t || !inputs || !classes) return iam_fail("the trainer and the arrays must not be NULL");
    if (count < 1 || count > 1 << 20) return iam_fail("count must be in [1, %d] (got %d)", 1 << 20, count);
    if (iam_check_finite("inputs", inputs, (size_t)count * t->data.dim, t->data.dim)) return -1;
    for (int start = 0; start < count; start += t->B) {
        int chunk = count - start < t->B ? count - start : t->B;
        const float *e = iam_mlp_forward(&t->mlp, t->params, inputs + (size_t)start * t->data.dim, chunk, t->acts);
        /* argmax of cos θ (the norm of x does not change the argmax) or of W·x */
        for (int q = 0; q < chunk; q++) classes[start + q] = nearest_class(t, e + (size_t)q * t->d);
    }
    return 0;
}

int iam_trainer_embed_inputs(iam_trainer *t, const float *inputs, int count, float *emb) {
    if (!t || !inputs || !emb) return iam_fail("the trainer and the arrays must not be NULL");
    if (count < 1 || count > 1 << 20) return iam_fail("count must be in [1, %d] (got %d)", 1 << 20, count);
    if (iam_check_finite("inputs", inputs, (size_t)count * t->data.dim, t->data.dim)) return -1;
    for (int start = 0; start < count; start += t->B) { /* in batches: the activations hold B rows */
        int chunk = count - start < t->B ? count - start : t->B;
        const float *e = iam_mlp_forward(&t->mlp, t->params, inputs + (size_t)start * t->data.dim, chunk, t->acts);
        memcpy(emb + (size_t)start * t->d, e, sizeof(float) * (size_t)chunk * t->d);
    }
    return 0;
}

/* One sample's loss and its gradients at its embedding e, base only (β = 0) and whole:
   the IAM part is their difference, so that the parts add up to the whole. dW sums
   into w_base and w_whole; dx comes back as ∂L/∂e. The two calls share the IAM reading
   and its stop, and a stopped side (or the samples under the 'weights' reading) is
   computed from the base loss's gradient alone in both, to the bit: its IAM part is 0. */
static int sample_forces(iam_trainer *t, const float *e, int label, float *x_base, float *x_iam,
                         float *w_base, float *w_whole, float *loss_base, float *loss_iam) {
    const int d = t->d, c = t->c;
    const float *W = class_weights(t, t->params);
    iam_loss_config whole_config = t->last_config, base_only;
    whole_config.margin_std = 0.0f; /* ElasticFace's margin is m outside training */
    base_only = whole_config;
    base_only.beta = 0.0f;
    iam_loss_result base, whole;
    memset(x_base, 0, sizeof(float) * d);
    memset(t->force_x, 0, sizeof(float) * d);
    if (iam_loss(&base_only, e, W, &label, 1, d, c, x_base, w_base, &base, t->loss_work) ||
        iam_loss(&whole_config, e, W, &label, 1, d, c, t->force_x, w_whole, &whole, t->loss_work))
        return -1;
    for (int k = 0; k < d; k++) x_iam[k] = t->force_x[k] - x_base[k];
    *loss_base = base.base;
    *loss_iam = whole.iam;
    return 0;
}

int iam_trainer_forces(iam_trainer *t, int set, int count, float *x_base, float *x_iam, float *w_base,
                       float *w_iam, float *loss_base, float *loss_iam, float *margins_deg) {
    if (!t) return iam_fail("the trainer is NULL");
    if (embed_raw(t, set, count, t->eval_emb, t->eval_labels)) return -1;
    const int d = t->d;
    const size_t nw = (size_t)t->c * t->K * d;
    float *wb = t->force_w, *wt = t->force_w + nw;   /* ∂/∂W summed over the samples: base, whole */
    memset(t->force_w, 0, sizeof(float) * 2 * nw);
    float xb[IAM_MAX_EMBED], xi[IAM_MAX_EMBED];
    for (int i = 0; i < count; i++) {
        float *e = t->eval_emb + (size_t)i * d;
        float lb = 0.0f, li = 0.0f, r = sqrtf(vec_dot(e, e, d));
        memset(xb, 0, sizeof xb);
        memset(xi, 0, sizeof xi);
        /* a zero embedding has no direction: no force on it is drawn, and it pushes no weight */
        if (r > 1e-30f && sample_forces(t, e, t->eval_labels[i], xb, xi, wb, wt, &lb, &li)) return -1;
        for (int k = 0; k < d; k++) { xb[k] *= r; xi[k] *= r; }   /* ∂L/∂x̂ at fixed ‖e‖ = ‖e‖ ∂L/∂e */
        if (x_base) memcpy(x_base + (size_t)i * d, xb, sizeof(float) * d);
        if (x_iam) memcpy(x_iam + (size_t)i * d, xi, sizeof(float) * d);
        if (loss_base) loss_base[i] = lb;
        if (loss_iam) loss_iam[i] = li;
    }
    for (int j = 0; j < t->c; j++) /* the dominant sub-center's (each class's own row when K = 1) */
        for (int k = 0; k < d; k++) {
            size_t at = ((size_t)j * t->K + t->dominant[j]) * d + k;
            if (w_base) w_base[(size_t)j * d + k] = wb[at] / (float)count;
            if (w_iam) w_iam[(size_t)j * d + k] = (wt[at] - wb[at]) / (float)count;
        }
    if (!margins_deg) return 0;
    normalize_or_zero(t->eval_emb, count, d);
    return iam_sample_margins(t->eval_emb, shown_weights(t, t->dominant_w), t->eval_labels, count, d, t->c, margins_deg);
}

int iam_trainer_set_weight(iam_trainer *t, int j, const float *direction) {
    if (!t || !direction) return iam_fail("the trainer and the direction must not be NULL");
    if (j < 0 || j >= t->c) return iam_fail("class %d is out of range [0, %d)", j, t->c);
    if (iam_check_finite("direction", direction, (size_t)t->d, t->d)) return -1;
    /* in double: a float sum of squares overflows past 1.8e19 and underflows below 1e-19 */
    double norm = 0.0, wnorm = 0.0;
    float *w = class_weights(t, t->params) + ((size_t)j * t->K + t->dominant[j]) * t->d;
    for (int k = 0; k < t->d; k++) {
        norm += (double)direction[k] * direction[k];
        wnorm += (double)w[k] * w[k];
    }
    if (!(norm > 0.0)) return iam_fail("the direction for class %d has zero norm", j);
    double scale = sqrt(wnorm / norm);
    for (int k = 0; k < t->d; k++) w[k] = (float)(direction[k] * scale);
    return 0;
}

/* ---- the state, as bytes (iam.h, iam_trainer_get_state) ----
 * A header of 32-bit words (the magic, the format, the shape it belongs to), then the
 * scalars, then params, opt_m, opt_v and the rollback copy (3 n_params): all 4-byte
 * values, little-endian in wasm and on x86-64, so a state crosses between them. */
#define STATE_MAGIC 0x54534149u /* "IAST" */
#define STATE_FORMAT 3u /* 2: the loss config holds the running state and the new options; 3: and IAM's variant and stop */

typedef struct {
    unsigned magic, format, n_params, classes, dim, input_dim;
    int step, good_step, last_zero, good_zero;
    float first_loss, lr;
    unsigned rng_lo, rng_hi, good_rng_lo, good_rng_hi;
    iam_loss_result last, good_last;
    iam_loss_config last_config, good_config;
} state_header;

size_t iam_trainer_state_bytes(const iam_trainer *t) {
    return t ? sizeof(state_header) + 6 * t->n_params * sizeof(float) : 0;
}

int iam_trainer_get_state(const iam_trainer *t, void *out, size_t bytes) {
    if (!t || !out) return iam_fail("the trainer and the output must not be NULL");
    if (bytes != iam_trainer_state_bytes(t))
        return iam_fail("the state of this trainer is %zu bytes (got room for %zu)", iam_trainer_state_bytes(t), bytes);
    state_header h = {
        STATE_MAGIC, STATE_FORMAT, (unsigned)t->n_params, (unsigned)t->c, (unsigned)t->d, (unsigned)t->data.dim,
        t->step, t->good_step, t->last_zero, t->good_zero, t->first_loss, t->cfg.lr,
        (unsigned)t->rng.state, (unsigned)(t->rng.state >> 32), (unsigned)t->good_rng.state,
        (unsigned)(t->good_rng.state >> 32), t->last, t->good_last, t->last_config, t->good_config,
    };
    char *p = out;
    const size_t n = t->n_params * sizeof(float);
    memcpy(p, &h, sizeof h);
    memcpy(p + sizeof h, t->params, n);
    memcpy(p + sizeof h + n, t->opt_m, n);
    memcpy(p + sizeof h + 2 * n, t->opt_v, n);
    memcpy(p + sizeof h + 3 * n, t->good, 3 * n);
    return 0;
}

int iam_trainer_set_state(iam_trainer *t, const void *state, size_t bytes) {
    if (!t || !state) return iam_fail("the trainer and the state must not be NULL");
    state_header h;
    if (bytes < sizeof h) return iam_fail("a trainer state is at least %zu bytes (got %zu)", sizeof h, bytes);
    memcpy(&h, state, sizeof h);
    if (h.magic != STATE_MAGIC) return iam_fail("these bytes are not a trainer state (wrong magic)");
    if (h.format != STATE_FORMAT)
        return iam_fail("a trainer state of format %u, not %u, which this library reads", h.format, STATE_FORMAT);
    if (h.n_params != t->n_params || h.classes != (unsigned)t->c || h.dim != (unsigned)t->d ||
        h.input_dim != (unsigned)t->data.dim)
        return iam_fail("the state is of a trainer with %u parameters (%u classes, %u-D inputs, %u-D embedding); "
                        "this one has %zu (%d classes, %d-D inputs, %d-D embedding)", h.n_params, h.classes,
                        h.input_dim, h.dim, t->n_params, t->c, t->data.dim, t->d);
    if (bytes != iam_trainer_state_bytes(t))
        return iam_fail("the state of this trainer is %zu bytes (got %zu)", iam_trainer_state_bytes(t), bytes);
    if (h.step < 0 || h.good_step < 0 || h.good_step > h.step || h.last_zero < 0 || h.good_zero < 0)
        return iam_fail("the state's step counts are inconsistent (step %d, rollback step %d)", h.step, h.good_step);
    if (!(h.lr > 0.0f && h.lr <= 10.0f)) return iam_fail("the state's lr must be in (0, 10] (got %g)", h.lr);
    if (iam_loss_config_check(&h.last_config) || iam_loss_config_check(&h.good_config)) return -1;
    const char *p = (const char *)state + sizeof h;
    const size_t n = t->n_params;
    /* every value checked before any is taken: a refused state changes nothing */
    const float losses[] = { h.first_loss, h.last.loss, h.last.base, h.last.iam, h.good_last.loss,
                             h.good_last.base, h.good_last.iam };
    if (iam_check_finite("the state's losses", losses, sizeof losses / sizeof losses[0], 1)) return -1;
    for (size_t k = 0; k < 6 * n; k++) {
        float v;
        memcpy(&v, p + k * sizeof v, sizeof v);
        if (!isfinite(v))
            return iam_fail("the state's %s[%zu] is not finite", k < n ? "params" : k < 3 * n ? "optimizer moments" : "rollback copy",
                            k % n);
    }
    memcpy(t->params, p, n * sizeof(float));
    memcpy(t->opt_m, p + n * sizeof(float), n * sizeof(float));
    memcpy(t->opt_v, p + 2 * n * sizeof(float), n * sizeof(float));
    memcpy(t->good, p + 3 * n * sizeof(float), 3 * n * sizeof(float));
    t->step = h.step;
    t->good_step = h.good_step;
    t->last_zero = h.last_zero;
    t->good_zero = h.good_zero;
    t->first_loss = h.first_loss;
    t->cfg.lr = h.lr;
    t->rng.state = (uint64_t)h.rng_hi << 32 | h.rng_lo;
    t->good_rng.state = (uint64_t)h.good_rng_hi << 32 | h.good_rng_lo;
    t->last = h.last;
    t->good_last = h.good_last;
    t->last_config = h.last_config;
    t->good_config = h.good_config;
    memset(&t->divergence, 0, sizeof t->divergence);
    return 0;
}
