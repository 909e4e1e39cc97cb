// adaptive-train.test.mjs: the adaptive losses (CurricularFace, AdaFace, MagFace) and the
// options that are not kinds (sub-centers, ElasticFace's random margin) really train with
// their presets (wasm/presets.js) on the default toy data, blobs with 8 classes, in 2-D and
// 3-D, and with IAM at β = 0.5 in 3-D; and MagFace learns what it is for: a sample nearer
// its class weight gets a larger feature norm. Everything runs through the binding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { trainerPreset, OPTION_PRESETS } from '../wasm/presets.js';

const iam = await loadIAM();

// Every one reaches 95% within 500 steps on seeds 1–3 (bench/RESULTS.md); 1,500 of the
// preset's 3,000 leave the margins and angles time to settle. Sub-centers on a circle need
// the whole budget: till step ~1,750 two classes' dominant sub-centers may sit 1–2° apart
// while the accuracy swings between 86% and 98% (seed 1), then they part (34°).
const STEPS = 1500, STEPS_OF = { 'arcface K=3': 3000 };
const dimKey = (dim) => (dim <= 2 ? 2 : 3);
// label → the kind and the loss options on top of its preset, for one dimension
const RUNS = {
  curricularface: () => ({ kind: 'curricularface', loss: {} }),
  adaface: () => ({ kind: 'adaface', loss: {} }),
  magface: () => ({ kind: 'magface', loss: {} }),
  ...Object.fromEntries(Object.entries(OPTION_PRESETS).map(([label, p]) => [label, (dim) => ({ kind: p.kind, loss: p[dimKey(dim)] })])),
};

function trainRun(label, dim, { seed = 1, beta = 0, steps = STEPS_OF[label] ?? STEPS } = {}) {
  const { kind, loss } = RUNS[label]?.(dim) ?? { kind: label, loss: {} }; // or a kind at its preset
  const t = iam.trainer(trainerPreset(kind, { dim, seed }, { ...loss, beta }));
  const before = t.evaluate({ bins: 0 }).metrics;
  t.step(steps);
  const after = t.evaluate({ bins: 0 }).metrics;
  return { t, before, after };
}

function assertTrains(what, { before, after }) {
  assert.ok(after.test_acc >= 0.95, `${what}: test accuracy ${after.test_acc}`);
  assert.ok(after.min_weight_angle_deg > before.min_weight_angle_deg,
    `${what}: min weight angle ${before.min_weight_angle_deg}° → ${after.min_weight_angle_deg}°`);
  assert.ok(after.mean_sample_margin_deg > 0, `${what}: mean sample margin ends at ${after.mean_sample_margin_deg}°`);
}

// On a circle the presets are what keep a run from merging classes (CurricularFace at C's
// s = 10 stops at 37% on seed 2): two seeds there, one on the sphere.
const SEEDS_OF_DIM = { 2: [1, 2], 3: [1] };
for (const dim of [2, 3])
  test(`each adaptive loss and option trains on blobs, C = 8, ${dim}-D: test accuracy >= 0.95, the class weights spread, the margins end positive`, () => {
    for (const label of Object.keys(RUNS))
      for (const seed of SEEDS_OF_DIM[dim]) {
        const run = trainRun(label, dim, { seed });
        run.t.free();
        assertTrains(`${label} ${dim}-D seed ${seed}`, run);
      }
  });

test('the three adaptive kinds with IAM (β = 0.5) in 3-D, C = 8: they still train', () => {
  for (const label of ['curricularface', 'adaface', 'magface']) {
    const run = trainRun(label, 3, { beta: 0.5 });
    run.t.free();
    assertTrains(`${label} 3-D β = 0.5`, run);
  }
});

// Spearman's ρ of two float64 arrays: Pearson's r of their ranks (ties are rare in float32
// norms and angles, and ranked in order)
function ranks(v) {
  const order = [...v.keys()].sort((a, b) => v[a] - v[b]), r = new Float64Array(v.length);
  order.forEach((i, k) => { r[i] = k; });
  return r;
}
function spearman(a, b) {
  const ra = ranks(a), rb = ranks(b), n = a.length, mean = (n - 1) / 2;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) ** 2;
    sbb += (rb[i] - mean) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

// The Spearman ρ between the feature norm and θ_y over a trained run's whole test set
function normAngleSpearman(label, dim, seed) {
  const { t } = trainRun(label, dim, { seed, steps: 3000 });
  const s = t.snapshot({ points: t.nTest, set: 'test', bins: 0 });
  t.free();
  const n = s.labels.length, theta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0; // the embedding and the weights are unit vectors
    for (let k = 0; k < dim; k++) c += s.embedding[i * dim + k] * s.weights[s.labels[i] * dim + k];
    theta[i] = Math.acos(Math.min(1, Math.max(-1, c)));
  }
  return spearman(Float64Array.from(s.norms), theta);
}

// MagFace (paper, §3.2): the margin m(a) grows with the norm a while λ_g g(a) rewards a large
// one, so an easy sample (small θ_y) can afford a large norm and a hard one cannot. After the
// preset's 3,000 steps the norm tends to fall as θ_y grows: Spearman's ρ < 0 on most seeds,
// not on all (a ρ of 0 would be ±0.035 over 800 samples). Measured on seeds 1–6 with the SIMD
// build: 2-D −0.17, −0.38, −0.16, −0.40, +0.06, −0.10; 3-D −0.49, −0.17, +0.11, −0.36, −0.58,
// +0.05 (the scalar build, whose sums run in another order, gives other seeds' signs: one
// seed's ρ is a chaotic function of the rounding). The network leans that way by itself too
// (NormFace, no norm in its loss: seed means −0.03 in 2-D, −0.02 in 3-D), so what MagFace
// learned is the difference: its seed-mean ρ is below NormFace's (−0.19 and −0.24). Not
// asserted: at 1,500 steps it is not there yet.
for (const dim of [2, 3])
  test(`MagFace ${dim}-D: the feature norm falls as the angle to the class weight grows, more than without MagFace (test set, seeds 1–6)`, () => {
    const seeds = [1, 2, 3, 4, 5, 6], mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
    const mag = seeds.map((seed) => normAngleSpearman('magface', dim, seed));
    const plain = seeds.map((seed) => normAngleSpearman('normface', dim, seed));
    console.log(`# ${dim}-D Spearman(‖x‖, θ_y) on seeds 1–6: MagFace ${mag.map((r) => r.toFixed(2)).join(', ')}; NormFace ${plain.map((r) => r.toFixed(2)).join(', ')}`);
    assert.ok(mag.filter((rho) => rho < 0).length >= 4, `MagFace's ρ is negative on fewer than 4 of 6 seeds: ${mag.map((r) => r.toFixed(2))}`);
    assert.ok(mean(mag) < -0.1, `MagFace's mean ρ ${mean(mag)} is not clearly below 0`);
    assert.ok(mean(mag) < mean(plain) - 0.05, `MagFace's mean ρ ${mean(mag)} not below NormFace's ${mean(plain)}`);
  });
