// dom.js: the two small ways the page makes elements.

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
