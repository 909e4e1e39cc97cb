// placeholder.js: computes one loss through the binding, until the demo lands.
import { loadIAM } from '/wasm/iam.js';

const n = 16, d = 3, c = 4;

// a fixed toy batch: four classes, samples scattered around their class weight
function toyBatch() {
  let state = 7;
  const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const W = Float32Array.from({ length: c * d }, rand);
  const labels = Int32Array.from({ length: n }, (_, i) => i % c);
  const x = Float32Array.from({ length: n * d }, (_, k) => W[labels[Math.floor(k / d)] * d + (k % d)] + 0.6 * rand());
  return { x, W, labels, n, d, c };
}

const norm = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const $ = (id) => document.getElementById(id);

const iam = await loadIAM();
const batch = toyBatch();
$('build').textContent = `Running the ${iam.simd ? 'SIMD' : 'scalar'} WebAssembly build (wasm/${iam.simd ? 'iam-simd' : 'iam'}.wasm).`;
$('batch').textContent = `Batch: n = ${n} samples, d = ${d}, C = ${c} classes, fixed seed.`;

function update() {
  const form = new FormData($('form'));
  const config = { kind: form.get('kind'), scale: Number(form.get('scale')), beta: Number(form.get('beta')) };
  if (['cosface', 'arcface', 'sphereface'].includes(config.kind)) config.margin = Number(form.get('margin'));
  try {
    const r = iam.loss(config, batch);
    $('loss').textContent = r.loss.toFixed(5);
    $('base').textContent = r.base.toFixed(5);
    $('iam').textContent = r.iam.toFixed(5);
    $('grad').textContent = `${norm(r.dx).toFixed(4)}, ${norm(r.dW).toFixed(4)}`;
    $('error').textContent = '';
  } catch (err) {
    for (const id of ['loss', 'base', 'iam', 'grad']) $(id).textContent = '—';
    $('error').textContent = err.message;
  }
}

$('form').addEventListener('input', update);
update();
