/* api.c: the flat exports that the WebAssembly binding (wasm/iam.js) calls.
 *
 * JS cannot build a C struct easily, so each entry point here takes plain
 * numbers and pointers into wasm memory and fills the struct itself. Nothing
 * here computes anything: it is glue, kept apart so that iam.h stays the API a
 * C user reads. */
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
