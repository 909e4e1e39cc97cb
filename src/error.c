/* error.c: the last-error sentence behind iam_last_error().
 *
 * One static buffer: the library is single-threaded (one wasm instance per
 * Web Worker), and a sentence is all a caller needs to show the user. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "iam.h"
#include "internal.h"

static char last_error[512];

int iam_fail(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    return -1;
}

const char *iam_last_error(void) { return last_error; }

int iam_check_finite(const char *what, const float *a, size_t count, int cols) {
    for (size_t k = 0; k < count; k++)
        if (!isfinite(a[k]))
            return iam_fail("%s[%zu] (row %zu, column %zu) is %s; inputs must be finite", what, k,
                            k / (size_t)cols, k % (size_t)cols, isnan(a[k]) ? "NaN" : "infinite");
    return 0;
}
