/* api.c: the names that cross to JavaScript, and nothing else.
 *
 * The binding (wasm/iam.js) calls the functions of iam.h directly, with pointers
 * into wasm memory. What it cannot know by itself is the layout of the structs
 * those functions read and write (iam_loss_config, iam_train_config,
 * iam_train_metrics, ...). So every such struct has a table here: for each field
 * its name, its offset, its type and, for an enum, the names of its values. JS
 * reads the tables once and writes and reads the structs by name; no JS code knows
 * a C field order, an enum's numbering or where a tensor sits in memory.
 *
 * The names are the ones the JS API and the CLI's JSON use (camelCase for configs,
 * the metric names as in DESIGN.md). Adding a metric is one member in iam.h, one
 * line of train.c that computes it, and one line here.
 *
 * It deliberately computes nothing: it is a dictionary, kept apart so that iam.h
 * stays the API a C user reads.
 */
#include <stddef.h>
#include <string.h>

#include "iam.h"

typedef struct iam_table iam_table;

typedef struct {
    const char *name;          /* what JS calls it                                          */
    size_t offset;             /* in bytes, from the start of the struct                    */
    char type;                 /* 'i' int, 'u' unsigned, 'f' float, 'b' int used as a flag,
                                  'e' int enum (names below), 's' char array (a C string),
                                  't' a nested struct (table below)                         */
    int length;                /* elements of an array field; bytes of an 's'; else 1       */
    const char *const *names;  /* 'e': the value names, NULL-terminated (iam.h)             */
    const iam_table *table;    /* 't': the nested struct's table                            */
    const char *count;         /* an array field: the name of the int field counting its use */
} field;

struct iam_table {
    const char *name;
    const field *fields;
    int n_fields;
    size_t bytes;
    void (*defaults)(void *s); /* fills a struct with the library's defaults (may be NULL)  */
};

#define F(S, name, member, type) { name, offsetof(S, member), type, 1, NULL, NULL, NULL }
#define E(S, name, member, names) { name, offsetof(S, member), 'e', 1, names, NULL, NULL }
#define T(S, name, member, table) { name, offsetof(S, member), 't', 1, NULL, &table, NULL }
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))
#define TABLE(name, S, fields, defaults) { name, fields, COUNT(fields), sizeof(S), defaults }

/* ---- the loss ---- */

/* The defaults for the kind already in the struct: each loss's own margin. */
static void loss_defaults(void *s) {
    iam_loss_config *cfg = s;
    *cfg = iam_loss_config_default(cfg->kind);
}

#define L(name, member, type) F(iam_loss_config, name, member, type)
static const field loss_fields[] = {
    E(iam_loss_config, "kind", kind, iam_kind_names), L("scale", scale, 'f'), L("margin", margin, 'f'),
    L("m1", m1, 'f'), L("m2", m2, 'f'), L("m3", m3, 'f'), L("beta", beta, 'f'), L("lambda", lambda, 'f'),
    L("featureNorm", feature_norm, 'b'), E(iam_loss_config, "fallback", fallback, iam_fallback_names),
    L("momentum", momentum, 'f'), L("h", h, 'f'), L("la", la, 'f'), L("ua", ua, 'f'), L("lm", lm, 'f'),
    L("um", um, 'f'), L("lambdaG", lambda_g, 'f'), L("subcenters", subcenters, 'i'),
    L("marginStd", margin_std, 'f'), L("marginSeed", margin_seed, 'u'), L("detachMargin", detach_margin, 'b'),
    L("t", t, 'f'), L("normMean", norm_mean, 'f'), L("normStd", norm_std, 'f'),
    E(iam_loss_config, "iamVariant", iam_variant, iam_variant_names),
    E(iam_loss_config, "iamStop", iam_stop, iam_stop_names),
};
static const iam_table loss_table = TABLE("loss_config", iam_loss_config, loss_fields, loss_defaults);

static const field result_fields[] = {
    F(iam_loss_result, "loss", loss, 'f'), F(iam_loss_result, "base", base, 'f'), F(iam_loss_result, "iam", iam, 'f'),
};
static const iam_table result_table = TABLE("loss_result", iam_loss_result, result_fields, NULL);

/* ---- the trainer ---- */

static void train_defaults(void *s) { *(iam_train_config *)s = iam_train_config_default(); }

#define C(name, member, type) F(iam_train_config, name, member, type)
static const field train_fields[] = {
    E(iam_train_config, "data", data, iam_data_names), C("classes", classes, 'i'),
    C("trainPerClass", train_per_class, 'i'), C("testPerClass", test_per_class, 'i'),
    C("testFraction", test_fraction, 'f'), C("seed", seed, 'u'),
    { "hidden", offsetof(iam_train_config, hidden), 'i', IAM_MAX_LAYERS - 1, NULL, NULL, "nHidden" },
    C("nHidden", n_hidden, 'i'), C("dim", embed_dim, 'i'),
    E(iam_train_config, "activation", activation, iam_activation_names),
    E(iam_train_config, "init", init, iam_init_names),
    T(iam_train_config, "loss", loss, loss_table),
    C("anneal", anneal, 'b'), C("lambdaBase", lambda_base, 'f'), C("lambdaGamma", lambda_gamma, 'f'),
    C("lambdaPower", lambda_power, 'f'), C("lambdaMin", lambda_min, 'f'),
    E(iam_train_config, "optimizer", optimizer, iam_optimizer_names), C("lr", lr, 'f'),
    C("momentum", momentum, 'f'), C("weightDecay", weight_decay, 'f'), C("wLrMult", w_lr_mult, 'f'),
    C("adamBeta1", adam_beta1, 'f'), C("adamBeta2", adam_beta2, 'f'), C("adamEps", adam_eps, 'f'),
    C("batchSize", batch_size, 'i'), C("augmentShift", augment_shift, 'i'),
    C("evalRows", eval_rows, 'i'),
};
static const iam_table train_table = TABLE("train_config", iam_train_config, train_fields, train_defaults);

#define M(name) F(iam_train_metrics, #name, name, 'f')
static const field metric_fields[] = {
    F(iam_train_metrics, "step", step, 'i'), M(loss), M(base), M(iam), M(train_acc), M(test_acc),
    M(min_weight_angle_deg), M(mean_nn_weight_angle_deg), M(min_center_angle_deg),
    M(mean_nn_center_angle_deg), M(min_sample_margin_deg), M(mean_sample_margin_deg),
    M(packing_limit_deg), M(verify_acc), M(tar_far_1e2),
};
static const iam_table metric_table = TABLE("metrics", iam_train_metrics, metric_fields, NULL);

#define Z(name, member) F(iam_trainer_sizes, name, member, 'i')
static const field size_fields[] = {
    Z("nTrain", n_train), Z("nTest", n_test), Z("nHeldout", n_heldout), Z("inputDim", input_dim),
    Z("dim", embed_dim), Z("classes", classes), Z("subcenters", subcenters), Z("nParams", n_params),
};
static const iam_table size_table = TABLE("sizes", iam_trainer_sizes, size_fields, NULL);

static const field last_fields[] = {
    F(iam_last_step, "step", step, 'i'), F(iam_last_step, "loss", loss, 'f'), F(iam_last_step, "base", base, 'f'),
    F(iam_last_step, "iam", iam, 'f'), T(iam_last_step, "config", config, loss_table),
    F(iam_last_step, "zeroEmbeddings", zero_embeddings, 'i'),
};
static const iam_table last_table = TABLE("last_step", iam_last_step, last_fields, NULL);

static const field divergence_fields[] = {
    F(iam_divergence, "failedStep", failed_step, 'i'), F(iam_divergence, "goodStep", good_step, 'i'),
    { "reason", offsetof(iam_divergence, reason), 's', sizeof(((iam_divergence *)0)->reason), NULL, NULL, NULL },
};
static const iam_table divergence_table = TABLE("divergence", iam_divergence, divergence_fields, NULL);

static const iam_table *const tables[] = {
    &loss_table, &result_table, &train_table, &metric_table, &size_table, &last_table, &divergence_table,
};

/* ---- what the binding calls ---- */

/* The table of a struct by name ("loss_config", "metrics", ...), or NULL. */
const iam_table *iam_table_find(const char *name) {
    for (int k = 0; k < COUNT(tables); k++)
        if (name && strcmp(tables[k]->name, name) == 0) return tables[k];
    return NULL;
}

int iam_table_bytes(const iam_table *t) { return t ? (int)t->bytes : 0; }
int iam_table_field_count(const iam_table *t) { return t ? t->n_fields : 0; }

/* Fill s with the defaults (a table without defaults zeroes it). */
void iam_table_defaults(const iam_table *t, void *s) {
    if (!t || !s) return;
    if (t->defaults) t->defaults(s);
    else memset(s, 0, t->bytes);
}

static const field *field_at(const iam_table *t, int k) { return t && k >= 0 && k < t->n_fields ? &t->fields[k] : NULL; }

const char *iam_field_name(const iam_table *t, int k) { const field *f = field_at(t, k); return f ? f->name : ""; }
int iam_field_offset(const iam_table *t, int k) { const field *f = field_at(t, k); return f ? (int)f->offset : -1; }
int iam_field_type(const iam_table *t, int k) { const field *f = field_at(t, k); return f ? f->type : 0; }
int iam_field_length(const iam_table *t, int k) { const field *f = field_at(t, k); return f ? f->length : 0; }
const iam_table *iam_field_table(const iam_table *t, int k) { const field *f = field_at(t, k); return f ? f->table : NULL; }
const char *iam_field_count(const iam_table *t, int k) {
    const field *f = field_at(t, k);
    return f && f->count ? f->count : "";
}
/* The name of value v of an enum field, or NULL past the last one. */
const char *iam_field_enum(const iam_table *t, int k, int v) {
    const field *f = field_at(t, k);
    if (!f || !f->names || v < 0) return NULL;
    for (int q = 0; q <= v; q++)
        if (!f->names[q]) return NULL;
    return f->names[v];
}

/* ---- the enum names (iam.h): the one place they are spelled ---- */

const char *const iam_kind_names[] = { "softmax", "normface", "sphereface", "cosface", "arcface", "combined",
                                       "curricularface", "adaface", "magface", NULL };
const char *const iam_fallback_names[] = { "continuous", "insightface", "easy", "none", NULL };
const char *const iam_variant_names[] = { "default", "log-odds", "push-only", "weights", NULL };
const char *const iam_stop_names[] = { "none", "W", "x", NULL };
const char *const iam_data_names[] = { "blobs", "spiral", "glyphs", "identities", "mnist", "rows", NULL };
const char *const iam_activation_names[] = { "relu", "prelu", "tanh", NULL };
const char *const iam_init_names[] = { "he", "xavier", NULL };
const char *const iam_optimizer_names[] = { "sgd", "adam", NULL };
const char *const iam_set_names[] = { "train", "test", "heldout", NULL };

/* Every list above by the name of what it names ("kind", "data", "set", ...). */
static const struct {
    const char *name;
    const char *const *values;
} name_lists[] = {
    { "kind", iam_kind_names }, { "fallback", iam_fallback_names }, { "data", iam_data_names },
    { "activation", iam_activation_names }, { "init", iam_init_names }, { "optimizer", iam_optimizer_names },
    { "set", iam_set_names }, { "iamVariant", iam_variant_names }, { "iamStop", iam_stop_names },
};

/* The name of value v in the list `list`, or NULL past its end (or for an unknown list). */
const char *iam_name(const char *list, int v) {
    for (int k = 0; k < COUNT(name_lists); k++) {
        if (!list || strcmp(name_lists[k].name, list) != 0) continue;
        for (int q = 0; q <= v; q++)
            if (!name_lists[k].values[q]) return NULL;
        return v >= 0 ? name_lists[k].values[v] : NULL;
    }
    return NULL;
}
