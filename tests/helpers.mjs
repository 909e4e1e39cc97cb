// helpers.mjs: what several test files (and the benchmarks, and the experiment's
// figures) share: seeded random numbers, random loss batches, and headless Chromium.
// It holds no test of its own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from a uniform generator (Box–Muller). */
export function gaussian(rand) {
  const u = rand() + 1e-12, v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A loss batch { x, W, labels, n, d, c }: normal x and W, uniform labels, from the seed. */
export function randomBatch(n, d, c, seed = 1) {
  const rand = mulberry32(seed);
  const normal = () => gaussian(rand);
  return {
    x: Float32Array.from({ length: n * d }, normal),
    W: Float32Array.from({ length: c * d }, normal),
    labels: Int32Array.from({ length: n }, () => Math.floor(rand() * c)),
    n, d, c,
  };
}

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
// As root Chromium needs --no-sandbox; the rest keep it off a network it cannot reach.
// SwiftShader gives WebGL 2 without a GPU, for the 3-D view.
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** Debian's Chromium, headless, with a fresh profile: { context, close() }.
 *  Options go to playwright's launchPersistentContext (viewport, deviceScaleFactor, ...). */
export async function launchChromium(options = {}) {
  if (!hasChromium) throw new Error(`${CHROMIUM} not found (./build.sh setup installs it)`);
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'iam-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, ...options,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A new page of the demo at url, ready (body[data-ready]), with the errors it reports
 *  collected in `problems`. */
export async function openDemo(context, url, viewport = null) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  return { page, problems };
}
