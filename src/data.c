/* data.c: the toy data sets, generated in C from a seed (iam.h, "Toy data").
 *
 * Four kinds, each small enough to train in a browser tab in seconds:
 *   blobs       C Gaussian clusters whose centres sit evenly on the unit circle;
 *   spiral      C interleaved spiral arms in the unit disc;
 *   glyphs      8×8 digit-like images drawn from ten hand-made bitmaps, with a
 *               random shift, stroke weight and pixel noise;
 *   identities  a synthetic face-recognition set in R^32: each identity is a
 *               mean, every sample adds a large shared nuisance (a 4-D "pose and
 *               light" subspace) and small isotropic noise; identities that are
 *               never trained on are drawn too, for open-set verification.
 *
 * Sample i of a split has label i mod C: the classes are interleaved and
 * balanced, so a prefix of a split is a fair batch.
 *
 * Every random number comes from rng.h, in four streams derived from the seed
 * (the class structure, train, test, held-out), so the test set does not change
 * when train_per_class does, and a seed reproduces a data set byte for byte
 * within one build (libm's logf/cosf may round differently elsewhere).
 *
 * The caller's own rows (MNIST's digits, a CSV, points placed by hand) come in through
 * iam_dataset_from_rows, which only checks, copies and splits them by seed.
 *
 * What it deliberately is not: a data loader. No files (wasm/mnist.js and wasm/csv.js
 * read them), no augmentation pipeline, no batching (the trainer does that).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "internal.h"
#include "rng.h"

#define TWO_PI_F 6.28318530717959f

#define DATA_MAX_PER_CLASS 100000
#define DATA_MAX_FLOATS ((size_t)1 << 26) /* 256 MB of float32 over all splits */

/* blobs: neighbouring centres on the unit ring are 2 sin(π/C) apart; a std of
   0.4 sin(π/C) puts them 5 std apart, so each neighbour steals about
   Φ(−2.5) ≈ 0.6% of a cluster (about 1% error for the best classifier). The
   std is capped at 0.15 so that few classes still look like a ring. */
#define BLOBS_STD_PER_GAP 0.4f
#define BLOBS_STD_MAX 0.15f

/* spiral: each arm turns this much from the centre (r = 0) to the rim (r = 1),
   with an angular noise of SPIRAL_NOISE_RAD / C (0.2 rad for C = 3, as in the
   classic CS231n spiral) */
#define SPIRAL_TURNS 0.7f
#define SPIRAL_NOISE_RAD 0.6f

/* glyphs: a 5×6 bitmap placed at column 1, row 1 of an 8×8 image, shifted by up
   to ±1 pixel in each direction (it stays inside the frame) */
#define GLYPH_SIDE 8
#define GLYPH_W 5
#define GLYPH_H 6
#define GLYPH_NOISE_STD 0.2f /* per pixel, on ink values in [0, 1]           */
#define GLYPH_INK_MIN 0.7f    /* stroke intensity is uniform in [0.7, 1]      */
#define GLYPH_BLEED_MAX 0.5f  /* a stroke lends up to half its ink to its 4
                                 neighbours: a random stroke thickness         */

/* identities: |mean| = 3, distance between two identities ≈ 3√2 ≈ 4.2; the
   nuisance coefficients (std 2.5 in each of 4 directions, |nuisance| ≈ 5) are
   larger than that, and a raw cosine confuses identities; once the nuisance
   subspace is projected out, the isotropic noise (std 0.5 per dimension) leaves
   identities well apart. A network has to learn that projection. */
#define ID_DIM 32
#define ID_NUISANCE_DIMS 4
#define ID_MEAN_NORM 3.0f
#define ID_NUISANCE_STD 2.5f
#define ID_NOISE_STD 0.5f
#define ID_HELDOUT_MIN 20  /* held-out identities: clamp(classes, 20, 100) */
#define ID_HELDOUT_MAX 100
#define ID_HELDOUT_PER_ID 10

/* Ten digits, 5 wide and 6 tall, '#' = ink. Seven-segment-like but with
   diagonals, so that 0/8/6/9 and 3/5 differ by a few pixels only: learnable,
   not trivially. */
static const char *const glyph_bitmaps[10][GLYPH_H] = {
    { ".###.", "#...#", "#...#", "#...#", "#...#", ".###." }, /* 0 */
    { "..#..", ".##..", "..#..", "..#..", "..#..", ".###." }, /* 1 */
    { ".###.", "#...#", "...#.", "..#..", ".#...", "#####" }, /* 2 */
    { "####.", "....#", ".###.", "....#", "....#", "####." }, /* 3 */
    { "#..#.", "#..#.", "#####", "...#.", "...#.", "...#." }, /* 4 */
    { "#####", "#....", "####.", "....#", "....#", "####." }, /* 5 */
    { ".###.", "#....", "####.", "#...#", "#...#", ".###." }, /* 6 */
    { "#####", "....#", "...#.", "..#..", ".#...", ".#..." }, /* 7 */
    { ".###.", "#...#", ".###.", "#...#", "#...#", ".###." }, /* 8 */
    { ".###.", "#...#", "#...#", ".####", "....#", ".###." }, /* 9 */
};

/* What draws one sample of a class: the per-kind constants of one data set. */
typedef struct {
    int kind, classes, dim;
    float phase;     /* blobs and spiral: a random rotation of the whole set  */
    float blob_std;  /* blobs                                                 */
    float *id_means; /* identities: (classes + heldout_ids, ID_DIM)           */
    float nuisance[ID_NUISANCE_DIMS * ID_DIM]; /* orthonormal rows            */
} generator;

/* An independent stream: splitmix64 states of seeds s and s+1 are one step
   apart, so a stream is seeded with 64 bits drawn from a master stream. */
static iam_rng rng_substream(iam_rng *master) {
    uint64_t hi = iam_rng_u32(master), lo = iam_rng_u32(master);
    return iam_rng_seeded((hi << 32) | lo);
}

/* ---------------------------------------------------------------------------
 * One sample of each kind
 * ------------------------------------------------------------------------- */

static void blobs_sample(const generator *g, int k, iam_rng *r, float *x) {
    // x is (2): centre (cos a, sin a), a = phase + 2πk/C, plus N(0, std² I)
    float a = g->phase + TWO_PI_F * (float)k / (float)g->classes;
    x[0] = cosf(a) + g->blob_std * iam_rng_normal(r);
    x[1] = sinf(a) + g->blob_std * iam_rng_normal(r);
}

static void spiral_sample(const generator *g, int k, iam_rng *r, float *x) {
    // x is (2): radius t ~ U[0,1), angle phase + 2πk/C + 2π·turns·t + noise
    float t = iam_rng_uniform(r);
    float a = g->phase + TWO_PI_F * (float)k / (float)g->classes + TWO_PI_F * SPIRAL_TURNS * t +
              (SPIRAL_NOISE_RAD / (float)g->classes) * iam_rng_normal(r);
    x[0] = t * cosf(a);
    x[1] = t * sinf(a);
}

static void glyphs_sample(int k, iam_rng *r, float *x) {
    // x is (8*8) row-major: the bitmap of digit k, shifted, thickened, noised, minus 0.5
    float ink[GLYPH_SIDE * GLYPH_SIDE] = { 0 };
    int dx = iam_rng_below(r, 3) - 1, dy = iam_rng_below(r, 3) - 1;
    for (int row = 0; row < GLYPH_H; row++)
        for (int col = 0; col < GLYPH_W; col++)
            if (glyph_bitmaps[k][row][col] == '#')
                ink[(1 + row + dy) * GLYPH_SIDE + (1 + col + dx)] = 1.0f;
    float intensity = GLYPH_INK_MIN + (1.0f - GLYPH_INK_MIN) * iam_rng_uniform(r);
    float bleed = GLYPH_BLEED_MAX * iam_rng_uniform(r);
    for (int row = 0; row < GLYPH_SIDE; row++)
        for (int col = 0; col < GLYPH_SIDE; col++) {
            /* a blank pixel next to a stroke gets `bleed` of its ink */
            float v = ink[row * GLYPH_SIDE + col];
            int near = (row > 0 && ink[(row - 1) * GLYPH_SIDE + col] > 0.0f) ||
                       (row < GLYPH_SIDE - 1 && ink[(row + 1) * GLYPH_SIDE + col] > 0.0f) ||
                       (col > 0 && ink[row * GLYPH_SIDE + col - 1] > 0.0f) ||
                       (col < GLYPH_SIDE - 1 && ink[row * GLYPH_SIDE + col + 1] > 0.0f);
            if (v == 0.0f && near) v = bleed;
            x[row * GLYPH_SIDE + col] =
                intensity * v + GLYPH_NOISE_STD * iam_rng_normal(r) - 0.5f;
        }
}

static void identities_sample(const generator *g, int k, iam_rng *r, float *x) {
    // x is (32): μ_k + Σ_q a_q N_q + ε,  a_q ~ N(0, 2.5²),  ε ~ N(0, 0.5² I)
    const float *mean = g->id_means + (size_t)k * ID_DIM;
    for (int e = 0; e < ID_DIM; e++) x[e] = mean[e] + ID_NOISE_STD * iam_rng_normal(r);
    for (int q = 0; q < ID_NUISANCE_DIMS; q++) {
        float a = ID_NUISANCE_STD * iam_rng_normal(r);
        for (int e = 0; e < ID_DIM; e++) x[e] += a * g->nuisance[q * ID_DIM + e];
    }
}

static void draw_sample(const generator *g, int k, iam_rng *r, float *x) {
    switch (g->kind) {
    case IAM_DATA_BLOBS: blobs_sample(g, k, r, x); break;
    case IAM_DATA_SPIRAL: spiral_sample(g, k, r, x); break;
    case IAM_DATA_GLYPHS: glyphs_sample(k, r, x); break;
    default: identities_sample(g, k, r, x); break;
    }
}

/* n samples, sample i of class i mod classes, drawn as generator class
   class_offset + (i mod classes) (the held-out identities follow the trained ones) */
static void fill_split(const generator *g, iam_rng r, int n, int classes, int class_offset,
                       float *x, int *y) {
    for (int i = 0; i < n; i++) {
        y[i] = i % classes;
        draw_sample(g, class_offset + y[i], &r, x + (size_t)i * g->dim);
    }
}

/* ---------------------------------------------------------------------------
 * Identities: random means and an orthonormal nuisance basis
 * ------------------------------------------------------------------------- */

/* v -= (v·u) u for each of the first `count` rows u of basis (orthonormal) */
static void project_out(float *v, const float *basis, int count) {
    for (int q = 0; q < count; q++) {
        const float *u = basis + q * ID_DIM;
        double dot = 0.0;
        for (int e = 0; e < ID_DIM; e++) dot += (double)v[e] * u[e];
        for (int e = 0; e < ID_DIM; e++) v[e] -= (float)dot * u[e];
    }
}

static void normalize_to(float *v, float norm) {
    double sq = 0.0;
    for (int e = 0; e < ID_DIM; e++) sq += (double)v[e] * v[e];
    float scale = (float)(norm / sqrt(sq)); /* sq > 0 with probability 1 */
    for (int e = 0; e < ID_DIM; e++) v[e] *= scale;
}

/* The nuisance basis: Gaussian vectors, Gram–Schmidt. The identity means:
   random directions with the nuisance part removed (the nuisance subspace
   carries no identity, so a linear map can discard it without loss), scaled
   to ID_MEAN_NORM. */
static void identities_structure(generator *g, int n_ids, iam_rng *r) {
    for (int q = 0; q < ID_NUISANCE_DIMS; q++) {
        float *u = g->nuisance + q * ID_DIM;
        for (int e = 0; e < ID_DIM; e++) u[e] = iam_rng_normal(r);
        project_out(u, g->nuisance, q);
        normalize_to(u, 1.0f);
    }
    for (int k = 0; k < n_ids; k++) {
        float *mean = g->id_means + (size_t)k * ID_DIM;
        for (int e = 0; e < ID_DIM; e++) mean[e] = iam_rng_normal(r);
        project_out(mean, g->nuisance, ID_NUISANCE_DIMS);
        normalize_to(mean, ID_MEAN_NORM);
    }
}

/* ---------------------------------------------------------------------------
 * The API
 * ------------------------------------------------------------------------- */

static const char *data_kind_name(int kind) {
    return (kind >= 0 && kind < IAM_DATA_KIND_COUNT) ? iam_data_names[kind] : "?";
}

void iam_dataset_free(iam_dataset *ds) {
    if (!ds) return;
    free(ds->x_train);
    free(ds->y_train);
    free(ds->x_test);
    free(ds->y_test);
    free(ds->x_heldout);
    free(ds->y_heldout);
    memset(ds, 0, sizeof *ds);
}

/* The arguments' checks: a known kind, and class and per-class counts in range. */
static int check_dataset_args(int kind, int classes, int train_per_class, int test_per_class) {
    if (kind < 0 || kind >= IAM_DATA_KIND_COUNT)
        return iam_fail("unknown data kind %d (expected 0..5: blobs, spiral, glyphs, identities, "
                        "mnist, rows)", kind);
    if (kind == IAM_DATA_MNIST || kind == IAM_DATA_ROWS)
        return iam_fail("%s data are rows the caller passes, not generated: use "
                        "iam_dataset_from_rows (a trainer: iam_trainer_new_rows)", data_kind_name(kind));
    const int max_classes = kind == IAM_DATA_GLYPHS       ? 10
                            : kind == IAM_DATA_IDENTITIES ? IAM_DATA_MAX_CLASSES
                                                          : 32;
    if (classes < 2 || classes > max_classes)
        return iam_fail("classes must be in [2, %d] for %s (got %d)", max_classes,
                        data_kind_name(kind), classes);
    if (train_per_class < 1 || train_per_class > DATA_MAX_PER_CLASS)
        return iam_fail("train_per_class must be in [1, %d] (got %d)", DATA_MAX_PER_CLASS,
                        train_per_class);
    if (test_per_class < 1 || test_per_class > DATA_MAX_PER_CLASS)
        return iam_fail("test_per_class must be in [1, %d] (got %d)", DATA_MAX_PER_CLASS,
                        test_per_class);
    return 0;
}

/* The shape of a data set: its input dimension, its sets' sizes and its held-out
   identities (identities only), within the size limit. Fills ds's counts. */
static int dataset_shape(iam_dataset *ds, int kind, int classes, int train_per_class,
                         int test_per_class) {
    const int dim = kind == IAM_DATA_GLYPHS ? GLYPH_SIDE * GLYPH_SIDE
                    : kind == IAM_DATA_IDENTITIES ? ID_DIM
                                                  : 2;
    int heldout_ids = 0;
    if (kind == IAM_DATA_IDENTITIES)
        heldout_ids = classes < ID_HELDOUT_MIN ? ID_HELDOUT_MIN
                      : classes > ID_HELDOUT_MAX ? ID_HELDOUT_MAX
                                                 : classes;
    const size_t n_train = (size_t)classes * train_per_class;
    const size_t n_test = (size_t)classes * test_per_class;
    const size_t n_heldout = (size_t)heldout_ids * ID_HELDOUT_PER_ID;
    const size_t floats = (n_train + n_test + n_heldout) * dim;
    if (floats > DATA_MAX_FLOATS)
        return iam_fail("classes = %d with train_per_class = %d and test_per_class = %d make "
                        "%zu floats of %s data, more than the %zu allowed",
                        classes, train_per_class, test_per_class, floats, data_kind_name(kind),
                        DATA_MAX_FLOATS);
    ds->kind = kind;
    ds->classes = classes;
    ds->dim = dim;
    ds->n_train = (int)n_train;
    ds->n_test = (int)n_test;
    ds->heldout_ids = heldout_ids;
    ds->n_heldout = (int)n_heldout;
    return 0;
}

/* The arrays of ds's shape, and the generator's identity means; all or nothing. */
static int dataset_alloc(iam_dataset *ds, generator *g, int train_per_class, int test_per_class) {
    const size_t dim = (size_t)ds->dim;
    ds->x_train = malloc(sizeof(float) * (size_t)ds->n_train * dim);
    ds->y_train = malloc(sizeof(int) * (size_t)ds->n_train);
    ds->x_test = malloc(sizeof(float) * (size_t)ds->n_test * dim);
    ds->y_test = malloc(sizeof(int) * (size_t)ds->n_test);
    int out_of_memory = !ds->x_train || !ds->y_train || !ds->x_test || !ds->y_test;
    if (ds->kind == IAM_DATA_IDENTITIES && !out_of_memory) {
        ds->x_heldout = malloc(sizeof(float) * (size_t)ds->n_heldout * dim);
        ds->y_heldout = malloc(sizeof(int) * (size_t)ds->n_heldout);
        g->id_means = malloc(sizeof(float) * (size_t)(ds->classes + ds->heldout_ids) * ID_DIM);
        out_of_memory = !ds->x_heldout || !ds->y_heldout || !g->id_means;
    }
    if (!out_of_memory) return 0;
    free(g->id_means);
    g->id_means = NULL;
    int kind = ds->kind, classes = ds->classes;
    iam_dataset_free(ds);
    return iam_fail("out of memory for %s data with %d classes, %d train and %d test per "
                    "class", data_kind_name(kind), classes, train_per_class, test_per_class);
}

/* What every sample of a kind shares, drawn first from the structure stream:
   the blobs' spread and phase, the spiral's phase, the identities' means. */
static void generator_structure(generator *g, const iam_dataset *ds, iam_rng *structure) {
    switch (ds->kind) {
    case IAM_DATA_BLOBS: {
        float gap_sin = sinf(0.5f * TWO_PI_F / (float)ds->classes); /* sin(π/C) */
        g->blob_std = fminf(BLOBS_STD_MAX, BLOBS_STD_PER_GAP * gap_sin);
        g->phase = TWO_PI_F * iam_rng_uniform(structure);
        break;
    }
    case IAM_DATA_SPIRAL: g->phase = TWO_PI_F * iam_rng_uniform(structure); break;
    case IAM_DATA_IDENTITIES: identities_structure(g, ds->classes + ds->heldout_ids, structure); break;
    default: break;
    }
}

/* cheap insurance that nothing above can hand a NaN to the trainer */
static int check_dataset_finite(const iam_dataset *ds) {
    const size_t dim = (size_t)ds->dim;
    if (iam_check_finite("x_train", ds->x_train, (size_t)ds->n_train * dim, ds->dim) ||
        iam_check_finite("x_test", ds->x_test, (size_t)ds->n_test * dim, ds->dim) ||
        (ds->n_heldout && iam_check_finite("x_heldout", ds->x_heldout, (size_t)ds->n_heldout * dim, ds->dim)))
        return -1;
    return 0;
}

int iam_dataset_make(iam_dataset *ds, int kind, int classes, int train_per_class,
                     int test_per_class, unsigned seed) {
    // ds gets x_train (n_train, dim), x_test (n_test, dim), x_heldout (n_heldout, dim)
    if (!ds) return iam_fail("ds, the data set to fill, is NULL");
    memset(ds, 0, sizeof *ds);
    if (check_dataset_args(kind, classes, train_per_class, test_per_class) ||
        dataset_shape(ds, kind, classes, train_per_class, test_per_class))
        return -1;

    generator g;
    memset(&g, 0, sizeof g);
    g.kind = kind;
    g.classes = classes;
    g.dim = ds->dim;
    /* four streams, in this order: the class structure, train, test, held-out */
    iam_rng master = iam_rng_seeded(seed);
    iam_rng structure = rng_substream(&master);
    iam_rng train_rng = rng_substream(&master);
    iam_rng test_rng = rng_substream(&master);
    iam_rng heldout_rng = rng_substream(&master);
    if (dataset_alloc(ds, &g, train_per_class, test_per_class)) return -1;

    generator_structure(&g, ds, &structure);
    fill_split(&g, train_rng, ds->n_train, classes, 0, ds->x_train, ds->y_train);
    fill_split(&g, test_rng, ds->n_test, classes, 0, ds->x_test, ds->y_test);
    if (kind == IAM_DATA_IDENTITIES) /* identities classes .. classes+heldout_ids−1 */
        fill_split(&g, heldout_rng, ds->n_heldout, ds->heldout_ids, classes, ds->x_heldout,
                   ds->y_heldout);
    free(g.id_means);

    if (check_dataset_finite(ds)) {
        iam_dataset_free(ds);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * The caller's rows: checked, copied, split by seed
 * ------------------------------------------------------------------------- */

static int check_rows(int kind, const float *x, const int *labels, int n, int dim, int classes,
                      float test_fraction) {
    if (kind != IAM_DATA_MNIST && kind != IAM_DATA_ROWS)
        return iam_fail("rows are data of kind mnist or rows (got %s)", data_kind_name(kind));
    if (!x || !labels) return iam_fail("the rows and their labels must not be NULL");
    if (n < 2 || n > IAM_DATA_MAX_ROWS) return iam_fail("a data set needs 2 to %d rows (got %d)", IAM_DATA_MAX_ROWS, n);
    if (dim < 1 || dim > IAM_DATA_MAX_DIM)
        return iam_fail("the rows' dimension must be in [1, %d] (got %d)", IAM_DATA_MAX_DIM, dim);
    if ((size_t)n * dim > DATA_MAX_FLOATS)
        return iam_fail("%d rows of %d values are more than the %zu floats allowed", n, dim, DATA_MAX_FLOATS);
    if (classes < 2 || classes > IAM_DATA_MAX_CLASSES)
        return iam_fail("classes must be in [2, %d] (got %d)", IAM_DATA_MAX_CLASSES, classes);
    if (!(test_fraction >= 0.01f && test_fraction <= 0.9f))
        return iam_fail("test_fraction must be in [0.01, 0.9] (got %g)", test_fraction);
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= classes)
            return iam_fail("labels[%d] = %d is out of range [0, %d)", i, labels[i], classes);
    return iam_check_finite("the rows", x, (size_t)n * dim, dim);
}

/* Rows of each class interleaved into one split: order[class][0..count) are row indices;
   round r takes the r-th row of every class that still has one. */
static void interleave(const float *x, const int *labels, int dim, int classes, int *const *order,
                       const int *count, float *out_x, int *out_y) {
    int most = 0, k = 0;
    for (int c = 0; c < classes; c++) most = count[c] > most ? count[c] : most;
    for (int r = 0; r < most; r++)
        for (int c = 0; c < classes; c++) {
            if (r >= count[c]) continue;
            int i = order[c][r];
            memcpy(out_x + (size_t)k * dim, x + (size_t)i * dim, sizeof(float) * dim);
            out_y[k++] = labels[i];
        }
}

int iam_dataset_from_rows(iam_dataset *ds, int kind, const float *x, const int *labels, int n, int dim,
                          int classes, float test_fraction, unsigned seed) {
    if (!ds) return iam_fail("ds, the data set to fill, is NULL");
    memset(ds, 0, sizeof *ds);
    if (check_rows(kind, x, labels, n, dim, classes, test_fraction)) return -1;
    /* rows by class, in file order: counts, then a prefix sum into one index array */
    int *per = calloc((size_t)classes, sizeof(int)), *start = calloc((size_t)classes + 1, sizeof(int));
    int *index = malloc(sizeof(int) * (size_t)n), *n_test = calloc((size_t)classes, sizeof(int));
    int **test_rows = malloc(sizeof(int *) * (size_t)classes), **train_rows = malloc(sizeof(int *) * (size_t)classes);
    int status = -1;
    if (!per || !start || !index || !n_test || !test_rows || !train_rows) {
        iam_fail("out of memory for %d rows", n);
        goto done;
    }
    for (int i = 0; i < n; i++) per[labels[i]]++;
    for (int c = 0; c < classes; c++) {
        if (per[c] == 0) {
            iam_fail("class %d has no rows: labels must use every class in [0, %d)", c, classes);
            goto done;
        }
        start[c + 1] = start[c] + per[c];
    }
    for (int c = 0; c < classes; c++) per[c] = 0;
    for (int i = 0; i < n; i++) index[start[labels[i]] + per[labels[i]]++] = i;
    /* per class: a Fisher–Yates shuffle from the seed, then the test share off the front */
    iam_rng r = iam_rng_seeded(seed);
    int total_test = 0;
    for (int c = 0; c < classes; c++) {
        int *rows = index + start[c];
        for (int q = per[c] - 1; q > 0; q--) {
            int p = iam_rng_below(&r, q + 1), tmp = rows[q];
            rows[q] = rows[p];
            rows[p] = tmp;
        }
        int k = (int)floorf(test_fraction * (float)per[c] + 0.5f);
        n_test[c] = k < per[c] ? k : per[c] - 1;   /* a class keeps at least one training row */
        total_test += n_test[c];
        test_rows[c] = rows;
        train_rows[c] = rows + n_test[c];
        per[c] -= n_test[c];                       /* per[] now counts training rows */
    }
    if (total_test == 0) {
        iam_fail("no row is left for the test set: %d rows with test_fraction %g hold out none; "
                 "add rows or raise the fraction", n, test_fraction);
        goto done;
    }
    ds->kind = kind;
    ds->classes = classes;
    ds->dim = dim;
    ds->n_train = n - total_test;
    ds->n_test = total_test;
    ds->x_train = malloc(sizeof(float) * (size_t)ds->n_train * dim);
    ds->y_train = malloc(sizeof(int) * (size_t)ds->n_train);
    ds->x_test = malloc(sizeof(float) * (size_t)ds->n_test * dim);
    ds->y_test = malloc(sizeof(int) * (size_t)ds->n_test);
    if (!ds->x_train || !ds->y_train || !ds->x_test || !ds->y_test) {
        iam_dataset_free(ds);
        iam_fail("out of memory for %d rows of %d values", n, dim);
        goto done;
    }
    interleave(x, labels, dim, classes, train_rows, per, ds->x_train, ds->y_train);
    interleave(x, labels, dim, classes, test_rows, n_test, ds->x_test, ds->y_test);
    status = 0;
done:
    free(per); free(start); free(index); free(n_test); free(test_rows); free(train_rows);
    return status;
}
