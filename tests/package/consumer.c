/* consumer.c: a C program that uses the installed library (./build.sh lib): one
 * ArcFace + IAM loss, forward and backward; tests/package.test.mjs compiles it against
 * dist/include/iam.h and dist/lib/libiam.a and checks what it prints. */
#include <stdio.h>

#include "iam.h"

int main(void) {
    enum { N = 4, D = 3, C = 5 };
    float x[N * D], W[C * D], dx[N * D] = { 0 }, dW[C * D] = { 0 }, work[512];
    int labels[N] = { 0, 1, 2, 3 };
    for (int k = 0; k < N * D; k++) x[k] = (float)((k * 7) % 5) - 2.0f + 0.1f * (float)k;
    for (int k = 0; k < C * D; k++) W[k] = (float)((k * 3) % 7) - 3.0f + 0.05f;
    if (iam_loss_work_floats(N, D, C) > sizeof work / sizeof work[0]) return 3;
    iam_loss_config cfg = iam_loss_config_default(IAM_ARCFACE);
    cfg.beta = 0.5f;
    iam_loss_result r;
    if (iam_loss(&cfg, x, W, labels, N, D, C, dx, dW, &r, work)) {
        fprintf(stderr, "iam_loss: %s\n", iam_last_error());
        return 1;
    }
    printf("loss %.6f base %.6f iam %.6f margin %.2f\n", r.loss, r.base, r.iam, cfg.margin);
    cfg.scale = -1.0f;   /* a bad argument: a status and a sentence, no crash */
    if (iam_loss(&cfg, x, W, labels, N, D, C, dx, dW, &r, work) == 0) return 2;
    printf("error: %s\n", iam_last_error());
    return 0;
}
