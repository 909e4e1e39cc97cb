// build-dist.mjs: the page packed to take anywhere, behind `./build.sh dist`.
//
//   dist/index.html, dist/web/, dist/wasm/, dist/vendor/   a static site: relative URLs only,
//                     so it works from any sub-path of any static server
//   dist/margin-losses.html                              the whole demo in one file: the
//                     modules bundled by esbuild, the worker, both .wasm builds, the MNIST
//                     digits (wasm/mnist.bin, as a data: URL), the styles and KaTeX's fonts
//                     inline; it opens by a double-click, with no server
//
// The source tree stays unbundled for development (./build.sh serve): this script only
// copies and packs it. In the single file the worker runs from a blob: URL and the
// wasm is compiled from inline bytes: web/sources.js is swapped for a generated twin.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');
const SINGLE = 'margin-losses.html';

// what the page loads from node_modules, and where it goes in dist/vendor
const VENDOR = [
  'three/build/three.module.js', 'three/build/three.core.js', 'three/examples/jsm/controls/OrbitControls.js',
  'uplot/dist/uPlot.esm.js', 'uplot/dist/uPlot.min.css', 'katex/dist/katex.mjs', 'katex/dist/katex.min.css',
  'katex/dist/fonts',
];
// the binding the page imports: every ES module of wasm/ (the command lines' .mjs are not
// part of the page), both .wasm builds and the MNIST digits (mnist.bin, read by mnist.js)
const BINDING_DATA = ['iam-simd.wasm', 'iam.wasm', 'mnist.bin'];
const binding = () => [...readdirSync(join(ROOT, 'wasm')).filter((f) => f.endsWith('.js')), ...BINDING_DATA];
const NOT_THE_PAGE = new Set(['server.mjs', 'build-dist.mjs']);

const read = (path) => readFileSync(join(ROOT, path), 'utf8');
const copy = (from, to) => { mkdirSync(dirname(join(OUT, to)), { recursive: true }); cpSync(join(ROOT, from), join(OUT, to), { recursive: true }); };

/** web/index.html as dist/index.html: its relative URLs re-rooted one folder up. */
function siteIndex() {
  return read('web/index.html')
    .replace(/(href|src)="(?!\.\.\/|data:|https?:)([^"]+)"/g, '$1="web/$2"')
    .replace(/\.\.\/node_modules\//g, './vendor/');   // an import map's relative address starts with ./
}

function buildSite() {
  for (const f of readdirSync(join(ROOT, 'web'))) if (!NOT_THE_PAGE.has(f) && /\.(js|css)$/.test(f)) copy(`web/${f}`, `web/${f}`);
  for (const f of binding()) copy(`wasm/${f}`, `wasm/${f}`);
  for (const v of VENDOR) copy(`node_modules/${v}`, `vendor/${v}`);
  writeFileSync(join(OUT, 'index.html'), siteIndex());
}

// ---- the single file ----

const base64 = (path) => readFileSync(join(ROOT, path)).toString('base64');
// inline code must not end its own <script> element
const scriptSafe = (code) => code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

async function bundle(entry, { format = 'esm', plugins = [] } = {}) {
  const result = await build({
    entryPoints: [join(ROOT, entry)], bundle: true, format, minify: true, write: false,
    platform: 'browser', target: 'es2022', legalComments: 'none', logLevel: 'warning', plugins,
    external: ['node:*'],   // the binding's Node-only branch, never taken in a browser
    // the classic worker never reaches import.meta.url: its wasm comes compiled from the page
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return result.outputFiles[0].text;
}

/** The twin of web/sources.js with the worker and both .wasm builds inline. */
function inlineSources(workerCode) {
  return `let url = null;
export const workerUrl = () => (url ??= URL.createObjectURL(new Blob([${JSON.stringify(workerCode)}], { type: 'text/javascript' })));
export const workerType = 'classic';
const WASM = { simd: '${base64('wasm/iam-simd.wasm')}', scalar: '${base64('wasm/iam.wasm')}' };
export const wasmBytes = (simd) => Uint8Array.from(atob(simd ? WASM.simd : WASM.scalar), (c) => c.charCodeAt(0));
`;
}

/** esbuild: wasm/mnist.js reads its digits from a data: URL instead of the file beside it.
 *  A bundled classic worker (and the page, from file://) has no import.meta.url to find
 *  mnist.bin by, and file: fetches are refused; a data: URL fetches anywhere. The one
 *  expression replaced is loadMnist()'s default URL; the build fails if it is not there. */
const MNIST_DEFAULT_URL = 'new URL(`./${MNIST.file}`, import.meta.url)';
const inlineMnist = () => ({
  name: 'inline-mnist',
  setup(b) {
    b.onLoad({ filter: /[\\/]wasm[\\/]mnist\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (!source.includes(MNIST_DEFAULT_URL))
        throw new Error(`build-dist: wasm/mnist.js no longer has ${MNIST_DEFAULT_URL}; say here how the single file finds mnist.bin`);
      const url = `data:application/octet-stream;base64,${base64('wasm/mnist.bin')}`;
      return { contents: source.replace(MNIST_DEFAULT_URL, () => `new URL(${JSON.stringify(url)})`), loader: 'js' };
    });
  },
});

/** esbuild: web/sources.js becomes the inline twin. */
const swapSources = (contents) => ({
  name: 'inline-sources',
  setup(b) {
    b.onResolve({ filter: /\/sources\.js$/ }, () => ({ path: 'inline-sources', namespace: 'inline' }));
    b.onLoad({ filter: /.*/, namespace: 'inline' }, () => ({ contents, loader: 'js' }));
  },
});

/** The page's styles in one sheet, KaTeX's fonts as data: URLs (woff2 only: every
 *  browser that runs the demo reads it). */
function inlineStyles() {
  const katex = read('node_modules/katex/dist/katex.min.css').replace(/src:([^;}]+)/g, (all, list) => {
    const woff2 = /url\((fonts\/[^)]+\.woff2)\)/.exec(list);
    return woff2 ? `src:url(data:font/woff2;base64,${base64(`node_modules/katex/dist/${woff2[1]}`)}) format("woff2")` : all;
  });
  return [read('node_modules/uplot/dist/uPlot.min.css'), katex, read('web/style.css'), read('web/charts.css')].join('\n');
}

async function buildSingleFile() {
  // a page opened from a file may start a classic worker from a blob: URL, not a module one
  const worker = await bundle('web/worker.js', { format: 'iife', plugins: [inlineMnist()] });
  const page = await bundle('web/main.js', { plugins: [swapSources(inlineSources(worker)), inlineMnist()] });
  const html = read('web/index.html')
    .replace(/<link rel="stylesheet"[^>]*>\n?/g, '')
    .replace(/<script type="importmap">[\s\S]*?<\/script>\n?/, `<style>\n${inlineStyles()}\n</style>\n`)
    .replace('<script src="boot.js"></script>', () => `<script>\n${scriptSafe(read('web/boot.js'))}\n</script>`)
    .replace('<script type="module" src="main.js"></script>', () => `<script type="module">\n${scriptSafe(page)}\n</script>`);
  writeFileSync(join(OUT, SINGLE), html);
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
function sizeOf(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0) : s.size;
}

// what an earlier dist wrote (dist/lib and dist/include, from ./build.sh lib, stay)
for (const old of ['index.html', SINGLE, 'web', 'wasm', 'vendor']) rmSync(join(OUT, old), { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
buildSite();
await buildSingleFile();
const single = statSync(join(OUT, SINGLE)).size;
const site = ['index.html', 'web', 'wasm', 'vendor'].reduce((sum, f) => sum + sizeOf(join(OUT, f)), 0);
console.log(`dist: ${kib(site)} for the site (dist/index.html and its folders), ${kib(single)} for dist/${SINGLE}`);
