// compare.js: the page's comparisons. In each panel's header, a line that says what
// the panel trains (s 10 · m 0.3 · β 0.5, its own values marked) and opens its editor:
// the panel's own settings, duplicate, remove, and a sweep over one setting. Above the
// panels, a bar: add a panel, and the paper's questions as one-click sweeps.
//
// It is DOM only. What a setting may hold, what a sweep trains and how the panel list
// changes are state.js's (OVERRIDES, SWEEPS, sweepPanels …); main.js commits the result.
import { OVERRIDES, MAX_PANELS, PAPER_SWEEPS, parsePanel, readPanel, panelToken, panelSettings, overrideField, parseField, fieldRule,
  panelLabel, sweepValues, sweepLabel } from './state.js';
import { el } from './dom.js';

const OWN_MARK = '•';   // a value the panel sets itself, not the control panel

// how a value reads in the header: true/false as words, numbers as they are
const valueText = (v) => (v === true ? 'on' : v === false ? 'off' : String(v));

export class PanelTools {
  /** hooks: token(newToken), duplicate(), remove(), sweep(key), notice(text) */
  constructor(slot, hooks) {
    this.hooks = hooks;
    this.summary = el('summary', { className: 'panel-summary' });
    this.editor = el('div', { className: 'panel-editor' });
    this.details = el('details', { className: 'panel-settings' }, [this.summary, this.editor]);
    // the editor opens below the header, however many lines the header wraps to
    this.details.addEventListener('toggle', () => {
      const header = this.details.closest('header');
      if (this.details.open && header) this.editor.style.top = `${header.offsetTop + header.offsetHeight + 2}px`;
    });
    this.details.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { this.details.open = false; this.summary.focus(); }
    });
    slot.append(this.details);
  }

  /** Show a panel's settings under the state; rebuilt only when something shown changed
   *  (an editor being typed in is not replaced under the hand). */
  show(state, token, count) {
    const settings = panelSettings(state, token);
    const key = JSON.stringify([token, count, state.anneal, settings]);
    this.lastShow = [state, token, count];
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.token = token;
    this.panel = parsePanel(token);
    this.showSummary(settings);
    this.editor.replaceChildren(
      ...settings.map((s) => this.row(s)), ...this.annealRow(state),
      el('p', { className: 'panel-editor-note', textContent: `${OWN_MARK} this panel’s own value; ↺ or an empty box: follow the control panel` }),
      this.actions(count), this.sweeps(count),
    );
  }

  showSummary(settings) {
    // the panel's own values first: where a narrow header cuts the line, what tells a
    // sweep's panels apart stays, and the values every panel shares go
    const shown = settings.filter((s) => s.shown && s.own).concat(settings.filter((s) => s.shown && !s.own));
    const parts = shown.map((s) => el('span', {
      className: s.own ? 'setting is-own' : 'setting',
      textContent: `${s.label} ${valueText(s.value)}${s.own ? OWN_MARK : ''}`,
    }));
    const items = parts.flatMap((p, k) => (k ? ['\u2009·\u2009', p] : [p]));   // thin spaces: six headers fit a 1280 screen
    this.summary.replaceChildren(...(items.length ? items : [el('span', { className: 'setting', textContent: 'settings' })]));
    this.summary.title = `${panelLabel(this.token)}: this panel’s settings (${OWN_MARK}: its own value, not the control panel’s). `
      + 'Click to change them, duplicate, remove or sweep this panel.';
  }

  // One setting: a number box (a select, a checkbox) within its field's range, and ↺.
  row({ key, label, value, own, used }) {
    const field = overrideField(key, this.panel.kind), o = OVERRIDES[key];
    let input;
    if (field.type === 'enum') input = el('select', {}, field.options.map((v) => el('option', { value: v, textContent: v, selected: v === value })));
    else if (field.type === 'flag') input = el('input', { type: 'checkbox', checked: value });
    else input = el('input', { type: 'number', min: field.min, max: field.max, step: field.step, value });
    input.name = `panel-${key}`;
    input.addEventListener('change', () => this.edit(key, field, input));
    const follow = el('button', { type: 'button', className: 'panel-follow', textContent: '↺', hidden: !own, title: 'follow the control panel' });
    follow.addEventListener('click', () => this.setOverride(key, undefined));
    const why = used ? '' : key === 'l' ? ' (used when λ is fixed)' : ' (not used by this loss)';
    return el('label', { className: `panel-setting${own ? ' is-own' : ''}${used ? '' : ' is-unused'}`, title: `${o.name}${why}` },
      [el('span', { textContent: `${label}${own ? OWN_MARK : ''}` }), input, follow]);
  }

  // SphereFace anneals λ (the control panel's box) unless the panel fixes it (+fixed)
  annealRow(state) {
    if (this.panel.kind !== 'sphereface') return [];
    const box = el('input', { type: 'checkbox', name: 'panel-anneal', checked: state.anneal && !this.panel.fixed, disabled: !state.anneal });
    box.addEventListener('change', () => this.hooks.token(panelToken({ ...this.panel, fixed: !box.checked })));
    const title = state.anneal ? 'anneal λ from 1000 to 5 (off: λ stays at its value)' : 'the control panel’s anneal box is off: no panel anneals';
    return [el('label', { className: 'panel-setting', title }, [el('span', { textContent: 'anneal λ' }), box])];
  }

  // a value typed or picked: refused with a notice (and the box shows what runs) unless
  // its field allows it; an empty box follows the control panel again
  edit(key, field, input) {
    if (field.type === 'flag') { this.setOverride(key, input.checked); return; }
    const text = input.value.trim();
    if (text === '') { this.setOverride(key, undefined); return; }
    const value = parseField(field, text);
    if (value === undefined) {
      this.hooks.notice(`${OVERRIDES[key].name} of ${panelLabel(this.token)} must be ${fieldRule(field)}; ${text} was not taken`);
      this.shownKey = null;     // show what runs again
      this.show(...this.lastShow);
      return;
    }
    this.setOverride(key, value);
  }

  setOverride(key, value) {
    const overrides = { ...this.panel.overrides };
    if (value === undefined) delete overrides[key];
    else overrides[key] = value;
    const token = panelToken({ ...this.panel, overrides });
    // a value its own field allows may still break a pair (MagFace's la < ua, lm ≤ um)
    const { problems } = readPanel(token);
    if (problems.length) {
      this.hooks.notice(`${problems[0].replace(/^panel \S+: ignored /, '')}; ${OVERRIDES[key].name} was not changed`);
      this.shownKey = null;
      this.show(...this.lastShow);
      return;
    }
    this.hooks.token(token);
  }

  actions(count) {
    const duplicate = el('button', { type: 'button', className: 'panel-duplicate', textContent: 'Duplicate', disabled: count >= MAX_PANELS,
      title: count >= MAX_PANELS ? `at most ${MAX_PANELS} panels` : 'a second panel like this one, beside it' });
    const remove = el('button', { type: 'button', className: 'panel-remove', textContent: 'Remove', disabled: count <= 1,
      title: count <= 1 ? 'the last panel stays' : 'remove this panel (the others train on)' });
    duplicate.addEventListener('click', () => { this.details.open = false; this.hooks.duplicate(); });
    remove.addEventListener('click', () => { this.details.open = false; this.hooks.remove(); });
    return el('div', { className: 'panel-actions' }, [duplicate, remove]);
  }

  // One button per setting that can be swept on this panel: the panel becomes one panel per value.
  sweeps(count) {
    const room = MAX_PANELS - (count - 1);
    const keys = Object.keys(OVERRIDES).filter((key) => sweepValues(this.token, key).length);
    if (!keys.length) return el('div', { className: 'panel-sweeps', hidden: true });
    const buttons = keys.map((key) => {
      const button = el('button', { type: 'button', className: 'panel-sweep', disabled: room < 2,
        textContent: sweepLabel(this.token, key, room).split(': ').pop(),
        title: room < 2 ? `at most ${MAX_PANELS} panels: remove one to sweep` : `replace this panel by ${sweepLabel(this.token, key, room)}, all else equal` });
      button.dataset.key = key;
      button.addEventListener('click', () => { this.details.open = false; this.hooks.sweep(key); });
      return button;
    });
    return el('div', { className: 'panel-sweeps' }, [el('span', { textContent: 'Sweep' }), ...buttons]);
  }
}

/** The bar above the panels: add a panel, and the paper's questions as sweeps. */
export class PanelBar {
  /** hooks: add(), sweep(paperSweep) */
  constructor(before, hooks) {
    this.add = el('button', { type: 'button', id: 'add-panel', textContent: '+ Add a panel' });
    this.add.addEventListener('click', () => hooks.add());
    const sweeps = PAPER_SWEEPS.map((sweep) => {
      const button = el('button', { type: 'button', className: 'paper-sweep', id: `sweep-${sweep.id}`,
        textContent: sweepLabel(sweep.token, sweep.key), title: 'these panels in place of the others, all else equal' });
      button.addEventListener('click', () => hooks.sweep(sweep));
      return button;
    });
    this.root = el('div', { className: 'panel-bar', id: 'panel-bar' }, [this.add, el('span', { className: 'panel-bar-label', textContent: 'Sweep:' }), ...sweeps]);
    before.before(this.root);
  }

  show(count) {
    this.add.disabled = count >= MAX_PANELS;
    this.add.title = count >= MAX_PANELS ? `at most ${MAX_PANELS} panels: remove one first` : 'one more panel, trained from the same start';
  }
}
