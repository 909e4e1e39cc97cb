// openset.mjs: one run of the open-set study (experiment/run.mjs plans them, a worker
// thread runs them): train on the faces of experiment/faces.mjs, choose the checkpoint on
// the validation identities, and measure both that checkpoint and the last one on the
// test identities with the protocol of experiment/protocol.mjs.
//
// A run is a pure function of its job: the data follow job.faces.seed, the network, the
// batches and ElasticFace's draws follow the trainer's seed, and the protocol's pairs and
// galleries follow job.protocol.seed. Only `ms` depends on the machine.
import { makeFaces } from './faces.mjs';
import { tarAtFar, evaluateOpenSet } from './protocol.mjs';
import { fitLDA, projectLDA } from './ceilings.mjs';

const DEG = 180 / Math.PI;

// The last data set a worker made, kept: the planner sends the runs of one seed together,
// and rendering 65,000 faces takes seconds.
let cached = { key: '', data: null };
export function facesOf(spec) {
  const key = JSON.stringify(spec);
  if (cached.key !== key) cached = { key, data: makeFaces(spec) };
  return cached.data;
}

/** The learning rate at step t of `steps`: a cosine from lr to 0 (SGDR without restarts). */
export const cosineLr = (lr, t, steps) => 0.5 * lr * (1 + Math.cos(Math.PI * Math.min(t, steps) / steps));

/** Rows normalized to unit length (a zero row stays zero). */
function unitRows(e, d) {
  const out = new Float32Array(e.length);
  for (let i = 0; i < e.length / d; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += e[i * d + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < d; k++) out[i * d + k] = e[i * d + k] * inv;
  }
  return out;
}

/** Geometry of the unseen faces: the mean angle between two images of one test identity
 *  (genuine, every pair), between images of two (impostor, every image against the next
 *  identity's first image), and from a test face to the nearest trained class weight (on
 *  every seventh face, for time: with the faces interleaved by identity, that still reaches
 *  every identity when their count is prime to 7). */
export function testGeometry(e, d, labels, weights) {
  const u = unitRows(e, d), n = labels.length;
  const angle = (i, j) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += u[i * d + k] * u[j * d + k];
    return Math.acos(Math.max(-1, Math.min(1, s))) * DEG;
  };
  const byId = new Map();
  for (let i = 0; i < n; i++) (byId.get(labels[i]) ?? byId.set(labels[i], []).get(labels[i])).push(i);
  const groups = [...byId.values()];
  let gen = 0, gn = 0, imp = 0, inn = 0;
  groups.forEach((g, q) => {
    for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) { gen += angle(g[a], g[b]); gn++; }
    const other = groups[(q + 1) % groups.length][0];
    for (const i of g) { imp += angle(i, other); inn++; }
  });
  let toW = 0, count = 0;
  if (weights) {
    const c = weights.length / d;
    for (let i = 0; i < n; i += 7, count++) {
      let best = -1;
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += u[i * d + k] * weights[j * d + k];
        if (s > best) best = s;
      }
      toW += Math.acos(Math.max(-1, Math.min(1, best))) * DEG;
    }
  }
  return { genuine_deg: gen / gn, impostor_deg: imp / inn, to_weight_deg: weights ? toW / count : null };
}

/** The validation score a run is stopped on and β is chosen by: TAR at FAR = 1e-3 on the
 *  validation identities. */
export function validationScore(e, d, set, protocol) {
  return tarAtFar(e, d, set.labels, { fars: [1e-3], impostors: protocol.valImpostors, seed: protocol.seed }).tar['1e-3'];
}

/** Train one network on the faces: { status, metrics, final, chosen, chosenStep, valFinal,
 *  valChosen, geometry, curve }. final and chosen are evaluateOpenSet's numbers on the
 *  test identities at the last step and at the step with the best validation score. */
export function trainFaces(iam, job) {
  const F = facesOf(job.faces), { steps, lr, evalEvery, lrEvery } = job.schedule, protocol = job.protocol;
  const trainer = iam.trainer({ ...job.config, data: 'rows', classes: F.train.ids }, { x: F.train.x, labels: F.train.labels });
  let status = 'ok', done = 0;
  const curve = [], best = { score: -Infinity, step: 0, params: null };
  const score = () => validationScore(trainer.embedInputs(F.val.x), trainer.dim, F.val, protocol);
  try {
    while (done < steps) {
      trainer.setLr(Math.max(cosineLr(lr, done + lrEvery / 2, steps), 1e-6));
      const k = Math.min(lrEvery, steps - done);
      trainer.step(k);
      done += k;
      if (done % evalEvery === 0 || done === steps) {
        const s = score();
        curve.push({ step: done, val_tar_far_1e3: s, loss: trainer.last().loss });
        if (s > best.score) Object.assign(best, { score: s, step: done, params: trainer.params() });
      }
    }
  } catch (err) {
    status = `diverged at step ${done}: ${err.message.replace(/[\r\n,]+/g, ' ')}`;
  }
  const { metrics } = trainer.evaluate({ bins: 0 });
  const testOf = (e) => evaluateOpenSet(e, trainer.dim, F.test.labels, protocol.test);
  const eFinal = trainer.embedInputs(F.test.x), final = testOf(eFinal);
  const geometry = testGeometry(eFinal, trainer.dim, F.test.labels, trainer.weights().weights);
  const valFinal = curve.length ? curve[curve.length - 1].val_tar_far_1e3 : score();
  let chosen = final, chosenStep = done, valChosen = valFinal;
  if (best.params && best.step !== done) {
    trainer.setParams(best.params);
    chosen = testOf(trainer.embedInputs(F.test.x));
    chosenStep = best.step;
    valChosen = best.score;
  }
  trainer.free();
  return { status, metrics, final, chosen, chosenStep, valFinal, valChosen, geometry, curve };
}

/** The ceilings of one seed: the raw inputs and LDA fitted on the training identities,
 *  each scored by the same protocol on the same test identities. */
export function linearCeilings(job) {
  const F = facesOf(job.faces), D = F.dim, protocol = job.protocol;
  const raw = evaluateOpenSet(F.test.x, D, F.test.labels, protocol.test);
  const lda = fitLDA(F.train.x, F.train.labels, D, {});
  const ldaTest = evaluateOpenSet(projectLDA(lda, F.test.x, D), lda.k, F.test.labels, protocol.test);
  return { raw, lda: ldaTest, ldaDims: lda.k };
}

/** What a training step of the faces network costs at job.faces.train classes: a few warm-up
 *  steps, then job.cost.steps timed (wall clock, so it depends on the machine and on what
 *  else runs: the pool's other worker trains beside it, as in the rest of the run). */
export function stepCost(iam, job) {
  const F = facesOf(job.faces), { warmup, steps } = job.cost;
  const trainer = iam.trainer({ ...job.config, data: 'rows', classes: F.train.ids }, { x: F.train.x, labels: F.train.labels });
  try {
    trainer.step(warmup);
    const t0 = performance.now();
    trainer.step(steps);
    const msPerStep = (performance.now() - t0) / steps;
    return { msPerStep, stepsTimed: steps, batch: job.config.batchSize, weightBytes: trainer.weights().weights.byteLength, status: 'ok' };
  } finally {
    trainer.free();
  }
}
