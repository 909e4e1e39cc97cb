// run.mjs: the benchmark's command line (./build.sh bench [-- flags]).
//
//   ./build.sh bench                  a readable table, the ratios and the goals of issue 5
//   ./build.sh bench -- --json        one JSON line per (config, impl)
//
// The work is bench/harness.mjs; bench/RESULTS.md holds one run on the project's machine.
import { CONFIGS, DEFAULT_CONFIGS, IMPLS, machine, runBench } from './harness.mjs';

const USAGE = `usage: ./build.sh bench [-- options]   (or: node bench/run.mjs [options])

  --json            one JSON line per (config, impl) instead of the table
  --config LIST     comma-separated configurations (default ${DEFAULT_CONFIGS.join(',')};
                    known: ${Object.keys(CONFIGS).join(', ')})
  --impl LIST       comma-separated implementations (default all: ${IMPLS.join(',')})
  --warmup N        untimed steps per implementation before timing (default: per config)
  --rounds N        interleaved rounds (default: per config)
  --steps N         timed steps per implementation per round (default: per config)
  --help            this text`;

function usage(problem) {
  if (problem) console.error(`bench: ${problem}\n`);
  console.error(USAGE);
  process.exit(problem ? 2 : 0);
}

function parseArgs(argv) {
  const opts = { json: false, configs: DEFAULT_CONFIGS, impls: IMPLS };
  const list = (flag, value, known) => {
    const items = (value ?? '').split(',').filter(Boolean);
    if (!items.length) usage(`${flag} needs a comma-separated list`);
    for (const item of items) if (!known.includes(item)) usage(`unknown ${flag.slice(2)} '${item}' (known: ${known.join(', ')})`);
    return items;
  };
  const count = (flag, value, min) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) usage(`${flag} needs an integer >= ${min} (got ${value})`);
    return n;
  };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k];
    if (flag === '--json') opts.json = true;
    else if (flag === '--help' || flag === '-h') usage();
    else if (flag === '--config') opts.configs = list(flag, argv[++k], Object.keys(CONFIGS));
    else if (flag === '--impl') opts.impls = list(flag, argv[++k], IMPLS);
    else if (flag === '--warmup') opts.warmup = count(flag, argv[++k], 0);
    else if (flag === '--rounds') opts.rounds = count(flag, argv[++k], 1);
    else if (flag === '--steps') opts.steps = count(flag, argv[++k], 1);
    else usage(`unknown option '${flag}'`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const log = (line) => console.error(line);
const result = await runBench({ ...opts, log });

if (opts.json) {
  for (const row of result.rows) console.log(JSON.stringify(row));
} else {
  const m = machine();
  const pct = (v) => `${(100 * v).toFixed(0)}%`;
  const table = [['config', 'impl', 'ms/step', 'p25-p75', 'GFLOP/s', 'of peak', 'x wasm-simd', 'loss@step0']];
  for (const r of result.rows)
    table.push([r.config, r.impl, r.ms_per_step.toFixed(3), `${r.ms_p25.toFixed(3)}-${r.ms_p75.toFixed(3)}`,
      r.gflops.toFixed(1), pct(r.peak_share), r.ratio_to_wasm_simd?.toFixed(2) ?? '-', r.loss_step0.toFixed(5)]);
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const left = new Set([0, 1]);
  console.log(`machine: ${m.nproc} cores, ${m.cpu}; node ${m.node}; ${m.emcc}; ${m.gcc}`);
  console.log(`wasm SIMD peak: ${result.peak.gflops.toFixed(1)} GFLOP/s (${result.peak.chains} chains of f32x4 mul+add)`);
  console.log('median ms per step over interleaved rounds; GFLOP/s from analytic FLOP counts\n');
  for (const row of table) console.log(row.map((cell, c) => (left.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  if (result.goals.length) {
    console.log('\ngoals (ratios from this run):');
    for (const g of result.goals) {
      const value = g.goal.includes('%') ? pct(g.value) : g.value.toFixed(2);
      console.log(`  ${g.met ? 'met    ' : 'NOT MET'}  ${g.goal.padEnd(48)} ${value}`);
    }
  }
}
