// run.mjs: the benchmark's command line (./build.sh bench [-- flags]).
//
//   ./build.sh bench                  a readable table, the ratios and the goals of issue 5
//   ./build.sh bench -- --json        one JSON line per (config, impl)
//
// The work is bench/harness.mjs; bench/RESULTS.md holds one run on the project's machine.
import { CONFIGS, DEFAULT_CONFIGS, IMPLS, machine, runBench } from './harness.mjs';
import { parseFlags, flagHelp, listOf, between } from '../wasm/flags.js';

const SPEC = {
  '--json': { help: 'one JSON line per (config, impl) instead of the table' },
  '--config': { value: listOf(Object.keys(CONFIGS)), arg: 'LIST',
    help: `comma-separated configurations (default ${DEFAULT_CONFIGS.join(',')}; known: ${Object.keys(CONFIGS).join(', ')})` },
  '--impl': { value: listOf(IMPLS), arg: 'LIST', help: `comma-separated implementations (default all: ${IMPLS.join(',')})` },
  '--warmup': { value: between(0, 1e6), arg: 'N', help: 'untimed steps per implementation before timing (default: per config)' },
  '--rounds': { value: between(1, 1e6), arg: 'N', help: 'interleaved rounds (default: per config)' },
  '--steps': { value: between(1, 1e6), arg: 'N', help: 'timed steps per implementation per round (default: per config)' },
  '--help': { short: 'h', help: 'this text' },
};
const USAGE = `usage: ./build.sh bench [-- options]   (or: node bench/run.mjs [options])\n\n${flagHelp(SPEC, 18)}`;

function usage(problem) {
  if (problem) console.error(`bench: ${problem}\n`);
  console.error(USAGE);
  process.exit(problem ? 2 : 0);
}

function parseArgs(argv) {
  let flags;
  try { flags = parseFlags(argv, SPEC); } catch (err) { usage(err.message); }
  if (flags.help) usage();
  const { json = false, config: configs = DEFAULT_CONFIGS, impl: impls = IMPLS, warmup, rounds, steps } = flags;
  return { json, configs, impls, warmup, rounds, steps };
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
