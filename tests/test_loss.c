/* test_loss.c: native C tests of the loss library, run plain and under ASan/UBSan.
 *
 * What the node suites cannot see from JS: the C API itself. The workspace is
 * malloc'd at exactly iam_loss_work_floats() so that ASan catches any write past
 * it; every bad input returns -1 with a sentence naming the argument; gradients
 * match central finite differences of the C loss itself (float32, so a loose
 * tolerance); dx and dW are accumulated into, not overwritten; degenerate
 * angles stay finite.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "check.h"

typedef struct {
    int n, d, c;
    float *x, *W, *dx, *dW, *work;
    int *labels;
} batch;

static batch batch_new(int n, int d, int c) {
    batch b = { n, d, c, 0, 0, 0, 0, 0, 0 };
    b.x = malloc(sizeof(float) * n * d);
    b.W = malloc(sizeof(float) * c * d);
    b.dx = malloc(sizeof(float) * n * d);
    b.dW = malloc(sizeof(float) * c * d);
    b.work = malloc(sizeof(float) * iam_loss_work_floats(n, d, c));
    b.labels = malloc(sizeof(int) * n);
    for (int k = 0; k < n * d; k++) b.x[k] = uniform();
    for (int k = 0; k < c * d; k++) b.W[k] = uniform();
    for (int i = 0; i < n; i++) b.labels[i] = i % c;
    return b;
}

static void batch_free(batch *b) {
    free(b->x); free(b->W); free(b->dx); free(b->dW); free(b->work); free(b->labels);
}

/* iam_loss accumulates (+=) into dx and dW: zero them first, as a training step does */
static int run(const iam_loss_config *cfg, batch *b, iam_loss_result *r) {
    memset(b->dx, 0, sizeof(float) * b->n * b->d);
    memset(b->dW, 0, sizeof(float) * b->c * b->d);
    return iam_loss(cfg, b->x, b->W, b->labels, b->n, b->d, b->c, b->dx, b->dW, r, b->work);
}

static float loss_at(const iam_loss_config *cfg, batch *b) {
    iam_loss_result r;
    if (run(cfg, b, &r)) return NAN;
    return r.loss;
}

/* Every gradient element against a central difference of the float32 loss. */
static void check_gradient(const char *name, const iam_loss_config *cfg, batch *b) {
    iam_loss_result r;
    int status = run(cfg, b, &r);
    CHECK(status == 0, "%s: iam_loss failed: %s", name, iam_last_error());
    if (status) return;
    int nx = b->n * b->d, nw = b->c * b->d;
    float *analytic = malloc(sizeof(float) * (nx + nw));
    memcpy(analytic, b->dx, sizeof(float) * nx);
    memcpy(analytic + nx, b->dW, sizeof(float) * nw);
    float worst = 0.0f, scale = 0.0f;
    for (int k = 0; k < nx + nw; k++) scale = fmaxf(scale, fabsf(analytic[k]));
    for (int k = 0; k < nx + nw; k++) {
        float *p = k < nx ? b->x + k : b->W + (k - nx);
        float keep = *p, h = 1e-2f * fmaxf(1.0f, fabsf(keep));
        *p = keep + h;
        float up = loss_at(cfg, b);
        *p = keep - h;
        float down = loss_at(cfg, b);
        *p = keep;
        float fd = (up - down) / (2.0f * h);
        worst = fmaxf(worst, fabsf(fd - analytic[k]));
    }
    /* float32 and h = 1e-2: a few percent of the largest element is the noise floor */
    CHECK(worst <= 3e-2f * scale + 2e-4f, "%s: gradient error %g (largest element %g)", name, worst, scale);
    free(analytic);
}

static iam_loss_config config(int kind, float scale, float margin, float beta) {
    iam_loss_config cfg = iam_loss_config_default(kind);
    cfg.scale = scale;
    cfg.margin = margin;
    cfg.beta = beta;
    return cfg;
}

static void test_gradients(void) {
    batch b = batch_new(5, 3, 4);
    const float betas[] = { 0.0f, 0.5f };
    for (int q = 0; q < 2; q++) {
        char name[64];
        float beta = betas[q];
        iam_loss_config cfg;
        snprintf(name, sizeof name, "softmax beta=%g", beta);
        cfg = config(IAM_SOFTMAX, 4, 0, beta);
        check_gradient(name, &cfg, &b);
        snprintf(name, sizeof name, "normface beta=%g", beta);
        cfg = config(IAM_NORMFACE, 4, 0, beta);
        check_gradient(name, &cfg, &b);
        snprintf(name, sizeof name, "cosface beta=%g", beta);
        cfg = config(IAM_COSFACE, 4, 0.2f, beta);
        check_gradient(name, &cfg, &b);
        snprintf(name, sizeof name, "arcface beta=%g", beta);
        cfg = config(IAM_ARCFACE, 4, 0.3f, beta);
        check_gradient(name, &cfg, &b);
        snprintf(name, sizeof name, "sphereface m=2 lambda=3 beta=%g", beta);
        cfg = config(IAM_SPHEREFACE, 4, 2, beta);
        cfg.lambda = 3;
        check_gradient(name, &cfg, &b);
        snprintf(name, sizeof name, "sphereface m=3 featureNorm beta=%g", beta);
        cfg = config(IAM_SPHEREFACE, 4, 3, beta);
        cfg.feature_norm = 1;
        check_gradient(name, &cfg, &b);
        snprintf(name, sizeof name, "combined beta=%g", beta);
        cfg = config(IAM_COMBINED, 4, 0, beta);
        check_gradient(name, &cfg, &b);
    }
    batch_free(&b);
}

/* A bad input returns -1, sets a sentence that contains `expect`, and writes
   nothing that could crash; the next good call still works. */
static void expect_error(const char *what, int status, const char *expect) {
    CHECK(status == -1, "%s: expected status -1, got %d", what, status);
    CHECK(strstr(iam_last_error(), expect) != NULL, "%s: error '%s' does not mention '%s'", what,
          iam_last_error(), expect);
}

static void test_bad_inputs(void) {
    batch b = batch_new(4, 3, 3);
    iam_loss_result r;
    iam_loss_config cfg = config(IAM_ARCFACE, 10, 0.3f, 0.5f);

    iam_loss_config bad = cfg;
    bad.scale = 0;
    expect_error("s = 0", run(&bad, &b, &r), "scale");
    bad.scale = -3;
    expect_error("s < 0", run(&bad, &b, &r), "scale");
    bad.scale = NAN;
    expect_error("s = NaN", run(&bad, &b, &r), "scale");
    bad = cfg;
    bad.beta = -0.1f;
    expect_error("beta < 0", run(&bad, &b, &r), "beta");
    bad = cfg;
    bad.margin = -0.1f;
    expect_error("negative arcface margin", run(&bad, &b, &r), "margin");
    bad = config(IAM_COSFACE, 10, -0.2f, 0);
    expect_error("negative cosface margin", run(&bad, &b, &r), "margin");
    bad = config(IAM_SPHEREFACE, 10, 0.5f, 0);
    expect_error("sphereface m < 1", run(&bad, &b, &r), "margin");
    bad = config(IAM_SPHEREFACE, 10, 2, 0);
    bad.lambda = -1;
    expect_error("negative lambda", run(&bad, &b, &r), "lambda");
    bad = config(IAM_COMBINED, 10, 0, 0);
    bad.m2 = -0.5f;
    expect_error("negative m2", run(&bad, &b, &r), "m2");
    bad = cfg;
    bad.kind = 9;
    expect_error("unknown kind", run(&bad, &b, &r), "kind");
    bad = cfg;
    bad.fallback = 7;
    expect_error("unknown fallback", run(&bad, &b, &r), "fallback");

    b.x[4] = NAN;
    expect_error("NaN in x", run(&cfg, &b, &r), "x[4]");
    b.x[4] = INFINITY;
    expect_error("Inf in x", run(&cfg, &b, &r), "infinite");
    b.x[4] = 0.5f;
    b.W[2] = -INFINITY;
    expect_error("Inf in W", run(&cfg, &b, &r), "W[2]");
    b.W[2] = 0.5f;
    b.labels[2] = 3;
    expect_error("label = c", run(&cfg, &b, &r), "labels[2]");
    b.labels[2] = -1;
    expect_error("negative label", run(&cfg, &b, &r), "labels[2]");
    b.labels[2] = 2;
    for (int k = 0; k < 3; k++) b.x[3 + k] = 0;
    expect_error("zero-norm x row", run(&cfg, &b, &r), "row 1 of x");
    for (int k = 0; k < 3; k++) b.x[3 + k] = 1;
    for (int k = 0; k < 3; k++) b.W[6 + k] = 0;
    expect_error("zero-norm W row", run(&cfg, &b, &r), "row 2 of W");
    for (int k = 0; k < 3; k++) b.W[6 + k] = 1;

    expect_error("C < 2", iam_loss(&cfg, b.x, b.W, b.labels, 4, 3, 1, b.dx, b.dW, &r, b.work), "c,");
    expect_error("n = 0", iam_loss(&cfg, b.x, b.W, b.labels, 0, 3, 3, b.dx, b.dW, &r, b.work), "n must");
    expect_error("d = 0", iam_loss(&cfg, b.x, b.W, b.labels, 4, 0, 3, b.dx, b.dW, &r, b.work), "d must");
    expect_error("NULL x", iam_loss(&cfg, NULL, b.W, b.labels, 4, 3, 3, b.dx, b.dW, &r, b.work), "NULL");
    expect_error("NULL cfg", iam_loss(NULL, b.x, b.W, b.labels, 4, 3, 3, b.dx, b.dW, &r, b.work), "NULL");

    /* and the library still works afterwards */
    CHECK(run(&cfg, &b, &r) == 0 && isfinite(r.loss), "a good call after errors failed: %s", iam_last_error());
    batch_free(&b);
}

static int all_finite(const batch *b, const iam_loss_result *r) {
    if (!isfinite(r->loss) || !isfinite(r->base) || !isfinite(r->iam)) return 0;
    for (int k = 0; k < b->n * b->d; k++) if (!isfinite(b->dx[k])) return 0;
    for (int k = 0; k < b->c * b->d; k++) if (!isfinite(b->dW[k])) return 0;
    return 1;
}

/* cos = +1, cos = −1, θ past π − m, and C = 2, for every kind and fallback */
static void test_degenerate_angles(void) {
    batch b = batch_new(3, 2, 2);
    /* sample 0 sits on its class weight, sample 1 opposite it, sample 2 just past π − m */
    b.W[0] = 1; b.W[1] = 0; b.W[2] = 0; b.W[3] = 1;
    b.labels[0] = 0; b.labels[1] = 0; b.labels[2] = 0;
    b.x[0] = 2; b.x[1] = 0;
    b.x[2] = -3; b.x[3] = 0;
    b.x[4] = cosf(3.0f); b.x[5] = sinf(3.0f);
    for (int kind = 0; kind < IAM_KIND_COUNT; kind++)
        for (int fallback = 0; fallback < 4; fallback++)
            for (int big = 0; big < 2; big++) {
                iam_loss_config cfg = config(kind, big ? 64 : 10, kind == IAM_SPHEREFACE ? 4 : 0.5f, 0.5f);
                cfg.fallback = fallback;
                cfg.feature_norm = big;
                cfg.detach_margin = big;
                cfg.norm_std = big ? 0.0f : cfg.norm_std; /* AdaFace with a zero running σ */
                iam_loss_result r;
                int status = run(&cfg, &b, &r);
                CHECK(status == 0 && all_finite(&b, &r), "kind %d fallback %d scale %g: status %d (%s), loss %g",
                      kind, fallback, cfg.scale, status, iam_last_error(), r.loss);
            }
    batch_free(&b);
}

/* ArcFace's ∂L/∂x where the target angle is tiny or near π, against float64 computed from
 * the same float inputs: θ = atan2(sin θ, c) with sin θ from the vectors, and the gradient
 * along them, keep ~5 digits where sqrt(1 − c²) and a clamped acos lost them (issue 15:
 * 1.7% at θ = 3e-3, 9% at d = 512 with the scalar build). Two classes, β = 0, s = 64. */
static void test_exact_angles(void) {
    const double thetas[] = { 3e-3, 1.4e-3, 1e-4, 3.14159265358979 - 3e-3 };
    const int dims[] = { 2, 512 };
    for (int q = 0; q < 4; q++)
        for (int e = 0; e < 2; e++) {
            const int d = dims[e];
            batch b = batch_new(1, d, 2);
            /* W_0 random, W_1 a random other; x at θ from W_0 along a direction u ⊥ W_0 */
            double wn = 0, un = 0, wu = 0;
            for (int k = 0; k < d; k++) wn += (double)b.W[k] * b.W[k];
            float *u = malloc(sizeof(float) * d);
            for (int k = 0; k < d; k++) u[k] = uniform();
            for (int k = 0; k < d; k++) wu += u[k] * b.W[k] / sqrt(wn);
            for (int k = 0; k < d; k++) u[k] -= (float)(wu * b.W[k] / sqrt(wn));
            for (int k = 0; k < d; k++) un += (double)u[k] * u[k];
            for (int k = 0; k < d; k++)
                b.x[k] = (float)(2.0 * (cos(thetas[q]) * b.W[k] / sqrt(wn) + sin(thetas[q]) * u[k] / sqrt(un)));
            b.labels[0] = 0;
            iam_loss_config cfg = config(IAM_ARCFACE, 64, 0.5f, 0.0f);
            iam_loss_result r;
            CHECK(run(&cfg, &b, &r) == 0, "exact angles: %s", iam_last_error());
            /* the float64 reference, from the float inputs as they are */
            double xn = 0, xw = 0, xv = 0, vn = 0;
            const float *v = b.W + d;
            for (int k = 0; k < d; k++) {
                xn += (double)b.x[k] * b.x[k];
                xw += (double)b.x[k] * b.W[k];
                xv += (double)b.x[k] * v[k];
                vn += (double)v[k] * v[k];
            }
            xn = sqrt(xn);
            const double c0 = xw / (xn * sqrt(wn)), c1 = xv / (xn * sqrt(vn)), m = 0.5;
            double s2 = 0;
            for (int k = 0; k < d; k++) {
                double t = b.W[k] / sqrt(wn) - c0 * b.x[k] / xn;
                s2 += t * t;
            }
            const double sin0 = sqrt(s2), theta = atan2(sin0, c0), phi = theta + m;
            const int kk = (int)floor(phi / 3.14159265358979);
            const double sign = kk & 1 ? -1 : 1, psi = sign * cos(phi) - 2 * kk, dpsi_dtheta = -sign * sin(phi);
            const double g = 64 * psi - 64 * c1, dL_dg = -1 / (1 + exp(g)); /* L = softplus(−g) */
            double worst = 0, size = 0;
            for (int k = 0; k < d; k++) {
                const double xh = b.x[k] / xn;
                /* ∂θ/∂x = −(Ŵ_0 − c0 x̂)/(sin θ ‖x‖); ∂c1/∂x = (Ŵ_1 − c1 x̂)/‖x‖ */
                const double dtheta = -(b.W[k] / sqrt(wn) - c0 * xh) / (sin0 * xn), dc1 = (v[k] / sqrt(vn) - c1 * xh) / xn;
                const double want = dL_dg * (64 * dpsi_dtheta * dtheta - 64 * dc1);
                worst = fmax(worst, fabs(b.dx[k] - want));
                size = fmax(size, fabs(want));
            }
            CHECK(worst <= 1e-3 * size, "ArcFace at θ = %g, d = %d: ∂L/∂x errs by %g of %g", thetas[q], d, worst, size);
            free(u);
            batch_free(&b);
        }
}

/* L_IAM ≤ −log(C−1) always (LOSSES.md), and β scales only the IAM part. */
static void test_loss_parts(void) {
    batch b = batch_new(7, 5, 6);
    iam_loss_config cfg = config(IAM_COSFACE, 10, 0.2f, 0);
    iam_loss_result r0, r1;
    run(&cfg, &b, &r0);
    cfg.beta = 0.7f;
    run(&cfg, &b, &r1);
    CHECK(r0.iam <= -logf(5.0f) + 1e-6f, "L_IAM = %g is above -log(C-1) = %g", r0.iam, -logf(5.0f));
    CHECK(fabsf(r0.base - r1.base) < 1e-6f && fabsf(r0.iam - r1.iam) < 1e-6f, "beta changed the parts");
    CHECK(fabsf(r1.loss - (r1.base + 0.7f * r1.iam)) < 1e-5f, "loss %g != base + beta*iam %g", r1.loss,
          r1.base + 0.7f * r1.iam);
    batch_free(&b);
}

/* dx and dW are accumulated into (+=), as nn.c's backward does: a second call
   adds the same gradient again, and NULL for one of them leaves the other alone. */
static void test_accumulates(void) {
    batch b = batch_new(6, 4, 5);
    int nx = b.n * b.d, nw = b.c * b.d;
    float *once = malloc(sizeof(float) * (nx + nw));
    const int kinds[] = { IAM_SOFTMAX, IAM_NORMFACE, IAM_SPHEREFACE, IAM_ARCFACE };
    for (int q = 0; q < 4; q++) {
        iam_loss_config cfg = config(kinds[q], 4, kinds[q] == IAM_SPHEREFACE ? 2 : 0.3f, 0.5f);
        cfg.feature_norm = kinds[q] == IAM_SPHEREFACE;
        iam_loss_result r;
        CHECK(run(&cfg, &b, &r) == 0, "kind %d: iam_loss failed: %s", kinds[q], iam_last_error());
        memcpy(once, b.dx, sizeof(float) * nx);
        memcpy(once + nx, b.dW, sizeof(float) * nw);
        /* a second call on top of the first, without zeroing: twice the gradient */
        CHECK(iam_loss(&cfg, b.x, b.W, b.labels, b.n, b.d, b.c, b.dx, b.dW, &r, b.work) == 0,
              "kind %d: second call failed: %s", kinds[q], iam_last_error());
        /* equal up to the rounding of summing in another order */
        float worst = 0.0f, largest = 0.0f;
        for (int k = 0; k < nx + nw; k++) largest = fmaxf(largest, fabsf(once[k]));
        for (int k = 0; k < nx; k++) worst = fmaxf(worst, fabsf(b.dx[k] - 2.0f * once[k]));
        for (int k = 0; k < nw; k++) worst = fmaxf(worst, fabsf(b.dW[k] - 2.0f * once[nx + k]));
        CHECK(largest > 0.0f && worst <= 1e-6f * largest, "kind %d: a second call did not add the same "
              "gradient (off by %g, largest element %g)", kinds[q], worst, largest);
        /* dW = NULL: dx gets its gradient alone; dx = NULL: dW likewise */
        memset(b.dx, 0, sizeof(float) * nx);
        CHECK(iam_loss(&cfg, b.x, b.W, b.labels, b.n, b.d, b.c, b.dx, NULL, &r, b.work) == 0 &&
              memcmp(b.dx, once, sizeof(float) * nx) == 0, "kind %d: dx alone differs", kinds[q]);
        memset(b.dW, 0, sizeof(float) * nw);
        CHECK(iam_loss(&cfg, b.x, b.W, b.labels, b.n, b.d, b.c, NULL, b.dW, &r, b.work) == 0 &&
              memcmp(b.dW, once + nx, sizeof(float) * nw) == 0, "kind %d: dW alone differs", kinds[q]);
    }
    free(once);
    batch_free(&b);
}

/* Every batch iam_loss takes fits in a 32-bit wasm's 2 GB with its inputs and
   gradients, and the sizes past the limits are refused before anything is taken. */
static void test_sizes(void) {
    const int corner[][3] = { { 1, 4096, 4095 }, { 65536, 1, 256 }, { 1, 128, 100000 },
                              { 65536, 128, 2 }, { 163, 1, 100000 }, { 4096, 2048, 4096 } };
    for (int q = 0; q < (int)(sizeof corner / sizeof corner[0]); q++) {
        int n = corner[q][0], d = corner[q][1], c = corner[q][2];
        if (iam_loss_check_sizes(n, d, c)) continue; /* only the sizes it takes */
        double bytes = 4.0 * ((double)iam_loss_work_floats(n, d, c) + 2.0 * ((double)n + c) * d);
        CHECK(bytes < 2147483648.0, "n = %d, d = %d, c = %d: %.0f bytes do not fit in 2 GB", n, d, c, bytes);
    }
    /* issue 16: n = 1, d = 4096, c = 100000 asked for 4.9 GB */
    expect_error("(n + c)*d too large", iam_loss_check_sizes(1, 4096, 100000), "(n + c)*d = 409604096 is too large");
    CHECK(iam_loss_work_floats(1, 4096, 100000) == 0, "the workspace of a refused size is not 0");
    expect_error("n*c too large", iam_loss_check_sizes(65536, 1, 100000), "n*c = 6553600000 is too large");
    expect_error("n too large", iam_loss_check_sizes(10000000, 2, 2), "n must be in [1, 65536] (got 10000000)");
    CHECK(iam_loss_check_sizes(128, 2, 1000) == 0 && iam_loss_work_floats(128, 2, 1000) > 0,
          "a trainer's batch is refused: %s", iam_last_error());
}

/* The IAM term's readings and stops (docs/LOSSES.md, "IAM's readings and stops"): each
   reading's gradient against central differences of its own loss; a stop's stopped side
   is the base loss's gradient to the bit and its other side the whole one's; 'weights'
   moves W only and takes n·c more floats; bad values are refused by name. */
static void test_iam_variants(void) {
    batch b = batch_new(6, 3, 4);
    iam_loss_config weights = config(IAM_NORMFACE, 4, 0, 0.7f);
    weights.iam_variant = IAM_VARIANT_WEIGHTS;
    size_t plain = iam_loss_work_floats(6, 3, 4), more = iam_loss_work_floats_for(&weights, 6, 3, 4);
    CHECK(more == plain + 6 * 4, "the 'weights' workspace is %zu floats, not %zu + n·c", more, plain);
    free(b.work);
    b.work = malloc(sizeof(float) * more); /* exactly: ASan sees a write past it */
    const int kinds[] = { IAM_NORMFACE, IAM_COSFACE, IAM_ARCFACE, IAM_SOFTMAX };
    const char *const variants[] = { "default", "log-odds", "push-only", "weights" };
    int nx = b.n * b.d, nw = b.c * b.d;
    float *whole_dx = malloc(sizeof(float) * nx), *whole_dW = malloc(sizeof(float) * nw);
    float *base_dx = malloc(sizeof(float) * nx), *base_dW = malloc(sizeof(float) * nw);
    for (int q = 0; q < 4; q++)
        for (int v = 0; v < IAM_VARIANT_COUNT; v++) {
            char name[96];
            iam_loss_config cfg = config(kinds[q], 4, kinds[q] == IAM_COSFACE ? 0.2f : kinds[q] == IAM_ARCFACE ? 0.3f : 0, 0.7f);
            cfg.iam_variant = v;
            snprintf(name, sizeof name, "%s iam_variant %s", iam_kind_names[kinds[q]], variants[v]);
            check_gradient(name, &cfg, &b);
            iam_loss_result r, r_base;
            iam_loss_config base = cfg;
            base.beta = 0.0f;
            run(&cfg, &b, &r);
            memcpy(whole_dx, b.dx, sizeof(float) * nx);
            memcpy(whole_dW, b.dW, sizeof(float) * nw);
            run(&base, &b, &r_base);
            memcpy(base_dx, b.dx, sizeof(float) * nx);
            memcpy(base_dW, b.dW, sizeof(float) * nw);
            CHECK(r.iam == r_base.iam, "%s: L_IAM depends on beta (%g, %g)", name, r.iam, r_base.iam);
            if (v == IAM_VARIANT_WEIGHTS)
                CHECK(memcmp(whole_dx, base_dx, sizeof(float) * nx) == 0, "%s: IAM reaches dx", name);
            for (int stop = IAM_STOP_W; stop <= IAM_STOP_X; stop++) {
                iam_loss_config stopped = cfg;
                stopped.iam_stop = stop;
                CHECK(run(&stopped, &b, &r) == 0, "%s stop %d: %s", name, stop, iam_last_error());
                /* the stopped side: the base loss's, to the bit; the other: the whole one's, to rounding */
                const float *same = stop == IAM_STOP_W ? base_dW : base_dx, *got = stop == IAM_STOP_W ? b.dW : b.dx;
                const float *whole = stop == IAM_STOP_W ? whole_dx : whole_dW, *other = stop == IAM_STOP_W ? b.dx : b.dW;
                int len_same = stop == IAM_STOP_W ? nw : nx, len_other = stop == IAM_STOP_W ? nx : nw;
                CHECK(memcmp(same, got, sizeof(float) * len_same) == 0, "%s stop %s: the stopped side sees IAM",
                      name, stop == IAM_STOP_W ? "W" : "x");
                float worst = 0.0f, largest = 0.0f;
                for (int k = 0; k < len_other; k++) {
                    worst = fmaxf(worst, fabsf(other[k] - whole[k]));
                    largest = fmaxf(largest, fabsf(whole[k]));
                }
                CHECK(worst <= 1e-5f * largest + 1e-7f, "%s stop %s: the other side is off by %g (largest %g)", name,
                      stop == IAM_STOP_W ? "W" : "x", worst, largest);
            }
        }
    iam_loss_result r;
    iam_loss_config bad = config(IAM_ARCFACE, 10, 0.3f, 0.5f);
    bad.iam_variant = 4;
    expect_error("iam_variant 4", run(&bad, &b, &r), "unknown iam_variant 4 (expected 0 default, 1 log-odds");
    bad.iam_variant = -1;
    expect_error("iam_variant -1", run(&bad, &b, &r), "iam_variant -1");
    bad.iam_variant = 0;
    bad.iam_stop = 3;
    expect_error("iam_stop 3", run(&bad, &b, &r), "unknown iam_stop 3 (expected 0 none, 1 W, 2 x)");
    bad.iam_stop = 0;
    bad.iam_variant = IAM_VARIANT_WEIGHTS;
    bad.subcenters = 2;
    expect_error("weights with subcenters", iam_loss_config_check(&bad), "iam_variant weights");
    expect_error("weights with subcenters", iam_loss_config_check(&bad), "subcenters = 1 (got subcenters 2)");
    CHECK(iam_loss_work_floats_for(&bad, 6, 3, 4) == 0, "a refused config has a workspace");
    free(whole_dx); free(whole_dW); free(base_dx); free(base_dW);
    batch_free(&b);
}

int main(void) {
    test_sizes();
    test_gradients();
    test_accumulates();
    test_bad_inputs();
    test_degenerate_angles();
    test_exact_angles();
    test_loss_parts();
    test_iam_variants();
    return CHECK_SUMMARY();
}
