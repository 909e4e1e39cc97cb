// server.test.mjs: the static server behind ./build.sh serve (web/server.mjs): the page
// at /web/ with its relative URLs, validators and 304s for what did not change, only
// GET and HEAD, nothing outside the served folders, and no file left open by a client
// that goes away mid-download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
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
  for (const method of ['POST', 'DELETE', 'PUT']) {
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
