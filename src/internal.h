/* internal.h: what the library's .c files share and callers never see. */
#ifndef IAM_INTERNAL_H
#define IAM_INTERNAL_H

#include <stddef.h>

#include "iam.h"

/* Record an error sentence (printf-style) and return -1, so that a check reads
   `if (bad) return iam_fail("scale must be > 0 (got %g)", s);`. */
int iam_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* A row whose norm is not above this has no direction: normalizing it is an error
   (loss.c), and the trainer leaves such an embedding out of a step (train.c). */
#define IAM_MIN_NORM 1e-30f

/* 0 if all count values of a are finite, else an error naming `what` and the
   first bad index (row and column for a matrix with `cols` columns). */
int iam_check_finite(const char *what, const float *a, size_t count, int cols);

#endif
