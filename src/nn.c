/* nn.c: the tiny embedding network, an MLP, each layer's forward beside its backward.
 *
 *   x (B, D_in) → Linear → act → … → Linear → embedding (B, d)   then the loss head W
 *
 * In the manner of llm.c: plain loops over flat arrays, the shapes in a comment
 * on the first line of each function, backward functions that accumulate (+=)
 * into gradient buffers zeroed once per step, no allocation anywhere. The three
 * matrix products are the simd.h kernels; a first layer on mostly-zero inputs (images)
 * skips the zeros. It is deliberately not a framework: one
 * layer type, three activations, and nothing that a student cannot trace by hand.
 */
#include <math.h>
#include <string.h>

#include "iam.h"
#include "internal.h"
#include "rng.h"
#include "simd.h"

/* ---- Linear: out = inp Wᵀ + b, as torch.nn.Linear ---- */

static void linear_forward(float *out, const float *inp, const float *weight, const float *bias,
                           int B, int C, int OC) {
    // inp is (B,C), weight is (OC,C), bias is (OC), out is (B,OC)
    matmul_abt(out, inp, weight, B, OC, C);
    for (int b = 0; b < B; b++) vec_axpy(out + b * OC, 1.0f, bias, OC);
}

static void linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                            const float *inp, const float *weight, int B, int C, int OC) {
    // dout is (B,OC), inp is (B,C), weight is (OC,C); dinp may be NULL (the first layer)
    if (dinp) matmul_ab_acc(dinp, dout, weight, B, OC, C);  /* dinp += dout W     */
    matmul_atb_acc(dweight, dout, inp, B, OC, C);            /* dW   += doutᵀ inp  */
    for (int b = 0; b < B; b++) vec_axpy(dbias, 1.0f, dout + b * OC, OC);
}

/* ---- the first Linear on sparse inputs ----
 * Images are mostly background: 74% of MNIST's 14×14 pixels are 0. Where most of a
 * batch's inputs are 0, the first layer skips them: out[b] = bias + Σ_{i: x_bi ≠ 0}
 * x_bi Wᵀ[i], each term a SIMD axpy along the OC outputs of a transposed copy Wᵀ (C, OC),
 * made once per call (C·OC, small beside B·C·OC); and dW (OC, C) gets dWᵀ, summed the same
 * way, transposed back. The same sums as the dense kernels, in another order. */
#define SPARSE_MIN_INPUTS 32     /* narrower inputs (2-D points) stay dense */
#define SPARSE_MAX_NONZERO 0.5   /* sparse when at most half the batch's inputs are nonzero */

static int mostly_zero(const float *inp, int B, int C) {
    if (C < SPARSE_MIN_INPUTS) return 0;
    size_t nonzero = 0, total = (size_t)B * C;
    for (size_t k = 0; k < total; k++) nonzero += inp[k] != 0.0f;
    return (double)nonzero <= SPARSE_MAX_NONZERO * (double)total;
}

static void transpose(float *out, const float *in, int rows, int cols) {
    // in is (rows, cols), out is (cols, rows)
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) out[(size_t)c * rows + r] = in[(size_t)r * cols + c];
}

static void linear_forward_sparse(float *out, const float *inp, const float *weight, const float *bias,
                                  float *wt, int B, int C, int OC) {
    // inp is (B,C), weight is (OC,C), wt is room for (C,OC), out is (B,OC)
    transpose(wt, weight, OC, C);
    for (int b = 0; b < B; b++) {
        float *y = out + (size_t)b * OC;
        memcpy(y, bias, sizeof(float) * OC);
        for (int i = 0; i < C; i++)
            if (inp[(size_t)b * C + i] != 0.0f) vec_axpy(y, inp[(size_t)b * C + i], wt + (size_t)i * OC, OC);
    }
}

static void linear_backward_sparse(float *dweight, float *dbias, const float *dout, const float *inp,
                                   float *dwt, int B, int C, int OC) {
    // dout is (B,OC), inp is (B,C), dwt is room for (C,OC); the first layer has no dinp
    memset(dwt, 0, sizeof(float) * (size_t)C * OC);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < C; i++)
            if (inp[(size_t)b * C + i] != 0.0f) vec_axpy(dwt + (size_t)i * OC, inp[(size_t)b * C + i], dout + (size_t)b * OC, OC);
    for (int o = 0; o < OC; o++)
        for (int i = 0; i < C; i++) dweight[(size_t)o * C + i] += dwt[(size_t)i * OC + o];
    for (int b = 0; b < B; b++) vec_axpy(dbias, 1.0f, dout + (size_t)b * OC, OC);
}

/* ---- activations: out = f(inp), elementwise; backward dinp += f'(inp) dout ---- */

static void relu_forward(float *out, const float *inp, int N) {
    // inp, out are (N)
    for (int k = 0; k < N; k++) out[k] = inp[k] > 0.0f ? inp[k] : 0.0f;
}

static void relu_backward(float *dinp, const float *inp, const float *dout, int N) {
    for (int k = 0; k < N; k++) dinp[k] += inp[k] > 0.0f ? dout[k] : 0.0f;
}

/* PReLU with one slope a_c per channel (He et al. 2015; SphereFace's networks use it) */
static void prelu_forward(float *out, const float *inp, const float *slope, int B, int OC) {
    // inp, out are (B,OC), slope is (OC)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < OC; c++) {
            float v = inp[b * OC + c];
            out[b * OC + c] = v > 0.0f ? v : slope[c] * v;
        }
}

static void prelu_backward(float *dinp, float *dslope, const float *inp, const float *slope,
                           const float *dout, int B, int OC) {
    // inp, dout, dinp are (B,OC); slope, dslope are (OC)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < OC; c++) {
            float v = inp[b * OC + c], g = dout[b * OC + c];
            if (v > 0.0f) dinp[b * OC + c] += g;
            else {
                dinp[b * OC + c] += slope[c] * g;
                dslope[c] += v * g;
            }
        }
}

static void tanh_forward(float *out, const float *inp, int N) {
    for (int k = 0; k < N; k++) out[k] = tanhf(inp[k]);
}

static void tanh_backward(float *dinp, const float *out, const float *dout, int N) {
    // d tanh(u)/du = 1 − tanh(u)², from the stored output
    for (int k = 0; k < N; k++) dinp[k] += (1.0f - out[k] * out[k]) * dout[k];
}

/* ---- the MLP ---- */

int iam_mlp_make(iam_mlp *m, int d_in, const int *hidden, int n_hidden, int d_embed, int activation) {
    if (!m) return iam_fail("the MLP is NULL");
    memset(m, 0, sizeof *m);
    if (d_in < 1 || d_in > IAM_MAX_WIDTH)
        return iam_fail("the input dimension must be in [1, %d] (got %d)", IAM_MAX_WIDTH, d_in);
    if (n_hidden < 0 || n_hidden > IAM_MAX_LAYERS - 1)
        return iam_fail("the number of hidden layers must be in [0, %d] (got %d)", IAM_MAX_LAYERS - 1, n_hidden);
    if (n_hidden > 0 && !hidden) return iam_fail("hidden sizes are NULL");
    if (d_embed < 2 || d_embed > IAM_MAX_EMBED)
        return iam_fail("the embedding dimension must be in [2, %d] (got %d)", IAM_MAX_EMBED, d_embed);
    if (activation < 0 || activation >= IAM_ACT_COUNT)
        return iam_fail("unknown activation %d (expected 0 relu, 1 prelu, 2 tanh)", activation);
    m->n_layers = n_hidden + 1;
    m->activation = activation;
    m->sizes[0] = d_in;
    for (int l = 0; l < n_hidden; l++) {
        if (hidden[l] < 1 || hidden[l] > IAM_MAX_WIDTH)
            return iam_fail("hidden layer %d must have [1, %d] units (got %d)", l, IAM_MAX_WIDTH, hidden[l]);
        m->sizes[l + 1] = hidden[l];
    }
    m->sizes[m->n_layers] = d_embed;
    size_t off = 0;
    m->max_width = 0;
    for (int l = 0; l < m->n_layers; l++) {
        int in = m->sizes[l], out = m->sizes[l + 1];
        m->weight[l] = off; off += (size_t)out * in;
        m->bias[l] = off; off += (size_t)out;
        m->slope[l] = off;
        if (activation == IAM_ACT_PRELU && l < m->n_layers - 1) off += (size_t)out;
        if (out > m->max_width) m->max_width = out;
    }
    if (d_in > m->max_width) m->max_width = d_in;
    m->n_params = off;
    return 0;
}

void iam_mlp_init_params(const iam_mlp *m, float *params, int init, unsigned long long seed) {
    iam_rng rng = iam_rng_seeded(seed);
    for (int l = 0; l < m->n_layers; l++) {
        int in = m->sizes[l], out = m->sizes[l + 1];
        /* He: Var = 2/fan_in keeps ReLU activations at unit scale; Xavier: 2/(fan_in+fan_out) for tanh */
        float std = init == IAM_INIT_XAVIER ? sqrtf(2.0f / (float)(in + out)) : sqrtf(2.0f / (float)in);
        for (size_t k = 0; k < (size_t)out * in; k++) params[m->weight[l] + k] = std * iam_rng_normal(&rng);
        memset(params + m->bias[l], 0, sizeof(float) * out);
        if (m->activation == IAM_ACT_PRELU && l < m->n_layers - 1)
            for (int c = 0; c < out; c++) params[m->slope[l] + c] = 0.25f;
    }
}

/* acts holds, per layer, the Linear output z (B, out) and, for hidden layers, the
   activation a = f(z) (B, out); the embedding is the last layer's z. Then room for the
   first layer's transposed weight (the sparse path). */
static size_t layer_acts(const iam_mlp *m, int B) {
    size_t total = 0;
    for (int l = 0; l < m->n_layers; l++) total += (size_t)B * m->sizes[l + 1] * (l < m->n_layers - 1 ? 2 : 1);
    return total;
}

static size_t first_weight_floats(const iam_mlp *m) { return (size_t)m->sizes[0] * m->sizes[1]; }

size_t iam_mlp_act_floats(const iam_mlp *m, int B) { return layer_acts(m, B) + first_weight_floats(m); }

size_t iam_mlp_scratch_floats(const iam_mlp *m, int B) {
    return 2 * (size_t)B * m->max_width + first_weight_floats(m);
}

float *iam_mlp_forward(const iam_mlp *m, const float *params, const float *x, int B, float *acts) {
    // x is (B, D_in); returns the embedding (B, d), inside acts
    const float *inp = x;
    float *z = acts;
    for (int l = 0; l < m->n_layers; l++) {
        int in = m->sizes[l], out = m->sizes[l + 1];
        if (l == 0 && mostly_zero(x, B, in))
            linear_forward_sparse(z, x, params + m->weight[0], params + m->bias[0], acts + layer_acts(m, B), B, in, out);
        else
            linear_forward(z, inp, params + m->weight[l], params + m->bias[l], B, in, out);
        if (l == m->n_layers - 1) return z;
        float *a = z + (size_t)B * out;
        if (m->activation == IAM_ACT_RELU) relu_forward(a, z, B * out);
        else if (m->activation == IAM_ACT_PRELU) prelu_forward(a, z, params + m->slope[l], B, out);
        else tanh_forward(a, z, B * out);
        inp = a;
        z = a + (size_t)B * out;
    }
    return z; /* not reached: n_layers ≥ 1 */
}

void iam_mlp_backward(const iam_mlp *m, const float *params, float *grads, const float *x, int B,
                      const float *acts, const float *dembed, float *scratch) {
    // x is (B, D_in), dembed is (B, d); grads += ∂L/∂params; scratch is iam_mlp_scratch_floats
    /* where each layer's z and a start inside acts */
    const float *z_of[IAM_MAX_LAYERS], *a_of[IAM_MAX_LAYERS];
    const float *p = acts;
    for (int l = 0; l < m->n_layers; l++) {
        size_t size = (size_t)B * m->sizes[l + 1];
        z_of[l] = p;
        a_of[l] = p + size;
        p += size * (l < m->n_layers - 1 ? 2 : 1);
    }
    float *dz = scratch, *da = scratch + (size_t)B * m->max_width;
    memcpy(dz, dembed, sizeof(float) * B * m->sizes[m->n_layers]);
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int in = m->sizes[l], out = m->sizes[l + 1];
        const float *inp = l == 0 ? x : a_of[l - 1];
        float *dinp = NULL;
        if (l > 0) {
            dinp = da;
            memset(dinp, 0, sizeof(float) * B * in);
        }
        if (l == 0 && mostly_zero(x, B, in)) {
            linear_backward_sparse(grads + m->weight[0], grads + m->bias[0], dz, x, scratch + 2 * (size_t)B * m->max_width,
                                   B, in, out);
            break;
        }
        linear_backward(dinp, grads + m->weight[l], grads + m->bias[l], dz, inp, params + m->weight[l], B, in, out);
        if (l == 0) break;
        /* through the activation of layer l−1: da (∂L/∂a) → dz (∂L/∂z) */
        float *dz_prev = dz;
        memset(dz_prev, 0, sizeof(float) * B * in);
        if (m->activation == IAM_ACT_RELU) relu_backward(dz_prev, z_of[l - 1], da, B * in);
        else if (m->activation == IAM_ACT_PRELU)
            prelu_backward(dz_prev, grads + m->slope[l - 1], z_of[l - 1], params + m->slope[l - 1], da, B, in);
        else tanh_backward(dz_prev, a_of[l - 1], da, B * in);
    }
}
