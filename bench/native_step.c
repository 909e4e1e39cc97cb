/* native_step.c: the native yardstick of the benchmark (bench/run.mjs builds and drives it).
 *
 * The same C as the two .wasm builds (build.sh's SRC list), compiled by gcc -O3
 * for the default x86-64 target: simd.h's plain loops, which gcc may vectorize
 * with SSE2 on its own. It times exactly what the wasm implementations time:
 *
 *   native_step train data=glyphs classes=10 dim=3 hidden=128,128 batch=256 scale=10 margin=0.3 [params=FILE]
 *       a trainer (Adam, ArcFace) as iam.trainer() builds it; one timed unit is
 *       iam_trainer_step(t, 1). params=FILE (float32, the trainer's flat layout)
 *       replaces the initial parameters, so that every implementation starts alike.
 *   native_step head n=256 d=128 c=1000 scale=10 margin=0.3 inputs=FILE
 *       one timed unit is zeroing dx and dW, then iam_loss, forward and backward (ArcFace);
 *       FILE holds x (n,d) and W (c,d) as float32, then the labels (n) as int32.
 *
 * Then it reads commands on stdin, one a line, so that the harness can interleave
 * it with the other implementations without a new process each time:
 *
 *   step K   run K units, time each; print {"ms":[...],"loss":[...]} on one line
 *   quit     (or end of input)
 *
 * It is a measuring tool, not part of the library: errors print a sentence and exit 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iam.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "native_step: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

/* the value of key=value among argv, or NULL */
static const char *arg(int argc, char **argv, const char *key) {
    size_t len = strlen(key);
    for (int k = 2; k < argc; k++)
        if (strncmp(argv[k], key, len) == 0 && argv[k][len] == '=') return argv[k] + len + 1;
    return NULL;
}

static const char *need(int argc, char **argv, const char *key) {
    const char *v = arg(argc, argv, key);
    if (!v) die("missing argument", key);
    return v;
}

/* reads exactly `bytes` bytes of a file into dst */
static void read_exactly(const char *path, void *dst, size_t bytes) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    size_t got = fread(dst, 1, bytes, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (got != bytes || extra) die("the file does not have the expected size", path);
}

/* the two things the harness can time, behind one function */
typedef struct {
    iam_trainer *trainer;                          /* train */
    iam_loss_config cfg;                           /* head  */
    int n, d, c, *labels;
    float *x, *W, *dx, *dW, *work;
} bench_unit;

/* one timed unit; returns its loss */
static float run_unit(bench_unit *u) {
    iam_loss_result r;
    if (u->trainer) {
        iam_last_step last;
        if (iam_trainer_step(u->trainer, 1) || iam_trainer_last_step(u->trainer, &last))
            die("the trainer failed", iam_last_error());
        r.loss = last.loss;
    } else {
        /* iam_loss accumulates into dx and dW; the JS binding zeroes them too, inside its timing */
        memset(u->dx, 0, sizeof(float) * (size_t)u->n * u->d);
        memset(u->dW, 0, sizeof(float) * (size_t)u->c * u->d);
        if (iam_loss(&u->cfg, u->x, u->W, u->labels, u->n, u->d, u->c, u->dx, u->dW, &r, u->work))
            die("iam_loss failed", iam_last_error());
    }
    return r.loss;
}

static void make_train(bench_unit *u, int argc, char **argv) {
    iam_train_config cfg = iam_train_config_default();
    const char *data = need(argc, argv, "data");
    cfg.data = -1;
    for (int k = 0; k < IAM_DATA_KIND_COUNT; k++)
        if (strcmp(data, iam_data_names[k]) == 0) cfg.data = k;
    if (cfg.data < 0) die("unknown data set", data);
    cfg.classes = atoi(need(argc, argv, "classes"));
    cfg.embed_dim = atoi(need(argc, argv, "dim"));
    cfg.batch_size = atoi(need(argc, argv, "batch"));
    cfg.n_hidden = 0;
    for (const char *h = need(argc, argv, "hidden"); *h && cfg.n_hidden < IAM_MAX_LAYERS - 1;) {
        char *end;
        cfg.hidden[cfg.n_hidden++] = (int)strtol(h, &end, 10);
        h = *end == ',' ? end + 1 : end;
    }
    cfg.optimizer = IAM_OPT_ADAM;
    cfg.loss.kind = IAM_ARCFACE;
    cfg.loss.scale = (float)atof(need(argc, argv, "scale"));
    cfg.loss.margin = (float)atof(need(argc, argv, "margin"));
    if (iam_trainer_new(&cfg, &u->trainer)) die("cannot make the trainer", iam_last_error());
    const char *params = arg(argc, argv, "params");
    if (params) {
        iam_trainer_sizes sizes;
        iam_trainer_get_sizes(u->trainer, &sizes);
        float *p = malloc(sizeof(float) * (size_t)sizes.n_params);
        if (!p) die("out of memory for the parameters", params);
        read_exactly(params, p, sizeof(float) * (size_t)sizes.n_params);
        if (iam_trainer_set_params(u->trainer, p, sizes.n_params)) die("cannot set the parameters", iam_last_error());
        free(p);
    }
}

static void make_head(bench_unit *u, int argc, char **argv) {
    u->n = atoi(need(argc, argv, "n"));
    u->d = atoi(need(argc, argv, "d"));
    u->c = atoi(need(argc, argv, "c"));
    if (u->n < 1 || u->d < 1 || u->c < 2) die("bad sizes", NULL);
    u->cfg = iam_loss_config_default(IAM_ARCFACE);
    u->cfg.scale = (float)atof(need(argc, argv, "scale"));
    u->cfg.margin = (float)atof(need(argc, argv, "margin"));
    size_t nd = (size_t)u->n * u->d, cd = (size_t)u->c * u->d;
    char *inputs = malloc((nd + cd) * sizeof(float) + (size_t)u->n * sizeof(int));
    u->x = calloc(nd, sizeof(float));
    u->W = calloc(cd, sizeof(float));
    u->labels = calloc((size_t)u->n, sizeof(int));
    u->dx = calloc(nd, sizeof(float));
    u->dW = calloc(cd, sizeof(float));
    u->work = calloc(iam_loss_work_floats(u->n, u->d, u->c), sizeof(float));
    if (!inputs || !u->x || !u->W || !u->labels || !u->dx || !u->dW || !u->work) die("out of memory", NULL);
    read_exactly(need(argc, argv, "inputs"), inputs, (nd + cd) * sizeof(float) + (size_t)u->n * sizeof(int));
    memcpy(u->x, inputs, nd * sizeof(float));
    memcpy(u->W, inputs + nd * sizeof(float), cd * sizeof(float));
    memcpy(u->labels, inputs + (nd + cd) * sizeof(float), (size_t)u->n * sizeof(int));
    free(inputs);
}

int main(int argc, char **argv) {
    bench_unit u;
    memset(&u, 0, sizeof u);
    if (argc >= 2 && strcmp(argv[1], "train") == 0) make_train(&u, argc, argv);
    else if (argc >= 2 && strcmp(argv[1], "head") == 0) make_head(&u, argc, argv);
    else die("usage: native_step train|head key=value ... (see the comment atop native_step.c)", NULL);

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        int k;
        if (strncmp(line, "quit", 4) == 0) break;
        if (sscanf(line, "step %d", &k) != 1 || k < 1 || k > 100000) die("unknown command", line);
        double *ms = malloc(sizeof(double) * k);
        float *loss = malloc(sizeof(float) * k);
        if (!ms || !loss) die("out of memory", NULL);
        for (int q = 0; q < k; q++) {
            double t0 = now_ms();
            loss[q] = run_unit(&u);
            ms[q] = now_ms() - t0;
        }
        printf("{\"ms\":[");
        for (int q = 0; q < k; q++) printf("%s%.6f", q ? "," : "", ms[q]);
        printf("],\"loss\":[");
        for (int q = 0; q < k; q++) printf("%s%.9g", q ? "," : "", loss[q]);
        printf("]}\n");
        fflush(stdout);
        free(ms);
        free(loss);
    }
    iam_trainer_free(u.trainer);
    free(u.x); free(u.W); free(u.labels); free(u.dx); free(u.dW); free(u.work);
    return 0;
}
