#!/usr/bin/env bash
# build.sh: the one entry point. ./build.sh <command> [-- args]
#
#   setup   install what is missing: Debian's emscripten and chromium (apt), npm ci
#   build   both .wasm builds (SIMD and scalar), the native C tests (plain and ASan/UBSan), the bench helpers
#   test    setup, build, then the native C tests, the node:test suites and the browser tests
#   serve   build what is missing and serve the demo on http://127.0.0.1:8000/
#   train   headless training: ./build.sh train -- --loss arcface --beta 0.5 --json
#   experiment  the paper in miniature: sweeps β, seeds and room; writes docs/RESULTS.md
#   bench   benchmarks: wasm SIMD, wasm scalar, native C and TensorFlow.js wasm (-- --json);
#           -- --page: the page in headless Chromium (fps, redraws, steps/s)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

SRC=(src/loss.c src/nn.c src/optim.c src/data.c src/metrics.c src/train.c src/error.c src/api.c)
# what the binding (wasm/iam.js) calls: iam.h's entry points and api.c's field tables
EXPORTS=_malloc,_free,_iam_last_error,_iam_loss,_iam_loss_work_floats,_iam_verification
EXPORTS+=,_iam_table_find,_iam_table_bytes,_iam_table_field_count,_iam_table_defaults
EXPORTS+=,_iam_field_name,_iam_field_offset,_iam_field_type,_iam_field_length,_iam_field_table
EXPORTS+=,_iam_field_count,_iam_field_enum,_iam_name
EXPORTS+=,_iam_trainer_new,_iam_trainer_free,_iam_trainer_step,_iam_trainer_divergence
EXPORTS+=,_iam_trainer_get_sizes,_iam_trainer_last_step,_iam_trainer_set_lr,_iam_trainer_evaluate
EXPORTS+=,_iam_trainer_embed,_iam_trainer_weights,_iam_trainer_inputs,_iam_trainer_predict
EXPORTS+=,_iam_trainer_get_params,_iam_trainer_set_params
# emcc's JS optimizer, when it runs, looks for Debian's acorn here
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

apt_install_missing() {
  local missing=()
  command -v emcc >/dev/null 2>&1 || missing+=(emscripten)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} with apt-get"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
  fi
}

npm_install() {
  # npm ci when node_modules is missing or older than the lock file
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
}

setup() { apt_install_missing; npm_install; }

build_wasm() {
  command -v emcc >/dev/null 2>&1 || { echo "emcc not found: run ./build.sh setup" >&2; exit 1; }
  local flags=(-O3 --no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1
               "-sEXPORTED_FUNCTIONS=$EXPORTS" -Wall -Wextra -Werror)
  log "wasm/iam-simd.wasm (emcc -msimd128)"
  emcc "${flags[@]}" -msimd128 "${SRC[@]}" -o wasm/iam-simd.wasm
  log "wasm/iam.wasm (emcc, scalar)"
  emcc "${flags[@]}" "${SRC[@]}" -o wasm/iam.wasm
}

build_native() {
  mkdir -p build
  local warn=(-std=c11 -Wall -Wextra -Wpedantic -Werror) test name
  for test in tests/test_*.c; do
    name=$(basename "$test" .c)
    log "build/$name (gcc -O2) and build/${name}_san (ASan, UBSan)"
    gcc -O2 "${warn[@]}" -Isrc "$test" "${SRC[@]}" -lm -o "build/$name"
    gcc -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
      "${warn[@]}" -Isrc "$test" "${SRC[@]}" -lm -o "build/${name}_san"
  done
}

# the benchmark's helpers: the native C step and the wasm SIMD peak (bench/)
build_bench() {
  mkdir -p build
  log "build/native_step (gcc -O3, the default x86-64 target, as a C user would build it)"
  gcc -O3 -std=c11 -Wall -Wextra -Werror -Isrc bench/native_step.c "${SRC[@]}" -lm -o build/native_step
  log "build/peak.wasm (emcc -msimd128)"
  emcc -O3 -msimd128 --no-entry -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_peak_8,_peak_10,_peak_12 bench/peak.c -o build/peak.wasm
}

build() { build_wasm; build_native; build_bench; }

wasm_missing() { [ ! -f wasm/iam-simd.wasm ] || [ ! -f wasm/iam.wasm ]; }

run_tests() {
  local test name
  for test in tests/test_*.c; do
    name=$(basename "$test" .c)
    log "native C tests: $name"
    "./build/$name"
    log "native C tests under ASan and UBSan: $name"
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "./build/${name}_san"
  done
  log "node:test suites"
  node --test tests/*.test.mjs
}

cmd=${1:-}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
case "$cmd" in
  setup) setup ;;
  build) build ;;
  test) setup; build; run_tests ;;
  serve)
    wasm_missing && { setup; build_wasm; }
    exec node web/server.mjs "$@" ;;
  train)
    wasm_missing && { setup; build_wasm; }
    exec node wasm/cli.mjs "$@" ;;
  experiment)
    wasm_missing && { setup; build_wasm; }
    exec node experiment/run.mjs "$@" ;;
  bench)
    setup; build
    if [ "${1:-}" = "--page" ]; then shift; exec node bench/page.mjs "$@"; fi
    exec node bench/run.mjs "$@" ;;
  *)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
