// controls.js: the control panel, built from one table and bound to the state.
//
// Sliders report twice: `preview` while dragging (the teaching curves follow the
// hand) and `commit` on release (the runs restart with the new value), so that a
// drag does not restart six trainers sixty times a second.
import { FIELDS, SPEEDS } from './state.js';
import { STORIES } from './stories.js';
import { el } from './dom.js';

const deg = (rad) => `${((rad * 180) / Math.PI).toFixed(1)}°`;

// field, label, readout(value) → text; the widget and its range come from the field (state.js)
const GROUPS = [
  ['Data', [['data', 'data set'], ['classes', 'classes C'], ['dim', 'embedding'], ['seed', 'seed']]],
  ['Loss', [
    ['scale', 'scale s'], ['cosMargin', 'CosFace m'],
    ['arcMargin', 'ArcFace m', (v) => `${v.toFixed(2)} rad = ${deg(v)}`],
    ['sphereMargin', 'SphereFace m'], ['beta', 'IAM β'],
    ['anneal', 'SphereFace: anneal λ (1000 → 5)'], ['lambda', 'SphereFace fixed λ'],
  ]],
  ['Optimizer', [['optimizer', 'optimizer'], ['lr', 'learning rate'], ['batch', 'batch size']]],
];

/** The widget of a state field: a select, a checkbox, a number box (the seed) or a slider. */
function widgetOf(name, f) {
  if (f.type === 'enum') return 'select';
  if (f.type === 'flag') return 'checkbox';
  if (name === 'seed') return 'number';
  return f.scale === 'log' ? 'log' : 'range';
}

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

  field([name, label, readoutOf]) {
    const f = FIELDS[name], kind = widgetOf(name, f);
    let input;
    if (kind === 'select') {
      input = el('select', {}, f.options.map((o) => {
        const [value, text] = Array.isArray(o) ? o : [o, o];
        return el('option', { value, textContent: text });
      }));
    } else if (kind === 'checkbox') input = el('input', { type: 'checkbox' });
    else if (kind === 'number') input = el('input', { type: 'number', min: f.min, max: f.max, step: f.step });
    else if (kind === 'log') input = el('input', { type: 'range', min: Math.log10(f.min), max: Math.log10(f.max), step: f.step });
    else input = el('input', { type: 'range', min: f.min, max: f.max, step: f.step });
    input.name = name;
    input.id = `ctl-${name}`;
    const readout = el('output', { className: 'readout' });
    const numericOptions = kind === 'select' && typeof (Array.isArray(f.options[0]) ? f.options[0][0] : f.options[0]) === 'number';
    const read = () => {
      if (kind === 'checkbox') return input.checked;
      if (kind === 'log') return Number((10 ** +input.value).toPrecision(2));
      if (kind === 'select') return numericOptions ? +input.value : input.value;
      return +input.value;
    };
    const show = () => { readout.value = kind === 'checkbox' ? '' : readoutOf ? readoutOf(read()) : String(read()); };
    input.addEventListener('input', () => { show(); if (kind === 'range' || kind === 'log') this.hooks.preview({ [name]: read() }); });
    input.addEventListener('change', () => {
      show();
      if (kind === 'number' && !(Number.isInteger(read()) && read() >= f.min && read() <= f.max)) {
        this.hooks.notice(`${label} must be an integer from ${f.min} to ${f.max}`);
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
