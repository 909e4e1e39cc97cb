/* test_data_metrics.c: native C tests of the toy data (data.c) and the angular
 * metrics (metrics.c), run plain and under ASan/UBSan.
 *
 * The data sets are checked for what the demo relies on: the same seed gives the
 * same bytes, sizes and labels are right, and each set is as hard as documented.
 * That is measured with simple classifiers written here, independently of the
 * library: nearest class mean, 1-nearest-neighbour, and for identities the
 * projection that removes the directions of largest within-class scatter.
 *
 * The metrics are checked against answers known in closed form: regular
 * polygons and the octahedron, hand-placed samples, the Tammes table, and the
 * two extremes of verification (separated identities: 1; identical embeddings:
 * exactly 0.5). Every bad input returns -1 with a sentence naming the argument.
 *
 * ./test_data_metrics -v also prints the measured separability numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "check.h"

static int verbose;

#define NOTE(...) \
    do { if (verbose) { printf("  "); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define PI_D 3.14159265358979323846

static float gaussian(void) { /* sum of 4 uniforms: variance 4/3, rescaled to 1 */
    return (uniform() + uniform() + uniform() + uniform()) * 0.8660254f;
}

static void expect_error(const char *what, int status, const char *expect) {
    CHECK(status == -1, "%s: expected status -1, got %d", what, status);
    CHECK(strstr(iam_last_error(), expect) != NULL, "%s: error '%s' does not mention '%s'", what,
          iam_last_error(), expect);
}

/* ---------------------------------------------------------------------------
 * Independent classifiers on raw inputs
 * ------------------------------------------------------------------------- */

static double sq_dist(const float *a, const float *b, int d) {
    double s = 0.0;
    for (int k = 0; k < d; k++) s += ((double)a[k] - b[k]) * ((double)a[k] - b[k]);
    return s;
}

/* the class means of the train split, (classes, dim), malloc'd */
static float *train_means(const iam_dataset *ds) {
    int C = ds->classes, d = ds->dim;
    double *sum = calloc((size_t)C * d, sizeof(double));
    int *count = calloc((size_t)C, sizeof(int));
    float *mean = malloc(sizeof(float) * C * d);
    for (int i = 0; i < ds->n_train; i++) {
        for (int k = 0; k < d; k++) sum[ds->y_train[i] * d + k] += ds->x_train[(size_t)i * d + k];
        count[ds->y_train[i]]++;
    }
    for (int j = 0; j < C; j++)
        for (int k = 0; k < d; k++) mean[j * d + k] = (float)(sum[j * d + k] / count[j]);
    free(sum);
    free(count);
    return mean;
}

/* nearest class mean (Euclidean), fit on train, scored on test */
static double nearest_mean_accuracy(const iam_dataset *ds) {
    float *mean = train_means(ds);
    int correct = 0;
    for (int i = 0; i < ds->n_test; i++) {
        int best = 0;
        double best_d = INFINITY;
        for (int j = 0; j < ds->classes; j++) {
            double dd = sq_dist(ds->x_test + (size_t)i * ds->dim, mean + j * ds->dim, ds->dim);
            if (dd < best_d) best_d = dd, best = j;
        }
        correct += best == ds->y_test[i];
    }
    free(mean);
    return (double)correct / ds->n_test;
}

/* 1-nearest-neighbour (Euclidean) of each test sample among the train samples */
static double one_nn_accuracy(const iam_dataset *ds) {
    int correct = 0;
    for (int i = 0; i < ds->n_test; i++) {
        int best = 0;
        double best_d = INFINITY;
        for (int t = 0; t < ds->n_train; t++) {
            double dd = sq_dist(ds->x_test + (size_t)i * ds->dim, ds->x_train + (size_t)t * ds->dim,
                                ds->dim);
            if (dd < best_d) best_d = dd, best = t;
        }
        correct += ds->y_train[best] == ds->y_test[i];
    }
    return (double)correct / ds->n_test;
}

/* ---------------------------------------------------------------------------
 * Data
 * ------------------------------------------------------------------------- */

static int all_finite(const float *a, size_t count) {
    for (size_t k = 0; k < count; k++)
        if (!isfinite(a[k])) return 0;
    return 1;
}

/* sizes, labels in range and interleaved (balanced), finite values */
static void check_shape(const char *name, const iam_dataset *ds, int kind, int C, int dim,
                        int train_per, int test_per) {
    CHECK(ds->kind == kind && ds->classes == C && ds->dim == dim, "%s: kind %d classes %d dim %d",
          name, ds->kind, ds->classes, ds->dim);
    CHECK(ds->n_train == C * train_per && ds->n_test == C * test_per, "%s: n_train %d n_test %d",
          name, ds->n_train, ds->n_test);
    int *count = calloc((size_t)C, sizeof(int));
    int in_range = 1;
    for (int i = 0; i < ds->n_train; i++) {
        if (ds->y_train[i] < 0 || ds->y_train[i] >= C) in_range = 0;
        else count[ds->y_train[i]]++;
    }
    for (int i = 0; i < ds->n_test; i++)
        if (ds->y_test[i] < 0 || ds->y_test[i] >= C) in_range = 0;
    CHECK(in_range, "%s: a label is out of [0, %d)", name, C);
    int balanced = 1;
    for (int j = 0; j < C; j++) balanced &= count[j] == train_per;
    CHECK(balanced, "%s: classes are not balanced in train", name);
    CHECK(all_finite(ds->x_train, (size_t)ds->n_train * dim) &&
              all_finite(ds->x_test, (size_t)ds->n_test * dim),
          "%s: a value is not finite", name);
    if (kind == IAM_DATA_IDENTITIES) {
        CHECK(ds->heldout_ids >= 20 && ds->heldout_ids <= 100 && ds->n_heldout == ds->heldout_ids * 10,
              "%s: heldout_ids %d n_heldout %d", name, ds->heldout_ids, ds->n_heldout);
        int ok = ds->x_heldout && ds->y_heldout;
        for (int i = 0; ok && i < ds->n_heldout; i++)
            ok = ds->y_heldout[i] >= 0 && ds->y_heldout[i] < ds->heldout_ids;
        CHECK(ok && all_finite(ds->x_heldout, (size_t)ds->n_heldout * dim),
              "%s: held-out labels or values are bad", name);
    } else {
        CHECK(ds->heldout_ids == 0 && ds->n_heldout == 0 && !ds->x_heldout && !ds->y_heldout,
              "%s: held-out data where there should be none", name);
    }
    free(count);
}

static int same_bytes(const iam_dataset *a, const iam_dataset *b) {
    size_t d = (size_t)a->dim;
    return a->n_train == b->n_train && a->n_test == b->n_test && a->n_heldout == b->n_heldout &&
           !memcmp(a->x_train, b->x_train, sizeof(float) * a->n_train * d) &&
           !memcmp(a->y_train, b->y_train, sizeof(int) * a->n_train) &&
           !memcmp(a->x_test, b->x_test, sizeof(float) * a->n_test * d) &&
           !memcmp(a->y_test, b->y_test, sizeof(int) * a->n_test) &&
           (a->n_heldout == 0 ||
            (!memcmp(a->x_heldout, b->x_heldout, sizeof(float) * a->n_heldout * d) &&
             !memcmp(a->y_heldout, b->y_heldout, sizeof(int) * a->n_heldout)));
}

static void test_data_basics(void) {
    /* the generated kinds; mnist and rows are the caller's rows and are refused here */
    const int classes[IAM_DATA_MNIST] = { 8, 5, 10, 50 };
    const int dims[IAM_DATA_MNIST] = { 2, 2, 64, 32 };
    const char *names[IAM_DATA_MNIST] = { "blobs", "spiral", "glyphs", "identities" };
    for (int kind = IAM_DATA_MNIST; kind < IAM_DATA_KIND_COUNT; kind++) {
        iam_dataset r;
        CHECK(iam_dataset_make(&r, kind, 10, 5, 5, 1) != 0 && strstr(iam_last_error(), "iam_dataset_from_rows"),
              "kind %d: iam_dataset_make did not send the caller to iam_dataset_from_rows", kind);
    }
    for (int kind = 0; kind < IAM_DATA_MNIST; kind++) {
        iam_dataset a, b, c;
        int sa = iam_dataset_make(&a, kind, classes[kind], 30, 7, 42);
        int sb = iam_dataset_make(&b, kind, classes[kind], 30, 7, 42);
        int sc = iam_dataset_make(&c, kind, classes[kind], 30, 7, 43);
        CHECK(sa == 0 && sb == 0 && sc == 0, "%s: make failed: %s", names[kind], iam_last_error());
        if (sa || sb || sc) continue;
        check_shape(names[kind], &a, kind, classes[kind], dims[kind], 30, 7);
        CHECK(same_bytes(&a, &b), "%s: the same seed gave different data", names[kind]);
        CHECK(memcmp(a.x_train, c.x_train, sizeof(float) * a.n_train * a.dim) != 0 &&
                  memcmp(a.x_test, c.x_test, sizeof(float) * a.n_test * a.dim) != 0,
              "%s: seeds 42 and 43 gave the same data", names[kind]);
        /* the test split is its own stream: more training samples leave it alone */
        iam_dataset more;
        CHECK(iam_dataset_make(&more, kind, classes[kind], 31, 7, 42) == 0, "%s: make failed",
              names[kind]);
        CHECK(!memcmp(a.x_test, more.x_test, sizeof(float) * a.n_test * a.dim),
              "%s: train_per_class changed the test split", names[kind]);
        CHECK(!memcmp(a.x_train, more.x_train, sizeof(float) * a.dim),
              "%s: train_per_class changed the first training sample", names[kind]);
        iam_dataset_free(&more);
        iam_dataset_free(&a);
        iam_dataset_free(&b);
        iam_dataset_free(&c);
        CHECK(a.x_train == NULL && a.n_train == 0 && a.classes == 0, "%s: free left the struct set",
              names[kind]);
        iam_dataset_free(&a); /* twice is harmless */
    }
    iam_dataset_free(NULL);

    /* the extremes of the limits work */
    iam_dataset ds;
    CHECK(iam_dataset_make(&ds, IAM_DATA_BLOBS, 2, 1, 1, 0) == 0 && ds.n_train == 2,
          "blobs C=2, 1 per class: %s", iam_last_error());
    iam_dataset_free(&ds);
    CHECK(iam_dataset_make(&ds, IAM_DATA_SPIRAL, 32, 1, 1, 0) == 0, "spiral C=32: %s",
          iam_last_error());
    iam_dataset_free(&ds);
    CHECK(iam_dataset_make(&ds, IAM_DATA_IDENTITIES, IAM_DATA_MAX_CLASSES, 2, 1, 9) == 0 &&
              ds.heldout_ids == 100 && ds.n_heldout == 1000,
          "identities C=1000: %s", iam_last_error());
    iam_dataset_free(&ds);
    CHECK(iam_dataset_make(&ds, IAM_DATA_IDENTITIES, 2, 1, 1, 9) == 0 && ds.heldout_ids == 20,
          "identities C=2: %s", iam_last_error());
    iam_dataset_free(&ds);
}

static void test_data_bad_inputs(void) {
    iam_dataset ds;
    expect_error("NULL ds", iam_dataset_make(NULL, IAM_DATA_BLOBS, 4, 10, 10, 1), "ds");
    memset(&ds, 0x5a, sizeof ds); /* garbage in: the struct must come back zeroed */
    expect_error("bad kind", iam_dataset_make(&ds, 7, 4, 10, 10, 1), "kind 7");
    CHECK(ds.x_train == NULL && ds.y_train == NULL && ds.n_train == 0 && ds.x_heldout == NULL,
          "a failed make left the struct set");
    expect_error("negative kind", iam_dataset_make(&ds, -1, 4, 10, 10, 1), "kind -1");
    expect_error("C = 1", iam_dataset_make(&ds, IAM_DATA_BLOBS, 1, 10, 10, 1), "classes");
    expect_error("C = 33 blobs", iam_dataset_make(&ds, IAM_DATA_BLOBS, 33, 10, 10, 1), "(got 33)");
    expect_error("C = 33 spiral", iam_dataset_make(&ds, IAM_DATA_SPIRAL, 33, 10, 10, 1), "classes");
    expect_error("C = 11 glyphs", iam_dataset_make(&ds, IAM_DATA_GLYPHS, 11, 10, 10, 1), "[2, 10]");
    expect_error("C = IAM_DATA_MAX_CLASSES + 1 identities",
                 iam_dataset_make(&ds, IAM_DATA_IDENTITIES, IAM_DATA_MAX_CLASSES + 1, 10, 10, 1), "classes");
    expect_error("train 0", iam_dataset_make(&ds, IAM_DATA_BLOBS, 4, 0, 10, 1), "train_per_class");
    expect_error("test 0", iam_dataset_make(&ds, IAM_DATA_BLOBS, 4, 10, 0, 1), "test_per_class");
    expect_error("train 100001",
                 iam_dataset_make(&ds, IAM_DATA_BLOBS, 4, 100001, 10, 1), "(got 100001)");
    expect_error("too many floats",
                 iam_dataset_make(&ds, IAM_DATA_IDENTITIES, 1000, 100000, 1, 1), "floats");
    CHECK(ds.x_train == NULL && ds.n_train == 0, "a failed make left the struct set");
}

/* blobs: the class means sit on the unit ring, evenly spaced; nearest mean wins */
static void test_blobs(void) {
    iam_dataset ds;
    if (iam_dataset_make(&ds, IAM_DATA_BLOBS, 8, 400, 200, 7)) {
        CHECK(0, "blobs: %s", iam_last_error());
        return;
    }
    float *mean = train_means(&ds);
    double phase = atan2(mean[1], mean[0]), worst_radius = 0.0, worst_angle = 0.0;
    for (int j = 0; j < 8; j++) {
        double radius = hypot(mean[2 * j], mean[2 * j + 1]);
        double expect = phase + 2.0 * PI_D * j / 8.0;
        double err = fabs(remainder(atan2(mean[2 * j + 1], mean[2 * j]) - expect, 2.0 * PI_D));
        if (fabs(radius - 1.0) > worst_radius) worst_radius = fabs(radius - 1.0);
        if (err > worst_angle) worst_angle = err;
    }
    /* 400 samples of std 0.15: the mean is off by 0.0075 (one std), so 0.04 is > 5 std */
    CHECK(worst_radius < 0.04, "blobs: a class mean is %g off the unit ring", worst_radius);
    CHECK(worst_angle < 0.04, "blobs: a class mean is %g rad off its ring position", worst_angle);
    double acc = nearest_mean_accuracy(&ds);
    NOTE("blobs C=8: nearest-mean test accuracy %.4f", acc);
    CHECK(acc > 0.9, "blobs C=8: nearest-mean accuracy %g is not > 0.9", acc);
    free(mean);
    iam_dataset_free(&ds);

    /* the ring stays separable up to 12 classes, and overlaps a little there */
    CHECK(iam_dataset_make(&ds, IAM_DATA_BLOBS, 12, 400, 200, 8) == 0, "blobs C=12");
    acc = nearest_mean_accuracy(&ds);
    NOTE("blobs C=12: nearest-mean test accuracy %.4f", acc);
    CHECK(acc > 0.95 && acc < 1.0, "blobs C=12: nearest-mean accuracy %g not in (0.95, 1)", acc);
    iam_dataset_free(&ds);
    CHECK(iam_dataset_make(&ds, IAM_DATA_BLOBS, 4, 400, 200, 8) == 0, "blobs C=4");
    acc = nearest_mean_accuracy(&ds);
    NOTE("blobs C=4: nearest-mean test accuracy %.4f", acc);
    CHECK(acc > 0.99, "blobs C=4: nearest-mean accuracy %g is not > 0.99", acc);
    iam_dataset_free(&ds);
}

/* spiral: the arms are not linearly separable (nearest mean fails) but they are
   locally separable (1-NN succeeds): a small MLP can learn them */
static void test_spiral(void) {
    iam_dataset ds;
    if (iam_dataset_make(&ds, IAM_DATA_SPIRAL, 3, 300, 100, 3)) {
        CHECK(0, "spiral: %s", iam_last_error());
        return;
    }
    double r_max = 0.0;
    for (int i = 0; i < ds.n_train; i++) {
        double r = hypot(ds.x_train[2 * i], ds.x_train[2 * i + 1]);
        if (r > r_max) r_max = r;
    }
    CHECK(r_max <= 1.0 && r_max > 0.95, "spiral: largest radius %g, expected just under 1", r_max);
    double mean_acc = nearest_mean_accuracy(&ds), nn_acc = one_nn_accuracy(&ds);
    NOTE("spiral C=3: nearest-mean %.4f, 1-NN %.4f", mean_acc, nn_acc);
    CHECK(nn_acc > 0.9, "spiral C=3: 1-NN accuracy %g is not > 0.9", nn_acc);
    CHECK(mean_acc < nn_acc - 0.1, "spiral C=3: nearest mean %g is as good as 1-NN %g", mean_acc,
          nn_acc);
    iam_dataset_free(&ds);

    CHECK(iam_dataset_make(&ds, IAM_DATA_SPIRAL, 8, 300, 100, 3) == 0, "spiral C=8");
    nn_acc = one_nn_accuracy(&ds);
    NOTE("spiral C=8: nearest-mean %.4f, 1-NN %.4f", nearest_mean_accuracy(&ds), nn_acc);
    CHECK(nn_acc > 0.75, "spiral C=8: 1-NN accuracy %g is not > 0.75", nn_acc);
    iam_dataset_free(&ds);
}

/* glyphs: ten distinct templates. The ±1-pixel shifts blur the class means, so
   nearest mean is well above chance but far from perfect; 1-NN, which matches
   whole shapes, does much better, and the noise keeps it below perfect. */
static void test_glyphs(void) {
    iam_dataset ds;
    if (iam_dataset_make(&ds, IAM_DATA_GLYPHS, 10, 300, 100, 5)) {
        CHECK(0, "glyphs: %s", iam_last_error());
        return;
    }
    float *mean = train_means(&ds);
    double closest = INFINITY, lo = INFINITY, hi = -INFINITY, sum = 0.0;
    for (int i = 0; i < 10; i++)
        for (int j = i + 1; j < 10; j++) {
            double dist = sqrt(sq_dist(mean + i * 64, mean + j * 64, 64));
            if (dist < closest) closest = dist;
        }
    for (int k = 0; k < ds.n_train * 64; k++) {
        if (ds.x_train[k] < lo) lo = ds.x_train[k];
        if (ds.x_train[k] > hi) hi = ds.x_train[k];
        sum += ds.x_train[k];
    }
    double mean_acc = nearest_mean_accuracy(&ds), nn_acc = one_nn_accuracy(&ds);
    NOTE("glyphs C=10: values in [%.2f, %.2f], mean %.3f; closest class means %.3f apart; "
         "nearest-mean %.4f, 1-NN %.4f", lo, hi, sum / (ds.n_train * 64.0), closest, mean_acc,
         nn_acc);
    /* a class mean is off by about 0.2/√300 per pixel, 0.09 over 64 pixels:
       means more than 0.3 apart come from different templates */
    CHECK(closest > 0.3, "glyphs: two class means are only %g apart", closest);
    CHECK(lo > -2.0 && hi < 2.0 && fabs(sum / (ds.n_train * 64.0)) < 0.4,
          "glyphs: values in [%g, %g] are not roughly centred on 0", lo, hi);
    CHECK(mean_acc > 0.3 && mean_acc < 0.8, "glyphs: nearest-mean accuracy %g not in (0.3, 0.8)",
          mean_acc);
    CHECK(nn_acc > 0.9 && nn_acc < 0.995, "glyphs: 1-NN accuracy %g not in (0.9, 0.995)", nn_acc);
    free(mean);
    iam_dataset_free(&ds);
}

/* The top k eigenvectors (k, d) of a symmetric d×d matrix, by orthogonal iteration. */
static void top_eigenvectors(const double *S, int d, int k, double *V) {
    double *T = malloc(sizeof(double) * k * d);
    for (int q = 0; q < k * d; q++) V[q] = uniform();
    for (int iter = 0; iter < 300; iter++) {
        for (int q = 0; q < k; q++) /* T = V S */
            for (int a = 0; a < d; a++) {
                double s = 0.0;
                for (int b = 0; b < d; b++) s += S[a * d + b] * V[q * d + b];
                T[q * d + a] = s;
            }
        for (int q = 0; q < k; q++) { /* Gram–Schmidt */
            for (int p = 0; p < q; p++) {
                double dot = 0.0;
                for (int a = 0; a < d; a++) dot += T[q * d + a] * T[p * d + a];
                for (int a = 0; a < d; a++) T[q * d + a] -= dot * T[p * d + a];
            }
            double norm = 0.0;
            for (int a = 0; a < d; a++) norm += T[q * d + a] * T[q * d + a];
            for (int a = 0; a < d; a++) T[q * d + a] /= sqrt(norm);
        }
        memcpy(V, T, sizeof(double) * k * d);
    }
    free(T);
}

/* x (n,32) in place: remove the components along the k orthonormal rows of V */
static void project_out_rows(float *x, int n, const double *V, int k) {
    for (int i = 0; i < n; i++)
        for (int q = 0; q < k; q++) {
            double dot = 0.0;
            for (int e = 0; e < 32; e++) dot += x[(size_t)i * 32 + e] * V[q * 32 + e];
            for (int e = 0; e < 32; e++) x[(size_t)i * 32 + e] -= (float)(dot * V[q * 32 + e]);
        }
}

/* identities: the within-class scatter of the training split shows the design
   (4 nuisance directions of variance 2.5² = 6.25, isotropic noise 0.5² = 0.25);
   the held-out identities are new ones; raw cosines confuse identities, and
   removing the 4 nuisance directions, estimated from the training split, makes
   verification good: a network can learn it */
static void test_identities(void) {
    iam_dataset ds;
    if (iam_dataset_make(&ds, IAM_DATA_IDENTITIES, 50, 40, 10, 11)) {
        CHECK(0, "identities: %s", iam_last_error());
        return;
    }
    const int d = 32, C = 50;
    float *mean = train_means(&ds);

    /* within-class covariance S/(n − C) and its top 4 directions V */
    double *S = calloc((size_t)d * d, sizeof(double)), V[4 * 32], dof = ds.n_train - C;
    for (int i = 0; i < ds.n_train; i++) {
        double r[32];
        for (int k = 0; k < d; k++) r[k] = ds.x_train[(size_t)i * d + k] - mean[ds.y_train[i] * d + k];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) S[a * d + b] += r[a] * r[b] / dof;
    }
    top_eigenvectors(S, d, 4, V);
    double trace = 0.0, top[4];
    for (int a = 0; a < d; a++) trace += S[a * d + a];
    for (int q = 0; q < 4; q++) { /* Rayleigh quotients: the top eigenvalues */
        top[q] = 0.0;
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) top[q] += V[q * d + a] * S[a * d + b] * V[q * d + b];
    }
    double rest = (trace - top[0] - top[1] - top[2] - top[3]) / (d - 4);
    NOTE("identities: within-class variance: top 4 directions %.2f %.2f %.2f %.2f, the other 28 "
         "%.3f on average", top[0], top[1], top[2], top[3], rest);
    /* 1560 degrees of freedom: a variance estimate is within ~±10% (and the top 4
       absorb a little noise); bounds at ±30% */
    CHECK(top[3] > 0.7 * 6.25 && top[0] < 1.3 * 6.25, "identities: nuisance variances %g..%g, "
          "expected about 6.25", top[3], top[0]);
    CHECK(rest > 0.7 * 0.25 && rest < 1.3 * 0.25, "identities: noise variance %g, expected 0.25",
          rest);

    /* identity means, nuisance removed: train means (40 samples) and held-out means (10) */
    float *held_mean = calloc((size_t)ds.heldout_ids * d, sizeof(float));
    for (int i = 0; i < ds.n_heldout; i++)
        for (int k = 0; k < d; k++)
            held_mean[ds.y_heldout[i] * d + k] += ds.x_heldout[(size_t)i * d + k] / 10.0f;
    project_out_rows(mean, C, V, 4);
    project_out_rows(held_mean, ds.heldout_ids, V, 4);
    double min_norm = INFINITY, max_norm = 0.0, closest_cross = INFINITY, closest_train = INFINITY;
    for (int j = 0; j < C; j++) {
        double norm = 0.0;
        for (int k = 0; k < d; k++) norm += (double)mean[j * d + k] * mean[j * d + k];
        norm = sqrt(norm);
        if (norm < min_norm) min_norm = norm;
        if (norm > max_norm) max_norm = norm;
        for (int h = 0; h < ds.heldout_ids; h++) {
            double dist = sqrt(sq_dist(mean + j * d, held_mean + h * d, d));
            if (dist < closest_cross) closest_cross = dist;
        }
        for (int h = j + 1; h < C; h++) {
            double dist = sqrt(sq_dist(mean + j * d, mean + h * d, d));
            if (dist < closest_train) closest_train = dist;
        }
    }
    NOTE("identities: train means (nuisance removed) have norm %.2f..%.2f; closest two train "
         "means %.2f apart, closest train/held-out means %.2f apart", min_norm, max_norm,
         closest_train, closest_cross);
    /* |mean| = 3, plus noise of 0.5·√(28/40) ≈ 0.42 */
    CHECK(min_norm > 2.5 && max_norm < 3.6, "identities: mean norms %g..%g, expected about 3",
          min_norm, max_norm);
    /* a held-out identity repeating a trained one would be within the noise of
       the two means, 0.5·√(28/40 + 28/10) ≈ 0.94; two random identities are ≈ 4.2 apart */
    CHECK(closest_cross > 1.8, "identities: a held-out identity is only %g from a trained one",
          closest_cross);

    double mean_acc = nearest_mean_accuracy(&ds);
    NOTE("identities C=50: nearest-mean test accuracy on raw inputs %.4f", mean_acc);
    CHECK(mean_acc > 0.3 && mean_acc < 0.98, "identities: nearest-mean accuracy %g not in (0.3, 0.98)",
          mean_acc);

    /* held-out verification on raw inputs, then with the nuisance projected out */
    float raw_acc = 0, raw_tar = 0, proj_acc = 0, proj_tar = 0;
    CHECK(iam_verification(ds.x_heldout, ds.y_heldout, ds.n_heldout, d, 2000, 1, &raw_acc,
                           &raw_tar) == 0,
          "identities: verification failed: %s", iam_last_error());
    float *projected = malloc(sizeof(float) * ds.n_heldout * d);
    memcpy(projected, ds.x_heldout, sizeof(float) * ds.n_heldout * d);
    project_out_rows(projected, ds.n_heldout, V, 4);
    CHECK(iam_verification(projected, ds.y_heldout, ds.n_heldout, d, 2000, 1, &proj_acc,
                           &proj_tar) == 0,
          "identities: verification failed: %s", iam_last_error());
    NOTE("identities held-out verification: raw inputs acc %.4f TAR@FAR1e-2 %.4f; "
         "nuisance projected out acc %.4f TAR %.4f", raw_acc, raw_tar, proj_acc, proj_tar);
    CHECK(raw_acc > 0.55 && raw_acc < 0.85, "identities: raw verification accuracy %g not in (0.55, 0.85)",
          raw_acc);
    CHECK(proj_acc > 0.93 && proj_acc > raw_acc + 0.15,
          "identities: without the nuisance, verification accuracy %g is not > 0.93", proj_acc);
    CHECK(proj_tar > raw_tar + 0.3, "identities: TAR %g without the nuisance is not well above %g",
          proj_tar, raw_tar);
    free(S);
    free(projected);
    free(held_mean);
    free(mean);
    iam_dataset_free(&ds);
}

/* ---------------------------------------------------------------------------
 * Metrics
 * ------------------------------------------------------------------------- */

static void test_packing_limit(void) {
    const float tammes[13] = { 0, 0, 180, 120, 109.47f, 90, 90, 77.87f, 74.86f, 70.53f, 66.15f,
                               63.43f, 63.43f };
    for (int C = 2; C <= 12; C++)
        CHECK(iam_packing_limit_deg(C, 3) == tammes[C], "3-D C=%d: %g, expected %g", C,
              iam_packing_limit_deg(C, 3), tammes[C]);
    CHECK(iam_packing_limit_deg(8, 3) == 74.86f, "3-D C=8");
    CHECK(iam_packing_limit_deg(4, 2) == 90.0f, "2-D C=4: %g", iam_packing_limit_deg(4, 2));
    CHECK(fabsf(iam_packing_limit_deg(7, 2) - 360.0f / 7.0f) < 1e-5f, "2-D C=7");
    CHECK(fabsf(iam_packing_limit_deg(32, 2) - 11.25f) < 1e-5f, "2-D C=32");
    CHECK(iam_packing_limit_deg(13, 3) == 0.0f, "3-D C=13 is unknown");
    for (int dim = 1; dim <= 64; dim *= 2)
        CHECK(iam_packing_limit_deg(2, dim) == 180.0f, "C=2 in %d-D", dim);
    CHECK(iam_packing_limit_deg(3, 1) == 0.0f, "1-D C=3");
    /* the regular simplex: 4-D with 5 vectors, cos = −1/4 → 104.4775°; 16-D, 17 → 93.58° */
    CHECK(fabsf(iam_packing_limit_deg(5, 4) - 104.4775f) < 1e-3f, "4-D C=5: %g",
          iam_packing_limit_deg(5, 4));
    CHECK(fabsf(iam_packing_limit_deg(17, 16) - 93.5833f) < 1e-3f, "16-D C=17: %g",
          iam_packing_limit_deg(17, 16));
    /* Rankin: dim+2 ≤ C ≤ 2·dim gives 90 */
    CHECK(iam_packing_limit_deg(6, 4) == 90.0f && iam_packing_limit_deg(8, 4) == 90.0f, "4-D C=6, 8");
    CHECK(iam_packing_limit_deg(9, 4) == 0.0f, "4-D C=9 is unknown");
    CHECK(iam_packing_limit_deg(1, 3) == 0.0f && iam_packing_limit_deg(4, 0) == 0.0f,
          "C=1 or dim=0 give 0");
}

static void test_pairwise_angles(void) {
    float V[3 * 64], mn = -1, mean_nn = -1;
    for (int C = 3; C <= 12; C++) { /* a regular C-gon, scaled rows: norms must not matter */
        for (int j = 0; j < C; j++) {
            double a = 0.3 + 2.0 * PI_D * j / C;
            V[2 * j] = (float)((1 + j) * cos(a));
            V[2 * j + 1] = (float)((1 + j) * sin(a));
        }
        int status = iam_pairwise_angles(V, C, 2, &mn, &mean_nn);
        CHECK(status == 0 && fabsf(mn - 360.0f / C) < 1e-3f && fabsf(mean_nn - 360.0f / C) < 1e-3f,
              "%d-gon: min %g mean_nn %g, expected %g", C, mn, mean_nn, 360.0f / C);
    }
    const float octahedron[6 * 3] = { 1, 0, 0, -1, 0, 0, 0, 2, 0, 0, -2, 0, 0, 0, 3, 0, 0, -3 };
    CHECK(iam_pairwise_angles(octahedron, 6, 3, &mn, &mean_nn) == 0 && fabsf(mn - 90.0f) < 1e-4f &&
              fabsf(mean_nn - 90.0f) < 1e-4f,
          "octahedron: min %g mean_nn %g", mn, mean_nn);
    /* unequal nearest neighbours: rows at 0°, 10°, 100° → nn 10, 10, 90 → mean 110/3 */
    const float uneven[3 * 2] = { 1, 0, (float)cos(PI_D / 18), (float)sin(PI_D / 18),
                                  (float)cos(PI_D * 100 / 180), (float)sin(PI_D * 100 / 180) };
    CHECK(iam_pairwise_angles(uneven, 3, 2, &mn, &mean_nn) == 0 && fabsf(mn - 10.0f) < 1e-3f &&
              fabsf(mean_nn - 110.0f / 3.0f) < 1e-3f,
          "uneven: min %g mean_nn %g, expected 10 and 36.667", mn, mean_nn);
    /* identical rows: exactly 0, not NaN (rounding can put the cosine above 1) */
    const float same[2 * 3] = { 0.1f, 0.7f, 0.3f, 0.1f, 0.7f, 0.3f };
    CHECK(iam_pairwise_angles(same, 2, 3, &mn, &mean_nn) == 0 && mn >= 0.0f && mn < 0.05f &&
              isfinite(mean_nn),
          "identical rows: min %g", mn);
    const float opposite[2 * 2] = { 1, 1, -2, -2 };
    CHECK(iam_pairwise_angles(opposite, 2, 2, &mn, &mean_nn) == 0 && fabsf(mn - 180.0f) < 1e-3f,
          "opposite rows: %g", mn);

    float zero_row[3 * 2] = { 1, 0, 0, 0, 0, 1 };
    expect_error("zero row", iam_pairwise_angles(zero_row, 3, 2, &mn, &mean_nn), "row 1 of V");
    float nan_row[2 * 2] = { 1, 0, NAN, 1 };
    expect_error("NaN", iam_pairwise_angles(nan_row, 2, 2, &mn, &mean_nn), "V[2]");
    expect_error("rows = 1", iam_pairwise_angles(octahedron, 1, 3, &mn, &mean_nn), "rows");
    expect_error("d = 0", iam_pairwise_angles(octahedron, 6, 0, &mn, &mean_nn), "d must");
    expect_error("NULL V", iam_pairwise_angles(NULL, 6, 3, &mn, &mean_nn), "NULL");
    expect_error("NULL out", iam_pairwise_angles(octahedron, 6, 3, NULL, &mean_nn), "NULL");
}

static void test_class_centers(void) {
    /* class 0: (2,0) and (0,5) → mean of unit vectors (0.5, 0.5); class 1: (0,−1) twice */
    const float emb[4 * 2] = { 2, 0, 0, -1, 0, 5, 0, -3 };
    const int labels[4] = { 0, 1, 0, 1 };
    float centers[2 * 2];
    CHECK(iam_class_centers(emb, labels, 4, 2, 2, centers) == 0 && fabsf(centers[0] - 0.5f) < 1e-6f &&
              fabsf(centers[1] - 0.5f) < 1e-6f && fabsf(centers[2]) < 1e-6f &&
              fabsf(centers[3] + 1.0f) < 1e-6f,
          "centres (%g, %g), (%g, %g)", centers[0], centers[1], centers[2], centers[3]);
    expect_error("empty class", iam_class_centers(emb, labels, 4, 2, 3, centers), "class 2");
    const float cancel[2 * 2] = { 1, 0, -3, 0 };
    const int both0[2] = { 0, 0 };
    float c1[2 * 2];
    expect_error("zero centre", iam_class_centers(cancel, both0, 2, 2, 1, c1), "zero vector");
    const int bad[4] = { 0, 1, 2, 1 };
    expect_error("label = c", iam_class_centers(emb, bad, 4, 2, 2, centers), "labels[2]");
    const float zero[2 * 2] = { 0, 0, 1, 1 };
    const int l01[2] = { 0, 1 };
    expect_error("zero emb row", iam_class_centers(zero, l01, 2, 2, 2, centers), "row 0 of emb");
}

static void test_sample_margins(void) {
    /* W at 0° and 90° (unequal norms); samples at 10° (label 0 → 80 − 10 = 70;
       label 1 → 10 − 80 = −70) and at 45° (margin 0), and 200° (label 0: θ_0 = 160,
       θ_1 = 110 → −50) */
    const float W[2 * 2] = { 3, 0, 0, 0.5f };
    const double angles[4] = { 10, 10, 45, 200 };
    const int labels[4] = { 0, 1, 0, 0 };
    const float expect[4] = { 70, -70, 0, -50 };
    float emb[4 * 2], margins[4];
    for (int i = 0; i < 4; i++) {
        emb[2 * i] = (float)(2.0 * cos(angles[i] * PI_D / 180));
        emb[2 * i + 1] = (float)(2.0 * sin(angles[i] * PI_D / 180));
    }
    int status = iam_sample_margins(emb, W, labels, 4, 2, 2, margins);
    CHECK(status == 0, "margins failed: %s", iam_last_error());
    for (int i = 0; i < 4; i++)
        CHECK(fabsf(margins[i] - expect[i]) < 1e-3f, "sample %d: margin %g, expected %g", i,
              margins[i], expect[i]);
    /* 3 classes in 3-D: the nearest other class is the one that counts */
    const float W3[3 * 3] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    const float x3[1 * 3] = { 1, 1, 0 }; /* 45° to e0 and e1, 90° to e2 */
    const int y3[1] = { 2 };
    float m3[1];
    CHECK(iam_sample_margins(x3, W3, y3, 1, 3, 3, m3) == 0 && fabsf(m3[0] - (45.0f - 90.0f)) < 1e-3f,
          "3-D margin %g, expected -45", m3[0]);
    /* on the weight itself: cosine 1 must not give NaN */
    const float on[1 * 3] = { 0, 0, 7 };
    CHECK(iam_sample_margins(on, W3, y3, 1, 3, 3, m3) == 0 && fabsf(m3[0] - 90.0f) < 1e-3f,
          "on the weight: %g", m3[0]);

    float zero_w[2 * 2] = { 1, 0, 0, 0 };
    expect_error("zero W row", iam_sample_margins(emb, zero_w, labels, 4, 2, 2, margins), "row 1 of W");
    float zero_x[4 * 2];
    memcpy(zero_x, emb, sizeof zero_x);
    zero_x[6] = zero_x[7] = 0;
    expect_error("zero emb row", iam_sample_margins(zero_x, W, labels, 4, 2, 2, margins), "row 3 of emb");
    const int bad[4] = { 0, 1, 2, 0 };
    expect_error("label out of range", iam_sample_margins(emb, W, bad, 4, 2, 2, margins), "labels[2]");
    float inf_w[2 * 2] = { 1, INFINITY, 0, 1 };
    expect_error("Inf in W", iam_sample_margins(emb, inf_w, labels, 4, 2, 2, margins), "W[1]");
    expect_error("c = 1", iam_sample_margins(emb, W, labels, 4, 2, 1, margins), "c, the number");
    expect_error("NULL margins", iam_sample_margins(emb, W, labels, 4, 2, 2, NULL), "margins_deg");
}

static void test_accuracy(void) {
    /* W_0 = (10, 0) long, W_1 = (0, 1) short. A sample at 60° (x = (0.5, 0.866)):
       by cosine class 1 wins (30° vs 60°), by W·x class 0 wins (5 vs 0.866) */
    const float W[2 * 2] = { 10, 0, 0, 1 };
    const float emb[3 * 2] = { 0.5f, 0.8660254f, 1, 0.1f, 0.1f, 1 };
    const int labels[3] = { 1, 0, 1 };
    float acc = -1;
    CHECK(iam_accuracy(emb, W, labels, 3, 2, 2, 1, &acc) == 0 && acc == 1.0f,
          "by cosine: %g, expected 1", acc);
    /* by W·x: sample 0 → class 0 (5 vs 0.87, wrong), sample 1 → 0 (right),
       sample 2 → class 1 (0.5 vs 1, right) */
    const float emb2[3 * 2] = { 0.5f, 0.8660254f, 1, 0.1f, 0.05f, 1 };
    CHECK(iam_accuracy(emb2, W, labels, 3, 2, 2, 0, &acc) == 0 && fabsf(acc - 2.0f / 3.0f) < 1e-6f,
          "by W.x: %g, expected 2/3", acc);
    /* a tie is not a decision: x exactly between two equal weights */
    const float Wt[2 * 2] = { 1, 0, 0, 1 };
    const float xt[1 * 2] = { 1, 1 };
    const int yt[1] = { 0 };
    CHECK(iam_accuracy(xt, Wt, yt, 1, 2, 2, 1, &acc) == 0 && acc == 0.0f, "tie counted as right");
    /* by W·x a zero sample is allowed (logits all 0: a tie); by cosine it is an error */
    const float zero[1 * 2] = { 0, 0 };
    CHECK(iam_accuracy(zero, W, yt, 1, 2, 2, 0, &acc) == 0 && acc == 0.0f, "zero sample by W.x");
    expect_error("zero sample by cosine", iam_accuracy(zero, W, yt, 1, 2, 2, 1, &acc), "row 0 of emb");
    expect_error("use_cosine = 2", iam_accuracy(emb, W, labels, 3, 2, 2, 2, &acc), "use_cosine");
    expect_error("n = 0", iam_accuracy(emb, W, labels, 0, 2, 2, 1, &acc), "n must");
    float nan_emb[3 * 2] = { 0.5f, NAN, 1, 0, 0, 1 };
    expect_error("NaN emb", iam_accuracy(nan_emb, W, labels, 3, 2, 2, 1, &acc), "emb[1]");
    expect_error("NULL accuracy", iam_accuracy(emb, W, labels, 3, 2, 2, 1, NULL), "accuracy");
}

static void test_histogram(void) {
    /* [0, 10) in 5 bins of width 2; −3 and 99 clamp into the ends, 10 (= hi) is the last */
    const float values[9] = { -3, 0, 1.99f, 2, 5, 7.5f, 9.99f, 10, 99 };
    int counts[5];
    const int expect[5] = { 3, 1, 1, 1, 3 };
    CHECK(iam_histogram(values, 9, 0, 10, 5, counts) == 0, "histogram failed: %s", iam_last_error());
    for (int b = 0; b < 5; b++)
        CHECK(counts[b] == expect[b], "bin %d: %d, expected %d", b, counts[b], expect[b]);
    /* negative ranges, as for margins in degrees */
    const float margins[4] = { -90, -45, 0, 45 };
    int c2[4];
    CHECK(iam_histogram(margins, 4, -90, 90, 4, c2) == 0 && c2[0] == 1 && c2[1] == 1 && c2[2] == 1 &&
              c2[3] == 1,
          "margin histogram %d %d %d %d", c2[0], c2[1], c2[2], c2[3]);
    CHECK(iam_histogram(values, 0, 0, 1, 5, counts) == 0 && counts[0] == 0 && counts[4] == 0,
          "n = 0 gives empty counts");
    expect_error("lo = hi", iam_histogram(values, 9, 1, 1, 5, counts), "lo");
    expect_error("lo NaN", iam_histogram(values, 9, NAN, 1, 5, counts), "lo");
    expect_error("bins = 0", iam_histogram(values, 9, 0, 10, 0, counts), "bins");
    const float bad[2] = { 1, NAN };
    expect_error("NaN value", iam_histogram(bad, 2, 0, 10, 5, counts), "values[1]");
    expect_error("NULL counts", iam_histogram(values, 9, 0, 10, 5, NULL), "NULL");
}

/* n_ids identities of `per` samples each in d dims; identity k lies along e_k
   (orthogonal directions) plus noise of std `noise` on every coordinate */
static void make_identities(float *emb, int *ids, int n_ids, int per, int d, float noise) {
    for (int i = 0; i < n_ids * per; i++) {
        ids[i] = i % n_ids;
        for (int k = 0; k < d; k++) emb[(size_t)i * d + k] = noise * gaussian();
        emb[(size_t)i * d + ids[i]] += 1.0f;
    }
}

static void test_verification(void) {
    const int n_ids = 20, per = 10, d = 24, n = n_ids * per;
    float *emb = malloc(sizeof(float) * n * d);
    int ids[20 * 10];
    float acc = -1, tar = -1;

    /* separated: cosines ≈ 1 within, ≈ 0 across */
    make_identities(emb, ids, n_ids, per, d, 0.05f);
    int status = iam_verification(emb, ids, n, d, 1000, 3, &acc, &tar);
    CHECK(status == 0 && acc == 1.0f && tar == 1.0f, "separated: accuracy %g TAR %g (%s)", acc, tar,
          iam_last_error());

    /* the middle: noise comparable to the signal; then noisier still */
    make_identities(emb, ids, n_ids, per, d, 0.25f);
    float acc_mid = -1, tar_mid = -1, acc_noisy = -1, tar_noisy = -1;
    CHECK(iam_verification(emb, ids, n, d, 2000, 3, &acc_mid, &tar_mid) == 0, "middle failed");
    make_identities(emb, ids, n_ids, per, d, 0.6f);
    CHECK(iam_verification(emb, ids, n, d, 2000, 3, &acc_noisy, &tar_noisy) == 0, "noisy failed");
    NOTE("verification on orthogonal identities: noise 0.25 acc %.4f TAR %.4f; noise 0.6 acc %.4f "
         "TAR %.4f", acc_mid, tar_mid, acc_noisy, tar_noisy);
    CHECK(acc_mid > 0.75 && acc_mid < 1.0 && tar_mid > 0.2 && tar_mid < 1.0,
          "middle: accuracy %g TAR %g", acc_mid, tar_mid);
    CHECK(acc_noisy > 0.5 && acc_noisy < acc_mid && tar_noisy < tar_mid,
          "noisier: accuracy %g TAR %g not below %g, %g", acc_noisy, tar_noisy, acc_mid, tar_mid);

    /* same seed, same pairs; another seed, other pairs */
    float acc2 = -1, tar2 = -1;
    iam_verification(emb, ids, n, d, 2000, 3, &acc2, &tar2);
    CHECK(acc2 == acc_noisy && tar2 == tar_noisy, "verification is not deterministic in its seed");

    /* identical embeddings: no threshold can do better than chance, exactly 0.5 */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < d; k++) emb[(size_t)i * d + k] = 0.1f * (float)(k + 1);
    CHECK(iam_verification(emb, ids, n, d, 1000, 3, &acc, &tar) == 0 && acc == 0.5f && tar == 0.0f,
          "identical embeddings: accuracy %g (expected exactly 0.5), TAR %g", acc, tar);
    /* an odd pair count and unequal folds still give exactly 0.5 */
    CHECK(iam_verification(emb, ids, n, d, 47, 9, &acc, &tar) == 0 && acc == 0.5f,
          "identical embeddings, 47 pairs: accuracy %g", acc);

    /* two groups: every embedding is ±e_0 by the parity of its id. Same-id pairs
       score +1; a different-id pair scores +1 with probability 9/19 (same parity)
       and −1 otherwise. The best threshold accepts +1: accuracy 0.5 + 0.5·10/19
       = 0.763. Far more than 1% of different pairs score +1, so the FAR threshold
       is +1 itself, which accepts nothing: TAR 0. */
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < d; k++) emb[(size_t)i * d + k] = 0;
        emb[(size_t)i * d] = (ids[i] % 2) ? 1.0f : -1.0f;
    }
    CHECK(iam_verification(emb, ids, n, d, 4000, 3, &acc, &tar) == 0 && fabsf(acc - 0.7632f) < 0.03f &&
              tar == 0.0f,
          "two groups: accuracy %g (expected 0.763), TAR %g (expected 0)", acc, tar);

    /* bad inputs */
    make_identities(emb, ids, n_ids, per, d, 0.1f);
    expect_error("n_pairs = 19", iam_verification(emb, ids, n, d, 19, 1, &acc, &tar), "n_pairs");
    expect_error("n = 1", iam_verification(emb, ids, 1, d, 100, 1, &acc, &tar), "n must");
    expect_error("d = 0", iam_verification(emb, ids, n, 0, 100, 1, &acc, &tar), "d must");
    expect_error("NULL ids", iam_verification(emb, NULL, n, d, 100, 1, &acc, &tar), "ids");
    expect_error("NULL tar", iam_verification(emb, ids, n, d, 100, 1, &acc, NULL), "tar_at_far_1e2");
    float saved = emb[5 * d + 2];
    emb[5 * d + 2] = NAN;
    expect_error("NaN emb", iam_verification(emb, ids, n, d, 100, 1, &acc, &tar), "emb[");
    emb[5 * d + 2] = saved;
    for (int k = 0; k < d; k++) emb[7 * d + k] = 0;
    expect_error("zero row", iam_verification(emb, ids, n, d, 100, 1, &acc, &tar), "row 7 of emb");
    make_identities(emb, ids, n_ids, per, d, 0.1f);
    int one_id[20 * 10] = { 0 };
    expect_error("one identity", iam_verification(emb, one_id, n, d, 100, 1, &acc, &tar), "single identity");
    int distinct[20 * 10];
    for (int i = 0; i < n; i++) distinct[i] = i;
    expect_error("no repeated identity", iam_verification(emb, distinct, n, d, 100, 1, &acc, &tar),
                 "two samples");
    /* ids may be any ints, even negative, and a lone sample of an id is fine */
    int mixed[20 * 10];
    for (int i = 0; i < n; i++) mixed[i] = i < n - 1 ? ids[i] - 5 : 1000;
    CHECK(iam_verification(emb, mixed, n, d, 200, 1, &acc, &tar) == 0 && acc > 0.9f,
          "arbitrary ids: %s (accuracy %g)", iam_last_error(), acc);
    free(emb);
}

/* the metrics on a real data set: a sanity run from data to angles */
static void test_metrics_on_data(void) {
    iam_dataset ds;
    if (iam_dataset_make(&ds, IAM_DATA_BLOBS, 6, 100, 50, 21)) {
        CHECK(0, "blobs: %s", iam_last_error());
        return;
    }
    /* the raw 2-D inputs as embeddings and the ring positions as weights: the
       class centres are 60° apart, the margins mostly positive */
    float centers[6 * 2], mn, mean_nn, acc, *margins = malloc(sizeof(float) * ds.n_test);
    CHECK(iam_class_centers(ds.x_train, ds.y_train, ds.n_train, 2, 6, centers) == 0, "centres: %s",
          iam_last_error());
    CHECK(iam_pairwise_angles(centers, 6, 2, &mn, &mean_nn) == 0 && fabsf(mn - 60.0f) < 3.0f &&
              fabsf(mean_nn - 60.0f) < 3.0f,
          "blob centres: min %g mean_nn %g, expected about 60", mn, mean_nn);
    CHECK(iam_accuracy(ds.x_test, centers, ds.y_test, ds.n_test, 2, 6, 1, &acc) == 0 && acc > 0.95f,
          "cosine accuracy against the centres: %g", acc);
    CHECK(iam_sample_margins(ds.x_test, centers, ds.y_test, ds.n_test, 2, 6, margins) == 0,
          "margins: %s", iam_last_error());
    int counts[2];
    CHECK(iam_histogram(margins, ds.n_test, -60, 60, 2, counts) == 0 &&
              fabsf((float)counts[1] / ds.n_test - acc) < 1e-6f,
          "positive margins %d of %d vs accuracy %g", counts[1], ds.n_test, acc);
    free(margins);
    iam_dataset_free(&ds);
}

int main(int argc, char **argv) {
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    test_data_basics();
    test_data_bad_inputs();
    test_blobs();
    test_spiral();
    test_glyphs();
    test_identities();
    test_packing_limit();
    test_pairwise_angles();
    test_class_centers();
    test_sample_margins();
    test_accuracy();
    test_histogram();
    test_verification();
    test_metrics_on_data();
    return CHECK_SUMMARY();
}
