// runfile.test.mjs: wasm/runfile.js, the saved-run container. Sections of every type
// come back bit for bit and 8-byte aligned; crc32 is zlib's; each way a file can be
// wrong (foreign, newer, too short, truncated, damaged, malformed) is its own sentence;
// and 2,000 random mutations of a good file give a RunFileError and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_MAGIC, RUN_MAX_BYTES, RunFileError, encodeRun, decodeRun, crc32, sectionAs } from '../wasm/runfile.js';
import { mulberry32 } from './helpers.mjs';

const ascii = (text) => new TextEncoder().encode(text);

/** Assert that fn throws a RunFileError with exactly this message. */
function refuses(fn, message) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof RunFileError, `a RunFileError, not ${err}`);
    assert.equal(err.message, message);
    return true;
  });
}

/** A file with this header text and these section entries over `data`, its CRC correct
 *  (or `crc` when given): for files that encodeRun would never write. */
function craft(headerText, data = new Uint8Array(0), { magic = RUN_MAGIC, crc } = {}) {
  const json = ascii(headerText), file = new Uint8Array(12 + json.length + data.length + 4);
  file.set(magic);
  new DataView(file.buffer).setUint32(8, json.length, true);
  file.set(json, 12);
  file.set(data, 12 + json.length);
  new DataView(file.buffer).setUint32(file.length - 4, crc ?? crc32(file.subarray(0, file.length - 4)), true);
  return file;
}

const SECTIONS = {
  weights: Float32Array.of(1.5, -0, NaN, 3.4e38, 1e-45),
  labels: Int32Array.of(-1, 2 ** 31 - 1, 7),
  byte: Uint8Array.of(255),
  empty: new Float64Array(0),
  pi: Float64Array.of(Math.PI, -Infinity),
  window: new DataView(Uint8Array.of(9, 8, 7, 6, 5).buffer, 1, 3),
};
const HEADER = { kind: 'arcface', step: 500, note: 'été ✓', nested: { lr: 0.1, list: [1, 2] } };

test('a run round-trips: the header as given, each section bit for bit at an 8-byte-aligned offset', () => {
  const file = encodeRun(HEADER, SECTIONS);
  assert.deepEqual([...file.subarray(0, 8)], [0x49, 0x41, 0x4d, 0x52, 0x55, 0x4e, 0, 1]);
  assert.deepEqual(String.fromCharCode(...RUN_MAGIC.slice(0, 6)), 'IAMRUN');
  const { header, sections } = decodeRun(file);
  assert.deepEqual(header, HEADER);
  assert.deepEqual(Object.keys(sections), Object.keys(SECTIONS));
  for (const [name, view] of Object.entries(SECTIONS)) {
    assert.deepEqual(sections[name], new Uint8Array(view.buffer, view.byteOffset, view.byteLength), name);
    assert.equal(sections[name].byteOffset % 8, 0, `${name} starts at a multiple of 8 in the file`);
    assert.equal(sections[name].buffer, file.buffer, `${name} is a view into the file`);
  }
  assert.deepEqual(new Uint32Array(sectionAs(sections, 'weights', Float32Array).buffer), new Uint32Array(SECTIONS.weights.buffer));
  assert.deepEqual(sectionAs(sections, 'labels', Int32Array), SECTIONS.labels);
  assert.deepEqual(sectionAs(sections, 'pi', Float64Array), SECTIONS.pi);
  assert.deepEqual(sectionAs(sections, 'empty', Float64Array), new Float64Array(0));
  assert.deepEqual(decodeRun(file.buffer.slice(0)).header, HEADER, 'an ArrayBuffer reads too');
  assert.deepEqual(decodeRun(encodeRun({}, {})), { header: {}, sections: {} });
});

test('the layout is the documented one: header length, space padding, section offsets, no tail', () => {
  const file = encodeRun({ a: 1 }, { one: Uint8Array.of(1), two: Uint16Array.of(0x0302) });
  const H = new DataView(file.buffer).getUint32(8, true);
  assert.equal((12 + H) % 8, 0, 'the data area starts at a multiple of 8');
  const json = '{"a":1,"sections":[{"name":"one","offset":0,"bytes":1},{"name":"two","offset":8,"bytes":2}]}';
  assert.equal(new TextDecoder().decode(file.subarray(12, 12 + H)), json.padEnd(H, ' '));
  assert.deepEqual([...file.subarray(12 + H)].slice(0, 10), [1, 0, 0, 0, 0, 0, 0, 0, 2, 3]);
  assert.equal(file.length, 12 + H + 10 + 4);
  assert.equal(new DataView(file.buffer).getUint32(file.length - 4, true), crc32(file.subarray(0, file.length - 4)));
});

test('crc32 is zlib’s', () => {
  assert.equal(crc32(ascii('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(ascii('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  assert.equal(crc32(new Uint8Array(32)), 0x190a55ad);
  assert.equal(crc32(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), 0xffffffff);
  assert.equal(crc32(ascii('123456789').buffer), 0xcbf43926, 'an ArrayBuffer too');
  assert.throws(() => crc32('123456789'), { name: 'TypeError' });
});

test('encodeRun refuses a reserved key, a header that is no object, and a section that is no view', () => {
  assert.throws(() => encodeRun({ sections: [] }, {}), { message: "the header's key 'sections' is reserved for the file's own list of sections" });
  assert.throws(() => encodeRun([1], {}), { message: 'the header must be an object (got an array)' });
  assert.throws(() => encodeRun({}, { w: [1, 2] }), { message: "section 'w' must be a typed array or a DataView (got an array)" });
  assert.throws(() => encodeRun({ n: 1n }, {}), { message: /^the header cannot be written as JSON: / });
});

test('a foreign file says what it seems to be', () => {
  const notRun = (what) => `the file is not a saved run: ${what}`;
  refuses(() => decodeRun(ascii('{"kind": "arcface", "step": 500}')), notRun("it looks like JSON (a saved run starts with 'IAMRUN')"));
  refuses(() => decodeRun(ascii('\n  [1, 2]')), notRun("it looks like JSON (a saved run starts with 'IAMRUN')"));
  refuses(() => decodeRun(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82)), notRun("it looks like a PNG image (a saved run starts with 'IAMRUN')"));
  refuses(() => decodeRun(Uint8Array.of(0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0)), notRun("it looks like a zip archive (a saved run starts with 'IAMRUN')"));
  refuses(() => decodeRun(ascii('x,y,label\n1,2,cat\n')), notRun("it looks like text (a saved run starts with 'IAMRUN')"));
  refuses(() => decodeRun(Uint8Array.of(0, 1, 2, 3, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), notRun("it does not start with 'IAMRUN'"));
  refuses(() => decodeRun(ascii('IAM!')), notRun("it looks like text (a saved run starts with 'IAMRUN')"));
  refuses(() => decodeRun(Uint8Array.of(...ascii('IAMRU'), 0xff, 0, 1)), notRun("it does not start with 'IAMRUN'"));
});

test('another format version is named', () => {
  refuses(() => decodeRun(craft('{"sections":[]}', undefined, { magic: [...ascii('IAMRUN'), 0, 2] })),
    'the file is a saved run of format version 2, newer than this page reads (1)');
  refuses(() => decodeRun(Uint8Array.of(...ascii('IAMRUN'), 1, 0)), 'the file is a saved run of format version 256, newer than this page reads (1)');
  refuses(() => decodeRun(craft('{"sections":[]}', undefined, { magic: [...ascii('IAMRUN'), 0, 0] })),
    'the file is a saved run of an unknown format version 0');
});

test('a cut file is too short or truncated, wherever it is cut', () => {
  const file = encodeRun(HEADER, SECTIONS), H = new DataView(file.buffer).getUint32(8, true);
  // Offsets: weights 0 (20 bytes), labels 24 (12), byte 40 (1), empty 48 (0), pi 48 (16), window 64 (3).
  const windowEnd = 12 + H + 64 + 3;
  for (const n of [0, 1, 5, 7, 8, 12, 15]) refuses(() => decodeRun(file.slice(0, n)), `the file is ${n} bytes, too short to be a saved run`);
  for (const n of [16, 12 + H - 1, 12 + H, 12 + H + 3])
    refuses(() => decodeRun(file.slice(0, n)), `the file is truncated: its header ends at byte ${12 + H}, past the end of the data at byte ${n - 4}`);
  for (const n of [12 + H + 4, 12 + H + 20, file.length - 5, file.length - 1])
    refuses(() => decodeRun(file.slice(0, n)), `the file is truncated: section 'window' ends at byte ${windowEnd}, past the end of the data at byte ${n - 4}`);
  assert.equal(file.length, windowEnd + 4, 'the last section ends where the checksum starts');
});

const hex = (n) => `0x${n.toString(16).padStart(8, '0')}`;

test('a changed byte anywhere past the magic is a damaged file, with both checksums in hex', () => {
  const file = encodeRun(HEADER, SECTIONS), stored = new DataView(file.buffer).getUint32(file.length - 4, true);
  for (const at of [file.length >> 1, 12 + 4, file.length - 5]) {
    const bad = file.slice();
    bad[at] ^= 0x10;
    const computed = crc32(bad.subarray(0, bad.length - 4));
    refuses(() => decodeRun(bad), `the file is damaged: its checksum does not match (stored ${hex(stored)}, computed ${hex(computed)})`);
  }
  const bad = file.slice();
  bad[bad.length - 1] ^= 1;
  refuses(() => decodeRun(bad), `the file is damaged: its checksum does not match (stored ${hex((stored ^ 0x01000000) >>> 0)}, computed ${hex(stored)})`);
});

test('an intact file with a header that is not what encodeRun writes is refused by what is wrong', () => {
  const data = new Uint8Array(16);
  refuses(() => decodeRun(craft('{"sections": [', data)), 'the header is not valid JSON');
  refuses(() => decodeRun(craft('[1, 2]', data)), 'the header is not valid JSON');
  refuses(() => decodeRun(craft('{"a": 1}', data)), "the header's 'sections' is not a list of { name, offset, bytes } with whole, non-negative numbers");
  refuses(() => decodeRun(craft('{"sections": [{"name": "w", "offset": -8, "bytes": 4}]}', data)), "the header's 'sections' is not a list of { name, offset, bytes } with whole, non-negative numbers");
  refuses(() => decodeRun(craft('{"sections": [{"name": "w", "offset": 8, "bytes": 9}]}', data)), "section 'w' lies outside the data area (it ends at byte 17 of 16)");
  refuses(() => decodeRun(craft('{"sections": [{"name": "a", "offset": 0, "bytes": 9}, {"name": "b", "offset": 8, "bytes": 8}]}', data)), "sections 'a' and 'b' overlap");
  refuses(() => decodeRun(craft('{"sections": [{"name": "b", "offset": 8, "bytes": 8}, {"name": "a", "offset": 0, "bytes": 12}]}', data)), "sections 'a' and 'b' overlap");
  refuses(() => decodeRun(craft('{"sections": [{"name": "a", "offset": 0, "bytes": 4}, {"name": "a", "offset": 8, "bytes": 4}]}', data)), "section 'a' appears twice in the header");
  const fine = decodeRun(craft('{"x": 1, "sections": [{"name": "a", "offset": 3, "bytes": 5}, {"name": "e", "offset": 8, "bytes": 0}]}', data));
  assert.deepEqual([fine.header, fine.sections.a.length, fine.sections.e.length], [{ x: 1 }, 5, 0], 'unaligned and empty sections of a foreign writer still read');
});

test('a file over RUN_MAX_BYTES is refused before it is read', () => {
  assert.equal(RUN_MAX_BYTES, 512 * 1024 * 1024);
  refuses(() => decodeRun(new Uint8Array(RUN_MAX_BYTES + 1)), 'the file is 536,870,913 bytes, more than the 512 MB a saved run may be');
});

test('sectionAs copies a section into a new typed array, or says why it cannot', () => {
  const { sections } = decodeRun(encodeRun({}, { w: Float32Array.of(1, 2), odd: Uint8Array.of(1, 2, 3, 4, 5, 6) }));
  const w = sectionAs(sections, 'w', Float32Array);
  w[0] = 9;
  assert.deepEqual(sectionAs(sections, 'w', Float32Array), Float32Array.of(1, 2), 'a copy, not a view');
  refuses(() => sectionAs(sections, 'x', Float32Array), "the saved run has no section 'x'");
  refuses(() => sectionAs(sections, 'toString', Float32Array), "the saved run has no section 'toString'");
  refuses(() => sectionAs(sections, 'odd', Float32Array), "section 'odd' is 6 bytes, not a whole number of 4-byte values");
  refuses(() => sectionAs(sections, 'odd', Float64Array), "section 'odd' is 6 bytes, not a whole number of 8-byte values");
  assert.deepEqual(sectionAs(sections, 'odd', Uint16Array).length, 3);
});

test('2,000 random mutations of a good file give a RunFileError and nothing else', () => {
  const rand = mulberry32(2024), file = encodeRun(HEADER, SECTIONS);
  const int = (n) => Math.floor(rand() * n);
  const mutations = [
    (f) => { f[int(f.length)] ^= 1 << int(8); return f; },                        // flip a bit
    (f) => { for (let k = 0; k < 1 + int(8); k++) f[int(f.length)] = int(256); return f; },   // scribble bytes
    (f) => f.slice(0, int(f.length)),                                              // cut
    (f) => Uint8Array.from([...f.subarray(0, int(f.length)), ...Array.from({ length: 1 + int(16) }, () => int(256)), ...f.subarray(int(f.length))]),
    (f) => { new DataView(f.buffer).setUint32(8, int(2 ** 32), true); return f; },  // any header length
    (f) => { f.set(ascii('{"sections":[{"name":"x","offset":1e300,"bytes":-1}]}'.slice(0, int(50))), 12); return f; },
  ];
  const said = new Set();
  for (let k = 0; k < 2000; k++) {
    const bad = mutations[int(mutations.length)](file.slice());
    try {
      decodeRun(bad);
      said.add('nothing');
    } catch (err) {
      assert.ok(err instanceof RunFileError, `mutation ${k}: ${err?.stack ?? err}`);
      said.add(err.message.split(':')[0]);
    }
  }
  assert.ok(said.has('the file is damaged') && said.has('the file is truncated'), `the mutations reached both: ${[...said]}`);
});
