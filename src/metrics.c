/* metrics.c: the angular metrics, in degrees (LOSSES.md, "Angular metrics").
 *
 * What a student reads off the screen after training:
 *   the packing limit     the best possible minimum angle between C directions;
 *   pairwise angles       between class weights or class centres: the minimum
 *                         and the mean nearest-neighbour angle;
 *   sample margins        θ_nearest_other − θ_target per sample;
 *   accuracy              by cosine or by the raw logit W_j·x;
 *   a histogram           of any of these;
 *   verification          a toy LFW on identities never trained on: accuracy at
 *                         a 10-fold cross-validated threshold, TAR at FAR = 1e-2.
 *
 * Every angle is acos of a cosine computed in double and clamped to [−1, 1]
 * (rounding can push a cosine of two unit vectors past 1, and acos(1.0000001)
 * is NaN). A zero row, where a direction is needed, is an input error.
 *
 * What it deliberately is not: fast, or a full evaluation toolkit. These run
 * once per displayed frame, not per step, so they are plain O(rows²·d) loops
 * in double and may allocate scratch memory (iam.h). No ROC curves, no mAP.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "internal.h"
#include "rng.h"

#define RAD_TO_DEG 57.295779513082320876798
/* an evaluation set may be a whole test split, larger than a training batch */
#define METRICS_MAX_N (1 << 24)
#define VERIFY_FOLDS 10
#define VERIFY_MAX_PAIRS (1 << 22)

/* ---------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------- */

static double angle_deg(double cosine) {
    if (cosine > 1.0) cosine = 1.0;
    if (cosine < -1.0) cosine = -1.0;
    return acos(cosine) * RAD_TO_DEG;
}

static double dot_d(const float *a, const float *b, int d) {
    double sum = 0.0;
    for (int k = 0; k < d; k++) sum += (double)a[k] * b[k];
    return sum;
}

/* a is (rows,d): inv_norm[r] = 1/‖a_r‖. A zero row has no direction: error. */
static int inverse_norms(const float *a, int rows, int d, const char *name, double *inv_norm) {
    for (int r = 0; r < rows; r++) {
        double norm = sqrt(dot_d(a + (size_t)r * d, a + (size_t)r * d, d));
        if (!(norm > 1e-30))
            return iam_fail("row %d of %s has zero norm; its direction, and so its angles, are "
                            "undefined", r, name);
        inv_norm[r] = 1.0 / norm;
    }
    return 0;
}

static int check_n(const char *name, int v, int lo, int hi) {
    if (v < lo || v > hi) return iam_fail("%s must be in [%d, %d] (got %d)", name, lo, hi, v);
    return 0;
}

static int check_labels(const int *labels, int n, int c) {
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= c)
            return iam_fail("labels[%d] = %d is out of range [0, %d)", i, labels[i], c);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Packing limit
 * ------------------------------------------------------------------------- */

float iam_packing_limit_deg(int classes, int dim) {
    // the Tammes problem: max over C unit vectors in R^dim of their minimum angle
    /* 3-D: the Tammes optima for C = 0..12 (LOSSES.md's table) */
    static const float tammes_3d[13] = { 0,     0,     180,   120,   109.47f, 90,   90,
                                         77.87f, 74.86f, 70.53f, 66.15f, 63.43f, 63.43f };
    if (classes < 2 || dim < 1) return 0.0f;
    if (classes == 2) return 180.0f; /* two opposite vectors, in any dimension */
    if (dim == 1) return 0.0f;       /* only ±1: a third vector repeats one   */
    if (dim == 2) return 360.0f / (float)classes;
    if (dim == 3) return classes <= 12 ? tammes_3d[classes] : 0.0f;
    /* dim ≥ 4, Rankin (1955): C ≤ dim+1 vectors are best placed on a regular
       simplex, cos θ = −1/(C−1); for dim+2 ≤ C ≤ 2·dim the optimum is exactly
       90° (the cross-polytope ±e_k, or part of it). Beyond that, unknown. */
    if (classes <= dim + 1) return (float)angle_deg(-1.0 / (double)(classes - 1));
    if (classes <= 2 * dim) return 90.0f;
    return 0.0f;
}

/* ---------------------------------------------------------------------------
 * Angles between rows: class weights or class centres
 * ------------------------------------------------------------------------- */

int iam_pairwise_angles(const float *V, int rows, int d, float *min_deg, float *mean_nn_deg) {
    // V is (rows,d); min_deg = min_{i<j} θ_ij, mean_nn_deg = mean_i min_{j≠i} θ_ij
    if (!V || !min_deg || !mean_nn_deg)
        return iam_fail("V, min_deg and mean_nn_deg must not be NULL");
    if (check_n("rows", rows, 2, IAM_MAX_C) || check_n("d", d, 1, IAM_MAX_D)) return -1;
    if (iam_check_finite("V", V, (size_t)rows * d, d)) return -1;
    double *inv_norm = malloc(sizeof(double) * rows);
    double *nn_cos = malloc(sizeof(double) * rows); /* largest cosine = nearest neighbour */
    if (!inv_norm || !nn_cos) {
        free(inv_norm);
        free(nn_cos);
        return iam_fail("out of memory for the angles between %d rows", rows);
    }
    int status = inverse_norms(V, rows, d, "V", inv_norm);
    if (status == 0) {
        for (int i = 0; i < rows; i++) nn_cos[i] = -2.0;
        double max_cos = -2.0;
        for (int i = 0; i < rows; i++)
            for (int j = i + 1; j < rows; j++) {
                double cosine = dot_d(V + (size_t)i * d, V + (size_t)j * d, d) * inv_norm[i] *
                                inv_norm[j];
                if (cosine > nn_cos[i]) nn_cos[i] = cosine;
                if (cosine > nn_cos[j]) nn_cos[j] = cosine;
                if (cosine > max_cos) max_cos = cosine;
            }
        double sum_nn = 0.0; /* acos is decreasing: the nearest row has the largest cosine */
        for (int i = 0; i < rows; i++) sum_nn += angle_deg(nn_cos[i]);
        *min_deg = (float)angle_deg(max_cos);
        *mean_nn_deg = (float)(sum_nn / rows);
    }
    free(inv_norm);
    free(nn_cos);
    return status;
}

int iam_class_centers(const float *emb, const int *labels, int n, int d, int c, float *centers) {
    // emb is (n,d), labels is (n), centers is (c,d): centers_k = mean over {i: y_i = k} of x̂_i
    if (!emb || !labels || !centers) return iam_fail("emb, labels and centers must not be NULL");
    if (check_n("n", n, 1, METRICS_MAX_N) || check_n("d", d, 1, IAM_MAX_D) ||
        check_n("c, the number of classes,", c, 1, IAM_MAX_C))
        return -1;
    if (check_labels(labels, n, c) || iam_check_finite("emb", emb, (size_t)n * d, d)) return -1;
    double *inv_norm = malloc(sizeof(double) * n);
    double *sum = calloc((size_t)c * d, sizeof(double));
    int *count = calloc((size_t)c, sizeof(int));
    int status = 0;
    if (!inv_norm || !sum || !count)
        status = iam_fail("out of memory for the centres of %d classes in %d dimensions", c, d);
    if (status == 0) status = inverse_norms(emb, n, d, "emb", inv_norm);
    if (status == 0) {
        for (int i = 0; i < n; i++) {
            double *s = sum + (size_t)labels[i] * d;
            const float *x = emb + (size_t)i * d;
            for (int k = 0; k < d; k++) s[k] += x[k] * inv_norm[i];
            count[labels[i]]++;
        }
        for (int j = 0; j < c && status == 0; j++) {
            if (count[j] == 0) {
                status = iam_fail("class %d has no sample in labels, so it has no centre", j);
                break;
            }
            /* a mean of unit vectors has norm ≤ 1; below float32's resolution it
               is the zero vector (e.g. two opposite samples), with no direction */
            double sq = 0.0;
            for (int k = 0; k < d; k++) sq += sum[(size_t)j * d + k] * sum[(size_t)j * d + k];
            if (!(sqrt(sq) / count[j] > 1e-7)) {
                status = iam_fail("the centre of class %d is the zero vector (its %d normalized "
                                  "samples cancel out), so it has no direction", j, count[j]);
                break;
            }
            for (int k = 0; k < d; k++)
                centers[(size_t)j * d + k] = (float)(sum[(size_t)j * d + k] / count[j]);
        }
    }
    free(inv_norm);
    free(sum);
    free(count);
    return status;
}

/* ---------------------------------------------------------------------------
 * Per-sample margins and accuracy
 * ------------------------------------------------------------------------- */

static int check_emb_w(const float *emb, const float *W, const int *labels, int n, int d, int c) {
    if (!emb || !W || !labels) return iam_fail("emb, W and labels must not be NULL");
    if (check_n("n", n, 1, METRICS_MAX_N) || check_n("d", d, 1, IAM_MAX_D) ||
        check_n("c, the number of classes,", c, 2, IAM_MAX_C))
        return -1;
    if (check_labels(labels, n, c)) return -1;
    if (iam_check_finite("emb", emb, (size_t)n * d, d)) return -1;
    return iam_check_finite("W", W, (size_t)c * d, d);
}

int iam_sample_margins(const float *emb, const float *W, const int *labels, int n, int d, int c,
                       float *margins_deg) {
    // emb is (n,d), W is (c,d), labels and margins_deg are (n)
    // margin_i = min_{j≠y} θ_ij − θ_iy = acos(max_{j≠y} c_ij) − acos(c_iy)
    if (check_emb_w(emb, W, labels, n, d, c)) return -1;
    if (!margins_deg) return iam_fail("margins_deg must not be NULL");
    double *inv_norm_w = malloc(sizeof(double) * c);
    if (!inv_norm_w) return iam_fail("out of memory for the norms of %d class weights", c);
    int status = inverse_norms(W, c, d, "W", inv_norm_w);
    for (int i = 0; i < n && status == 0; i++) {
        const float *x = emb + (size_t)i * d;
        double norm_x = sqrt(dot_d(x, x, d));
        if (!(norm_x > 1e-30)) {
            status = iam_fail("row %d of emb has zero norm; its angles are undefined", i);
            break;
        }
        const int y = labels[i];
        double cos_target = 0.0, cos_other = -2.0;
        for (int j = 0; j < c; j++) {
            double cosine = dot_d(x, W + (size_t)j * d, d) * inv_norm_w[j] / norm_x;
            if (j == y) cos_target = cosine;
            else if (cosine > cos_other) cos_other = cosine;
        }
        margins_deg[i] = (float)(angle_deg(cos_other) - angle_deg(cos_target));
    }
    free(inv_norm_w);
    return status;
}

int iam_accuracy(const float *emb, const float *W, const int *labels, int n, int d, int c,
                 int use_cosine, float *accuracy) {
    // emb is (n,d), W is (c,d), labels is (n); logit z_ij = cos θ_ij or W_j·x_i
    // a sample counts when z_iy is strictly the largest: a tie is not a decision
    if (check_emb_w(emb, W, labels, n, d, c)) return -1;
    if (!accuracy) return iam_fail("accuracy must not be NULL");
    if (use_cosine != 0 && use_cosine != 1)
        return iam_fail("use_cosine must be 0 (by W_j.x) or 1 (by cosine) (got %d)", use_cosine);
    double *w_scale = malloc(sizeof(double) * c); /* 1/‖W_j‖ for cosines, else 1 */
    if (!w_scale) return iam_fail("out of memory for the norms of %d class weights", c);
    int status = 0;
    if (use_cosine) status = inverse_norms(W, c, d, "W", w_scale);
    else
        for (int j = 0; j < c; j++) w_scale[j] = 1.0;
    long correct = 0;
    for (int i = 0; i < n && status == 0; i++) {
        const float *x = emb + (size_t)i * d;
        /* for the argmax over j, dividing by ‖x_i‖ changes nothing; a zero x_i has no
           cosine at all, though, and is an error like everywhere else */
        if (use_cosine && !(dot_d(x, x, d) > 0.0)) {
            status = iam_fail("row %d of emb has zero norm; its cosines are undefined", i);
            break;
        }
        const int y = labels[i];
        double z_target = dot_d(x, W + (size_t)y * d, d) * w_scale[y], z_other = -INFINITY;
        for (int j = 0; j < c; j++) {
            if (j == y) continue;
            double z = dot_d(x, W + (size_t)j * d, d) * w_scale[j];
            if (z > z_other) z_other = z;
        }
        if (z_target > z_other) correct++;
    }
    free(w_scale);
    if (status == 0) *accuracy = (float)((double)correct / n);
    return status;
}

int iam_histogram(const float *values, int n, float lo, float hi, int bins, int *counts) {
    // values is (n), counts is (bins); bin b covers [lo + b·w, lo + (b+1)·w), w = (hi−lo)/bins
    if (!values || !counts) return iam_fail("values and counts must not be NULL");
    if (check_n("n", n, 0, METRICS_MAX_N) || check_n("bins", bins, 1, 1 << 20)) return -1;
    if (!(isfinite(lo) && isfinite(hi) && lo < hi))
        return iam_fail("lo and hi must be finite with lo < hi (got lo = %g, hi = %g)", lo, hi);
    if (iam_check_finite("values", values, (size_t)n, 1)) return -1;
    memset(counts, 0, sizeof(int) * (size_t)bins);
    for (int i = 0; i < n; i++) {
        double t = ((double)values[i] - lo) / ((double)hi - lo) * bins;
        int b = t < 0.0 ? 0 : (t >= bins ? bins - 1 : (int)t); /* clamp into the end bins */
        counts[b]++;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Open-set verification (a toy LFW)
 * ------------------------------------------------------------------------- */

typedef struct {
    double score; /* cosine similarity of the pair         */
    int same;     /* 1 = same identity, 0 = different      */
} scored_pair;

static int by_score(const void *a, const void *b) {
    double sa = ((const scored_pair *)a)->score, sb = ((const scored_pair *)b)->score;
    return (sa > sb) - (sa < sb);
}

/* qsort has no context argument in C11: a file-level pointer for the comparator.
   Sample indices sort by id, then by index, so the order is the same on every libc. */
static const int *sort_ids;
static int by_id(const void *a, const void *b) {
    int ia = *(const int *)a, ib = *(const int *)b;
    int ya = sort_ids[ia], yb = sort_ids[ib];
    if (ya != yb) return (ya > yb) - (ya < yb);
    return (ia > ib) - (ia < ib);
}

/* The threshold that classifies pairs (sorted by score, ascending) best, a pair
 * being accepted as "same" when score > threshold. The candidates are one below
 * every score (accept all) and each distinct score t (reject all ≤ t); between
 * two neighbouring distinct scores the decisions do not change. Of equally good
 * candidates the lowest wins, and the threshold returned is halfway to the next
 * distinct score, so that an unseen score equal to t is not decided by rounding. */
static double best_threshold(const scored_pair *p, int count) {
    // p is (count) sorted by score
    int n_same = 0;
    for (int k = 0; k < count; k++) n_same += p[k].same;
    int correct = n_same; /* threshold below everything: every same pair is right */
    int best_correct = correct;
    double best = -INFINITY;
    int best_end = 0; /* index of the first score above the chosen threshold */
    for (int k = 0; k < count;) {
        int end = k; /* the group of equal scores p[k..end) moves to "rejected" */
        while (end < count && p[end].score == p[k].score) {
            correct += p[end].same ? -1 : 1;
            end++;
        }
        if (correct > best_correct) {
            best_correct = correct;
            best = p[k].score;
            best_end = end;
        }
        k = end;
    }
    if (best == -INFINITY) return count > 0 ? p[0].score - 1.0 : 0.0;
    return best_end < count ? 0.5 * (best + p[best_end].score) : best + 1.0;
}

/* Draw the pairs: same-identity pairs from samples whose id has another sample,
 * different-identity pairs from all samples. With replacement: a pair may repeat. */
static void draw_pairs(const float *emb, const double *inv_norm, const int *order,
                       const int *group_start, const int *group_len, const int *eligible,
                       int n_eligible, int n, int d, int half, unsigned seed, scored_pair *pairs) {
    // order (n): sample indices sorted by id; group_start/len (n): the run of
    // sample order[k]'s id in order, indexed by position k; eligible: positions
    iam_rng rng = iam_rng_seeded(seed);
    for (int p = 0; p < 2 * half; p++) {
        int same = p < half, a, b; /* a, b: positions in order */
        if (same) {
            a = eligible[iam_rng_below(&rng, n_eligible)];
            int r = iam_rng_below(&rng, group_len[a] - 1); /* another member of a's group */
            b = group_start[a] + r;
            if (b >= a) b++;
        } else {
            a = iam_rng_below(&rng, n);
            int r = iam_rng_below(&rng, n - group_len[a]); /* any position outside a's group */
            b = r < group_start[a] ? r : r + group_len[a];
        }
        int i = order[a], j = order[b];
        pairs[p].score =
            dot_d(emb + (size_t)i * d, emb + (size_t)j * d, d) * inv_norm[i] * inv_norm[j];
        pairs[p].same = same;
    }
}

/* The samples grouped by id: order sorts them by id; for the q-th of them, its group's
   start and length in order, and eligible lists those whose group has two or more
   (they can form a same-identity pair). Fails when there are no two ids, or no pair. */
static int group_by_id(const int *ids, int n, int *order, int *group_start, int *group_len,
                       int *eligible, int *n_eligible) {
    int n_groups = 0;
    *n_eligible = 0;
    for (int i = 0; i < n; i++) order[i] = i;
    sort_ids = ids;
    qsort(order, (size_t)n, sizeof(int), by_id);
    for (int k = 0; k < n;) {
        int end = k;
        while (end < n && ids[order[end]] == ids[order[k]]) end++;
        for (int q = k; q < end; q++) {
            group_start[q] = k;
            group_len[q] = end - k;
            if (end - k >= 2) eligible[(*n_eligible)++] = q;
        }
        n_groups++;
        k = end;
    }
    if (n_groups < 2)
        return iam_fail("ids holds a single identity (%d): verification needs at least two "
                        "to form different-identity pairs", ids[0]);
    if (*n_eligible == 0)
        return iam_fail("no identity in ids has two samples: verification needs at least "
                        "one to form same-identity pairs");
    return 0;
}

/* 10-fold cross-validation, as in LFW: same pair k and different pair k go to fold
   k mod 10, so every fold is balanced; the threshold is chosen on the other nine
   folds and scored on the held one. pairs is (2·half): the same pairs, then the
   different ones; fold_train is scratch of the same size. */
static float cross_validated_accuracy(const scored_pair *pairs, int half, scored_pair *fold_train) {
    double sum_accuracy = 0.0;
    for (int f = 0; f < VERIFY_FOLDS; f++) {
        int count = 0;
        for (int p = 0; p < 2 * half; p++)
            if ((p % half) % VERIFY_FOLDS != f) fold_train[count++] = pairs[p];
        qsort(fold_train, (size_t)count, sizeof(scored_pair), by_score);
        double threshold = best_threshold(fold_train, count);
        int held = 0, correct = 0;
        for (int p = 0; p < 2 * half; p++)
            if ((p % half) % VERIFY_FOLDS == f) {
                held++;
                correct += (pairs[p].score > threshold) == pairs[p].same;
            }
        sum_accuracy += (double)correct / held;
    }
    return (float)(sum_accuracy / VERIFY_FOLDS);
}

/* TAR at FAR = 1e-2: with the different scores sorted descending, at most
   k = ⌊half/100⌋ of them may be accepted, so the threshold is the (k+1)-th largest
   (score > threshold accepts at most the k above it); TAR is the fraction of same
   pairs above it. Sorts the different pairs in place. */
static float tar_at_far_1e2_of(scored_pair *pairs, int half) {
    qsort(pairs + half, (size_t)half, sizeof(scored_pair), by_score); /* ascending */
    double threshold = pairs[half + (half - 1 - half / 100)].score;
    int accepted = 0;
    for (int p = 0; p < half; p++) accepted += pairs[p].score > threshold;
    return (float)((double)accepted / half);
}

int iam_verification(const float *emb, const int *ids, int n, int d, int n_pairs, unsigned seed,
                     float *accuracy, float *tar_at_far_1e2) {
    // emb is (n,d), ids is (n); pairs are scored by cosine similarity; a pair is
    // accepted as "same identity" when its similarity > threshold
    if (!emb || !ids || !accuracy || !tar_at_far_1e2)
        return iam_fail("emb, ids, accuracy and tar_at_far_1e2 must not be NULL");
    if (check_n("n", n, 2, METRICS_MAX_N) || check_n("d", d, 1, IAM_MAX_D)) return -1;
    if (n_pairs < 2 * VERIFY_FOLDS || n_pairs > VERIFY_MAX_PAIRS)
        return iam_fail("n_pairs must be in [%d, %d], so that each of the %d folds has a same and "
                        "a different pair (got %d)", 2 * VERIFY_FOLDS, VERIFY_MAX_PAIRS,
                        VERIFY_FOLDS, n_pairs);
    if (iam_check_finite("emb", emb, (size_t)n * d, d)) return -1;

    const int half = n_pairs / 2; /* same pairs, and as many different pairs */
    double *inv_norm = malloc(sizeof(double) * n);
    int *order = malloc(sizeof(int) * n);
    int *group_start = malloc(sizeof(int) * n);
    int *group_len = malloc(sizeof(int) * n);
    int *eligible = malloc(sizeof(int) * n);
    scored_pair *pairs = malloc(sizeof(scored_pair) * 2 * (size_t)half);
    scored_pair *fold_train = malloc(sizeof(scored_pair) * 2 * (size_t)half);
    int status = 0, n_eligible = 0;
    if (!inv_norm || !order || !group_start || !group_len || !eligible || !pairs || !fold_train)
        status = iam_fail("out of memory for %d verification pairs", n_pairs);
    if (status == 0) status = inverse_norms(emb, n, d, "emb", inv_norm);
    if (status == 0) status = group_by_id(ids, n, order, group_start, group_len, eligible, &n_eligible);
    if (status == 0) {
        draw_pairs(emb, inv_norm, order, group_start, group_len, eligible, n_eligible, n, d, half,
                   seed, pairs);
        *accuracy = cross_validated_accuracy(pairs, half, fold_train);
        *tar_at_far_1e2 = tar_at_far_1e2_of(pairs, half); /* last: it reorders the different pairs */
    }
    free(inv_norm);
    free(order);
    free(group_start);
    free(group_len);
    free(eligible);
    free(pairs);
    free(fold_train);
    return status;
}
