// csv.js: labelled rows in and out. A CSV file of `x1,…,xk,label` rows becomes a set
// the trainer can read, and a set becomes that text again:
//
//   const set = parseCsv('x,y,label\n0.5,-1,cat\n2,1e-3,dog\n');
//   // → { x: Float32Array [0.5, -1, 2, 0.001], labels: Int32Array [0, 1], dim: 2, classes: 2,
//   //     names: ['cat', 'dog'], header: ['x', 'y', 'label'], rows: 2 }
//   toCsv(set)   // → 'x,y,label\n0.5,-1,cat\n2,0.001,dog\n'
//
// Classes are numbered in the order their labels first appear, whatever the labels
// are. Even when every label is a non-negative integer the text is only a name: a file
// whose labels first appear as 2, 0, 1 gets classes 0, 1, 2 with names ['2', '0', '1'].
// A file keeps its own numbers only when label j first appears before label j + 1.
//
// It is deliberately small: commas only, no quoted fields, no missing values, no
// streaming. Every mistake in a file is one sentence naming its line (and column),
// counted from 1 over every physical line, blank ones included. Plain ES module: no
// dependencies, the same in Node, a page and a Web Worker.

/** What a file may hold; parseCsv and decodeCsvBytes take smaller (or larger) ones. */
export const CSV_LIMITS = Object.freeze({ bytes: 64 * 1024 * 1024, rows: 1_000_000, dims: 1024, classes: 1000 });

/** A mistake in a file: .line and .column count from 1; null where it is not about one. */
export class CsvError extends Error {
  constructor(line, column, what) {
    super(line ? `line ${line}${column ? `, column ${column}` : ''}: ${what}` : what);
    this.name = 'CsvError';
    this.line = line ?? null;
    this.column = column ?? null;
  }
}

// Decimal text that Number() reads: '1e-3', '-.5', '+2', '3.'. Not '', 'NaN',
// 'Infinity', '0x1', '0b1' or '1_000', which Number() reads or which are not decimal.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parse a CSV text into { x, labels, dim, classes, names, header, rows }:
 * x is (rows, dim) row-major, labels[i] is a class index, names[j] the label text of
 * class j, header the first line's fields (label column included) or null.
 * The first non-blank line is a header when one of its feature fields is text that is
 * not a number (an empty field is no evidence). limits: CSV_LIMITS, or some of them.
 */
export function parseCsv(text, limits = CSV_LIMITS) {
  if (typeof text !== 'string') throw new TypeError(`parseCsv needs the file's text as a string (got a ${typeof text})`);
  const limit = { ...CSV_LIMITS, ...limits };
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long text needs counting.
  if (text.length * 3 > limit.bytes) checkSize(utf8Length(text), limit.bytes);
  const table = { dim: 0, shapeLine: 0, header: null, rows: 0, x: new Float32Array(0), labels: new Int32Array(0), classOf: new Map() };
  for (const [line, fields] of physicalLines(text.replace(/^\uFEFF/, ''))) {
    if (!table.shapeLine && readShape(table, line, fields, limit)) continue;
    readRow(table, line, fields, limit);
  }
  return finish(table);
}

/** Check the size, decode UTF-8 (strictly) and parse: what a page does with a dropped file. */
export function decodeCsvBytes(bytes, limits = CSV_LIMITS) {
  if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes))
    throw new TypeError('decodeCsvBytes needs the file as a Uint8Array or an ArrayBuffer');
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = { ...CSV_LIMITS, ...limits };
  checkSize(view.byteLength, limit.bytes);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(view);
  } catch {
    throw new CsvError(null, null, `the file is not UTF-8 text (byte ${firstBadByte(view)})`);
  }
  return parseCsv(text, limit);
}

/**
 * The CSV text of a set { x, labels, dim, names, header }: a header row (the given one,
 * or x1,…,xk,label), then one row per label, each number in the fewest digits (6 to 9)
 * that read back to the same float32, each label as names[label] (or the number).
 * parseCsv gives back the same x bits, labels and names when class j first appears
 * before class j + 1 (as in any set parseCsv made); otherwise the classes are
 * renumbered in order of appearance. Throws when a label or header field would not read back.
 */
export function toCsv({ x, labels, dim, names = null, header = null }) {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim must be a positive integer (got ${dim})`);
  if (x.length !== labels.length * dim) throw new Error(`x has length ${x.length} but labels × dim = ${labels.length * dim}`);
  const lines = [headerText(header ?? [...Array.from({ length: dim }, (_, j) => `x${j + 1}`), 'label'], dim)];
  const labelText = new Map();
  for (let i = 0; i < labels.length; i++) {
    const row = [];
    for (let j = 0; j < dim; j++) row.push(float32Text(x[i * dim + j], i, j));
    if (!labelText.has(labels[i])) labelText.set(labels[i], labelName(labels[i], names, i));
    row.push(labelText.get(labels[i]));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

// -- reading --

/** [line number, trimmed fields] of each non-blank line; '\n' or '\r\n' ends a line. */
function* physicalLines(text) {
  for (let start = 0, line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
    start = end + 1;
    if (raw.trim() !== '') yield [line, raw.split(',').map((f) => f.trim())];
  }
}

/** The first line fixes the number of columns; returns true when it is a header. */
function readShape(table, line, fields, limit) {
  fields.forEach((f, j) => { if (f[0] === '"') throw quoted(line, j + 1); });
  const dim = fields.length - 1;
  if (dim === 0) throw new CsvError(line, null, 'a row needs at least one feature before its label');
  if (dim > limit.dims) throw new CsvError(line, null, `${group(dim)} features are more than the ${group(limit.dims)} supported`);
  Object.assign(table, { dim, shapeLine: line });
  if (!isHeader(fields)) return false;
  table.header = fields;
  return true;
}

function isHeader(fields) {
  return fields.slice(0, -1).some((f) => f !== '' && !DECIMAL.test(f));
}

function readRow(table, line, fields, limit) {
  const { dim } = table;
  if (fields.length !== dim + 1)
    throw new CsvError(line, null, `expected ${columns(dim)}, as on line ${table.shapeLine}, got ${fields.length}`);
  if (table.rows === limit.rows) throw new CsvError(line, null, `the file has more than the ${group(limit.rows)} rows supported`);
  if (table.rows === table.labels.length) grow(table, limit.rows);
  for (let j = 0; j < dim; j++) table.x[table.rows * dim + j] = readNumber(fields[j], line, j + 1);
  table.labels[table.rows] = classIndex(table, fields[dim], line, dim + 1, limit.classes);
  table.rows++;
}

/** Double the row capacity (the number of rows is known only at the end). */
function grow(table, maxRows) {
  const capacity = Math.min(maxRows, Math.max(1024, 2 * table.labels.length));
  const x = new Float32Array(capacity * table.dim), labels = new Int32Array(capacity);
  x.set(table.x);
  labels.set(table.labels);
  Object.assign(table, { x, labels });
}

function readNumber(field, line, column) {
  if (field === '') throw new CsvError(line, column, 'the value is empty');
  if (field[0] === '"') throw quoted(line, column);
  if (!DECIMAL.test(field)) throw new CsvError(line, column, `${show(field)} is not a number`);
  const value = Number(field);
  // Float32Array would store Infinity; a value that rounds to float32's largest is fine.
  if (!Number.isFinite(Math.fround(value))) throw new CsvError(line, column, `a value of ${field} is too large for float32`);
  return value;
}

function classIndex(table, field, line, column, maxClasses) {
  if (field === '') throw new CsvError(line, column, 'the label is empty');
  if (field[0] === '"') throw quoted(line, column);
  let index = table.classOf.get(field);
  if (index === undefined) {
    if (table.classOf.size === maxClasses)
      throw new CsvError(line, null, `class ${show(field)} would be the ${ordinal(maxClasses + 1)}, more than the ${group(maxClasses)} classes supported`);
    index = table.classOf.size;
    table.classOf.set(field, index);
  }
  return index;
}

function finish({ dim, shapeLine, header, rows, x, labels, classOf }) {
  if (!shapeLine) throw new CsvError(null, null, 'the file is empty');
  if (rows === 0) throw new CsvError(null, null, 'the file has no data rows, only a header');
  const names = [...classOf.keys()];
  if (names.length < 2) throw new CsvError(null, null, `every row has label ${show(names[0])}: a classifier needs at least 2 classes`);
  return { x: x.slice(0, rows * dim), labels: labels.slice(0, rows), dim, classes: names.length, names, header, rows };
}

function checkSize(bytes, maxBytes) {
  if (bytes <= maxBytes) return;
  let [size, max] = [sizeText(bytes), sizeText(maxBytes)];
  if (size === max) [size, max] = [`${group(bytes)} bytes`, `${group(maxBytes)} bytes`];
  throw new CsvError(null, null, `the file is ${size}, more than the ${max} supported`);
}

function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) { bytes += 4; i++; }   // a surrogate pair
    else bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}

/** The first byte (from 1) of the first sequence that is not UTF-8: the lenient decoder
 *  puts U+FFFD there, and a U+FFFD the file really holds is the bytes EF BF BD. */
function firstBadByte(bytes) {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let at = 0;
  for (const char of text) {
    const real = bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd;
    if (char === '\uFFFD' && !real) return at + 1;
    at += utf8Length(char);
  }
  return at + 1;
}

// -- writing --

function headerText(header, dim) {
  if (!Array.isArray(header) || header.length !== dim + 1)
    throw new Error(`the header must be ${columns(dim)} (got ${Array.isArray(header) ? header.length : show(header)})`);
  header.forEach((field) => { if (String(field) !== '') checkField(String(field), 'header field'); });
  if (!isHeader(header.map(String)))
    throw new Error('the header would read back as a data row: name at least one feature column with text that is not a number');
  return header.join(',');
}

function labelName(label, names, row) {
  const name = names ? names[label] : String(label);
  if (typeof name !== 'string') throw new Error(`row ${row + 1} has label ${typeof label === 'number' ? label : show(label)}, which names does not name`);
  return checkField(name, 'label');
}

/** A field as parseCsv would read it back, or an Error saying why it would not. */
function checkField(text, what) {
  const why = text === '' ? 'it is empty' : /[\n\r]/.test(text) ? 'it holds a line break'
    : text.includes(',') ? 'it holds a comma' : text[0] === '"' ? 'it starts with a quote'
      : text !== text.trim() ? 'it has spaces around it' : '';
  if (why) throw new Error(`the ${what} ${show(text)} would not read back from a CSV file without quoting: ${why}`);
  return text;
}

/** The fewest digits, from 6 to 9, that read back to the same float32 (9 always do). */
function float32Text(value, row, feature) {
  const v = Math.fround(value);
  if (!Number.isFinite(v)) throw new Error(`row ${row + 1}, feature ${feature + 1} is ${value}, which a CSV file cannot hold as a float32`);
  if (Object.is(v, -0)) return '-0';
  for (let digits = 6; digits < 9; digits++) {
    const text = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(text)) === v) return text;
  }
  return String(Number(v.toPrecision(9)));
}

// -- words --

const columns = (dim) => `${dim + 1} columns (${dim} feature${dim === 1 ? '' : 's'} and a label)`;
const quoted = (line, column) => new CsvError(line, column, 'quoted fields are not supported');
const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const sizeText = (bytes) => (bytes < 1024 * 1024 ? `${group(bytes)} bytes` : `${+(bytes / 2 ** 20).toFixed(1)} MB`);

function ordinal(n) {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${group(n)}${suffix}`;
}

/** A field, short and with its line breaks shown, for an error sentence. */
function show(text) {
  const s = String(text).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}'`;
}
