// rng.mjs: the experiment's one random-number generator, seeded, in plain JS.
//
// Everything the experiment draws in JS (the faces renderer and its identities, the
// verification folds and pairs, the galleries) comes from here, so that a rerun with the
// same seeds gives the same numbers to the bit. sfc32 (Chris Doty-Humphrey's "small fast
// counting" generator, 128-bit state), seeded through splitmix32 so that nearby seeds
// give unrelated streams.

function splitmix32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator from a seed (any integer) and optional stream tags (integers), e.g.
 *  makeRng(seed, 7) for the seventh of several independent streams of one seed. */
export function makeRng(seed, ...tags) {
  const mix = splitmix32(seed);
  let a = mix(), b = mix(), c = mix(), d = 1;
  for (const t of tags) { a ^= splitmix32(t)(); b ^= mix(); }
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 15; i++) u32();
  let spare = null;
  const rng = {
    u32,
    /** uniform in [0, 1), 53 bits */
    uniform: () => (u32() * 2 ** 21 + (u32() >>> 11)) / 2 ** 53,
    /** an integer in [0, n) */
    int: (n) => Math.floor(rng.uniform() * n),
    /** standard normal (Marsaglia's polar method) */
    normal() {
      if (spare !== null) { const s = spare; spare = null; return s; }
      let u, v, r;
      do { u = 2 * rng.uniform() - 1; v = 2 * rng.uniform() - 1; r = u * u + v * v; } while (r >= 1 || r === 0);
      const f = Math.sqrt(-2 * Math.log(r) / r);
      spare = v * f;
      return u * f;
    },
    /** a Fisher–Yates shuffle of an array, in place; returns it */
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) { const j = rng.int(i + 1); [a[i], a[j]] = [a[j], a[i]]; }
      return a;
    },
  };
  return rng;
}
