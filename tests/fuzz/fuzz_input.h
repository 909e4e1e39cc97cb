/* fuzz_input.h: what the two libFuzzer targets share: reading the fuzzer's bytes
 * as values, and the contract every entry point is held to.
 *
 * The bytes are not read as raw floats and ints: almost every raw pattern is a
 * value in the middle of nowhere, and the fuzzer would spend its time on inputs
 * the first range check rejects. Each value is instead a choice: one byte picks
 * either a special value (NaN, ±Inf, a denormal, ±0, FLT_MAX, a value just
 * outside the valid range ...) or a point in a range around the valid one. So a
 * mutation of one byte moves one value from ordinary to pathological, which is
 * what the fuzzer is good at. When the bytes run out every read gives 0, so a
 * short input is a valid input too.
 *
 * The contract (DESIGN.md, "Contracts"; iam.h): every entry point returns 0 and
 * writes finite outputs, or returns non-zero and leaves a sentence in
 * iam_last_error(). CHECK aborts on a violation so that libFuzzer saves the
 * input and reports it; ASan and UBSan catch the rest (out-of-bounds writes,
 * leaks, overflows).
 */
#ifndef IAM_FUZZ_INPUT_H
#define IAM_FUZZ_INPUT_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "internal.h" /* iam_fail, to reset the last error (see expect_status) */

/* ---- reading the bytes ---- */

typedef struct {
    const uint8_t *p;
    size_t left;
} bytes;

static uint8_t take_u8(bytes *b) {
    if (!b->left) return 0;
    b->left--;
    return *b->p++;
}

static unsigned take_u32(bytes *b) {
    unsigned v = 0;
    for (int k = 0; k < 4; k++) v = v << 8 | take_u8(b);
    return v;
}

/* An int that is usually in [lo, hi] (the range a test wants to be fast in) and
   sometimes one of the values a careless caller passes: 0, −1, the extremes of
   int, or `beyond`, the first value past the library's own limit. */
static int take_int(bytes *b, int lo, int hi, int beyond) {
    uint8_t t = take_u8(b);
    switch (t) {
    case 250: return 0;
    case 251: return -1;
    case 252: return INT32_MIN;
    case 253: return INT32_MAX;
    case 254: return beyond;
    case 255: return hi + 1;
    default: return lo + (int)(t % (unsigned)(hi - lo + 1));
    }
}

/* The float values that have broken numerical code before. */
static const float special_floats[] = {
    NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f,
    1e-45f, -1e-45f, 1e-40f, FLT_MIN, /* denormals, and the smallest normal */
    FLT_MAX, -FLT_MAX, 1e30f, -1e30f, 1e19f, 1e-19f, 1e-30f,
    1.0f, -1.0f, 0.5f,
};
#define N_SPECIAL (int)(sizeof special_floats / sizeof special_floats[0])

/* A float: one of special_floats, an exact bound lo or hi, or a point of
   [lo − 25%, hi + 25%] (so just outside the valid range [lo, hi] too). */
static float take_float(bytes *b, float lo, float hi) {
    uint8_t t = take_u8(b);
    if (t < N_SPECIAL) return special_floats[t];
    if (t == N_SPECIAL) return lo;
    if (t == N_SPECIAL + 1) return hi;
    unsigned u = (unsigned)t << 8 | take_u8(b); /* finer than a byte, for the ordinary values */
    float f = (float)u / 65535.0f * 1.5f - 0.25f;
    return lo + f * (hi - lo);
}

/* A loss config: a kind (or an unknown one), then each hyper-parameter around
   its documented range (iam.h), out-of-range and non-finite values included. */
static iam_loss_config take_loss_config(bytes *b) {
    int kind = take_int(b, 0, IAM_KIND_COUNT - 1, IAM_KIND_COUNT);
    iam_loss_config cfg = iam_loss_config_default(kind >= 0 && kind < IAM_KIND_COUNT ? kind : 0);
    cfg.kind = kind;
    uint8_t which = take_u8(b); /* a bit per field: keep the default, or read a new value */
    if (which & 1) cfg.scale = take_float(b, 0.0f, 64.0f);
    if (which & 2) cfg.margin = take_float(b, 0.0f, kind == IAM_SPHEREFACE ? 8.0f : 1.6f);
    if (which & 4) {
        cfg.m1 = take_float(b, 1.0f, 8.0f);
        cfg.m2 = take_float(b, 0.0f, 1.5707964f);
        cfg.m3 = take_float(b, 0.0f, 1.0f);
    }
    if (which & 8) cfg.beta = take_float(b, 0.0f, 4.0f);
    if (which & 16) cfg.lambda = take_float(b, 0.0f, 1000.0f);
    if (which & 32) cfg.feature_norm = take_int(b, 0, 1, 2);
    if (which & 64) cfg.fallback = take_int(b, 0, 2, 3);
    if (which & 128) cfg.scale = take_float(b, 0.0f, IAM_MAX_SCALE); /* up to the largest s */
    uint8_t more = take_u8(b); /* the adaptive losses' options, and their state */
    if (more & 1) cfg.subcenters = take_int(b, 1, 4, 65);
    if (more & 2) cfg.margin_std = take_float(b, 0.0f, 1.0f);
    if (more & 4) cfg.detach_margin = take_int(b, 0, 1, 2);
    if (more & 8) cfg.fallback = take_int(b, 0, 3, 4);
    if (more & 16) cfg.t = take_float(b, -1.0f, 1.0f);
    if (more & 32) {
        cfg.norm_mean = take_float(b, 0.0f, 100.0f);
        cfg.norm_std = take_float(b, 0.0f, 100.0f);
        cfg.h = take_float(b, 0.0f, 10.0f);
    }
    if (more & 64) {
        cfg.la = take_float(b, 0.0f, 20.0f);
        cfg.ua = take_float(b, 0.0f, 20.0f);
        cfg.lm = take_float(b, 0.0f, 1.5707964f);
        cfg.um = take_float(b, 0.0f, 1.5707964f);
        cfg.lambda_g = take_float(b, 0.0f, 100.0f);
    }
    if (more & 128) cfg.margin_seed = take_u32(b);
    return cfg;
}

/* ---- the contract ---- */

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "contract broken at %s:%d: ", __FILE__, __LINE__);    \
            fprintf(stderr, __VA_ARGS__);                                         \
            fprintf(stderr, "\n");                                                \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* The last error is a static buffer that a success leaves as it was, so a
   failure is checked for a sentence of its own: the buffer holds this marker
   before each call, and a failing call must have replaced it. */
#define NO_SENTENCE "(no sentence was written)"

static void before_call(void) { iam_fail("%s", NO_SENTENCE); }

/* Status ≠ 0 ⇒ a new, non-empty sentence. Returns the status, to branch on. */
static int expect_status(int status, const char *call) {
    if (status) {
        const char *e = iam_last_error();
        CHECK(e && e[0] && strcmp(e, NO_SENTENCE) != 0,
              "%s returned %d without an error sentence", call, status);
        /* glibc prints a NULL string as "(null)": a sentence built from a missing name */
        CHECK(!strstr(e, "(null)"), "%s: the sentence \"%s\" names nothing", call, e);
    }
    return status;
}

static void expect_finite(const float *a, size_t count, const char *what) {
    if (!a) return;
    for (size_t k = 0; k < count; k++)
        CHECK(isfinite(a[k]), "%s[%zu] = %g after a call that returned 0", what, k, a[k]);
}

/* Whether any of the count values is NaN or infinite. */
static int any_non_finite(const float *a, size_t count) {
    for (size_t k = 0; k < count; k++)
        if (!isfinite(a[k])) return 1;
    return 0;
}

#endif
