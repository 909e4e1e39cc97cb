// stories.test.mjs: every story's caption is true (web/stories.js). Each story is
// trained here as the page trains it (state.panelConfig of its own settings), on its
// own seed and on four others, and every claim is checked at the step it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIAM } from '../wasm/iam.js';
import { defaultState, panelConfig, reconcile, parseHash, toHash } from '../web/state.js';
import { STORIES, storyById } from '../web/stories.js';

const iam = await loadIAM();

/** The story's seed, then four others from 1…5. */
const seedsOf = (story) => [story.state.seed, ...[1, 2, 3, 4, 5, 6].filter((s) => s !== story.state.seed).slice(0, 4)];

/** Train every panel of the story's state to each claim's step; returns the failures. */
function checkStory(story, seed) {
  const state = { ...defaultState(), ...structuredClone(story.state), seed };
  reconcile(state);
  const trainers = new Map(state.panels.map((token) => [token, iam.trainer(panelConfig(state, token))]));
  const failures = [];
  try {
    for (const claim of [...story.claims].sort((a, b) => a.step - b.step)) {
      for (const t of trainers.values()) t.step(claim.step - t.last().step);
      const cache = new Map();
      const at = (token) => {
        if (!trainers.has(token)) throw new Error(`claim names panel ${token}, which the story does not show`);
        if (!cache.has(token)) {
          const snap = trainers.get(token).snapshot({ points: 400, set: 'test', bins: 0 });
          cache.set(token, { metrics: snap.metrics, snap });
        }
        return cache.get(token);
      };
      if (!claim.check(at)) {
        const numbers = state.panels.map((t) => `${t} ${at(t).metrics.min_weight_angle_deg.toFixed(1)}° ${(100 * at(t).metrics.test_acc).toFixed(1)}%`);
        failures.push(`seed ${seed}, step ${claim.step}: ${claim.text} (${numbers.join('; ')})`);
      }
    }
  } finally {
    for (const t of trainers.values()) t.free();
  }
  return failures;
}

for (const story of STORIES) {
  test(`story '${story.id}': its caption's claims hold at their steps, on its seed and four others`, () => {
    assert.ok(story.claims.length > 0, 'a story without a claim');
    for (const claim of story.claims) assert.ok(story.stops.includes(claim.step) || story.caption.includes(claim.step.toLocaleString('en-US')),
      `the caption does not name step ${claim.step}`);
    const failures = seedsOf(story).flatMap((seed) => checkStory(story, seed));
    assert.deepEqual(failures, []);
  });
}

test('a story sets what its claims depend on, starts at its first stop, and "#story=id" alone is the story', () => {
  for (const story of STORIES) {
    for (const key of ['data', 'classes', 'dim', 'seed', 'panels', 'speed', 'until']) assert.ok(key in story.state, `${story.id} leaves ${key} to chance`);
    assert.equal(story.state.until, story.stops[0]);
    for (const step of story.stops) assert.ok(story.caption.includes(step.toLocaleString('en-US')), `${story.id}: the caption does not name step ${step}`);
    const { state, notices } = parseHash(`#story=${story.id}`);
    assert.deepEqual(notices, []);
    for (const [key, value] of Object.entries(story.state)) assert.deepEqual(state[key], value, `${story.id}: ${key}`);
    assert.deepEqual(parseHash(toHash(state)).state, state);
  }
  assert.equal(storyById('nonsense'), undefined);
});

test('a claim can fail: the crowded story’s claim is false for a panel without IAM', () => {
  const story = storyById('crowded');
  const fake = { ...story, claims: [{ step: 300, text: 'NormFace without IAM merges two pairs', check: (at) => at('normface').metrics.min_weight_angle_deg < 5 }] };
  assert.equal(checkStory(fake, 1).length, 1);
});
