/* fuzz_trainer.c: libFuzzer target for the trainer (train.c) and what it calls:
 * the toy data, the MLP, the optimizers, the loss and the metrics.
 *
 * The bytes become an iam_train_config (every field around its valid range,
 * out-of-range and non-finite values included; fuzz_input.h says how), then
 * iam_trainer_new (or, for data mnist and rows, iam_trainer_new_rows on rows made from
 * the bytes), then a few calls chosen by the bytes: steps, evaluate, embed, forces,
 * set_weight, set_lr, set_params, predict, the state, shown_inputs and the getters, with valid
 * and invalid arguments. Each is held to the contract (status 0 ⇒ finite outputs
 * within their documented ranges; ≠ 0 ⇒ a sentence) and to what iam.h promises
 * besides: a failed step rolls the parameters back to where the call began;
 * set_weight keeps the weight's norm and takes the new direction. Everything is
 * freed at the end, so that libFuzzer's leak check (ASan's) sees any leak.
 *
 * The sizes are bounded (at most 33 classes of a dozen samples, 5 hidden layers
 * of 25 units, batches of 33, 40 steps per input) so that one input runs in
 * milliseconds; the library's limits are reached with values past them, which
 * must fail at once.
 */
#include "fuzz_input.h"

#define MAX_STEPS 40     /* optimizer steps per input, over all step calls */
#define MAX_EVALUATE 2   /* evaluate calls per input (the verification is the slow part) */

static iam_train_config take_train_config(bytes *b) {
    iam_train_config cfg = iam_train_config_default();
    cfg.data = take_int(b, 0, IAM_DATA_KIND_COUNT - 1, IAM_DATA_KIND_COUNT);
    cfg.classes = take_int(b, 1, 12, 33); /* 33: too many for blobs and spiral, fine for identities */
    cfg.train_per_class = take_int(b, 1, 12, 100001);
    cfg.test_per_class = take_int(b, 1, 8, 100001);
    cfg.seed = take_u32(b);
    cfg.n_hidden = take_int(b, 0, IAM_MAX_LAYERS - 2, IAM_MAX_LAYERS); /* hi + 1 = 5 is the last valid one */
    for (int l = 0; l < IAM_MAX_LAYERS - 1; l++) cfg.hidden[l] = take_int(b, 1, 24, IAM_MAX_WIDTH + 1);
    cfg.embed_dim = take_int(b, 1, 8, IAM_MAX_EMBED + 1);
    cfg.activation = take_int(b, 0, IAM_ACT_COUNT - 1, IAM_ACT_COUNT);
    cfg.init = take_int(b, 0, IAM_INIT_COUNT - 1, IAM_INIT_COUNT);
    cfg.loss = take_loss_config(b);
    cfg.optimizer = take_int(b, 0, IAM_OPT_COUNT - 1, IAM_OPT_COUNT);
    cfg.batch_size = take_int(b, 1, 32, 4097);
    uint16_t which = (uint16_t)(take_u8(b) << 8 | take_u8(b)); /* a bit per field: keep the default, or read one */
    if (which & 1) cfg.lr = take_float(b, 0.0f, 0.2f);
    if (which & 2) cfg.lr = take_float(b, 0.0f, 10.0f);
    if (which & 4) cfg.momentum = take_float(b, 0.0f, 0.999f);
    if (which & 8) cfg.weight_decay = take_float(b, 0.0f, 1.0f);
    if (which & 16) cfg.w_lr_mult = take_float(b, 0.0f, 1000.0f);
    if (which & 32) cfg.adam_beta1 = take_float(b, 0.0f, 0.9999f);
    if (which & 64) cfg.adam_beta2 = take_float(b, 0.0f, 0.99999f);
    if (which & 128) cfg.adam_eps = take_float(b, 1e-12f, 1.0f);
    if (which & 256) cfg.anneal = take_int(b, 0, 1, 2);
    if (which & 512) cfg.lambda_base = take_float(b, 0.0f, 1e6f);
    if (which & 1024) cfg.lambda_gamma = take_float(b, 0.0f, 100.0f);
    if (which & 2048) cfg.lambda_power = take_float(b, 0.0f, 100.0f);
    if (which & 4096) cfg.lambda_min = take_float(b, 0.0f, 1e6f);
    if (which & 8192) cfg.augment_shift = take_int(b, 0, 3, 4);
    if (which & 16384) cfg.eval_rows = take_int(b, 0, 20, -1);
    if (which & 32768) cfg.test_fraction = take_float(b, 0.01f, 0.9f);
    return cfg;
}

/* The caller's rows, for data mnist and rows: n rows of dim values, labels mostly in range
   (a few classes left empty or a label out of range now and then: refused with a sentence). */
typedef struct {
    float *x;
    int *labels;
    int n, dim;
} rows;

static rows take_rows(bytes *b, int classes) {
    rows r = { NULL, NULL, take_int(b, 2, 40, 1), take_int(b, 1, 8, IAM_DATA_MAX_DIM + 1) };
    /* room for what C will read: up to 41 rows of up to 9 values; larger counts and
       dimensions (2^31 − 1, 1025) are past the limits and refused before any read */
    size_t n = (size_t)(r.n < 0 ? 0 : r.n > 41 ? 0 : r.n), dim = (size_t)(r.dim >= 1 && r.dim <= 9 ? r.dim : 0);
    r.x = malloc(sizeof(float) * (n * dim + 1));
    r.labels = malloc(sizeof(int) * (n + 1));
    uint8_t bad = take_u8(b);
    for (size_t i = 0; i < n; i++) {
        r.labels[i] = classes > 0 ? (int)(i % (size_t)classes) : 0;
        for (size_t k = 0; k < dim; k++) r.x[i * dim + k] = (float)r.labels[i] + take_float(b, -1.0f, 1.0f);
    }
    if (n && bad == 1) r.labels[take_u8(b) % n] = take_int(b, -1, classes, classes);
    return r;
}

/* What one input's calls share: the trainer, its sizes, and room for its parameters. */
typedef struct {
    iam_trainer *t;
    iam_trainer_sizes s;
    int heldout_ids;
    float *params;        /* n_params */
} session;

static int set_size(const session *z, int set) {
    return set == IAM_SET_TRAIN ? z->s.n_train : set == IAM_SET_TEST ? z->s.n_test : z->s.n_heldout;
}

/* count, clamped to what a careless caller allocates: the set's size and one more */
static size_t room(const session *z, int set, int count) {
    int n = set >= 0 && set <= 2 ? set_size(z, set) : 0;
    return (size_t)(count < 0 ? 0 : count > n + 1 ? n + 1 : count);
}

static void expect_label(int y, int below, const char *what) {
    CHECK(y >= 0 && y < below, "%s: label %d is out of [0, %d)", what, y, below);
}

/* ---- the calls ---- */

/* The state: taken, given back unchanged (params and step equal after), or with a byte
   changed (refused with a sentence, changing nothing, or taken if the byte was harmless). */
static void call_state(session *z, bytes *b) {
    size_t bytes_n = iam_trainer_state_bytes(z->t), n = (size_t)z->s.n_params;
    CHECK(bytes_n > 6 * n * sizeof(float), "state_bytes %zu for %zu parameters", bytes_n, n);
    unsigned char *state = malloc(bytes_n);
    before_call();
    CHECK(expect_status(iam_trainer_get_state(z->t, state, bytes_n - 1), "iam_trainer_get_state") != 0,
          "get_state took a buffer one byte short");
    CHECK(iam_trainer_get_state(z->t, state, bytes_n) == 0, "get_state failed");
    CHECK(iam_trainer_get_params(z->t, z->params, (int)n) == 0, "get_params failed");
    uint8_t how = take_u8(b);
    size_t at = (size_t)(take_u8(b) << 8 | take_u8(b)) % bytes_n;
    if (how & 1) state[at] ^= (unsigned char)(take_u8(b) | 1);
    size_t given = how & 2 ? bytes_n - 1 - at % 3 : bytes_n;
    before_call();
    int status = expect_status(iam_trainer_set_state(z->t, state, given), "iam_trainer_set_state");
    float *now = malloc(sizeof(float) * n);
    CHECK(iam_trainer_get_params(z->t, now, (int)n) == 0, "get_params failed");
    expect_finite(now, n, "params after set_state");
    if (status != 0 || !(how & 1))
        CHECK(memcmp(now, z->params, sizeof(float) * n) == 0, "set_state changed the parameters (status %d)", status);
    if (!(how & 3)) CHECK(status == 0, "set_state refused its own state: %s", iam_last_error());
    free(now);
    free(state);
}

/* shown_inputs: the rows embed shows, with labels in range */
static void call_shown_inputs(session *z, bytes *b) {
    int set = take_int(b, 0, 2, 3), count = take_int(b, 1, 40, 1 << 20);
    size_t rows_n = room(z, set, count), D = (size_t)z->s.input_dim;
    float *x = malloc(sizeof(float) * (rows_n * D + 1));
    int *labels = malloc(sizeof(int) * (rows_n + 1));
    before_call();
    if (expect_status(iam_trainer_shown_inputs(z->t, set, count, x, labels), "iam_trainer_shown_inputs") == 0) {
        CHECK(set >= 0 && set <= 2 && count >= 1 && count <= set_size(z, set), "shown_inputs(%d, %d) returned 0", set, count);
        expect_finite(x, (size_t)count * D, "shown inputs");
        for (int i = 0; i < count; i++)
            expect_label(labels[i], set == IAM_SET_HELDOUT ? z->heldout_ids : z->s.classes, "shown_inputs");
    }
    free(x); free(labels);
}

/* A step call: status 0 ⇒ k more steps and finite losses. A failure is either a
   divergence, rolled back to a good state no later than where the call began (bit
   for bit when it is that one), or a stop that keeps the steps before it. Either
   way no parameter is left NaN or Inf. */
static void call_step(session *z, bytes *b, int *steps_left) {
    const size_t n = (size_t)z->s.n_params;
    int k = take_int(b, 0, 20, 1000001);
    if (k > *steps_left && k <= 1000000) k = *steps_left; /* valid, but too slow for a fuzz input */
    if (k > 0 && k <= 1000000) *steps_left -= k; /* past 1000000 it fails at once */
    iam_last_step before, after;
    CHECK(iam_trainer_last_step(z->t, &before) == 0, "last_step failed");
    CHECK(iam_trainer_get_params(z->t, z->params, (int)n) == 0, "get_params failed");
    before_call();
    int status = expect_status(iam_trainer_step(z->t, k), "iam_trainer_step");
    CHECK(iam_trainer_last_step(z->t, &after) == 0, "last_step failed");
    iam_divergence dv;
    CHECK(iam_trainer_divergence(z->t, &dv) == 0, "divergence failed");
    float *now = malloc(sizeof(float) * n);
    CHECK(iam_trainer_get_params(z->t, now, (int)n) == 0, "get_params failed");
    expect_finite(now, n, "params after a step call");
    if (status == 0) {
        CHECK(k >= 0 && k <= 1000000, "step(%d) returned 0", k);
        CHECK(after.step == before.step + k, "step(%d) went from step %d to %d", k, before.step, after.step);
        CHECK(isfinite(after.loss) && isfinite(after.base) && isfinite(after.iam),
              "a step returned 0 with loss %g, base %g, iam %g", after.loss, after.base, after.iam);
        CHECK(dv.failed_step == 0, "a step that returned 0 reports a divergence at step %d", dv.failed_step);
    } else if (dv.failed_step) {
        CHECK(k >= 1 && k <= 1000000, "step(%d) reports a divergence", k);
        CHECK(dv.failed_step > before.step && dv.failed_step <= before.step + (long long)k && dv.good_step <= before.step &&
                  after.step == dv.good_step && dv.reason[0],
              "step(%d) from step %d diverged at step %d, rolled back to %d, is at %d", k, before.step,
              dv.failed_step, dv.good_step, after.step);
        if (dv.good_step == before.step)
            CHECK(memcmp(now, z->params, sizeof(float) * n) == 0, "a failed step did not roll the parameters back");
    } else {
        CHECK(after.step >= before.step && after.step <= before.step + (long long)(k > 0 ? k : 0),
              "step(%d) failed and moved from step %d to %d", k, before.step, after.step);
    }
    free(now);
}

static void call_evaluate(session *z, bytes *b) {
    int bins = take_int(b, 1, 40, 1001), with_hist = take_u8(b) & 1;
    int *hist = with_hist ? malloc(sizeof(int) * (size_t)(bins < 0 ? 0 : bins > 1001 ? 1001 : bins)) : NULL;
    iam_train_metrics m;
    before_call();
    int status = expect_status(iam_trainer_evaluate(z->t, &m, hist, bins), "iam_trainer_evaluate");
    if (status == 0) {
        const float all[] = { m.loss, m.base, m.iam, m.train_acc, m.test_acc, m.min_weight_angle_deg,
                              m.mean_nn_weight_angle_deg, m.min_center_angle_deg, m.mean_nn_center_angle_deg,
                              m.min_sample_margin_deg, m.mean_sample_margin_deg, m.packing_limit_deg,
                              m.verify_acc, m.tar_far_1e2 };
        expect_finite(all, sizeof all / sizeof all[0], "the metrics");
        const float unit[] = { m.train_acc, m.test_acc, m.verify_acc, m.tar_far_1e2 };
        for (int k = 0; k < 4; k++) CHECK(unit[k] >= 0.0f && unit[k] <= 1.0f, "a rate of %g", unit[k]);
        const float angles[] = { m.min_weight_angle_deg, m.mean_nn_weight_angle_deg, m.min_center_angle_deg,
                                 m.mean_nn_center_angle_deg, m.packing_limit_deg };
        for (int k = 0; k < 5; k++) CHECK(angles[k] >= 0.0f && angles[k] <= 180.0f, "an angle of %g", angles[k]);
        CHECK(m.min_sample_margin_deg >= -180.0f && m.min_sample_margin_deg <= m.mean_sample_margin_deg + 1e-3f &&
                  m.mean_sample_margin_deg <= 180.0f,
              "sample margins min %g, mean %g", m.min_sample_margin_deg, m.mean_sample_margin_deg);
        if (hist) {
            long total = 0;
            for (int k = 0; k < bins; k++) total += hist[k];
            int cap = iam_trainer_config(z->t)->eval_rows, n = cap && cap < z->s.n_train ? cap : z->s.n_train;
            CHECK(total == n, "the margin histogram counts %ld of %d samples", total, n);
        }
    }
    free(hist);
}

static void call_embed(session *z, bytes *b) {
    int set = take_int(b, 0, 2, 3), count = take_int(b, 1, 40, 1 << 20);
    size_t rows = room(z, set, count), d = (size_t)z->s.embed_dim;
    float *emb = malloc(sizeof(float) * rows * d);
    int *labels = malloc(sizeof(int) * rows);
    before_call();
    int status = expect_status(iam_trainer_embed(z->t, set, count, emb, labels), "iam_trainer_embed");
    if (status == 0) {
        CHECK(set >= 0 && set <= 2 && count >= 1 && count <= set_size(z, set), "embed(%d, %d) returned 0", set, count);
        expect_finite(emb, (size_t)count * d, "emb");
        for (int i = 0; i < count; i++) {
            float norm2 = 0.0f;
            for (size_t k = 0; k < d; k++) norm2 += emb[i * d + k] * emb[i * d + k];
            CHECK(norm2 == 0.0f || fabsf(norm2 - 1.0f) < 1e-4f, "embedding %d has norm^2 %g", i, norm2);
            expect_label(labels[i], set == IAM_SET_HELDOUT ? z->heldout_ids : z->s.classes, "embed");
        }
    }
    free(emb); free(labels);
}

static void call_forces(session *z, bytes *b) {
    int set = take_int(b, 0, 2, 3), count = take_int(b, 1, 40, 1 << 20);
    uint8_t outputs = take_u8(b); /* a bit per output: NULL or an array */
    size_t rows = room(z, set, count), d = (size_t)z->s.embed_dim, c = (size_t)z->s.classes;
    float *o[7];
    const size_t len[7] = { rows * d, rows * d, c * d, c * d, rows, rows, rows };
    for (int k = 0; k < 7; k++) o[k] = (outputs >> k & 1) ? malloc(sizeof(float) * len[k]) : NULL;
    before_call();
    int status = expect_status(iam_trainer_forces(z->t, set, count, o[0], o[1], o[2], o[3], o[4], o[5], o[6]),
                               "iam_trainer_forces");
    if (status == 0) {
        static const char *names[7] = { "x_base", "x_iam", "w_base", "w_iam", "loss_base", "loss_iam", "margins_deg" };
        for (int k = 0; k < 7; k++) expect_finite(o[k], len[k], names[k]);
        for (size_t i = 0; o[4] && i < rows; i++) CHECK(o[4][i] >= 0.0f, "loss_base[%zu] = %g", i, o[4][i]);
        for (size_t i = 0; o[6] && i < rows; i++)
            CHECK(o[6][i] >= -180.0f && o[6][i] <= 180.0f, "margins_deg[%zu] = %g", i, o[6][i]);
    }
    for (int k = 0; k < 7; k++) free(o[k]);
}

/* set_weight keeps ‖W_j‖ and points W_j along the direction (iam.h) */
static void call_set_weight(session *z, bytes *b) {
    const int c = z->s.classes, d = z->s.embed_dim;
    int j = take_int(b, 0, c - 1, c), null_direction = take_u8(b) == 7;
    float *direction = malloc(sizeof(float) * (size_t)d);
    uint8_t specials = take_u8(b);
    for (int k = 0; k < d; k++) direction[k] = specials & 1 ? take_float(b, -2.0f, 2.0f) : 1.0f + (float)k;
    float *w_before = malloc(sizeof(float) * (size_t)c * d), *w_after = malloc(sizeof(float) * (size_t)c * d);
    float *n_before = malloc(sizeof(float) * (size_t)c), *n_after = malloc(sizeof(float) * (size_t)c);
    CHECK(iam_trainer_weights(z->t, w_before, n_before) == 0, "weights failed");
    before_call();
    int status = expect_status(iam_trainer_set_weight(z->t, j, null_direction ? NULL : direction),
                               "iam_trainer_set_weight");
    if (status == 0) {
        CHECK(j >= 0 && j < c && !null_direction && !any_non_finite(direction, (size_t)d),
              "set_weight(%d) returned 0 for an invalid argument", j);
        CHECK(iam_trainer_weights(z->t, w_after, n_after) == 0, "weights failed");
        expect_finite(w_after, (size_t)c * d, "w_hat");
        expect_finite(n_after, (size_t)c, "norms");
        CHECK(fabsf(n_after[j] - n_before[j]) <= 1e-3f * n_before[j],
              "set_weight changed the norm of W_%d from %g to %g", j, n_before[j], n_after[j]);
        double dot = 0.0, dd = 0.0;
        for (int k = 0; k < d; k++) {
            dot += (double)w_after[j * d + k] * direction[k];
            dd += (double)direction[k] * direction[k];
        }
        if (n_before[j] > 0.0f && dd > 0.0 && isfinite(dd)) /* a zero W_j has no direction to turn */
            CHECK(dot / sqrt(dd) > 0.999, "W_%d does not point along the direction (cos %g)", j, dot / sqrt(dd));
    }
    free(direction); free(w_before); free(w_after); free(n_before); free(n_after);
}

static void call_set_lr(session *z, bytes *b) {
    float lr = take_float(b, 0.0f, 0.2f);
    before_call();
    if (expect_status(iam_trainer_set_lr(z->t, lr), "iam_trainer_set_lr") == 0)
        CHECK(lr > 0.0f && lr <= 10.0f && iam_trainer_config(z->t)->lr == lr, "set_lr(%g) returned 0", lr);
}

/* set_params with one value changed, and sometimes the wrong count */
static void call_set_params(session *z, bytes *b) {
    const int n = z->s.n_params;
    before_call(); /* an array of n + 1 is the wrong size too (z->params holds n: ASan sees a write past it) */
    CHECK(expect_status(iam_trainer_get_params(z->t, z->params, n + 1), "iam_trainer_get_params") != 0,
          "get_params took %d floats for %d parameters", n + 1, n);
    CHECK(iam_trainer_get_params(z->t, z->params, n) == 0, "get_params failed");
    expect_finite(z->params, (size_t)n, "params");
    z->params[take_u8(b) % n] = take_float(b, -2.0f, 2.0f);
    int count = take_u8(b) == 3 ? n + 1 : n;
    before_call();
    if (expect_status(iam_trainer_set_params(z->t, z->params, count), "iam_trainer_set_params") == 0) {
        CHECK(count == n && !any_non_finite(z->params, (size_t)n), "set_params returned 0 for bad values");
        float *back = malloc(sizeof(float) * (size_t)n);
        CHECK(iam_trainer_get_params(z->t, back, n) == 0, "get_params failed");
        CHECK(memcmp(back, z->params, sizeof(float) * (size_t)n) == 0, "get_params does not give back set_params");
        free(back);
    }
}

static void call_predict(session *z, bytes *b) {
    int count = take_int(b, 1, 16, (1 << 20) + 1);
    size_t rows = (size_t)(count < 0 ? 0 : count > 17 ? 17 : count), D = (size_t)z->s.input_dim;
    float *inputs = malloc(sizeof(float) * rows * D);
    int *classes = malloc(sizeof(int) * rows);
    for (size_t k = 0; k < rows * D; k++) inputs[k] = (float)(k % 7) * 0.3f - 1.0f;
    if (rows * D) inputs[take_u8(b) % (rows * D)] = take_float(b, -4.0f, 4.0f);
    before_call();
    if (expect_status(iam_trainer_predict(z->t, inputs, count, classes), "iam_trainer_predict") == 0) {
        CHECK(!any_non_finite(inputs, (size_t)count * D), "predict returned 0 for non-finite inputs");
        for (int i = 0; i < count; i++) expect_label(classes[i], z->s.classes, "predict");
    }
    free(inputs); free(classes);
}

/* the getters: weights, inputs, last step, sizes */
static void call_getters(session *z, bytes *b) {
    const size_t c = (size_t)z->s.classes, d = (size_t)z->s.embed_dim;
    float *w_hat = malloc(sizeof(float) * c * d), *norms = malloc(sizeof(float) * c);
    int with_norms = take_u8(b) & 1;
    before_call();
    if (expect_status(iam_trainer_weights(z->t, w_hat, with_norms ? norms : NULL), "iam_trainer_weights") == 0) {
        expect_finite(w_hat, c * d, "w_hat");
        if (with_norms) expect_finite(norms, c, "norms");
    }
    free(w_hat); free(norms);

    int set = take_int(b, 0, 2, 3);
    size_t n = (size_t)(set >= 0 && set <= 2 ? set_size(z, set) : 0), D = (size_t)z->s.input_dim;
    float *x = malloc(sizeof(float) * n * D);
    int *labels = malloc(sizeof(int) * n);
    before_call();
    if (expect_status(iam_trainer_inputs(z->t, set, x, labels), "iam_trainer_inputs") == 0) {
        expect_finite(x, n * D, "inputs");
        for (size_t i = 0; i < n; i++)
            expect_label(labels[i], set == IAM_SET_HELDOUT ? z->heldout_ids : (int)c, "inputs");
    }
    free(x); free(labels);

    iam_last_step ls;
    CHECK(iam_trainer_last_step(z->t, &ls) == 0 && isfinite(ls.loss) && isfinite(ls.base) && isfinite(ls.iam),
          "last_step");
    iam_trainer_sizes s;
    CHECK(iam_trainer_get_sizes(z->t, &s) == 0 && memcmp(&s, &z->s, sizeof s) == 0, "the sizes changed");
}

/* every entry point, given no trainer, fails with a sentence */
static void call_with_null(void) {
    iam_train_metrics m;
    iam_last_step ls;
    iam_trainer_sizes s;
    iam_divergence dv;
    float f[4] = { 1, 0, 0, 0 };
    int labels[4];
#define NULL_CALL(call)                                                               \
    do {                                                                              \
        before_call();                                                                \
        CHECK(expect_status(call, #call) != 0, "%s returned 0", #call);               \
    } while (0)
    NULL_CALL(iam_trainer_new(NULL, NULL));
    NULL_CALL(iam_trainer_step(NULL, 1));
    NULL_CALL(iam_trainer_evaluate(NULL, &m, NULL, 0));
    NULL_CALL(iam_trainer_embed(NULL, 0, 1, f, labels));
    NULL_CALL(iam_trainer_forces(NULL, 0, 1, f, f, f, f, f, f, f));
    NULL_CALL(iam_trainer_set_weight(NULL, 0, f));
    NULL_CALL(iam_trainer_set_lr(NULL, 0.1f));
    NULL_CALL(iam_trainer_set_params(NULL, f, 4));
    NULL_CALL(iam_trainer_get_params(NULL, f, 4));
    NULL_CALL(iam_trainer_predict(NULL, f, 1, labels));
    NULL_CALL(iam_trainer_weights(NULL, f, f));
    NULL_CALL(iam_trainer_inputs(NULL, 0, f, labels));
    NULL_CALL(iam_trainer_last_step(NULL, &ls));
    NULL_CALL(iam_trainer_get_sizes(NULL, &s));
    NULL_CALL(iam_trainer_divergence(NULL, &dv));
    NULL_CALL(iam_trainer_new_rows(NULL, f, labels, 2, 2, NULL));
    NULL_CALL(iam_trainer_get_state(NULL, f, sizeof f));
    NULL_CALL(iam_trainer_set_state(NULL, f, sizeof f));
    NULL_CALL(iam_trainer_shown_inputs(NULL, 0, 1, f, labels));
#undef NULL_CALL
    iam_trainer_free(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bytes b = { data, size };
    iam_train_config cfg = take_train_config(&b);
    session z = { 0 };
    z.t = (iam_trainer *)&z; /* not NULL, so that a failing new must set it to NULL */
    const int from_rows = cfg.data == IAM_DATA_MNIST || cfg.data == IAM_DATA_ROWS;
    rows r = { 0 };
    if (from_rows) r = take_rows(&b, cfg.classes);
    before_call();
    int made = from_rows ? iam_trainer_new_rows(&cfg, r.x, r.labels, r.n, r.dim, &z.t) : iam_trainer_new(&cfg, &z.t);
    free(r.x);
    free(r.labels);   /* the trainer keeps its own copy */
    if (expect_status(made, from_rows ? "iam_trainer_new_rows" : "iam_trainer_new")) {
        CHECK(z.t == NULL, "a failed iam_trainer_new left *out set");
        return 0;
    }
    CHECK(z.t != NULL, "iam_trainer_new returned 0 and no trainer");
    CHECK(iam_trainer_get_sizes(z.t, &z.s) == 0, "get_sizes failed");
    CHECK(z.s.classes == cfg.classes && z.s.embed_dim == cfg.embed_dim && z.s.n_train >= z.s.classes &&
              z.s.n_params > 0,
          "the sizes do not match the config");
    z.heldout_ids = iam_trainer_dataset(z.t)->heldout_ids;
    z.params = malloc(sizeof(float) * (size_t)z.s.n_params);

    int steps_left = MAX_STEPS, evaluations = 0, calls = take_u8(&b) % 12;
    for (int q = 0; q < calls; q++) {
        switch (take_u8(&b) % 12) {
        case 0: call_step(&z, &b, &steps_left); break;
        case 1: if (evaluations++ < MAX_EVALUATE) call_evaluate(&z, &b); break;
        case 2: call_embed(&z, &b); break;
        case 3: call_forces(&z, &b); break;
        case 4: call_set_weight(&z, &b); break;
        case 5: call_set_lr(&z, &b); break;
        case 6: call_set_params(&z, &b); break;
        case 7: call_predict(&z, &b); break;
        case 8: call_getters(&z, &b); break;
        case 9: call_state(&z, &b); break;
        case 10: call_shown_inputs(&z, &b); break;
        default: call_with_null(); break;
        }
    }
    free(z.params);
    iam_trainer_free(z.t);
    return 0;
}
