// page.mjs: the page benchmark: the demo in headless Chromium (no GPU: software
// WebGL), measured as a lecturer's laptop would show it.
//
//   ./build.sh bench -- --page                         six 2-D panels at 1920×1080, a table
//   ./build.sh bench -- --page --json --dim 3 --viewport 1280x720 --seconds 10
//
// For each run it reports the animation frames per second (median and 5th
// percentile over 1-second windows), the frames in which a view really redrew
// (web/main.js counts them), and the training steps per second of all panels.
// It is a measurement, not a test: nothing here fails on a slow machine.
import { startServer } from '../web/server.mjs';
import { launchChromium } from '../tests/helpers.mjs';
import { toHash, defaultState } from '../web/state.js';
import { parseFlags, flagHelp, between, oneOf } from '../wasm/flags.js';

const viewport = (v) => { const m = /^(\d{3,4})x(\d{3,4})$/.exec(v); return m ? { width: +m[1], height: +m[2] } : undefined; };
const SPEC = {
  '--json': { help: 'one JSON line per run instead of the table' },
  '--seconds': { value: between(2, 600), arg: 'N', help: 'seconds measured per run (default 8)' },
  '--dim': { value: oneOf(['2', '3']), arg: 'D', help: 'the embedding: 2 (circles) or 3 (spheres) (default 2)' },
  '--viewport': { value: viewport, arg: 'WxH', help: 'the window (default 1920x1080)' },
  '--help': { short: 'h', help: 'this text' },
};

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];

/** Open the default page (six panels) and count frames for `seconds` after a warm-up. */
export async function measurePage({ dim = 2, size = { width: 1920, height: 1080 }, seconds = 8 } = {}) {
  const server = await startServer({ port: 0 });
  const browser = await launchChromium({ viewport: size });
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/${toHash({ ...defaultState(), dim })}`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    await page.waitForFunction(() => window.iamDemo.panels().every((p) => p.step >= 50), null, { timeout: 60000 });
    const run = await page.evaluate((ms) => new Promise((resolve) => {
      const windows = [], steps0 = window.iamDemo.panels().map((p) => p.step), views0 = window.iamDemo.viewFrames();
      let frames = 0, start = performance.now(), windowStart = start;
      const tick = (now) => {
        frames++;
        if (now - windowStart >= 1000) { windows.push((frames * 1000) / (now - windowStart)); frames = 0; windowStart = now; }
        if (now - start < ms) { requestAnimationFrame(tick); return; }
        const secs = (now - start) / 1000;
        const steps = window.iamDemo.panels().reduce((sum, p, k) => sum + p.step - steps0[k], 0);
        resolve({ windows, viewFps: (window.iamDemo.viewFrames() - views0) / secs, stepsPerSec: steps / secs });
      };
      requestAnimationFrame(tick);
    }), seconds * 1000);
    const sorted = [...run.windows].sort((a, b) => a - b);
    return {
      bench: 'page', panels: 6, dim, viewport: `${size.width}x${size.height}`, seconds,
      fps_median: +quantile(sorted, 0.5).toFixed(1), fps_p5: +quantile(sorted, 0.05).toFixed(1),
      view_redraws_per_sec: +run.viewFps.toFixed(1), steps_per_sec: Math.round(run.stepsPerSec), page_errors: errors.length,
    };
  } finally {
    await browser.close();
    server.close();
  }
}

async function main(argv) {
  let flags;
  try { flags = parseFlags(argv, SPEC); } catch (err) {
    console.error(`bench --page: ${err.message}\n\nusage: ./build.sh bench -- --page [flags]\n\n${flagHelp(SPEC, 16)}`);
    return 2;
  }
  if (flags.help) { console.log(`usage: ./build.sh bench -- --page [flags]\n\n${flagHelp(SPEC, 16)}`); return 0; }
  const row = await measurePage({ dim: Number(flags.dim ?? 2), size: flags.viewport, seconds: flags.seconds });
  if (flags.json) console.log(JSON.stringify(row));
  else for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(22)} ${v}`);
  return 0;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
