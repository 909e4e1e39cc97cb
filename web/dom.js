// dom.js: the small ways the page makes elements, and sizes its canvases.

/** el('button', { textContent: 'PNG' }, [children…]) */
export function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

/** element('h3', 'chart-title', parent): a classed element appended to parent */
export function element(tag, className, parent) {
  const node = el(tag, className ? { className } : {});
  parent?.appendChild(node);
  return node;
}

/** A view's canvas in container: an image to assistive technology, with its description. */
export function viewCanvas(container, className, description) {
  const canvas = el('canvas', { className });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', description);
  container.appendChild(canvas);
  return canvas;
}

/** Size a canvas to size × size CSS px at the screen's pixel ratio; returns its 2-D
 *  context, scaled so that drawing code works in CSS px. */
export function sizeCanvas(canvas, size) {
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(size * dpr);
  canvas.style.width = canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
