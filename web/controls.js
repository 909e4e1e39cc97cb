// controls.js: the control panel, built from one table and bound to the state.
//
// Sliders report twice: `preview` while dragging (the teaching curves follow the
// hand) and `commit` on release (the runs restart with the new value), so that a
// drag does not restart six trainers sixty times a second.
import { DATA_SETS, SPEEDS } from './state.js';
import { STORIES } from './stories.js';
import { el } from './dom.js';

const deg = (rad) => `${((rad * 180) / Math.PI).toFixed(1)}°`;

// field, label, kind, options, readout(value) → text
const GROUPS = [
  ['Data', [
    ['data', 'data set', 'select', { options: DATA_SETS }],
    ['classes', 'classes C', 'range', { min: 2, max: 12, step: 1 }],
    ['dim', 'embedding', 'select', { options: [[2, '2-D circle'], [3, '3-D sphere']] }],
    ['seed', 'seed', 'number', { min: 0, max: 999999, step: 1 }],
  ]],
  ['Loss', [
    ['scale', 'scale s', 'range', { min: 1, max: 64, step: 1 }],
    ['cosMargin', 'CosFace m', 'range', { min: 0, max: 0.8, step: 0.01 }],
    ['arcMargin', 'ArcFace m', 'range', { min: 0, max: 1.2, step: 0.01, readout: (v) => `${v.toFixed(2)} rad = ${deg(v)}` }],
    ['sphereMargin', 'SphereFace m', 'range', { min: 1, max: 6, step: 0.5 }],
    ['beta', 'IAM β', 'range', { min: 0, max: 3, step: 0.05 }],
    ['anneal', 'SphereFace: anneal λ (1000 → 5)', 'checkbox', {}],
    ['lambda', 'SphereFace fixed λ', 'range', { min: 0, max: 20, step: 0.5 }],
  ]],
  ['Optimizer', [
    ['optimizer', 'optimizer', 'select', { options: [['adam', 'Adam'], ['sgd', 'SGD + momentum']] }],
    ['lr', 'learning rate', 'log', { min: -4, max: 0.5, step: 0.05 }],
    ['batch', 'batch size', 'select', { options: [16, 32, 64, 128, 256, 512] }],
  ]],
];

export class Controls {
  /** hooks: preview(partial), commit(partial), story(id), play(), step(), reset() */
  constructor(parent, state, hooks) {
    this.hooks = hooks;
    this.inputs = {};
    this.readouts = {};
    this.story = el('select', { id: 'story', className: 'story-select' }, [
      el('option', { value: '', textContent: 'choose a story…' }),
      ...STORIES.map((s) => el('option', { value: s.id, textContent: s.title })),
    ]);
    this.story.addEventListener('change', () => hooks.story(this.story.value));

    this.playButton = el('button', { id: 'play', className: 'run-play', textContent: '▶ Play', title: 'play or pause (space)' });
    const stepButton = el('button', { id: 'step', textContent: 'Step', title: 'one step (s)' });
    const resetButton = el('button', { id: 'reset', textContent: '↺ Reset', title: 'start again from the same seed (r)' });
    this.playButton.addEventListener('click', () => hooks.play());
    stepButton.addEventListener('click', () => hooks.step());
    resetButton.addEventListener('click', () => hooks.reset());
    this.speed = el('input', { type: 'range', id: 'speed', min: 0, max: SPEEDS.length - 1, step: 1, value: state.speed });
    this.speedReadout = el('output', { className: 'readout' });
    this.speed.addEventListener('input', () => {
      this.speedReadout.value = `${SPEEDS[+this.speed.value]} steps/s per panel`;
      hooks.commit({ speed: +this.speed.value });
    });
    this.rates = el('output', { id: 'rates', className: 'rates', textContent: '' });

    const run = el('fieldset', { className: 'group run' }, [
      el('legend', { textContent: 'Run' }), this.playButton, stepButton, resetButton,
      el('label', { className: 'speed' }, ['speed ', this.speed, this.speedReadout]), this.rates,
    ]);
    const groups = GROUPS.map(([title, fields]) => el('fieldset', { className: 'group' }, [
      el('legend', { textContent: title }), ...fields.map((spec) => this.field(spec)),
    ]));
    this.root = el('form', { id: 'controls', className: 'controls', onsubmit: (e) => e.preventDefault() }, [
      el('label', { className: 'story' }, ['Story ', this.story]), run, ...groups,
    ]);
    parent.append(this.root);
    this.set(state);
  }

  field([name, label, kind, opts]) {
    let input;
    if (kind === 'select') {
      input = el('select', {}, opts.options.map((o) => {
        const [value, text] = Array.isArray(o) ? o : [o, o];
        return el('option', { value, textContent: text });
      }));
    } else if (kind === 'checkbox') input = el('input', { type: 'checkbox' });
    else if (kind === 'number') input = el('input', { type: 'number', min: opts.min, max: opts.max, step: opts.step });
    else input = el('input', { type: 'range', min: opts.min, max: opts.max, step: opts.step });
    input.name = name;
    input.id = `ctl-${name}`;
    const readout = el('output', { className: 'readout' });
    const read = () => {
      if (kind === 'checkbox') return input.checked;
      if (kind === 'log') return Number((10 ** +input.value).toPrecision(2));
      if (kind === 'select' && typeof opts.options.flat()[0] === 'number') return +input.value;
      return kind === 'select' ? input.value : +input.value;
    };
    const show = () => { readout.value = kind === 'checkbox' ? '' : opts.readout ? opts.readout(read()) : String(read()); };
    input.addEventListener('input', () => { show(); if (kind === 'range' || kind === 'log') this.hooks.preview({ [name]: read() }); });
    input.addEventListener('change', () => {
      show();
      if (kind === 'number' && !(Number.isInteger(read()) && read() >= opts.min && read() <= opts.max)) {
        this.hooks.notice(`${label} must be an integer from ${opts.min} to ${opts.max}`);
        return;
      }
      this.hooks.commit({ [name]: read() });
    });
    this.inputs[name] = { input, kind, show };
    const row = el('label', { className: `field field-${kind}` }, [el('span', { className: 'field-label', textContent: label }), input, readout]);
    if (name === 'seed') {
      const dice = el('button', { type: 'button', textContent: 'new', title: 'a new random seed' });
      dice.addEventListener('click', () => { input.value = Math.floor(Math.random() * 100000); input.dispatchEvent(new Event('change')); });
      row.append(dice);
    }
    return row;
  }

  /** Show a state (after a story, a reset or a hash change). */
  set(state) {
    for (const [name, { input, kind, show }] of Object.entries(this.inputs)) {
      const v = state[name];
      if (kind === 'checkbox') input.checked = !!v;
      else if (kind === 'log') input.value = Math.log10(v);
      else input.value = v;
      show();
    }
    this.speed.value = state.speed;
    this.speedReadout.value = `${SPEEDS[state.speed]} steps/s per panel`;
    this.story.value = state.story || '';
  }

  setPlaying(playing) {
    this.playButton.textContent = playing ? '❚❚ Pause' : '▶ Play';
    this.playButton.classList.toggle('is-playing', playing);
  }

  setRates(text) { this.rates.value = text; }
}
