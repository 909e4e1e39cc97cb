// csv.test.mjs: wasm/csv.js, labelled rows in and out. A file reads to exact values,
// classes numbered by first appearance, with or without a header; every mistake is
// refused in its own sentence naming the line and column; the limits hold; and
// parseCsv(toCsv(set)) gives back the same float32 bits, labels and names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSV_LIMITS, CsvError, parseCsv, decodeCsvBytes, toCsv } from '../wasm/csv.js';
import { mulberry32 } from './helpers.mjs';

/** Assert that fn throws a CsvError with exactly this message, line and column. */
function refuses(fn, message, line = null, column = null) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof CsvError, `a CsvError, not ${err}`);
    assert.equal(err.message, message);
    assert.deepEqual([err.line, err.column], [line, column], message);
    return true;
  });
}

test('a file with a header reads to exact values, labels, names and header', () => {
  const set = parseCsv('x,y,label\n0.5,-1,cat\n2,1e-3,dog\n-.5,+3.,cat\n');
  assert.deepEqual(set, {
    x: Float32Array.of(0.5, -1, 2, 1e-3, -0.5, 3), labels: Int32Array.of(0, 1, 0),
    dim: 2, classes: 2, names: ['cat', 'dog'], header: ['x', 'y', 'label'], rows: 3,
  });
});

test('classes are numbered by first appearance, even when the labels are integers', () => {
  const set = parseCsv('1,2\n1,0\n1,1\n1,2\n');
  assert.equal(set.header, null, 'a first row of numbers is data');
  assert.deepEqual(set.names, ['2', '0', '1']);
  assert.deepEqual(set.labels, Int32Array.of(0, 1, 2, 0));
  assert.deepEqual(parseCsv('1,0\n1,1\n1,2\n1,0\n').labels, Int32Array.of(0, 1, 2, 0), 'labels that first appear in order keep their numbers');
});

test('CRLF, a BOM, blank lines, spaces and no final newline are all read, and lines count every physical line', () => {
  const text = '\uFEFF\r\n  a , b ,label\r\n\r\n 1 , 2 ,  p \r\n   \r\n3,4,q';
  const set = parseCsv(text);
  assert.deepEqual(set.header, ['a', 'b', 'label']);
  assert.deepEqual(set.x, Float32Array.of(1, 2, 3, 4));
  assert.deepEqual(set.names, ['p', 'q']);
  refuses(() => parseCsv(`${text}\r\n\n5,x,q\n`), "line 8, column 2: 'x' is not a number", 8, 2);
});

test('numbers are decimal text that Number() reads, and nothing else', () => {
  const good = { '1e-3': 1e-3, '-.5': -0.5, '+2': 2, '3.': 3, '1E5': 1e5, '-0': -0, '007': 7, '3.4028235e38': 3.4028234663852886e38 };
  for (const [text, value] of Object.entries(good)) assert.equal(parseCsv(`${text},a\n0,b`).x[0], Math.fround(value), text);
  for (const bad of ['NaN', 'Infinity', '-Infinity', '0x1', '0b1', '0o7', '1_000', '1e', '.', '--1', '1.2.3', 'abc'])
    refuses(() => parseCsv(`0,0,a\n1,${bad},b`), `line 2, column 2: '${bad}' is not a number`, 2, 2);
  refuses(() => parseCsv('0,0,a\n1,,b'), 'line 2, column 2: the value is empty', 2, 2);
  refuses(() => parseCsv('0,a\n1e39,b'), 'line 2, column 1: a value of 1e39 is too large for float32', 2, 1);
  refuses(() => parseCsv('0,a\n-3.5e38,b'), 'line 2, column 1: a value of -3.5e38 is too large for float32', 2, 1);
});

test('the header is the first line only when a feature field is text that is not a number', () => {
  assert.deepEqual(parseCsv('1,x2,label\n1,2,a\n3,4,b').header, ['1', 'x2', 'label']);
  assert.equal(parseCsv('1,2,label\n1,2,a\n3,4,b').rows, 3, 'a text label alone does not make a header');
  refuses(() => parseCsv('1,,a\n1,2,b'), 'line 1, column 2: the value is empty', 1, 2);
});

test('each mistake in a file is its own sentence, naming the line and the column', () => {
  refuses(() => parseCsv(''), 'the file is empty');
  refuses(() => parseCsv('\uFEFF\n \r\n\n'), 'the file is empty');
  refuses(() => parseCsv('x,y,label\n\n'), 'the file has no data rows, only a header');
  refuses(() => parseCsv('1,a\n2, a \n'), "every row has label 'a': a classifier needs at least 2 classes");
  refuses(() => parseCsv('x,label\n1,a\n\n1,2,b'), 'line 4: expected 2 columns (1 feature and a label), as on line 1, got 3', 4);
  refuses(() => parseCsv('\n1,2,a\n1,b'), 'line 3: expected 3 columns (2 features and a label), as on line 2, got 2', 3);
  refuses(() => parseCsv('0,a\n1,b\n2,\n'), 'line 3, column 2: the label is empty', 3, 2);
  refuses(() => parseCsv('label\n1,a'), 'line 1: a row needs at least one feature before its label', 1);
  refuses(() => parseCsv('1,a\n"2",b'), 'line 2, column 1: quoted fields are not supported', 2, 1);
  refuses(() => parseCsv('"x",label\n2,b'), 'line 1, column 1: quoted fields are not supported', 1, 1);
  refuses(() => parseCsv('1,a\n2,"b"'), 'line 2, column 2: quoted fields are not supported', 2, 2);
  assert.throws(() => parseCsv(new Uint8Array(2)), { name: 'TypeError', message: "parseCsv needs the file's text as a string (got a object)" });
});

test('the limits are CSV_LIMITS, and a caller may pass smaller ones', () => {
  assert.deepEqual(CSV_LIMITS, { bytes: 64 * 1024 * 1024, rows: 1_000_000, dims: 1024, classes: 1000 });
  assert.ok(Object.isFrozen(CSV_LIMITS));
  refuses(() => parseCsv('1,a\n2,b\n3,a\n4,b', { rows: 3 }), 'line 4: the file has more than the 3 rows supported', 4);
  assert.equal(parseCsv('1,a\n2,b\n3,a', { rows: 3 }).rows, 3, 'exactly the limit is fine');
  refuses(() => parseCsv('1,a\n2,b\n\n3,c', { classes: 2 }), "line 4: class 'c' would be the 3rd, more than the 2 classes supported", 4);
  refuses(() => parseCsv('1,2,3,a\n1,2,3,b', { dims: 2 }), 'line 1: 3 features are more than the 2 supported', 1);
  refuses(() => parseCsv('é,a\n', { bytes: 4 }), 'the file is 5 bytes, more than the 4 bytes supported');
  const wide = `${Array.from({ length: 1025 }, (_, j) => `x${j}`).join(',')},label\n`;
  refuses(() => parseCsv(wide), 'line 1: 1,025 features are more than the 1,024 supported', 1);
  const many = Array.from({ length: 1001 }, (_, k) => `0,c${k}`).join('\n');
  refuses(() => parseCsv(many), "line 1001: class 'c1000' would be the 1,001st, more than the 1,000 classes supported", 1001);
  const rows = `x,label\n${'1,a\n2,b\n'.repeat(500_000)}3,a\n`;
  refuses(() => parseCsv(rows), 'line 1000002: the file has more than the 1,000,000 rows supported', 1000002);
});

test('decodeCsvBytes checks the size first, then that the bytes are UTF-8, then parses', () => {
  const bytes = (...b) => Uint8Array.from(b.flatMap((v) => (typeof v === 'string' ? [...new TextEncoder().encode(v)] : [v])));
  assert.deepEqual(decodeCsvBytes(bytes(0xef, 0xbb, 0xbf, '1,é\n2,b\n')).names, ['é', 'b'], 'a UTF-8 BOM is dropped');
  assert.deepEqual(decodeCsvBytes(bytes('1,\uFFFD\n2,b\n').buffer).names, ['\uFFFD', 'b'], 'a real U+FFFD is text');
  refuses(() => decodeCsvBytes(bytes('1,\uFFFD\n2,', 0xff, '\n')), 'the file is not UTF-8 text (byte 9)');
  refuses(() => decodeCsvBytes(bytes('1,a\n2,', 0xc3, 0x28)), 'the file is not UTF-8 text (byte 7)');
  refuses(() => decodeCsvBytes(bytes(0xff, 0xff, 0xff), { bytes: 2 }), 'the file is 3 bytes, more than the 2 bytes supported');
  refuses(() => decodeCsvBytes(new Uint8Array(70.1 * 2 ** 20)), 'the file is 70.1 MB, more than the 64 MB supported');
  refuses(() => decodeCsvBytes(new Uint8Array(2 ** 20 + 1), { bytes: 2 ** 20 }), 'the file is 1,048,577 bytes, more than the 1,048,576 bytes supported');
  assert.throws(() => decodeCsvBytes('1,a'), { name: 'TypeError' });
});

test('toCsv writes a header and the fewest digits that read back to the same float32', () => {
  const set = { x: Float32Array.of(0.1, -0, 1 / 3, 3.4028234663852886e38, 1e-45, 100), labels: Int32Array.of(1, 0, 1), dim: 2, names: ['no', 'yes'] };
  assert.equal(toCsv(set), 'x1,x2,label\n0.1,-0,yes\n0.33333334,3.4028235e+38,no\n1.4013e-45,100,yes\n');
  assert.equal(toCsv({ ...set, names: undefined, header: ['a', 'b', 'class'] }), 'a,b,class\n0.1,-0,1\n0.33333334,3.4028235e+38,0\n1.4013e-45,100,1\n');
  assert.notEqual(Math.fround(0.3333333), Math.fround(1 / 3), 'seven digits of 1/3 are too few for its float32');
  assert.notEqual(Math.fround(3.402823e38), Math.fround(3.4028234663852886e38), 'and seven of float32’s largest');
});

test('parseCsv(toCsv(set)) gives back the same x bits, labels and names', () => {
  const rand = mulberry32(7), rows = 400, dim = 5;
  const bits = Uint32Array.from({ length: rows * dim }, () => {
    const b = Math.floor(rand() * 2 ** 32);
    return (b & 0x7f800000) === 0x7f800000 ? b ^ 0x40000000 : b;   // every float32 but NaN and ±Infinity
  });
  const names = ['cat', 'dog', 'été', '3', 'a b'];
  const labels = Int32Array.from({ length: rows }, (_, i) => (i < names.length ? i : Math.floor(rand() * names.length)));
  const set = { x: new Float32Array(bits.buffer), labels, dim, names, header: ['f1', '2', 'f3', 'f4', 'f5', 'who'] };
  const back = parseCsv(toCsv(set));
  assert.deepEqual(new Uint32Array(back.x.buffer), bits);
  assert.deepEqual([back.labels, back.names, back.header, back.dim, back.rows], [labels, names, set.header, dim, rows]);
  assert.deepEqual(parseCsv(toCsv(back)), back);
});

test('toCsv refuses what would not read back', () => {
  const set = { x: Float32Array.of(1, 2), labels: Int32Array.of(0, 1), dim: 1, names: ['a', 'b'] };
  const refusesToWrite = (change, message) => assert.throws(() => toCsv({ ...set, ...change }), { name: 'Error', message });
  refusesToWrite({ names: ['a', 'b,c'] }, "the label 'b,c' would not read back from a CSV file without quoting: it holds a comma");
  refusesToWrite({ names: ['a\nb', 'b'] }, "the label 'a\\nb' would not read back from a CSV file without quoting: it holds a line break");
  refusesToWrite({ names: [' a', 'b'] }, "the label ' a' would not read back from a CSV file without quoting: it has spaces around it");
  refusesToWrite({ names: ['a', ''] }, "the label '' would not read back from a CSV file without quoting: it is empty");
  refusesToWrite({ names: ['"a"', 'b'] }, "the label '\"a\"' would not read back from a CSV file without quoting: it starts with a quote");
  refusesToWrite({ names: ['a'] }, "row 2 has label 1, which names does not name");
  refusesToWrite({ x: Float32Array.of(1, NaN) }, 'row 2, feature 1 is NaN, which a CSV file cannot hold as a float32');
  refusesToWrite({ x: [1, 1e39] }, 'row 2, feature 1 is 1e+39, which a CSV file cannot hold as a float32');
  refusesToWrite({ header: ['1', 'label'] }, 'the header would read back as a data row: name at least one feature column with text that is not a number');
  refusesToWrite({ header: ['x', 'y', 'label'] }, 'the header must be 2 columns (1 feature and a label) (got 3)');
  refusesToWrite({ header: ['x,y', 'label'] }, "the header field 'x,y' would not read back from a CSV file without quoting: it holds a comma");
  refusesToWrite({ dim: 0 }, 'dim must be a positive integer (got 0)');
  refusesToWrite({ x: Float32Array.of(1, 2, 3) }, 'x has length 3 but labels × dim = 2');
});
