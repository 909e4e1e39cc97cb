// stories.js: LOSSES.md's story in one click each. A story sets everything its claim
// depends on (data, seed, panels, margins, β, speed), starts paused at step 0, and
// runs to the step its caption names, then pauses (`stops`: press Play for the next).
//
// Every caption is a claim about what the trainer does, and `claims` says it in
// code: at each step named, a check of the panels' metrics and snapshots.
// tests/stories.test.mjs trains every story in Node with its own settings, on its
// seed and on four others, and holds each claim to it; where a claim is true only
// for a while or only on some seeds, the caption says so.
import { decisionRing2d, classifyDirection, adaZ } from './geometry.js';

/** The share of the ring (2-D) that no class owns with its margin: the grey band. */
export function bandShare(snap) {
  const ring = decisionRing2d(snap.weights, snap.loss, snap.weightNorms, 720);
  return 1 - ring.inMargin.reduce((a, b) => a + b, 0) / ring.samples;
}

/** The share of the snapshot's samples on their own class's side of its margin. */
export function ownSideShare(snap) {
  let own = 0;
  for (let i = 0; i < snap.labels.length; i++) {
    const u = [snap.embedding[2 * i], snap.embedding[2 * i + 1]];
    const r = classifyDirection(u, snap.weights, 2, snap.loss, snap.weightNorms);
    if (r.cls === snap.labels[i] && r.inMargin) own++;
  }
  return own / snap.labels.length;
}

/** AdaFace: each shown sample's ẑ now, from its norm and the running μ, σ (what its margin plot shows). */
export const adaZs = (snap) => Array.from(snap.norms, (norm) => adaZ(snap.loss, norm));

const angle = (at, token) => at(token).metrics.min_weight_angle_deg;
const accuracy = (at, token) => at(token).metrics.test_acc;

export const STORIES = [
  {
    id: 'margins',
    title: 'Margins on a circle',
    state: { data: 'blobs', classes: 6, dim: 2, seed: 1, panels: ['normface', 'sphereface', 'cosface', 'arcface'],
      cosMargin: 0.2, arcMargin: 0.2, sphereMargin: 4, scale: 10, speed: 2, until: 300 },
    stops: [300, 1000],
    caption: 'Four losses, one network, the same data and the same start. Watch the outer ring. NormFace ' +
      'splits the directions at θ₁ = θ₂, with no gap. CosFace (cos θ₁ − m = cos θ₂) leaves the widest grey ' +
      'band, about 38% of the ring; ArcFace (θ₁ + m = θ₂) leaves m = 0.2 rad at every boundary, 19% of it. ' +
      'SphereFace (mθ₁ = θ₂, mixed with cos θ by λ) opens its band as λ anneals: under 5% at step 100, over ' +
      '15% by step 1,000. By step 300 the samples have left the bands: 98% or more sit on their own side.',
    claims: [
      { step: 100, text: 'SphereFace’s band is under 5% of the ring', check: (at) => bandShare(at('sphereface').snap) < 0.05 },
      { step: 300, text: 'NormFace has no band; CosFace’s is 30–45% of the ring, ArcFace’s 15–25%',
        check: (at) => bandShare(at('normface').snap) === 0 && Math.abs(bandShare(at('cosface').snap) - 0.375) < 0.075
          && Math.abs(bandShare(at('arcface').snap) - 0.2) < 0.05 },
      { step: 300, text: '98% or more of the samples sit on their own side, in every panel',
        check: (at) => ['normface', 'sphereface', 'cosface', 'arcface'].every((t) => ownSideShare(at(t).snap) >= 0.98) },
      { step: 1000, text: 'SphereFace’s band is over 15% of the ring', check: (at) => bandShare(at('sphereface').snap) > 0.15 },
    ],
  },
  {
    id: 'room-circle',
    title: 'IAM has room: 4 classes on a circle',
    state: { data: 'blobs', classes: 4, dim: 2, seed: 3, panels: ['normface', 'normface+iam', 'arcface', 'arcface+iam'],
      beta: 0.5, arcMargin: 0.2, scale: 10, speed: 3, until: 600 },
    stops: [600, 6000],
    caption: 'Four classes fit on a circle at most 90° apart (the packing limit). Watch the red label, the ' +
      'smallest angle. IAM (β = 0.5) pushes the closest pair hardest: by step 600 both panels with IAM hold ' +
      'every gap above 85°, while without IAM the smallest is still below 75°. Play on: by step 6,000 the ' +
      'panels without IAM have caught up, and all four sit between 84° and 90°. With room, IAM’s gain is ' +
      'speed, not the end state.',
    claims: [
      { step: 600, text: 'with IAM the smallest angle is above 85°; without, below 75°',
        check: (at) => ['normface+iam', 'arcface+iam'].every((t) => angle(at, t) > 85)
          && ['normface', 'arcface'].every((t) => angle(at, t) < 75) },
      { step: 6000, text: 'without IAM the smallest angle has caught up: all four panels above 84°',
        check: (at) => ['normface', 'arcface', 'normface+iam', 'arcface+iam'].every((t) => angle(at, t) > 84) },
    ],
  },
  {
    id: 'room-sphere',
    title: 'IAM has room: 8 classes on a sphere',
    state: { data: 'blobs', classes: 8, dim: 3, seed: 4, panels: ['normface', 'normface+iam', 'arcface', 'arcface+iam'],
      beta: 0.5, arcMargin: 0.2, scale: 10, speed: 3, until: 300 },
    stops: [300, 4000],
    caption: 'Eight directions in 3-D can be at most 74.9° apart (the Tammes limit). Watch the red arc, the ' +
      'smallest angle: by step 300 the panels with IAM have it at 66° or more, close to the limit; without ' +
      'IAM it is 60° or less. Play on to step 4,000: without IAM it keeps growing slowly, and stays below ' +
      'its IAM twin. Drag a sphere to turn it.',
    claims: [
      { step: 300, text: 'with IAM the smallest angle is 66° or more; without, 60° or less',
        check: (at) => ['normface+iam', 'arcface+iam'].every((t) => angle(at, t) >= 66)
          && ['normface', 'arcface'].every((t) => angle(at, t) <= 60) },
      { step: 4000, text: 'each panel without IAM is still below its IAM twin',
        check: (at) => angle(at, 'normface') < angle(at, 'normface+iam') && angle(at, 'arcface') < angle(at, 'arcface+iam') },
    ],
  },
  {
    id: 'crowded',
    title: 'Crowded circle: IAM merges pairs',
    state: { data: 'blobs', classes: 8, dim: 2, seed: 1, panels: ['normface', 'normface+iam', 'arcface', 'arcface+iam'],
      beta: 0.5, arcMargin: 0.2, scale: 10, speed: 4, until: 4000 },
    stops: [4000],
    caption: 'Eight classes on a circle leave no room. IAM’s reward never saturates, so giving up a pair of ' +
      'classes to widen every other gap lowers the total. By step 4,000 NormFace + IAM has merged classes: its ' +
      'smallest angle is under 7° (on most seeds two pairs of spokes sit under 5°) and test accuracy has ' +
      'fallen to about 75%: 6 of 8 classes. ArcFace’s margin resists: with IAM its smallest angle shrinks, yet ' +
      'accuracy stays above 96% on seeds 1–5 (not on every seed: on seed 6 a pair merges and it falls to 85%). ' +
      'Cross-entropy alone saturates and has no such trade: both panels without IAM stay near 40°.',
    claims: [
      { step: 4000, text: 'NormFace + IAM has merged classes: its smallest angle is under 7° and its test accuracy below 80%',
        check: (at) => angle(at, 'normface+iam') < 7 && accuracy(at, 'normface+iam') < 0.8 },
      { step: 4000, text: 'ArcFace + IAM’s smallest angle is below ArcFace’s, and its test accuracy above 96%',
        check: (at) => angle(at, 'arcface+iam') < angle(at, 'arcface') && accuracy(at, 'arcface+iam') > 0.96 },
      { step: 4000, text: 'without IAM the smallest angle stays above 35°',
        check: (at) => angle(at, 'normface') > 35 && angle(at, 'arcface') > 35 },
    ],
  },
  {
    id: 'sphereface-annealing',
    title: 'SphereFace needs annealing',
    state: { data: 'blobs', classes: 8, dim: 2, seed: 3, panels: ['sphereface', 'sphereface+fixed'], sphereMargin: 4,
      anneal: true, lambda: 0, scale: 10, speed: 2, until: 300 },
    stops: [300, 3000],
    caption: 'Left: SphereFace as the paper trains it, λ annealed from 1000 (plain softmax) down to 5. Right: ' +
      'the bare mθ margin from the first step (λ fixed at 0). Watch the smallest angle: at step 300 the ' +
      'annealed panel has opened it to 30° or more, the bare margin is at least 5° behind on every seed we ' +
      'tried (with this seed it is near 0°: two classes still share a direction). By step 3,000 the bare ' +
      'margin has mostly caught up, within 10°, and both classify 96% or more. Annealing is how SphereFace gets started.',
    claims: [
      { step: 300, text: 'the annealed panel’s smallest angle is 30° or more, and 5° or more above the bare margin’s',
        check: (at) => angle(at, 'sphereface') >= 30 && angle(at, 'sphereface') >= angle(at, 'sphereface+fixed') + 5 },
      { step: 3000, text: 'the bare margin is within 10°, and both classify 96% or more',
        check: (at) => angle(at, 'sphereface') - angle(at, 'sphereface+fixed') < 10
          && accuracy(at, 'sphereface') >= 0.96 && accuracy(at, 'sphereface+fixed') >= 0.96 },
    ],
  },
  {
    id: 'adaface-norms',
    title: 'AdaFace learns what a norm means',
    state: { data: 'blobs', classes: 6, dim: 2, seed: 1, panels: ['adaface'], scale: 10, speed: 2, until: 100 },
    stops: [100, 1000],
    caption: 'AdaFace sets each sample’s margin by its norm ‖x‖ (the radius of its dot) through ẑ = h(‖x‖ − μ)/σ ' +
      'in [−1, 1], μ and σ running averages of the norms that start at the paper’s 20 and 100. Watch the small plot ' +
      'of the margins against ‖x‖. At step 100 σ is still above 30: every |ẑ| < 0.2, so every sample trains with ' +
      'about CosFace’s cos θ − m. By step 1,000 σ is below 5 and the samples spread: the farthest out reach ẑ above ' +
      '0.75 (a negative angular margin, up to 2m off the cosine), the nearest go below −0.4 (toward ArcFace’s cos(θ + m)).',
    claims: [
      { step: 100, text: 'σ is above 30 and every sample’s |ẑ| is below 0.2',
        check: (at) => at('adaface').snap.loss.normStd > 30 && adaZs(at('adaface').snap).every((z) => Math.abs(z) < 0.2) },
      { step: 1000, text: 'σ is below 5, some samples reach ẑ above 0.75 and some go below −0.4',
        check: (at) => {
          const snap = at('adaface').snap, z = adaZs(snap);
          return snap.loss.normStd < 5 && Math.max(...z) > 0.75 && Math.min(...z) < -0.4;
        } },
    ],
  },
];

export const storyById = (id) => STORIES.find((s) => s.id === id);
