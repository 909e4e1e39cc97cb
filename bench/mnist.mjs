// mnist.mjs: how well, and how fast, every loss learns real MNIST digits with a 2-D and a
// 3-D feature, in Node (one trainer at a time, the SIMD build): the table of bench/RESULTS.md.
//
//   node bench/mnist.mjs [--seeds 1,2,3] [--steps 12000] [--dims 2,3] [--kinds all|arcface,...] [--beta 0]
//
// Each run is the page's MNIST preset (wasm/presets.js: MLP 196-256-128-d, shifts of a
// pixel, Adam 0.002 then a tenth of it from step 9,000), evaluated every 250 steps on all
// 2,000 held-out digits: the final test accuracy, the first step at which it reached 90%
// and 95%, and the training time (evaluation excluded). Prints a markdown table.
import { loadIAM } from '../wasm/iam.js';
import { trainerPreset, DATA_LR_CHANGES, LOSS_LABELS } from '../wasm/presets.js';
import { loadMnist, mnistRows } from '../wasm/mnist.js';
import { parseFlags, integer } from '../wasm/flags.js';

const ints = (v) => (/^\d+(,\d+)*$/.test(v) ? v.split(',').map(Number) : undefined);
const spec = {
  '--seeds': { value: ints, help: 'seeds (default 1,2,3)' },
  '--steps': { value: integer, help: 'steps per run (default 12000)' },
  '--dims': { value: ints, help: 'embedding dimensions (default 2,3)' },
  '--kinds': { value: (v) => v, help: 'loss kinds, comma-separated, or all (default all)' },
  '--beta': { value: Number, help: 'the IAM weight β (default 0)' },
};
const flags = parseFlags(process.argv.slice(2), spec);
const seeds = flags.seeds ?? [1, 2, 3], steps = flags.steps ?? 12000, dims = flags.dims ?? [2, 3];
const iam = await loadIAM();
const kinds = !flags.kinds || flags.kinds === 'all' ? iam.names.kind : flags.kinds.split(',');
const rows = mnistRows(await loadMnist());
const EVERY = 250;

function run(kind, dim, seed) {
  const t = iam.trainer(trainerPreset(kind, { data: 'mnist', dim, seed }, { beta: flags.beta ?? 0 }), rows);
  const changes = DATA_LR_CHANGES.mnist;
  let ms = 0, at90 = null, at95 = null, acc = 0;
  for (let step = 0; step < steps; step += EVERY) {
    for (const c of changes) if (c.step === step) t.setLr(c.lr);
    const t0 = performance.now();
    t.step(EVERY);
    ms += performance.now() - t0;
    acc = t.evaluate({ bins: 0 }).metrics.test_acc;
    if (at90 === null && acc >= 0.9) at90 = step + EVERY;
    if (at95 === null && acc >= 0.95) at95 = step + EVERY;
  }
  t.free();
  return { acc, at90, at95, seconds: ms / 1000 };
}

const pct = (v) => (100 * v).toFixed(1);
console.log(`| loss | dim | ${seeds.map((s) => `seed ${s}`).join(' | ')} | mean | steps to 90% | steps to 95% | s per run |`);
console.log(`|---|---|${seeds.map(() => '---:').join('|')}|---:|---|---|---:|`);
for (const dim of dims)
  for (const kind of kinds) {
    const r = seeds.map((seed) => run(kind, dim, seed));
    const mean = r.reduce((a, b) => a + b.acc, 0) / r.length;
    const at = (key) => r.map((x) => x[key] ?? '—').join(' / ');
    const seconds = r.reduce((a, b) => a + b.seconds, 0) / r.length;
    console.log(`| ${LOSS_LABELS[kind]} | ${dim}-D | ${r.map((x) => pct(x.acc)).join(' | ')} | ${pct(mean)} | ${at('at90')} | ${at('at95')} | ${seconds.toFixed(1)} |`);
  }
console.log(`\n${steps} steps, batch 128, evaluated every ${EVERY} steps on the 2,000 held-out digits; ${iam.simd ? 'SIMD' : 'scalar'} build, Node ${process.versions.node}.`);
