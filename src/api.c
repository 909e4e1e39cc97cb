/* api.c: the flat exports that the WebAssembly binding (wasm/iam.js) calls.
 *
 * JS cannot build a C struct easily, so each entry point here takes plain
 * numbers and pointers into wasm memory and fills the struct itself. Nothing
 * here computes anything: it is glue, kept apart so that iam.h stays the API a
 * C user reads. */
#include <stddef.h>

#include "iam.h"

/* out3 gets { loss, base, iam } */
int iam_loss_flat(int kind, float scale, float margin, float m1, float m2, float m3, float beta,
                  float lambda, int feature_norm, int fallback, const float *x, const float *W,
                  const int *labels, int n, int d, int c, float *dx, float *dW, float *out3,
                  float *work) {
    iam_loss_config cfg = { kind, scale, margin, m1, m2, m3, beta, lambda, feature_norm, fallback };
    iam_loss_result r = { 0 };
    int status = iam_loss(&cfg, x, W, labels, n, d, c, dx, dW, &r, work);
    out3[0] = r.loss;
    out3[1] = r.base;
    out3[2] = r.iam;
    return status;
}

/* size_t is 32-bit in wasm32, but say what JS gets: a float count as an int */
int iam_loss_work_floats_flat(int n, int d, int c) { return (int)iam_loss_work_floats(n, d, c); }

/* ---- the trainer ----
 * The training config crosses as values in the order of this table: JS reads
 * the names once (iam_train_field_name) so the order lives in one place.
 * Integers travel as doubles, exactly. */

typedef struct {
    const char *name;
    size_t offset;
    char type; /* 'i' int, 'u' unsigned, 'f' float */
} field;

#define FIELD(name, member, type) { name, offsetof(iam_train_config, member), type }
static const field train_fields[] = {
    FIELD("data", data, 'i'), FIELD("classes", classes, 'i'),
    FIELD("train_per_class", train_per_class, 'i'), FIELD("test_per_class", test_per_class, 'i'),
    FIELD("seed", seed, 'u'),
    FIELD("hidden0", hidden[0], 'i'), FIELD("hidden1", hidden[1], 'i'), FIELD("hidden2", hidden[2], 'i'),
    FIELD("hidden3", hidden[3], 'i'), FIELD("hidden4", hidden[4], 'i'), FIELD("n_hidden", n_hidden, 'i'),
    FIELD("embed_dim", embed_dim, 'i'), FIELD("activation", activation, 'i'), FIELD("init", init, 'i'),
    FIELD("kind", loss.kind, 'i'), FIELD("scale", loss.scale, 'f'), FIELD("margin", loss.margin, 'f'),
    FIELD("m1", loss.m1, 'f'), FIELD("m2", loss.m2, 'f'), FIELD("m3", loss.m3, 'f'),
    FIELD("beta", loss.beta, 'f'), FIELD("lambda", loss.lambda, 'f'),
    FIELD("feature_norm", loss.feature_norm, 'i'), FIELD("fallback", loss.fallback, 'i'),
    FIELD("anneal", anneal, 'i'), FIELD("lambda_base", lambda_base, 'f'),
    FIELD("lambda_gamma", lambda_gamma, 'f'), FIELD("lambda_power", lambda_power, 'f'),
    FIELD("lambda_min", lambda_min, 'f'), FIELD("optimizer", optimizer, 'i'), FIELD("lr", lr, 'f'),
    FIELD("momentum", momentum, 'f'), FIELD("weight_decay", weight_decay, 'f'),
    FIELD("w_lr_mult", w_lr_mult, 'f'), FIELD("adam_beta1", adam_beta1, 'f'),
    FIELD("adam_beta2", adam_beta2, 'f'), FIELD("adam_eps", adam_eps, 'f'),
    FIELD("batch_size", batch_size, 'i'),
};
#define N_FIELDS ((int)(sizeof train_fields / sizeof train_fields[0]))

int iam_train_field_count(void) { return N_FIELDS; }
const char *iam_train_field_name(int k) { return k >= 0 && k < N_FIELDS ? train_fields[k].name : ""; }

/* values (N_FIELDS) ← the defaults */
void iam_train_defaults_flat(double *values) {
    iam_train_config cfg = iam_train_config_default();
    for (int k = 0; k < N_FIELDS; k++) {
        const char *p = (const char *)&cfg + train_fields[k].offset;
        values[k] = train_fields[k].type == 'f' ? (double)*(const float *)p
                  : train_fields[k].type == 'u' ? (double)*(const unsigned *)p
                                                : (double)*(const int *)p;
    }
}

/* A new trainer from values (N_FIELDS); *out gets its address (0 on error). */
int iam_trainer_new_flat(const double *values, iam_trainer **out) {
    iam_train_config cfg = iam_train_config_default();
    for (int k = 0; k < N_FIELDS; k++) {
        char *p = (char *)&cfg + train_fields[k].offset;
        if (train_fields[k].type == 'f') *(float *)p = (float)values[k];
        else if (train_fields[k].type == 'u') *(unsigned *)p = (unsigned)values[k];
        else *(int *)p = (int)values[k];
    }
    return iam_trainer_new(&cfg, out);
}

/* The metrics as floats, in the order of wasm/iam.js's METRIC_NAMES. */
int iam_trainer_evaluate_flat(iam_trainer *t, float *values, int *hist, int bins) {
    iam_train_metrics m;
    int status = iam_trainer_evaluate(t, &m, bins > 0 ? hist : NULL, bins);
    if (status) return status;
    const float v[] = { (float)m.step, m.loss, m.base, m.iam, m.lambda, m.train_acc, m.test_acc,
                        m.min_weight_angle_deg, m.mean_nn_weight_angle_deg, m.min_center_angle_deg,
                        m.mean_nn_center_angle_deg, m.min_sample_margin_deg, m.mean_sample_margin_deg,
                        m.packing_limit_deg, m.verify_acc, m.tar_far_1e2 };
    for (int k = 0; k < (int)(sizeof v / sizeof v[0]); k++) values[k] = v[k];
    return 0;
}

/* Sizes JS needs: 0 train, 1 test, 2 held-out counts; 3 input dim; 4 embed dim; 5 classes */
int iam_trainer_size(const iam_trainer *t, int what) {
    const iam_dataset *ds = iam_trainer_dataset(t);
    const iam_train_config *cfg = iam_trainer_config(t);
    if (!ds || !cfg) return -1;
    switch (what) {
    case 0: return ds->n_train;
    case 1: return ds->n_test;
    case 2: return ds->n_heldout;
    case 3: return ds->dim;
    case 4: return cfg->embed_dim;
    case 5: return cfg->classes;
    default: return -1;
    }
}

/* The raw inputs of a set (for the input-space panel): (n, dim) and labels. */
const float *iam_trainer_inputs(const iam_trainer *t, int set) {
    const iam_dataset *ds = iam_trainer_dataset(t);
    if (!ds) return 0;
    return set == 0 ? ds->x_train : set == 1 ? ds->x_test : ds->x_heldout;
}
const int *iam_trainer_input_labels(const iam_trainer *t, int set) {
    const iam_dataset *ds = iam_trainer_dataset(t);
    if (!ds) return 0;
    return set == 0 ? ds->y_train : set == 1 ? ds->y_test : ds->y_heldout;
}

/* out4 gets { loss, base, iam, steps } of the last step */
int iam_trainer_last_flat(const iam_trainer *t, float *out4) {
    iam_loss_result r = { 0 };
    int steps = 0, status = iam_trainer_last(t, &r, &steps);
    out4[0] = r.loss;
    out4[1] = r.base;
    out4[2] = r.iam;
    out4[3] = (float)steps;
    return status;
}

/* out2 gets { accuracy, tar_at_far_1e2 } of toy-LFW verification (metrics.c) */
int iam_verification_flat(const float *emb, const int *ids, int n, int d, int n_pairs, unsigned seed, float *out2) {
    return iam_verification(emb, ids, n, d, n_pairs, seed, &out2[0], &out2[1]);
}
