/* check.h: what the native C tests share: one assertion and one test-data PRNG.
 *
 * CHECK(condition, printf-style message) counts a pass or prints the failure
 * and goes on, so that one run shows every broken check; CHECK_SUMMARY() prints
 * the closing line "N passed, N failed" and gives main's exit status. */
#ifndef IAM_TEST_CHECK_H
#define IAM_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (cond) passed++;                                         \
        else {                                                      \
            failed++;                                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);             \
            printf(__VA_ARGS__);                                    \
            printf("\n");                                           \
        }                                                           \
    } while (0)

/* xorshift32 in [−1, 1): test data independent of the library's own rng.h */
static unsigned rng_state = 12345u;
static inline float uniform(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

#define CHECK_SUMMARY() (printf("%d passed, %d failed\n", passed, failed), failed ? 1 : 0)

#endif
