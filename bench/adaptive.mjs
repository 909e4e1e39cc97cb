// adaptive.mjs: the adaptive losses and options beside the classic ones on the toy data, in
// Node (one trainer at a time): the table of bench/RESULTS.md, "The adaptive losses".
//
//   node bench/adaptive.mjs [--seeds 1,2,3] [--steps 3000] [--dims 2,3] [--classes 4,8] [--rows all|arcface,...]
//
// Each run is the page's preset (wasm/presets.js: the kind's, then OPTION_PRESETS' for
// sub-centers and ElasticFace) on blobs, trained for `steps` and evaluated once at the end.
// One JSON line per run on stdout ({row, kind, dim, classes, seed, steps, loss, metrics}),
// then a markdown table: the mean over the seeds of test_acc, min_weight_angle_deg and
// mean_sample_margin_deg (and the worst seed's accuracy), beside packing_limit_deg.
import { loadIAM } from '../wasm/iam.js';
import { trainerPreset, LOSS_LABELS, OPTION_PRESETS } from '../wasm/presets.js';
import { parseFlags, integer } from '../wasm/flags.js';

const ints = (v) => (/^\d+(,\d+)*$/.test(v) ? v.split(',').map(Number) : undefined);
const spec = {
  '--seeds': { value: ints, help: 'seeds (default 1,2,3)' },
  '--steps': { value: integer, help: 'steps per run (default 3000, the presets\' budget)' },
  '--dims': { value: ints, help: 'embedding dimensions (default 2,3)' },
  '--classes': { value: ints, help: 'class counts (default 4,8)' },
  '--rows': { value: (v) => v, help: 'rows (loss kinds or OPTION_PRESETS labels), comma-separated, or all (default all)' },
};
const flags = parseFlags(process.argv.slice(2), spec);
const seeds = flags.seeds ?? [1, 2, 3], steps = flags.steps ?? 3000;
const dims = flags.dims ?? [2, 3], classCounts = flags.classes ?? [4, 8];
const iam = await loadIAM();

// row label → its kind and the loss options on top of the kind's preset, per dimension
const ROWS = {
  ...Object.fromEntries(iam.names.kind.map((kind) => [kind, { kind, 2: {}, 3: {} }])),
  ...OPTION_PRESETS,
};
const rows = !flags.rows || flags.rows === 'all' ? Object.keys(ROWS) : flags.rows.split(',');
for (const row of rows) if (!ROWS[row]) throw new Error(`unknown row '${row}' (expected one of ${Object.keys(ROWS).join(', ')})`);

function run(row, dim, classes, seed) {
  const { kind, [dim <= 2 ? 2 : 3]: options } = ROWS[row];
  const config = trainerPreset(kind, { dim, classes, seed }, options);
  const t = iam.trainer(config);
  try {
    t.step(steps);
    const { metrics } = t.evaluate({ bins: 0 });
    console.log(JSON.stringify({ row, kind, dim, classes, seed, steps, loss: config.loss, metrics }));
    return metrics;
  } finally {
    t.free();
  }
}

const label = (row) => LOSS_LABELS[row] ?? row.replace(/^(\w+)/, (k) => LOSS_LABELS[k]);
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const table = [];
for (const classes of classCounts)
  for (const dim of dims)
    for (const row of rows) {
      const m = seeds.map((seed) => run(row, dim, classes, seed));
      const acc = m.map((x) => x.test_acc);
      table.push(`| ${label(row)} | ${dim}-D | ${classes} | ${(100 * mean(acc)).toFixed(1)} | ${(100 * Math.min(...acc)).toFixed(1)} `
        + `| ${mean(m.map((x) => x.min_weight_angle_deg)).toFixed(1)} | ${mean(m.map((x) => x.mean_sample_margin_deg)).toFixed(1)} `
        + `| ${m[0].packing_limit_deg.toFixed(1)} |`);
    }
console.log(`\n| loss | dim | C | test_acc % (mean) | worst seed | min_weight_angle_deg | mean_sample_margin_deg | packing_limit_deg |`);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const line of table) console.log(line);
console.log(`\nblobs, seeds ${seeds.join(', ')}, ${steps} steps, batch 128, Adam 0.01, MLP 64-64-64, evaluated at the end on the test set; `
  + `means over the seeds; ${iam.simd ? 'SIMD' : 'scalar'} build, Node ${process.versions.node}.`);
