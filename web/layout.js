// layout.js: how big the views can be. In presentation mode every panel must fit one
// screen with the caption; bestGrid picks the number of columns that makes the square
// views largest. A pure function, so that node tests can check it.

/**
 * The grid that gives `count` square views the largest size in a width × height box.
 * Each cell is `chromeW` px wider and `chromeH` px taller than its view (the panel's
 * header, numbers and padding) and cells are `gap` px apart.
 * Returns { columns, rows, size }; size is floored to whole px and at most maxSize.
 */
export function bestGrid(count, width, height, { chromeW = 16, chromeH = 80, gap = 8, maxSize = 900 } = {}) {
  let best = { columns: 1, rows: count, size: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellW = (width - gap * (columns - 1)) / columns;
    const cellH = (height - gap * (rows - 1)) / rows;
    const size = Math.floor(Math.min(maxSize, cellW - chromeW, cellH - chromeH));
    if (size > best.size) best = { columns, rows, size };
  }
  return best;
}
