/* check.h: the one assertion of the native C tests.
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

#define CHECK_SUMMARY() (printf("%d passed, %d failed\n", passed, failed), failed ? 1 : 0)

#endif
