// server.mjs: the static file server behind `./build.sh serve`.
//
// Serves the page (web/), the binding and its .wasm (wasm/) and the npm
// libraries the page imports (node_modules/) from this checkout, on loopback
// only. Nothing is fetched from the network: the page must work offline.
//   node web/server.mjs [--port 8000] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, flagHelp, between } from '../wasm/flags.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVED = ['web', 'wasm', 'node_modules'];
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.ttf': 'font/ttf', '.map': 'application/json',
};

const SPEC = {
  '--port': { value: between(0, 65535), help: 'the port (default 8000; 0 picks a free one)' },
  '--host': { value: (v) => v || undefined, help: 'the address to listen on (default 127.0.0.1: this machine only)' },
  '--help': { short: 'h', help: 'this text' },
};

function parseArgs(argv) {
  const usage = `usage: ./build.sh serve [-- flags]\n\n${flagHelp(SPEC, 12)}`;
  let flags;
  try {
    flags = parseFlags(argv, SPEC);
  } catch (err) {
    console.error(`serve: ${err.message}\n\n${usage}`);
    process.exit(2);
  }
  if (flags.help) { console.log(usage); process.exit(0); }
  return { port: flags.port ?? 8000, host: flags.host ?? '127.0.0.1' };
}

// Map a URL path to a file inside one of SERVED, or null.
export function resolvePath(urlPath) {
  let path = decodeURIComponent(urlPath.split('?')[0]);
  if (path === '/' || path === '') path = '/web/index.html';
  const rel = normalize(path).replace(/^[/\\]+/, '');
  if (rel.startsWith('..') || !SERVED.includes(rel.split(sep)[0])) return null;
  return join(ROOT, rel);
}

export function startServer({ port = 8000, host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    let file = null;
    try { file = resolvePath(req.url); } catch { /* malformed escape: 404 below */ }
    let stat = null;
    try { if (file) stat = statSync(file); } catch { /* missing: 404 below */ }
    if (stat?.isDirectory()) { file = join(file, 'index.html'); try { stat = statSync(file); } catch { stat = null; } }
    if (!stat) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end(`not found: ${req.url}\n`); return; }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size, 'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseArgs(process.argv.slice(2));
  startServer(opts).then((server) => {
    console.log(`IAM demo on http://${opts.host}:${server.address().port}/  (Ctrl-C to stop)`);
  }, (err) => {
    console.error(`serve: cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
    process.exit(1);
  });
}
