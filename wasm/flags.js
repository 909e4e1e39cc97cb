// flags.js: the flag parsing of the project's command lines (train, experiment, bench,
// serve): Node's util.parseArgs, with each flag's value checked by its own parser and
// every mistake said in one sentence that names the flag.
//
//   const spec = { '--steps': { value: nonNegativeInt, help: 'optimizer steps' }, '--json': { help: '…' } };
//   parseFlags(['--steps', '500', '--json'], spec)   // → { steps: 500, json: true }
//
// A flag with `value` takes one (a parser: string → value, or undefined when bad);
// one without is a switch. It is deliberately not a framework: no sub-commands, no
// repeated flags (the last one wins), no positional arguments.
import { parseArgs } from 'node:util';

/** Parse argv against spec; throws an Error whose message names the bad flag. */
export function parseFlags(argv, spec) {
  const options = {};
  for (const [flag, s] of Object.entries(spec)) {
    options[flag.slice(2)] = { type: s.value ? 'string' : 'boolean' };
    if (s.short) options[flag.slice(2)].short = s.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joinValues(argv, spec), options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new Error(sentence(err));
  }
  const out = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    const s = spec[`--${name}`];
    if (!s.value) { out[name] = raw; continue; }
    const value = s.value(raw);
    if (value === undefined) throw new Error(`bad value '${raw}' for --${name}: ${s.help}`);
    out[name] = value;
  }
  return out;
}

// '--steps -5' → '--steps=-5': a value may start with a dash (a negative number, to be
// refused by its parser with a clear sentence rather than read as a flag).
function joinValues(argv, spec) {
  const out = [];
  for (let k = 0; k < argv.length; k++) {
    const takesValue = spec[argv[k]]?.value;
    if (takesValue && k + 1 < argv.length && !Object.hasOwn(spec, argv[k + 1])) out.push(`${argv[k]}=${argv[++k]}`);
    else out.push(argv[k]);
  }
  return out;
}

function sentence(err) {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  const flag = quoted.split(/[ =]/)[0];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown flag '${flag}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument '${quoted}' (every value follows its flag)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take/.test(err.message) ? `${flag} is a switch and takes no value` : `${flag} needs a value`;
    default: return err.message;
  }
}

/** The usage lines of a spec: '  --flag V   help'. */
export function flagHelp(spec, width = 22) {
  return Object.entries(spec).map(([flag, s]) => `  ${(flag + (s.value ? ` ${s.arg ?? 'V'}` : '')).padEnd(width)} ${s.help}`).join('\n');
}

// Value parsers: string → value, or undefined.
export const number = (v) => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
export const integer = (v) => (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : undefined);
export const between = (min, max, parse = integer) => (v) => { const n = parse(v); return n !== undefined && n >= min && n <= max ? n : undefined; };
export const oneOf = (list) => (v) => (list.includes(v) ? v : undefined);
export const listOf = (list) => (v) => {
  const items = v.split(',').filter(Boolean);
  return items.length && items.every((i) => list.includes(i)) ? items : undefined;
};
