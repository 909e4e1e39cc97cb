/* optim.c: the optimizers and the one schedule, over flat parameter arrays.
 *
 * Each step walks a contiguous range of parameters; the trainer calls it twice,
 * once for the network and once for the class weights W, so that W can learn at
 * its own rate (a pytorch-metric-learning habit). Weight decay is L2, added to
 * the gradient, as torch.optim's `weight_decay` (not AdamW's decoupled decay).
 */
#include <math.h>

#include "iam.h"

void iam_sgd_step(float *p, const float *g, float *velocity, size_t n, float lr, float momentum,
                  float weight_decay) {
    // p, g, velocity are (n):  v = μ v + (g + λ p);  p −= lr v
    for (size_t k = 0; k < n; k++) {
        float grad = g[k] + weight_decay * p[k];
        velocity[k] = momentum * velocity[k] + grad;
        p[k] -= lr * velocity[k];
    }
}

void iam_adam_step(float *p, const float *g, float *m, float *v, size_t n, float lr, float beta1,
                   float beta2, float eps, float weight_decay, int t) {
    // p, g, m, v are (n); t ≥ 1 is the step count, for the bias corrections
    float correct1 = 1.0f - powf(beta1, (float)t), correct2 = 1.0f - powf(beta2, (float)t);
    for (size_t k = 0; k < n; k++) {
        float grad = g[k] + weight_decay * p[k];
        m[k] = beta1 * m[k] + (1.0f - beta1) * grad;
        v[k] = beta2 * v[k] + (1.0f - beta2) * grad * grad;
        float m_hat = m[k] / correct1, v_hat = v[k] / correct2;
        p[k] -= lr * m_hat / (sqrtf(v_hat) + eps);
    }
}

float iam_sphereface_lambda(int step, float lambda_base, float gamma, float power, float lambda_min) {
    // LOSSES.md, "SphereFace annealing"; the Caffe defaults are 1000, 0.12, 1, 5
    float lambda = lambda_base * powf(1.0f + gamma * (float)step, -power);
    return lambda > lambda_min ? lambda : lambda_min;
}
