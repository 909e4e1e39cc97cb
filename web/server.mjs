// server.mjs: the static file server behind `./build.sh serve`.
//
// Serves the page (web/), the binding and its .wasm (wasm/) and the npm
// libraries the page imports (node_modules/) from this checkout, on loopback
// only. Nothing is fetched from the network: the page must work offline.
//   node web/server.mjs [--port 8000] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { createReadStream, readFileSync, statSync, open, close } from 'node:fs';
import { pipeline } from 'node:stream';
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
  '.bin': 'application/octet-stream',   // wasm/mnist.bin: the digits, fetched by wasm/mnist.js beside it (/wasm/mnist.bin)
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
  const path = decodeURIComponent(urlPath.split('?')[0]);
  const rel = normalize(path).replace(/^[/\\]+/, '');
  if (rel.startsWith('..') || !SERVED.includes(rel.split(sep)[0])) return null;
  return join(ROOT, rel);
}

/** The file for a request and its stat (a directory gives its index.html), or null. */
function fileFor(url) {
  let file = null, stat = null;
  try { file = resolvePath(url); } catch { return null; }   // a malformed escape
  try { if (file) stat = statSync(file); } catch { return null; }
  if (stat?.isDirectory()) {
    file = join(file, 'index.html');
    try { stat = statSync(file); } catch { return null; }
  }
  return stat?.isFile() ? { file, stat } : null;
}

// A validator per file version: a repeat request for an unchanged file gets a 304.
const etagOf = (stat) => `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;

function unchanged(req, stat, etag) {
  const match = req.headers['if-none-match'];
  if (match) return match.split(/\s*,\s*/).includes(etag);
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(stat.mtimeMs / 1000) <= Math.floor(since / 1000);
}

// Files open at once are capped, and an open that meets the process's file limit
// (EMFILE, ENFILE: a low `ulimit -n`, many clients) waits and tries again: a burst of
// requests queues for its files instead of failing, and the sockets keep the rest of
// the limit. A file is closed as soon as its response ends, sent or aborted.
const MAX_OPEN_FILES = 16, RETRY_MS = 25, GIVE_UP_MS = 15000;
let openFiles = 0;
const waiting = [];

function release() {
  openFiles--;
  waiting.shift()?.();
}

/** done(err, fd) with the file open for reading, once a slot and a descriptor are free. */
function openFile(file, done, since = Date.now()) {
  if (openFiles >= MAX_OPEN_FILES) { waiting.push(() => openFile(file, done, since)); return; }
  openFiles++;
  open(file, 'r', (err, fd) => {
    if (!err) { done(null, fd); return; }
    release();
    if (/^E[MN]FILE$/.test(err.code) && Date.now() - since < GIVE_UP_MS) setTimeout(() => openFile(file, done, since), RETRY_MS);
    else done(err);
  });
}

// The body of a GET: the file streamed, closed (and its slot freed) when the response ends.
function sendFile(res, file, headers) {
  openFile(file, (err, fd) => {
    if (err) { res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }); res.end(`busy: ${err.code}\n`); return; }
    if (res.destroyed) { close(fd, release); return; }     // the client went away while it waited
    const stream = createReadStream('', { fd });
    stream.once('close', release);
    res.writeHead(200, headers);
    // pipeline closes the file when the response ends early (an aborted download)
    pipeline(stream, res, () => {});
  });
}

function answer(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('only GET and HEAD\n');
    return;
  }
  // the page lives in web/, and its relative URLs reach ../wasm/ and ../node_modules/
  if (req.url === '/' || req.url.startsWith('/?') || req.url.startsWith('/#')) {
    res.writeHead(302, { location: '/web/' });
    res.end();
    return;
  }
  const found = fileFor(req.url);
  if (!found) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end(`not found: ${req.url}\n`); return; }
  const { file, stat } = found, etag = etagOf(stat);
  const headers = { etag, 'last-modified': stat.mtime.toUTCString(), 'cache-control': 'no-cache' };
  if (unchanged(req, stat, etag)) { res.writeHead(304, headers); res.end(); return; }
  const full = { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': stat.size };
  if (req.method === 'HEAD') { res.writeHead(200, full); res.end(); return; }
  sendFile(res, file, full);
}

// The process's limit on open files (Linux; elsewhere none is known).
function fileLimit() {
  try { return Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]) || Infinity; } catch { return Infinity; }
}

// Node's own descriptors (the loop, stdio, the listening socket, ...: about 20), with room.
const RESERVED_FILES = 32;

export function startServer({ port = 8000, host = '127.0.0.1' } = {}) {
  const server = createServer(answer);
  // connections past what the file limit leaves beside the files and Node's own are
  // closed at once: otherwise waiting sockets could take every descriptor, and no
  // file could be opened for them (at `ulimit -n 256`: 208 connections)
  server.maxConnections = Math.max(16, fileLimit() - MAX_OPEN_FILES - RESERVED_FILES);
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
