// runfile.js: the saved-run container. A saved run is one binary file, a JSON header
// and named binary sections, under a checksum, so that a damaged, truncated or foreign
// file is refused with a sentence that says which:
//
//   bytes 0–7    magic: the ASCII 'IAMRUN', then 0x00 0x01 (format version 1, big-endian u16)
//   bytes 8–11   H, the header's length in bytes (u32, little-endian)
//   next H bytes the header, UTF-8 JSON: { ...the caller's keys, sections: [{ name, offset, bytes }] },
//                padded with spaces so that the data area starts at a multiple of 8
//   data area    each section's bytes, at its offset from the start of the data area, a
//                multiple of 8 (zeros in between); nothing after the last section
//   last 4 bytes CRC-32 (IEEE, zlib's crc32) of every byte before them (u32, little-endian)
//
//   const file = encodeRun({ kind: 'arcface', step: 500 }, { weights: new Float32Array(16) });
//   const { header, sections } = decodeRun(file);
//   sectionAs(sections, 'weights', Float32Array)   // → the same 16 floats
//
// What it deliberately is not: a schema for the header (the caller owns its keys), a
// compressor, or a streaming reader. Sections hold the platform's bytes, which are
// little-endian in every browser and Node this page runs on. Plain ES module: no
// dependencies, the same in Node, a page and a Web Worker.

/** 'IAMRUN' and format version 1. */
export const RUN_MAGIC = Object.freeze([0x49, 0x41, 0x4d, 0x52, 0x55, 0x4e, 0x00, 0x01]);
export const RUN_MAX_BYTES = 512 * 1024 * 1024;

const VERSION = 1;
const PREFIX = 12;     // magic and header length
const CHECKSUM = 4;    // the CRC-32 at the end
const ALIGN = 8;

/** A saved run that cannot be read, in one sentence. */
export class RunFileError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RunFileError';
  }
}

/** The bytes of a saved run: header (a plain object without `sections`) and named sections
 *  (typed arrays, DataViews: their bytes are copied exactly). */
export function encodeRun(header, sections) {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error(`the header must be an object (got ${describe(header)})`);
  if (Object.hasOwn(header, 'sections')) throw new Error("the header's key 'sections' is reserved for the file's own list of sections");
  const parts = Object.entries(sections ?? {}).map(([name, view]) => ({ name, bytes: sectionBytes(name, view) }));
  let end = 0;
  const list = parts.map((part) => {
    const offset = align(end);
    end = offset + part.bytes.byteLength;
    return { name: part.name, offset, bytes: part.bytes.byteLength };
  });
  const json = headerBytes(header, list);
  const total = json.byteLength + end + CHECKSUM;
  if (total > RUN_MAX_BYTES) throw new Error(`the run would be ${group(total)} bytes, more than the ${megabytes(RUN_MAX_BYTES)} a saved run may be`);
  const file = new Uint8Array(total), data = json.byteLength;
  file.set(json);
  parts.forEach((part, k) => file.set(part.bytes, data + list[k].offset));
  new DataView(file.buffer).setUint32(total - CHECKSUM, crc32(file.subarray(0, total - CHECKSUM)), true);
  return file;
}

/**
 * Read a saved run: { header, sections }, the header without its `sections` key, and each
 * section a Uint8Array view into the given bytes (no copy: sectionAs copies). Throws a
 * RunFileError, and nothing else, for any file that is not an intact saved run.
 */
export function decodeRun(input) {
  const bytes = asBytes(input, 'decodeRun');
  checkPrefix(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataEnd = bytes.byteLength - CHECKSUM, dataStart = PREFIX + view.getUint32(8, true);
  if (dataStart > dataEnd) throw new RunFileError(`the file is truncated: its header ends at byte ${dataStart}, past the end of the data at byte ${dataEnd}`);
  const stored = view.getUint32(dataEnd, true), computed = crc32(bytes.subarray(0, dataEnd));
  const parsed = parseHeader(bytes.subarray(PREFIX, dataStart));
  if (stored !== computed) {
    // A cut file's last 4 bytes are no checksum: say "truncated" when the header shows it.
    const cut = parsed && sectionPastEnd(parsed.sections, dataEnd - dataStart);
    if (cut) throw new RunFileError(`the file is truncated: section ${show(cut.name)} ends at byte ${dataStart + cut.offset + cut.bytes}, past the end of the data at byte ${dataEnd}`);
    throw new RunFileError(`the file is damaged: its checksum does not match (stored ${hex(stored)}, computed ${hex(computed)})`);
  }
  if (!parsed) throw new RunFileError('the header is not valid JSON');
  const { sections: list, ...header } = parsed;
  checkSections(list, dataEnd - dataStart);
  const sections = Object.fromEntries(list.map((s) => [s.name, bytes.subarray(dataStart + s.offset, dataStart + s.offset + s.bytes)]));
  return { header, sections };
}

/** A new Type (e.g. Float32Array) over a copy of section `name`'s bytes. */
export function sectionAs(sections, name, Type) {
  if (typeof Type?.BYTES_PER_ELEMENT !== 'number') throw new Error(`the type must be a typed array constructor (got ${describe(Type)})`);
  if (!sections || !Object.hasOwn(sections, name)) throw new RunFileError(`the saved run has no section ${show(name)}`);
  const bytes = sections[name], size = Type.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0)
    throw new RunFileError(`section ${show(name)} is ${bytes.byteLength} bytes, not a whole number of ${size}-byte values`);
  return new Type(bytes.slice().buffer);
}

/** CRC-32 (IEEE 802.3, as zlib's crc32) of a Uint8Array, an ArrayBuffer or any view. */
export function crc32(input) {
  const bytes = asBytes(input, 'crc32');
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// The reflected polynomial 0xEDB88320: table[n] is the CRC of the byte n, built once.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

// -- writing --

function sectionBytes(name, view) {
  if (!ArrayBuffer.isView(view)) throw new Error(`section ${show(name)} must be a typed array or a DataView (got ${describe(view)})`);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The header's UTF-8 JSON, padded with spaces so the data area starts at a multiple of 8. */
function headerBytes(header, list) {
  let json;
  try {
    json = JSON.stringify({ ...header, sections: list });
  } catch (err) {
    throw new Error(`the header cannot be written as JSON: ${err.message}`);
  }
  const text = new TextEncoder().encode(json);
  const file = new Uint8Array(align(PREFIX + text.byteLength)).fill(0x20, PREFIX);
  file.set(RUN_MAGIC);
  new DataView(file.buffer).setUint32(8, file.byteLength - PREFIX, true);
  file.set(text, PREFIX);
  return file;
}

// -- reading --

/** Size, magic, version and the smallest length, in the order a foreign file shows them. */
function checkPrefix(bytes) {
  const n = bytes.byteLength;
  if (n > RUN_MAX_BYTES) throw new RunFileError(`the file is ${group(n)} bytes, more than the ${megabytes(RUN_MAX_BYTES)} a saved run may be`);
  if (!bytes.subarray(0, 6).every((b, i) => b === RUN_MAGIC[i])) throw new RunFileError(`the file is not a saved run: ${foreign(bytes)}`);
  const tooShort = new RunFileError(`the file is ${n} bytes, too short to be a saved run`);
  if (n < 8) throw tooShort;
  const version = bytes[6] * 256 + bytes[7];
  if (version > VERSION) throw new RunFileError(`the file is a saved run of format version ${version}, newer than this page reads (${VERSION})`);
  if (version < VERSION) throw new RunFileError(`the file is a saved run of an unknown format version ${version}`);
  if (n < PREFIX + CHECKSUM) throw tooShort;
}

/** What a file that does not start with 'IAMRUN' seems to be. */
function foreign(bytes) {
  const start = bytes.subarray(0, 64);
  const is = (...sig) => sig.every((b, i) => start[i] === b);
  const guess = is(0x89, 0x50, 0x4e, 0x47) ? 'a PNG image' : is(0x50, 0x4b) ? 'a zip archive' : null;
  if (guess) return `it looks like ${guess} (a saved run starts with 'IAMRUN')`;
  let text = null;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(start, { stream: true }); } catch { /* not text */ }
  if (text === null || /[\0-\x08\x0e-\x1f\x7f]/.test(text)) return "it does not start with 'IAMRUN'";
  return `it looks like ${/^[\s\uFEFF]*[{[]/.test(text) ? 'JSON' : 'text'} (a saved run starts with 'IAMRUN')`;
}

/** The header object, or null when it is not UTF-8 JSON of an object. Never throws. */
function parseHeader(bytes) {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const isCount = (v) => Number.isSafeInteger(v) && v >= 0;
const isSection = (s) => s !== null && typeof s === 'object' && typeof s.name === 'string' && isCount(s.offset) && isCount(s.bytes);

/** Of the well-formed sections that run past the data area, the one ending last (or
 *  undefined): its end is where the file should have ended. Never throws. */
function sectionPastEnd(list, dataLength) {
  if (!Array.isArray(list)) return undefined;
  const past = list.filter((s) => isSection(s) && s.offset + s.bytes > dataLength);
  return past.reduce((a, b) => (b.offset + b.bytes > a.offset + a.bytes ? b : a), past[0]);
}

/** An intact file's list of sections: well formed, inside the data area, apart, once each. */
function checkSections(list, dataLength) {
  if (!Array.isArray(list) || !list.every(isSection))
    throw new RunFileError("the header's 'sections' is not a list of { name, offset, bytes } with whole, non-negative numbers");
  const outside = sectionPastEnd(list, dataLength);
  if (outside) throw new RunFileError(`section ${show(outside.name)} lies outside the data area (it ends at byte ${outside.offset + outside.bytes} of ${dataLength})`);
  const names = new Set();
  for (const s of list) {
    if (names.has(s.name)) throw new RunFileError(`section ${show(s.name)} appears twice in the header`);
    names.add(s.name);
  }
  const sorted = [...list].sort((a, b) => a.offset - b.offset || a.bytes - b.bytes);
  for (let k = 1; k < sorted.length; k++)
    if (sorted[k].offset < sorted[k - 1].offset + sorted[k - 1].bytes)
      throw new RunFileError(`sections ${show(sorted[k - 1].name)} and ${show(sorted[k].name)} overlap`);
}

// -- words and numbers --

function asBytes(input, who) {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`${who} needs a Uint8Array, an ArrayBuffer or a typed array (got ${describe(input)})`);
}

const align = (n) => Math.ceil(n / ALIGN) * ALIGN;
const hex = (n) => `0x${n.toString(16).padStart(8, '0')}`;
const megabytes = (n) => `${+(n / 2 ** 20).toFixed(1)} MB`;
const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const show = (name) => `'${String(name).length > 40 ? `${String(name).slice(0, 40)}…` : name}'`;
const describe = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? v.constructor?.name ?? 'an object' : `a ${typeof v}`);
