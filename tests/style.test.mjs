// style.test.mjs: the house rules that a reader relies on (DESIGN.md, "The style to
// live in") and that drift when nobody checks: a function is a screen, not a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 80;
const DIRS = ['src', 'wasm', 'web', 'experiment'];
const files = (ext) => DIRS.flatMap((dir) => readdirSync(join(ROOT, dir)).filter((f) => ext.test(f)).map((f) => `${dir}/${f}`));

/** JS functions (declarations, expressions, arrows, methods) and their length in lines. */
function jsFunctions(file) {
  const ast = acorn.parse(readFileSync(join(ROOT, file), 'utf8'), { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  const out = [];
  walk.full(ast, (node) => {
    if (/Function/.test(node.type) && node.body)
      out.push({ where: `${file}:${node.loc.start.line}`, lines: node.loc.end.line - node.loc.start.line + 1 });
  });
  return out;
}

/** C function bodies: a definition starts at column 0 (its signature may run over a few
 *  lines, the last one ending in '{') and ends at the '}' in column 0. */
export function cFunctions(text, file = '') {
  const lines = text.split('\n'), out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^[A-Za-z_][\w\s*]*\b\w+\(/.test(lines[i]) || /^(typedef|struct|enum)\b/.test(lines[i])) continue;
    let open = i;
    while (open < lines.length && open < i + 5 && !/\{\s*$/.test(lines[open]) && !/;\s*$/.test(lines[open])) open++;
    if (open >= lines.length || !/\{\s*$/.test(lines[open])) continue;   // a declaration
    let end = open + 1;
    while (end < lines.length && lines[end] !== '}') end++;
    out.push({ where: `${file}:${i + 1}`, lines: end - i + 1 });
    i = end;
  }
  return out;
}

test(`no function in ${DIRS.join(', ')} runs past ${MAX_LINES} lines`, () => {
  const all = [...files(/\.(m?js)$/).flatMap(jsFunctions), ...files(/\.c$/).flatMap((f) => cFunctions(readFileSync(join(ROOT, f), 'utf8'), f))];
  assert.ok(all.length > 300, `found only ${all.length} functions: the scan is broken`);
  const long = all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.where} (${f.lines} lines)`);
  assert.deepEqual(long, []);
});

test('the scans can fail: they measure a long function as long', () => {
  const c = `static int f(int a,\n                int b) {\n${Array.from({ length: 90 }, () => '    a++;').join('\n')}\n    return a;\n}\n`;
  assert.deepEqual(cFunctions(c, 'f.c'), [{ where: 'f.c:1', lines: 94 }]);
  const body = Array.from({ length: 90 }, (_, k) => `  x += ${k};`).join('\n');
  const ast = acorn.parse(`function f(x) {\n${body}\n  return x;\n}`, { ecmaVersion: 'latest', locations: true });
  assert.equal(ast.body[0].loc.end.line - ast.body[0].loc.start.line + 1, 93);
});
