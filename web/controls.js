// controls.js: the control panel, built from one table and bound to the state.
//
// Sliders report twice: `preview` while dragging (the teaching curves follow the
// hand) and `commit` on release (the runs restart with the new value), so that a
// drag does not restart six trainers sixty times a second.
import { FIELDS, SPEEDS, setsEveryPanel, CLASSES_FIXED } from './state.js';
import { STEP_CHUNK } from './clock.js';
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
    const stepButton = el('button', { id: 'step', textContent: `Step +${STEP_CHUNK}`, title: `train ${STEP_CHUNK} steps, then pause (s)` });
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
    this.stepNow = el('output', { id: 'step-now', className: 'step-now', textContent: 'step 0' });
    this.until = el('input', { type: 'number', id: 'ctl-until', min: 0, max: FIELDS.until.max, step: 100, placeholder: 'never' });
    const runTo = el('button', { type: 'button', id: 'run-to', textContent: 'Run to it', title: 'play until the panels reach this step' });
    this.until.addEventListener('change', () => this.#commitUntil(false));
    runTo.addEventListener('click', () => this.#commitUntil(true));
    const presentButton = el('button', { type: 'button', id: 'present', textContent: 'Present', title: 'presentation mode: every panel on one screen (p)' });
    presentButton.addEventListener('click', () => hooks.present());
    this.forces = el('input', { type: 'checkbox', id: 'ctl-forces' });
    this.forces.addEventListener('change', () => hooks.forces(this.forces.checked));
    const forcesBox = el('label', { className: 'forces', title: 'arrows of the gradient on every sample and class weight: the base loss in one colour, IAM in another (f)' },
      [this.forces, ' show the forces']);

    const run = el('fieldset', { className: 'group run' }, [
      el('legend', { textContent: 'Run' }), this.playButton, stepButton, resetButton, presentButton, this.stepNow,
      el('label', { className: 'speed' }, ['speed ', this.speed, this.speedReadout]),
      el('label', { className: 'until' }, ['pause at step ', this.until, runTo]), forcesBox, this.rates,
      el('p', { className: 'keys', innerHTML: '<kbd>space</kbd> play/pause · <kbd>s</kbd> +' + STEP_CHUNK +
        ' steps · <kbd>r</kbd> reset · <kbd>p</kbd> present · <kbd>f</kbd> forces' }),
    ]);
    const groups = GROUPS.map(([title, fields]) => el('fieldset', { className: 'group' }, [
      el('legend', { textContent: title }), ...fields.map((spec) => this.field(spec)),
    ]));
    // the data's own tools and the run file go in these (datatools.js, made by main.js)
    this.dataGroup = groups[0];
    this.runGroup = run;
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
        input.value = this.shown[name];   // the box shows what runs, not the refused value
        show();
        return;
      }
      this.hooks.commit({ [name]: read() });
    });
    this.inputs[name] = { input, kind, show };
    const row = el('label', { className: `field field-${kind}` }, [el('span', { className: 'field-label', textContent: label }), input, readout]);
    // a loss control sets every panel at once: the panels' own values of it go (main.js commit)
    if (setsEveryPanel(name)) input.title = row.title = `${label}: sets every panel at once (a panel's own value of it goes; each panel's header sets its own)`;
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
    // MNIST's classes, and those of a set of your own, come with the data
    const classes = this.inputs.classes.input, fixed = CLASSES_FIXED[state.data];
    classes.disabled = !!fixed;
    classes.title = fixed ? `${fixed}: the classes come with the data` : '';
    this.speed.value = state.speed;
    this.speedReadout.value = `${SPEEDS[state.speed]} steps/s per panel`;
    this.story.value = state.story || '';
    this.until.value = state.until || '';
    this.forces.checked = state.forces;
    this.shown = state;
  }

  // the 'pause at step' box: 0 or empty is never; a bad value is said, and the box shows the state again
  #commitUntil(play) {
    const raw = this.until.value.trim(), value = raw === '' ? 0 : Number(raw);
    const f = FIELDS.until;
    if (!(Number.isInteger(value) && value >= f.min && value <= f.max)) {
      this.hooks.notice(`pause at step must be an integer from 1 to ${f.max.toLocaleString('en-US')}, or empty for never`);
      this.until.value = this.shown.until || '';
      return;
    }
    if (play) this.hooks.runTo(value);
    else this.hooks.commit({ until: value });
  }

  setPlaying(playing) {
    this.playButton.textContent = playing ? '❚❚ Pause' : '▶ Play';
    this.playButton.classList.toggle('is-playing', playing);
  }

  setRates(text) { this.rates.value = text; }

  /** The step every panel has reached, shown as it changes. */
  setStep(step) {
    const text = `step ${step.toLocaleString('en-US')}`;
    if (this.stepNow.value !== text) this.stepNow.value = text;
  }
}
