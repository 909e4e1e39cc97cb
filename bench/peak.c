/* peak.c: the achievable WebAssembly SIMD throughput of this machine, the ceiling
 * that bench/run.mjs measures every configuration against.
 *
 * Built by bench/run.mjs with `emcc -O3 -msimd128` into its own .wasm and run in
 * Node. Each function runs `chains` independent f32x4 chains of
 *
 *     acc = acc * a + b        (one f32x4.mul and one f32x4.add: 8 flops)
 *
 * for `iters` rounds. WebAssembly has no fused multiply-add, so a matrix product
 * is made of exactly these two instructions; no kernel can beat this loop. The
 * chains are independent so that the core can overlap them: each step of one
 * chain waits for the multiply and then the add (about 6 cycles), and a core
 * issuing 2 multiplies and 2 adds per cycle needs about 12 chains in flight.
 * More chains than vector registers (16 on x86-64) spill, so the harness tries
 * several counts and keeps the best. a and b are arguments, so nothing folds away.
 */
#include <wasm_simd128.h>

#define PEAK_CHAINS(N)                                                                 \
    float peak_##N(int iters, float a_scalar, float b_scalar) {                        \
        v128_t a = wasm_f32x4_splat(a_scalar), b = wasm_f32x4_splat(b_scalar);         \
        v128_t acc[N];                                                                 \
        for (int q = 0; q < N; q++) acc[q] = wasm_f32x4_splat((float)q);               \
        for (int it = 0; it < iters; it++) {                                           \
            _Pragma("clang loop unroll(full)")                                         \
            for (int q = 0; q < N; q++) acc[q] = wasm_f32x4_add(wasm_f32x4_mul(acc[q], a), b); \
        }                                                                              \
        v128_t sum = acc[0];                                                           \
        for (int q = 1; q < N; q++) sum = wasm_f32x4_add(sum, acc[q]);                 \
        return wasm_f32x4_extract_lane(sum, 0) + wasm_f32x4_extract_lane(sum, 3);      \
    }

PEAK_CHAINS(8)
PEAK_CHAINS(10)
PEAK_CHAINS(12)
