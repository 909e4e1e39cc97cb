/* rng.h: the one seeded PRNG of the library (splitmix64), for data, init and batches.
 *
 * Same seed, same build: same numbers. Small and stateless apart from one
 * 64-bit word, so a struct copy is a checkpoint. Not cryptographic. */
#ifndef IAM_RNG_H
#define IAM_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct { uint64_t state; } iam_rng;

/* splitmix64's finalizer: nearby seeds (s, s+1) give unrelated states, so that
   streams seeded s·2+1 and s·2+2 are not one stream shifted by a draw */
static inline uint64_t iam_rng_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline iam_rng iam_rng_seeded(uint64_t seed) {
    iam_rng r = { iam_rng_mix(seed + 0x632BE59BD9B4E019ull) };
    return r;
}

static inline uint32_t iam_rng_u32(iam_rng *r) {
    return (uint32_t)(iam_rng_mix(r->state += 0x9E3779B97F4A7C15ull) >> 32);
}

/* uniform in [0, 1) with 24 random bits */
static inline float iam_rng_uniform(iam_rng *r) { return (float)(iam_rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

/* uniform integer in [0, n) */
static inline int iam_rng_below(iam_rng *r, int n) { return (int)(((uint64_t)iam_rng_u32(r) * (uint64_t)n) >> 32); }

/* standard normal, Box–Muller (one of the pair is dropped: simple over fast) */
static inline float iam_rng_normal(iam_rng *r) {
    float u1 = ((float)(iam_rng_u32(r) >> 8) + 0.5f) * (1.0f / 16777216.0f); /* (0, 1) */
    float u2 = iam_rng_uniform(r);
    return sqrtf(-2.0f * logf(u1)) * cosf(6.28318530717959f * u2);
}

#endif
