// server.test.mjs: the static server behind ./build.sh serve (web/server.mjs): the page
// at /web/ with its relative URLs, validators and 304s for what did not change, only
// GET and HEAD, nothing outside the served folders, and no file left open by a client
// that goes away mid-download; and, in a child process held to 256 open files, 200
// concurrent requests all answered and 300 aborted downloads survived.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '../web/server.mjs';

let server, origin;
before(async () => {
  server = await startServer({ port: 0 });
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

test('/ sends the browser to the page, which is served with its parts', async () => {
  const root = await fetch(`${origin}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/web/');
  const page = await fetch(`${origin}/web/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  const html = await page.text();
  assert.doesNotMatch(html, /(href|src)="\//, 'the page uses relative URLs only');
  for (const part of ['/web/main.js', '/wasm/iam.js', '/wasm/iam-simd.wasm', '/node_modules/uplot/dist/uPlot.esm.js'])
    assert.equal((await fetch(origin + part)).status, 200, part);
  assert.equal((await fetch(`${origin}/wasm/iam-simd.wasm`)).headers.get('content-type'), 'application/wasm');
});

test('a repeat request for an unchanged file is answered with 304, by its ETag or its date', async () => {
  const first = await fetch(`${origin}/wasm/iam-simd.wasm`);
  const etag = first.headers.get('etag'), modified = first.headers.get('last-modified');
  assert.ok(etag && modified);
  await first.arrayBuffer();
  const byTag = await fetch(`${origin}/wasm/iam-simd.wasm`, { headers: { 'if-none-match': etag } });
  assert.equal(byTag.status, 304);
  assert.equal((await byTag.arrayBuffer()).byteLength, 0);
  assert.equal((await fetch(`${origin}/wasm/iam-simd.wasm`, { headers: { 'if-modified-since': modified } })).status, 304);
  assert.equal((await fetch(`${origin}/wasm/iam-simd.wasm`, { headers: { 'if-none-match': '"other"' } })).status, 200);
});

test('only GET and HEAD; nothing outside the served folders', async () => {
  for (const method of ['POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS']) {
    const r = await fetch(`${origin}/web/main.js`, { method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.get('allow'), 'GET, HEAD');
  }
  const head = await fetch(`${origin}/web/main.js`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.ok(Number(head.headers.get('content-length')) > 1000);
  for (const path of ['/../package.json', '/src/iam.h', '/web/../../etc/passwd', '/%E0%A4%A', '/web/nothing.js'])
    assert.equal((await fetch(origin + path)).status, 404, path);
});

test('downloads aborted mid-way leave no file open', async () => {
  const openFiles = () => readdirSync('/proc/self/fd').length;
  const before = openFiles();
  const aborts = Array.from({ length: 100 }, () => new Promise((resolve) => {
    const req = request(`${origin}/node_modules/three/build/three.core.js`, (res) => { res.once('data', () => req.destroy()); });
    req.on('close', resolve);
    req.on('error', () => {});
    req.end();
  }));
  await Promise.all(aborts);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(openFiles() <= before + 5, `${openFiles() - before} more files open after 100 aborted downloads`);
  assert.equal((await fetch(`${origin}/web/`)).status, 200, 'the server is still up');
});

// One request on its own connection: { status, bytes } once the body has ended, or
// { error } (a reset, a truncated body). abortAfter: go away after the first chunk.
function get(url, { method = 'GET', abortAfter = false } = {}) {
  return new Promise((resolve) => {
    const req = request(url, { method, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; if (abortAfter) req.destroy(); });
      const expected = method === 'HEAD' ? 0 : Number(res.headers['content-length'] ?? 0);
      res.on('end', () => resolve(res.complete && (bytes === expected || !res.headers['content-length'])
        ? { status: res.statusCode, bytes } : { error: `truncated at ${bytes}` }));
      res.on('error', (err) => resolve({ error: err.code ?? err.message }));
    });
    req.on('error', (err) => resolve({ error: err.code ?? err.message }));
    req.on('close', () => resolve({ error: 'closed' }));
    req.end();
  });
}

// The server as ./build.sh serve runs it, in a process held to `files` open files.
async function limitedServer(files) {
  const script = fileURLToPath(new URL('../web/server.mjs', import.meta.url));
  const child = spawn('prlimit', [`--nofile=${files}:${files}`, process.execPath, script, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = /:(\d+)\//.exec(out); if (m) resolve(Number(m[1])); });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${err}`)));
  });
  const fds = () => readdirSync(`/proc/${child.pid}/fd`).length;   // prlimit execs node: the same pid
  return { child, origin: `http://127.0.0.1:${port}`, fds, stderr: () => err };
}

test('at 256 open files: 200 concurrent requests are all answered, 300 aborted downloads leave it up and closed', { timeout: 120000 }, async () => {
  const server = await limitedServer(256);
  try {
    const { origin, fds } = server;
    const parts = ['/web/main.js', '/wasm/iam-simd.wasm', '/node_modules/three/build/three.core.js', '/web/', '/web/style.css'];
    assert.equal((await get(`${origin}/web/`)).status, 200);
    const idle = fds();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, k) => get(origin + parts[k % parts.length])));
    const failed = answers.filter((a) => a.status !== 200);
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of 200 concurrent requests failed`);
    const aborted = await Promise.all(Array.from({ length: 300 }, () => get(`${origin}/node_modules/three/build/three.core.js`, { abortAfter: true })));
    assert.equal(aborted.length, 300);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(server.child.exitCode, null, `the server is still running (${server.stderr()})`);
    assert.equal((await get(`${origin}/web/main.js`)).status, 200, 'it still answers');
    assert.equal((await get(`${origin}/web/main.js`, { method: 'HEAD' })).status, 200);
    assert.ok(fds() <= idle + 5, `${fds() - idle} more files open after the aborted downloads (${idle} idle)`);
  } finally {
    server.child.kill();
  }
});
