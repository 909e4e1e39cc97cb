/* fuzz_loss.c: libFuzzer target for iam_loss.
 *
 * The bytes become a loss config, the sizes n, d, c, the arrays x, W, labels
 * and a few edits to them (fuzz_input.h says how). Then iam_loss is called the
 * way a caller would, a careless one included, and held to its contract:
 *
 *   status 0  ⇒ the sizes, the config and the inputs were valid as iam.h documents
 *               them, and loss, base, iam, dx and dW are all finite;
 *   status ≠ 0 ⇒ a sentence in iam_last_error();
 *   valid, ordinary inputs (no special value, no edit) ⇒ status 0: the checks do not
 *               reject what the header promises to accept;
 *   the same call twice ⇒ the same bits: nothing depends on what the workspace held.
 *
 * Every array is malloc'd at its exact size so that ASan sees a read or a write
 * one float past it. Sizes are small (at most 17) so that one input runs in
 * microseconds; the library's limits are reached with values past them, which
 * must fail before any array is touched.
 */
#include "fuzz_input.h"

#define MAX_SIDE 17 /* take_int(1, 16, …) and its hi + 1 */

/* The documented ranges (iam.h), written out again here rather than taken from
   loss.c: the target checks the checks. feature_norm is a C truth value. */
static int config_is_valid(const iam_loss_config *cfg) {
    const float half_pi = 1.5707964f; /* π/2 rounded up to float, as loss.c's bound */
    if (cfg->kind < 0 || cfg->kind >= IAM_KIND_COUNT) return 0;
    if (!(cfg->scale > 0.0f && cfg->scale <= IAM_MAX_SCALE)) return 0;
    if (!(cfg->beta >= 0.0f && isfinite(cfg->beta))) return 0;
    if (cfg->subcenters < 1 || cfg->subcenters > 64 || (cfg->subcenters > 1 && cfg->kind == IAM_SOFTMAX)) return 0;
    if (!(cfg->margin_std >= 0.0f && cfg->margin_std <= 1.0f)) return 0;
    if (cfg->margin_std > 0.0f && cfg->kind != IAM_ARCFACE && cfg->kind != IAM_COSFACE) return 0;
    if (cfg->detach_margin != 0 && cfg->detach_margin != 1) return 0;
    if (cfg->fallback < 0 || cfg->fallback > 3) return 0;
    if (cfg->iam_variant < 0 || cfg->iam_variant > 3 || cfg->iam_stop < 0 || cfg->iam_stop > 2) return 0;
    if (cfg->iam_variant == IAM_VARIANT_WEIGHTS && cfg->subcenters > 1) return 0;
    switch (cfg->kind) {
    case IAM_COSFACE: return cfg->margin >= 0.0f && cfg->margin <= 1.0f;
    case IAM_ARCFACE: return cfg->margin >= 0.0f && cfg->margin <= half_pi;
    case IAM_CURRICULARFACE:
        return cfg->margin >= 0.0f && cfg->margin <= half_pi && cfg->momentum >= 1e-6f && cfg->momentum <= 1.0f &&
               cfg->t >= -1.0f && cfg->t <= 1.0f;
    case IAM_ADAFACE:
        return cfg->margin >= 0.0f && cfg->margin <= 1.0f && cfg->momentum >= 1e-6f && cfg->momentum <= 1.0f &&
               cfg->h >= 1e-6f && cfg->h <= 10.0f && cfg->norm_mean >= 0.0f && cfg->norm_mean <= 1e6f &&
               cfg->norm_std >= 0.0f && cfg->norm_std <= 1e6f;
    case IAM_MAGFACE:
        return cfg->la >= 1e-3f && cfg->ua <= 1e4f && cfg->la < cfg->ua && cfg->lm >= 0.0f && cfg->um <= half_pi &&
               cfg->lm <= cfg->um && cfg->lambda_g >= 0.0f && cfg->lambda_g <= 1e4f;
    case IAM_SPHEREFACE:
        return cfg->margin >= 1.0f && cfg->margin <= 8.0f && cfg->lambda >= 0.0f && isfinite(cfg->lambda);
    case IAM_COMBINED:
        return cfg->m1 >= 1.0f && cfg->m1 <= 8.0f && cfg->m2 >= 0.0f && cfg->m2 <= half_pi &&
               cfg->m3 >= 0.0f && cfg->m3 <= 1.0f;
    default: return 1;
    }
}

/* The products' limits: n·c and, where iam.h declares it, (n + c)·d. */
#ifdef IAM_MAX_NC
#define MAX_NC IAM_MAX_NC
#else
#define MAX_NC (1 << 26)
#endif

static int sizes_are_valid(int n, int d, int c) {
    if (!(n >= 1 && n <= IAM_MAX_N && d >= 1 && d <= IAM_MAX_D && c >= 2 && c <= IAM_MAX_C)) return 0;
#ifdef IAM_MAX_XW
    if (((long long)n + c) * d > IAM_MAX_XW) return 0;
#endif
    return (long long)n * c <= MAX_NC;
}

/* The test data: xorshift32 in [−1, 1), kept away from 0 so that an ordinary row
   never has a zero norm by chance (only an edit makes one). */
static float ordinary(unsigned *state) {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    float v = (float)(*state >> 8) / 8388608.0f - 1.0f;
    return fabsf(v) < 1e-3f ? 0.5f : v;
}

/* One scale for a whole array: ordinary, or tiny or huge enough that a norm or a
   logit underflows or overflows float32 on the way. */
static float take_magnitude(bytes *b) {
    static const float magnitudes[] = { 1.0f, 1.0f, 1.0f, 1.0f, 1e-20f, 1e-38f, 1e18f, 1e19f, 1e30f, 3.0f };
    return magnitudes[take_u8(b) % (sizeof magnitudes / sizeof magnitudes[0])];
}

/* A float* of exactly count floats (ASan's malloc(0) is a valid zero-sized block). */
static float *floats(size_t count) { return malloc(sizeof(float) * count); }

/* Bits of the `nulls` byte: which pointers a careless caller passes as NULL. */
enum { NULL_X = 1, NULL_W = 2, NULL_LABELS = 4, NULL_OUT = 8, NULL_WORK = 16, NULL_DX = 32, NULL_DW = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bytes b = { data, size };
    iam_loss_config cfg = take_loss_config(&b);
    /* IAM's reading and stop come from the input's last byte, so that the seeds' other
       bytes decode as they did before the options: 0 (or no byte) is the default, and
       the bytes reach one value past each range (4, −1; 3) */
    if (b.left) {
        static const int variant_of[8] = { 0, 1, 2, 3, 0, 3, 4, -1 };
        uint8_t opts = data[size - 1];
        b.left--;
        cfg.iam_variant = variant_of[opts & 7];
        cfg.iam_stop = (opts >> 3) & 3;
    }
    int n = take_int(&b, 1, 16, IAM_MAX_N + 1);
    int d = take_int(&b, 1, 16, IAM_MAX_D + 1);
    int c = take_int(&b, 1, 16, IAM_MAX_C + 1);
    uint8_t nulls = take_u8(&b), flags = take_u8(&b);
    /* each size in range, a product past its limit */
    if (flags & 1) { n = IAM_MAX_N; c = IAM_MAX_C; }
#ifdef IAM_MAX_XW
    if (flags & 4) { n = 4096; c = 4096; d = IAM_MAX_D; } /* n·c = 2^24, (n + c)·d = 2^25 */
#endif
    nulls &= (uint8_t)(flags & 2 ? 0x7f : 0x60); /* NULL inputs only now and then; dx, dW often */

    /* A careful caller sizes the arrays by n, d and c. With sizes past the limits
       a careless one has no such arrays: it passes what it has, here arrays of
       the sizes clamped to [0, MAX_SIDE], and a workspace of whatever
       iam_loss_work_floats says, or a small one when that is too big to allocate. */
    const int valid = sizes_are_valid(n, d, c);
    if (valid) CHECK(n <= MAX_SIDE && d <= MAX_SIDE && c <= MAX_SIDE, "the decoder made big sizes");
    const size_t an = (size_t)(n < 0 ? 0 : n > MAX_SIDE ? MAX_SIDE : n);
    const size_t ad = (size_t)(d < 0 ? 0 : d > MAX_SIDE ? MAX_SIDE : d);
    const size_t ac = (size_t)(c < 0 ? 0 : c > MAX_SIDE ? MAX_SIDE : c);
    /* W has c·K rows: K as the config says when it is in range, else 1 (a careless caller's) */
    const size_t K = cfg.subcenters >= 1 && cfg.subcenters <= 64 ? (size_t)cfg.subcenters : 1;
    const size_t aw = ac * K; /* W's rows */
    iam_loss_config sized = cfg;
    sized.subcenters = (int)K;
    size_t work_floats = iam_loss_work_floats_for(&sized, n, d, c);
    if (work_floats > ((size_t)1 << 20) || work_floats == 0)
        work_floats = iam_loss_work_floats_for(&sized, (int)an, (int)ad, (int)ac);

    float *x = floats(an * ad), *W = floats(aw * ad), *dx = floats(an * ad), *dW = floats(aw * ad);
    float *work = floats(work_floats);
    int *labels = malloc(sizeof(int) * an);

    /* ordinary values at a magnitude, then the edits */
    unsigned state = take_u32(&b) | 1u;
    float x_mag = take_magnitude(&b), w_mag = take_magnitude(&b);
    for (size_t k = 0; k < an * ad; k++) x[k] = x_mag * ordinary(&state);
    for (size_t k = 0; k < aw * ad; k++) W[k] = w_mag * ordinary(&state);
    for (size_t i = 0; i < an; i++) labels[i] = ac ? (int)(i % ac) : 0;
    int edits = take_u8(&b) % 16;
    for (int e = 0; e < edits; e++) {
        uint8_t op = take_u8(&b), at = take_u8(&b);
        switch (op % 6) {
        case 0: if (an * ad) x[at % (an * ad)] = take_float(&b, -2.0f, 2.0f); break;
        case 1: if (aw * ad) W[at % (aw * ad)] = take_float(&b, -2.0f, 2.0f); break;
        case 2: if (an) memset(x + at % an * ad, 0, sizeof(float) * ad); break;   /* a zero feature */
        case 3: if (aw) memset(W + at % aw * ad, 0, sizeof(float) * ad); break;   /* a zero weight */
        case 4: /* x_i = ±t W_j: cos θ = ±1 exactly, where acos has no derivative */
            if (an && ac) {
                float t = (op & 8) ? -2.0f : 0.5f;
                size_t i = at % an, j = take_u8(&b) % ac;
                for (size_t k = 0; k < ad; k++) x[i * ad + k] = t * W[j * ad + k];
            }
            break;
        default: if (an && ac) labels[at % an] = take_int(&b, 0, (int)ac - 1, -7); break; /* ac − 1 + 1 = c: out of range */
        }
    }

    int finite_inputs = !any_non_finite(x, an * ad) && !any_non_finite(W, aw * ad);
    int labels_ok = 1;
    for (size_t i = 0; i < an; i++) labels_ok &= labels[i] >= 0 && labels[i] < c;
    const int pointers_ok = !(nulls & (NULL_X | NULL_W | NULL_LABELS | NULL_OUT | NULL_WORK));

    /* twice, each time on a workspace full of NaN, and dx, dW zeroed as a step does */
    iam_loss_result r[2];
    int status[2];
    float *dx_first = floats(an * ad), *dW_first = floats(aw * ad);
    for (int run = 0; run < 2; run++) {
        memset(work, 0xff, sizeof(float) * work_floats);
        memset(dx, 0, sizeof(float) * an * ad);
        memset(dW, 0, sizeof(float) * aw * ad);
        memset(&r[run], 0xff, sizeof r[run]);
        before_call();
        status[run] = expect_status(
            iam_loss(&cfg, nulls & NULL_X ? NULL : x, nulls & NULL_W ? NULL : W,
                     nulls & NULL_LABELS ? NULL : labels, n, d, c, nulls & NULL_DX ? NULL : dx,
                     nulls & NULL_DW ? NULL : dW, nulls & NULL_OUT ? NULL : &r[run],
                     nulls & NULL_WORK ? NULL : work), "iam_loss");
        if (run == 0) {
            memcpy(dx_first, dx, sizeof(float) * an * ad);
            memcpy(dW_first, dW, sizeof(float) * aw * ad);
        }
    }

    CHECK(status[0] == status[1], "the same call returned %d, then %d", status[0], status[1]);
    if (status[0] == 0) {
        CHECK(valid, "status 0 for n = %d, d = %d, c = %d", n, d, c);
        CHECK(pointers_ok, "status 0 with a NULL input (nulls = 0x%x)", nulls);
        CHECK(config_is_valid(&cfg), "status 0 for an invalid config (kind %d, s %g, m %g, beta %g)",
              cfg.kind, cfg.scale, cfg.margin, cfg.beta);
        CHECK(finite_inputs, "status 0 with NaN or Inf in x or W");
        CHECK(labels_ok, "status 0 with a label out of [0, %d)", c);
        CHECK(isfinite(r[0].loss) && isfinite(r[0].base) && isfinite(r[0].iam),
              "status 0 with loss %g, base %g, iam %g", r[0].loss, r[0].base, r[0].iam);
        /* cross-entropy is ≥ 0; each L_IAM_i is −softplus(h) − log(C−1) ≤ −log(C−1) (default).
           The other readings' bounds need |u| ≤ s, that is |cos| ≤ 1, which holds to rounding
           for ordinary inputs (a norm whose square is subnormal, 1e-20 in d = 1, leaves x̂ off
           unit length by 1e-4): −h − log(C−1) ≤ 2s (log-odds), LSE_{j≠y} u − log(C−1) ≤ s
           (push-only, weights), and each is ≥ its value with every u at its worst */
        CHECK(r[0].base >= 0.0f, "base = %g < 0", r[0].base);
        const float log_c1 = logf((float)(c - 1)), s = cfg.scale;
        if (cfg.iam_variant == IAM_VARIANT_DEFAULT)
            CHECK(r[0].iam <= -log_c1 + 1e-5f * (1.0f + log_c1), "iam = %g > -log(C-1) = %g", r[0].iam, -log_c1);
        else if (edits == 0 && x_mag >= 1.0f && w_mag >= 1.0f) {
            const int odds = cfg.iam_variant == IAM_VARIANT_LOG_ODDS;
            const float top = odds ? 2.0f * s : s, bottom = (odds ? -2.0f * s : -s) - log_c1;
            const float slack = 1e-5f * (1.0f + top + log_c1);
            CHECK(r[0].iam <= top + slack && r[0].iam >= bottom - slack, "iam = %g is outside [%g, %g] for iam_variant %d",
                  r[0].iam, bottom, top, cfg.iam_variant);
        }
        if (!(nulls & NULL_DX)) expect_finite(dx, an * ad, "dx");
        if (!(nulls & NULL_DW)) expect_finite(dW, aw * ad, "dW");
        CHECK(memcmp(&r[0], &r[1], sizeof r[0]) == 0 &&
                  memcmp(dx, dx_first, sizeof(float) * an * ad) == 0 &&
                  memcmp(dW, dW_first, sizeof(float) * aw * ad) == 0,
              "the same call gave different results (the workspace leaks into them)");
    }
    /* the header's promise: valid sizes, config and finite ordinary inputs are accepted
       (β has no upper bound in iam.h, but β near FLT_MAX overflows L = base + β·iam,
       an honest error: the promise is kept for β ≤ 1e6) */
    if (valid && pointers_ok && config_is_valid(&cfg) && (cfg.feature_norm == 0 || cfg.feature_norm == 1) &&
        cfg.beta <= 1e6f && edits == 0 && x_mag == 1.0f && w_mag == 1.0f)
        CHECK(status[0] == 0, "valid ordinary inputs were rejected (kind %d, s %g, m %g, m1 %g, m2 %g, "
              "m3 %g, beta %g, lambda %g, n %d, d %d, c %d): %s", cfg.kind, cfg.scale, cfg.margin, cfg.m1,
              cfg.m2, cfg.m3, cfg.beta, cfg.lambda, n, d, c, iam_last_error());

    free(x); free(W); free(dx); free(dW); free(work); free(labels); free(dx_first); free(dW_first);
    return 0;
}
