// soak.mjs: the default page, playing, for a long time: does anything grow?
//
//   node bench/soak.mjs                      30 minutes, a sample every 30 s
//   node bench/soak.mjs --minutes 2 --every 10 --json
//
// Headless Chromium (tests/helpers.mjs, software rendering) opens the default page
// playing and, at every sample, reads:
//   heap_mb      the page's JS heap in use (CDP Runtime.getHeapUsage, main thread)
//   pss_mb       the memory of every Chromium process of this run together (their
//                proportional set sizes; the workers' wasm memories are the renderer's)
//   renderer_mb  ... of the page's renderer process alone (its main thread and workers)
//   wasm_mb      the six workers' WebAssembly memories together (their heartbeats say)
//   workers      the page's dedicated workers (playwright page.workers())
//   step         the step every panel has reached (window.iamDemo.clock().step)
//   fps          the page's frame rate over the last second
// and at the end the first, last and largest heap, and whether the workers stayed at
// one per panel. It is a measurement, not a test: nothing here runs in CI.
import { readFileSync, readdirSync } from 'node:fs';
import { startServer } from '../web/server.mjs';
import { launchChromium, openDemo } from '../tests/helpers.mjs';
import { parseFlags, flagHelp, between, number } from '../wasm/flags.js';

const SPEC = {
  '--minutes': { value: between(0.1, 600, number), arg: 'N', help: 'how long (default 30)' },
  '--every': { value: between(1, 600), arg: 'S', help: 'seconds between samples (default 30)' },
  '--json': { help: 'one JSON line per sample and one for the summary instead of the table' },
  '--help': { short: 'h', help: 'this text' },
};

// the processes below this one (Chromium and its helpers), from /proc
function descendants(root = process.pid) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(+name, +stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch { /* gone */ }
  }
  const out = [], queue = [root];
  while (queue.length) {
    const p = queue.pop();
    for (const [child, ppid] of parent) if (ppid === p) { out.push(child); queue.push(child); }
  }
  return out;
}

// proportional set size: a shared page counts once over all the processes, not in each
// (all of them, and the largest renderer's alone: the page's, with its workers)
function pssMb() {
  let kb = 0, renderer = 0;
  for (const pid of descendants()) {
    try {
      const pss = +/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] || 0;
      kb += pss;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) renderer = Math.max(renderer, pss);
    } catch { /* gone */ }
  }
  return { pss_mb: kb / 1024, renderer_mb: renderer / 1024 };
}

async function sample(page, cdp, start) {
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const inPage = await page.evaluate(() => ({ step: window.iamDemo.clock().step, fps: window.iamDemo.fps(),
    panels: window.iamDemo.panels().length, stopped: window.iamDemo.panels().filter((p) => p.diverged).length,
    wasm_mb: window.iamDemo.panels().reduce((sum, p) => sum + (p.wasmBytes ?? 0), 0) / 2 ** 20 }));
  return { minute: (Date.now() - start) / 60000, heap_mb: usedSize / 2 ** 20, ...pssMb(), workers: page.workers().length, ...inPage };
}

const row = (s) => `| ${s.minute.toFixed(1)} | ${s.heap_mb.toFixed(1)} | ${s.pss_mb.toFixed(0)} | ${s.renderer_mb.toFixed(0)} | ${s.wasm_mb.toFixed(1)} | ${s.workers} | ${s.step.toLocaleString('en-US')} | ${s.fps.toFixed(1)} | ${s.stopped} |`;

function summary(samples) {
  const heaps = samples.map((s) => s.heap_mb), pss = samples.map((s) => s.pss_mb);
  return {
    minutes: samples.at(-1).minute, samples: samples.length,
    heap_first_mb: heaps[0], heap_last_mb: heaps.at(-1), heap_max_mb: Math.max(...heaps),
    pss_first_mb: pss[0], pss_last_mb: pss.at(-1), pss_max_mb: Math.max(...pss),
    renderer_first_mb: samples[0].renderer_mb, renderer_last_mb: samples.at(-1).renderer_mb,
    wasm_first_mb: samples[0].wasm_mb, wasm_last_mb: samples.at(-1).wasm_mb,
    workers_always_one_per_panel: samples.every((s) => s.workers === s.panels), workers_seen: [...new Set(samples.map((s) => s.workers))],
    steps: samples.at(-1).step, fps_min: Math.min(...samples.map((s) => s.fps)),
  };
}

async function main() {
  let flags;
  try { flags = parseFlags(process.argv.slice(2), SPEC); } catch (err) { console.error(`soak: ${err.message}\n\n${flagHelp(SPEC, 12)}`); process.exit(2); }
  if (flags.help) { console.log(`usage: node bench/soak.mjs [flags]\n\n${flagHelp(SPEC, 12)}`); return; }
  const minutes = flags.minutes ?? 30, every = flags.every ?? 30;
  const server = await startServer({ port: 0 });
  const browser = await launchChromium({ viewport: { width: 1280, height: 720 } });
  try {
    const { page, problems } = await openDemo(browser.context, `http://127.0.0.1:${server.address().port}/web/#play=1`);
    const cdp = await browser.context.newCDPSession(page);
    await page.waitForFunction(() => window.iamDemo.clock().step > 0, null, { timeout: 60000 });
    const start = Date.now(), samples = [];
    if (!flags.json) console.log('| minute | heap MB | Chromium PSS MB | renderer PSS MB | workers\' wasm MB | workers | step | fps | stopped panels |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (;;) {
      const s = await sample(page, cdp, start);
      samples.push(s);
      console.log(flags.json ? JSON.stringify(s) : row(s));
      if (s.minute >= minutes) break;
      await page.waitForTimeout(Math.min(every * 1000, (minutes - s.minute) * 60000 + 50));
    }
    const result = { ...summary(samples), page_errors: problems };
    console.log(flags.json ? JSON.stringify(result) : `\n${JSON.stringify(result, null, 1)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((err) => { console.error(`soak: ${err.stack ?? err}`); process.exit(1); });
