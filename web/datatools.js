// datatools.js: the controls of the data itself, in the Data group: the class that a
// click on an input plane places (a swatch per class, and one more for a new class),
// clear and regenerate, a CSV in and out; and in the Run group, Save and Open a run.
//
// It only shows and reports: what a button does is the page's (main.js), through hooks.
import { classColor } from './palette.js';
import { el } from './dom.js';

/** A button that opens a file picker for `accept`, and reports the file chosen. */
function fileButton(id, text, title, accept, onFile) {
  const picker = el('input', { type: 'file', accept, hidden: true, id: `${id}-file` });
  picker.addEventListener('change', () => { if (picker.files[0]) onFile(picker.files[0]); picker.value = ''; });
  const button = el('button', { type: 'button', id, textContent: text, title });
  button.addEventListener('click', () => picker.click());
  return [button, picker];
}

function button(id, text, title, onClick) {
  const b = el('button', { type: 'button', id, textContent: text, title });
  b.addEventListener('click', onClick);
  return b;
}

export class DataTools {
  /** hooks: clear(), regenerate(), importCsv(file), exportCsv(), save(), open(file) */
  constructor(dataGroup, runGroup, hooks) {
    this.chosen = 0;
    this.swatches = el('span', { className: 'class-swatches', role: 'radiogroup' });
    this.clearButton = button('points-clear', 'clear', 'remove every point: then click to place your own', () => hooks.clear());
    this.regenerateButton = button('points-regenerate', 'regenerate', 'back to the generated set of this data kind and seed', () => hooks.regenerate());
    this.placeNote = el('span', { className: 'place-note' });
    this.placeRow = el('div', { className: 'data-row place' }, [
      el('span', { className: 'field-label', textContent: 'place class' }), this.swatches, this.clearButton, this.regenerateButton, this.placeNote,
    ]);
    const csvRow = el('div', { className: 'data-row csv' }, [
      el('span', { className: 'field-label', textContent: 'CSV' }),
      ...fileButton('csv-import', 'Import…', 'train on a CSV of x1,…,xk,label rows (or drop a .csv on the page)', '.csv,text/csv,text/plain', hooks.importCsv),
      button('csv-export', 'Export', 'download the set the panels train on as a CSV', () => hooks.exportCsv()),
    ]);
    dataGroup.append(this.placeRow, csvRow);
    runGroup.append(el('div', { className: 'data-row runfile' }, [
      el('span', { className: 'field-label', textContent: 'run file' }),
      button('run-save', 'Save', 'download the whole run (settings, data, every panel’s network and optimizer at this step)', () => hooks.save()),
      ...fileButton('run-open', 'Open…', 'continue a saved run (.iamrun) where it was (or drop it on the page)', '.iamrun', hooks.open),
    ]));
  }

  /** Show what can be placed: `classes` of the set (a swatch more for a new class, up to
   *  maxClasses); editable: whether the data has a 2-D input plane to click on. */
  show({ classes, maxClasses, editable, regenerable }) {
    const count = Math.min(maxClasses, classes + 1);
    this.chosen = Math.min(this.chosen, count - 1);
    if (this.swatches.childElementCount !== count) {
      this.swatches.replaceChildren(...Array.from({ length: count }, (_, j) => {
        const swatch = el('button', {
          type: 'button', className: 'class-swatch', textContent: j === classes ? '+' : '',
          title: j === classes ? `a new class, ${j}` : `class ${j}`, ariaLabel: `place class ${j}`,
        });
        swatch.dataset.class = j;
        swatch.style.background = classColor(j);
        swatch.addEventListener('click', () => { this.chosen = j; this.mark(); });
        return swatch;
      }));
    }
    this.mark();
    for (const b of [...this.swatches.children, this.clearButton]) b.disabled = !editable;
    this.regenerateButton.disabled = !regenerable;
    this.placeNote.textContent = editable ? 'click a panel’s input plane; shift-click removes' : 'points are placed on 2-D inputs (blobs, spiral, a 2-D set)';
  }

  mark() {
    for (const s of this.swatches.children) s.classList.toggle('is-chosen', +s.dataset.class === this.chosen);
  }
}
