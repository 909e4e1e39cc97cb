/* test_nn.c: native C tests of the network, the optimizers and the λ schedule.
 *
 * The whole network's gradient, MLP and loss head together, against central
 * finite differences of the float32 loss, through every loss kind and every
 * activation; the optimizers against steps worked out by hand.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam.h"
#include "check.h"

enum { B = 6, D_IN = 3, D = 3, C = 4 };

typedef struct {
    iam_mlp mlp;
    float *params, *grads, *acts, *scratch, *dembed, *work; /* params: MLP, then W (C, D) */
    size_t n;
    float x[B * D_IN];
    int labels[B];
} net;

static void net_make(net *t, int activation) {
    int hidden[2] = { 5, 4 };
    iam_mlp_make(&t->mlp, D_IN, hidden, 2, D, activation);
    t->n = t->mlp.n_params + C * D;
    t->params = calloc(t->n, sizeof(float));
    t->grads = calloc(t->n, sizeof(float));
    t->acts = calloc(iam_mlp_act_floats(&t->mlp, B), sizeof(float));
    t->scratch = calloc(iam_mlp_scratch_floats(&t->mlp, B), sizeof(float));
    t->dembed = calloc(B * D, sizeof(float));
    t->work = calloc(iam_loss_work_floats(B, D, C), sizeof(float));
    iam_mlp_init_params(&t->mlp, t->params, activation == IAM_ACT_TANH ? IAM_INIT_XAVIER : IAM_INIT_HE, 7);
    unsigned s = 99;
    for (size_t k = t->mlp.n_params; k < t->n; k++) {
        s = s * 1664525u + 1013904223u;
        t->params[k] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
    /* PReLU slopes away from 0.25 so that their gradient is not trivially symmetric */
    if (activation == IAM_ACT_PRELU)
        for (int l = 0; l < t->mlp.n_layers - 1; l++)
            for (int c = 0; c < t->mlp.sizes[l + 1]; c++) t->params[t->mlp.slope[l] + c] = 0.1f + 0.05f * c;
    for (int i = 0; i < B; i++) t->labels[i] = i % C;
    /* inputs whose hidden pre-activations all stay clear of the ReLU/PReLU kink at 0, so
       that a finite difference of step h never straddles it (it would be a test artefact) */
    for (int attempt = 0; attempt < 1000; attempt++) {
        for (int k = 0; k < B * D_IN; k++) {
            s = s * 1664525u + 1013904223u;
            t->x[k] = (float)(s >> 8) / 8388608.0f - 1.0f;
        }
        iam_mlp_forward(&t->mlp, t->params, t->x, B, t->acts);
        float nearest = INFINITY;
        const float *z = t->acts;
        for (int l = 0; l < t->mlp.n_layers - 1; l++) {
            int size = B * t->mlp.sizes[l + 1];
            for (int k = 0; k < size; k++) nearest = fminf(nearest, fabsf(z[k]));
            z += 2 * size;
        }
        if (nearest > 0.03f) break;
    }
}

static void net_free(net *t) {
    free(t->params); free(t->grads); free(t->acts); free(t->scratch); free(t->dembed); free(t->work);
}

/* L(params), and with grads != NULL also ∂L/∂params */
static float net_loss(net *t, const iam_loss_config *cfg, int with_grad) {
    float *emb = iam_mlp_forward(&t->mlp, t->params, t->x, B, t->acts);
    iam_loss_result r;
    float *W = t->params + t->mlp.n_params;
    if (with_grad) memset(t->grads, 0, sizeof(float) * t->n);
    if (iam_loss(cfg, emb, W, t->labels, B, D, C, with_grad ? t->dembed : NULL,
                 with_grad ? t->grads + t->mlp.n_params : NULL, &r, t->work))
        return NAN;
    if (with_grad) iam_mlp_backward(&t->mlp, t->params, t->grads, t->x, B, t->acts, t->dembed, t->scratch);
    return r.loss;
}

static void check_network_gradient(const char *name, int activation, const iam_loss_config *cfg) {
    net t;
    net_make(&t, activation);
    float loss = net_loss(&t, cfg, 1);
    CHECK(isfinite(loss), "%s: loss failed: %s", name, iam_last_error());
    float *analytic = malloc(sizeof(float) * t.n);
    memcpy(analytic, t.grads, sizeof(float) * t.n);
    float scale = 0.0f, worst = 0.0f;
    size_t worst_k = 0;
    for (size_t k = 0; k < t.n; k++) scale = fmaxf(scale, fabsf(analytic[k]));
    for (size_t k = 0; k < t.n; k++) {
        float keep = t.params[k], h = 3e-3f;
        t.params[k] = keep + h;
        float up = net_loss(&t, cfg, 0);
        t.params[k] = keep - h;
        float down = net_loss(&t, cfg, 0);
        t.params[k] = keep;
        float err = fabsf((up - down) / (2 * h) - analytic[k]);
        if (err > worst) { worst = err; worst_k = k; }
    }
    CHECK(worst <= 2e-2f * scale + 1e-3f, "%s: worst gradient error %g at parameter %zu (largest %g)", name,
          worst, worst_k, scale);
    CHECK(scale > 1e-3f, "%s: the gradient is all but zero (%g): the test would prove nothing", name, scale);
    free(analytic);
    net_free(&t);
}

static void test_network_gradients(void) {
    const char *act_names[] = { "relu", "prelu", "tanh" };
    for (int act = 0; act < IAM_ACT_COUNT; act++)
        for (int kind = 0; kind < IAM_KIND_COUNT; kind++)
            for (int with_iam = 0; with_iam < 2; with_iam++) {
                /* CurricularFace's negative logit jumps where a class turns hard (s c vs s c (t + c)):
                   a difference quotient across that step measures the jump, not the gradient, so
                   its gradient is checked in tests/adaptive.test.mjs at points away from it */
                if (kind == IAM_CURRICULARFACE) continue;
                iam_loss_config cfg = iam_loss_config_default(kind);
                cfg.scale = 4;
                cfg.margin = kind == IAM_SPHEREFACE ? 2 : kind == IAM_COSFACE ? 0.2f : 0.3f;
                cfg.lambda = kind == IAM_SPHEREFACE ? 2 : 0;
                cfg.beta = with_iam ? 0.5f : 0;
                char name[96];
                snprintf(name, sizeof name, "%s, kind %d, beta %g", act_names[act], kind, cfg.beta);
                check_network_gradient(name, act, &cfg);
            }
}

static void test_mlp_errors(void) {
    iam_mlp m;
    int hidden[2] = { 4, 0 };
    CHECK(iam_mlp_make(&m, 2, hidden, 2, 2, IAM_ACT_RELU) == -1 && strstr(iam_last_error(), "hidden layer 1"),
          "a zero-width layer: %s", iam_last_error());
    CHECK(iam_mlp_make(&m, 2, hidden, 1, 1, IAM_ACT_RELU) == -1 && strstr(iam_last_error(), "embedding"),
          "a 1-D embedding: %s", iam_last_error());
    CHECK(iam_mlp_make(&m, 2, hidden, 1, 2, 7) == -1 && strstr(iam_last_error(), "activation"),
          "unknown activation: %s", iam_last_error());
    CHECK(iam_mlp_make(&m, 0, hidden, 1, 2, 0) == -1 && strstr(iam_last_error(), "input dimension"),
          "d_in = 0: %s", iam_last_error());
    CHECK(iam_mlp_make(&m, 2, hidden, 1, 3, IAM_ACT_PRELU) == 0, "a good MLP failed: %s", iam_last_error());
    /* 2→4: 8 weights + 4 biases + 4 slopes; 4→3: 12 weights + 3 biases */
    CHECK(m.n_params == 31, "parameter count %zu, expected 31", m.n_params);
}

static void test_optimizers(void) {
    /* SGD, momentum 0.9, weight decay 0.1, lr 0.5, two steps with g = 1 on p = 2:
       v1 = 1 + 0.2 = 1.2, p1 = 2 − 0.6 = 1.4; v2 = 0.9·1.2 + 1 + 0.14 = 2.22, p2 = 1.4 − 1.11 = 0.29 */
    float p = 2, g = 1, v = 0;
    iam_sgd_step(&p, &g, &v, 1, 0.5f, 0.9f, 0.1f);
    CHECK(fabsf(p - 1.4f) < 1e-6f, "SGD step 1: p = %g, expected 1.4", p);
    iam_sgd_step(&p, &g, &v, 1, 0.5f, 0.9f, 0.1f);
    CHECK(fabsf(p - 0.29f) < 1e-6f, "SGD step 2: p = %g, expected 0.29", p);
    /* Adam's first step moves every parameter by lr·g/(|g| + ε): ±lr */
    float pa[3] = { 1, 1, 1 }, ga[3] = { 0.003f, -40, 2 }, m[3] = { 0 }, va[3] = { 0 };
    iam_adam_step(pa, ga, m, va, 3, 0.01f, 0.9f, 0.999f, 1e-8f, 0, 1);
    CHECK(fabsf(pa[0] - 0.99f) < 1e-5f && fabsf(pa[1] - 1.01f) < 1e-5f && fabsf(pa[2] - 0.99f) < 1e-5f,
          "Adam step 1: %g %g %g, expected 0.99 1.01 0.99", pa[0], pa[1], pa[2]);
    /* second step with the same gradient: m̂ = g, v̂ = g², the same ±lr again */
    iam_adam_step(pa, ga, m, va, 3, 0.01f, 0.9f, 0.999f, 1e-8f, 0, 2);
    CHECK(fabsf(pa[0] - 0.98f) < 1e-5f && fabsf(pa[1] - 1.02f) < 1e-5f, "Adam step 2: %g %g", pa[0], pa[1]);
}

static void test_lambda_schedule(void) {
    CHECK(fabsf(iam_sphereface_lambda(0, 1000, 0.12f, 1, 5) - 1000) < 1e-3f, "λ(0) should be λ_base");
    CHECK(fabsf(iam_sphereface_lambda(100, 1000, 0.12f, 1, 5) - 1000.0f / 13.0f) < 1e-2f, "λ(100) = 1000/13");
    CHECK(iam_sphereface_lambda(100000, 1000, 0.12f, 1, 5) == 5.0f, "λ ends at λ_min");
    float prev = 1e9f;
    int monotone = 1;
    for (int t = 0; t < 3000; t += 7) {
        float l = iam_sphereface_lambda(t, 1000, 0.12f, 1, 5);
        if (l > prev) monotone = 0;
        prev = l;
    }
    CHECK(monotone, "λ must never increase");
}

/* The first layer on mostly-zero inputs (an image's background) takes the sparse path:
   its outputs and its weight and bias gradients against float64 sums written here, for a
   batch with 3 of 4 inputs at 0, and against the dense path on the same inputs made
   dense (no zero) but for the zeroed entries' contribution. */
static void test_sparse_first_layer(void) {
    enum { SB = 5, SIN = 64, SOUT = 9 };
    iam_mlp m;
    CHECK(iam_mlp_make(&m, SIN, NULL, 0, SOUT, IAM_ACT_RELU) == 0, "make");
    float *params = calloc(m.n_params, sizeof(float)), *grads = calloc(m.n_params, sizeof(float));
    float *acts = calloc(iam_mlp_act_floats(&m, SB), sizeof(float)), *scratch = calloc(iam_mlp_scratch_floats(&m, SB), sizeof(float));
    float x[SB * SIN], dout[SB * SOUT];
    iam_mlp_init_params(&m, params, IAM_INIT_HE, 3);
    for (int o = 0; o < SOUT; o++) params[m.bias[0] + o] = 0.1f * o;
    unsigned s = 5;
    for (int k = 0; k < SB * SIN; k++) {
        s = s * 1664525u + 1013904223u;
        x[k] = (s >> 24) % 4 == 0 ? (float)(s >> 8) / 8388608.0f : 0.0f;   /* about 1 in 4 nonzero */
    }
    for (int k = 0; k < SB * SOUT; k++) dout[k] = 0.3f * (float)((k * 7) % 5) - 0.6f;
    const float *out = iam_mlp_forward(&m, params, x, SB, acts);
    iam_mlp_backward(&m, params, grads, x, SB, acts, dout, scratch);
    double worst_out = 0.0, worst_dw = 0.0, worst_db = 0.0;
    for (int b = 0; b < SB; b++)
        for (int o = 0; o < SOUT; o++) {
            double sum = params[m.bias[0] + o];
            for (int i = 0; i < SIN; i++) sum += (double)x[b * SIN + i] * params[m.weight[0] + o * SIN + i];
            worst_out = fmax(worst_out, fabs(sum - out[b * SOUT + o]));
        }
    for (int o = 0; o < SOUT; o++) {
        double db = 0.0;
        for (int b = 0; b < SB; b++) db += dout[b * SOUT + o];
        worst_db = fmax(worst_db, fabs(db - grads[m.bias[0] + o]));
        for (int i = 0; i < SIN; i++) {
            double dw = 0.0;
            for (int b = 0; b < SB; b++) dw += (double)dout[b * SOUT + o] * x[b * SIN + i];
            worst_dw = fmax(worst_dw, fabs(dw - grads[m.weight[0] + o * SIN + i]));
        }
    }
    CHECK(worst_out < 1e-5 && worst_dw < 1e-5 && worst_db < 1e-5,
          "sparse first layer vs float64: out %.2g, dW %.2g, db %.2g", worst_out, worst_dw, worst_db);
    /* a dense batch of the same layer (no zero input) gives the float64 sums too */
    for (int k = 0; k < SB * SIN; k++) if (x[k] == 0.0f) x[k] = 1e-3f * (float)(k % 7 + 1);
    out = iam_mlp_forward(&m, params, x, SB, acts);
    worst_out = 0.0;
    for (int b = 0; b < SB; b++)
        for (int o = 0; o < SOUT; o++) {
            double sum = params[m.bias[0] + o];
            for (int i = 0; i < SIN; i++) sum += (double)x[b * SIN + i] * params[m.weight[0] + o * SIN + i];
            worst_out = fmax(worst_out, fabs(sum - out[b * SOUT + o]));
        }
    CHECK(worst_out < 1e-5, "dense first layer vs float64: out %.2g", worst_out);
    free(params); free(grads); free(acts); free(scratch);
}

int main(void) {
    test_sparse_first_layer();
    test_network_gradients();
    test_mlp_errors();
    test_optimizers();
    test_lambda_schedule();
    return CHECK_SUMMARY();
}
