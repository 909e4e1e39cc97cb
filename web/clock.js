// clock.js: the lecture's clock. Every panel trains to the same step, then waits.
//
// The page owns one LockStep. It hands out a target step; each panel's worker trains
// up to exactly that step, posts a snapshot there and idles. Only when every panel
// that is still running has reached the target does the clock move it on, by a
// quantum of steps (about an eighth of a second of training at the chosen speed).
// So the panels are always drawn at the same step, a slow panel holds the others
// back instead of falling behind, and a restarted panel catches up while the others
// wait.
//
// The frame budget lives here too: rendering and input come first. The clock
// watches the page's frame rate and, when frames drop, lowers the speed it moves
// the target at (down to 5% of the chosen one), then raises it again, gently, once
// the frames are back: workers that wait for a target use no CPU.
//
// No DOM, no workers: main.js calls tick() from its animation frame and posts the
// targets it returns; node tests drive it with made-up times.

export const QUANTA_PER_SECOND = 8;   // targets per second at full speed: the snapshots a panel draws
const MIN_QUANTA_PER_SECOND = 2;      // ... and when the budget has slowed the clock down
export const STEP_CHUNK = 100;        // what the Step button advances
const MIN_FACTOR = 0.05;

/** The frame rates the budget keeps: below `slow` it backs off, at `good` it recovers.
 *  Circles redraw in a fraction of a frame; a sphere in software WebGL costs tens of ms,
 *  so a page of spheres is held to what it can draw. */
export const FRAME_GOALS = Object.freeze({ 2: { slow: 52, good: 58 }, 3: { slow: 18, good: 24 } });

export class LockStep {
  constructor({ stepsPerSec = 300 } = {}) {
    this.stepsPerSec = stepsPerSec;
    this.factor = 1;          // the share of stepsPerSec the frame budget allows
    this.target = 0;          // the step every running panel trains to
    this.playing = false;
    this.pauseAt = null;      // stop when the panels reach this step (null: never)
    this.nextAt = 0;          // when the target may move on (ms)
    this.frames = [];         // recent frame times (ms), for the budget
    this.goals = FRAME_GOALS[2];
  }

  /** Start again at step 0 (after a reset). */
  reset() { this.target = 0; this.nextAt = 0; }

  play() { this.playing = true; }
  pause() { this.playing = false; }

  /** Advance by a chunk now (the Step button): the new target. */
  stepBy(steps = STEP_CHUNK, reached = this.target) {
    this.playing = false;
    this.target = Math.max(this.target, reached) + steps;
    return this.target;
  }

  /** The steps per second the clock moves at now (the frame budget applied). */
  get effectiveRate() { return this.stepsPerSec * this.factor; }

  /** Record a frame and adjust the budget factor: multiplicative back-off, slow recovery. */
  frame(now) {
    const frames = this.frames;
    frames.push(now);
    while (frames.length && now - frames[0] > 500) frames.shift();
    if (frames.length < 3 || now - (this.lastBudgetAt ?? 0) < 250) return;
    this.lastBudgetAt = now;
    const fps = ((frames.length - 1) * 1000) / (frames.at(-1) - frames[0]);
    if (fps < this.goals.slow) this.factor = Math.max(MIN_FACTOR, this.factor * 0.7);
    else if (fps >= this.goals.good) this.factor = Math.min(1, this.factor * 1.15);
  }

  /**
   * Called once a frame with the time and the step each running panel has reached.
   * Returns the new target when it moved (post it to every panel), else null. When
   * every panel reaches pauseAt, the clock pauses itself and `arrived` is set.
   */
  tick(now, reached) {
    this.arrived = false;
    if (!this.playing || reached.length === 0) return null;
    if (!reached.every((s) => s >= this.target)) return null; // someone is still on the way
    if (this.pauseAt !== null && this.target >= this.pauseAt) {
      this.playing = false;
      this.arrived = true;
      return null;
    }
    if (now < this.nextAt) return null;
    // a slowed clock moves less often, too: fewer snapshots to draw
    const rate = this.effectiveRate;
    const quanta = Math.max(MIN_QUANTA_PER_SECOND, QUANTA_PER_SECOND * this.factor);
    const quantum = Math.max(1, Math.round(rate / quanta));
    let next = this.target + quantum;
    if (this.pauseAt !== null && this.target < this.pauseAt) next = Math.min(next, this.pauseAt);
    this.nextAt = now + (1000 * (next - this.target)) / rate;
    this.target = next;
    return next;
  }
}
