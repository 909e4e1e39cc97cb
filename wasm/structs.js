// structs.js: C structs written and read by name, through the field tables of src/api.c.
//
// Every struct that crosses the boundary (the loss and training configs, the loss
// result, the metrics, the sizes, the last step, a divergence) has a table in api.c:
// each field's name, offset and type, an enum's value names, a nested struct's
// table. This module reads those tables once; then it writes a JS object into a
// struct, or reads a struct back into an object, by name. It knows no field, no
// field order and no enum numbering of its own: those are C's.
//
// It deliberately checks only what JS can get wrong about types (a string for a
// number, an unknown key, a name that is no enum value); ranges are C's to check,
// and C's sentences say what is wrong.

/** @typedef {{ name: string, offset: number, type: string, length: number,
 *              names?: string[], table?: Table, count?: string }} Field
 *  @typedef {{ name: string, ptr: number, bytes: number, fields: Field[], byName: Map<string, Field> }} Table */

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/** Read every table the library exports: name → Table. `cString(ptr)` decodes a C string;
 *  `find(name)` is the library's iam_table_find for a JS string. */
export function readTables(ex, cString, find, names) {
  const byPtr = new Map();
  const load = (ptr) => {
    if (byPtr.has(ptr)) return byPtr.get(ptr);
    const table = { ptr, bytes: ex.iam_table_bytes(ptr), fields: [] };
    byPtr.set(ptr, table);
    const n = ex.iam_table_field_count(ptr);
    for (let k = 0; k < n; k++) table.fields.push(readField(ex, cString, load, ptr, k));
    table.byName = new Map(table.fields.map((f) => [f.name, f]));
    return table;
  };
  const tables = new Map();
  for (const name of names) {
    const ptr = find(name);
    if (!ptr) throw new Error(`iam wasm: the library has no table '${name}' (an old build? run ./build.sh build)`);
    tables.set(name, { ...load(ptr), name });
  }
  return tables;
}

function readField(ex, cString, load, ptr, k) {
  const field = {
    name: cString(ex.iam_field_name(ptr, k)), offset: ex.iam_field_offset(ptr, k),
    type: String.fromCharCode(ex.iam_field_type(ptr, k)), length: ex.iam_field_length(ptr, k),
  };
  if (field.type === 'e') {
    field.names = [];
    for (let v = 0, p; (p = ex.iam_field_enum(ptr, k, v)); v++) field.names.push(cString(p));
  }
  if (field.type === 't') field.table = load(ex.iam_field_table(ptr, k));
  const count = cString(ex.iam_field_count(ptr, k));
  if (count) field.count = count;
  return field;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// The int fields that count an array's used elements are set through the array.
const countFields = (table) => new Set(table.fields.filter((f) => f.count).map((f) => f.count));

/** A value as an error sentence shows it, whatever it is (a Symbol, an object without
 *  a prototype, a BigInt inside an array: String() or JSON.stringify() would throw). */
export function shown(value) {
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? `${v}n` : v)) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The keys an object for this table may have, in the table's order. */
export function optionNames(table) {
  const hidden = countFields(table);
  return table.fields.map((f) => f.name).filter((n) => !hidden.has(n));
}

/**
 * Write `object` into the struct at `base`: the library's defaults first, then every
 * key the object has. Enum fields are written before the defaults too, because a
 * table's defaults may depend on them (a loss's margin depends on its kind).
 * `noun` names the object in errors ('loss', 'trainer').
 */
export function writeStruct(ex, table, base, object, noun) {
  if (!isObject(object)) throw new Error(`the ${noun} config must be an object`);
  const hidden = countFields(table);
  for (const key of Object.keys(object)) {
    const field = table.byName.get(key);
    if (!field || hidden.has(key))
      throw new Error(`unknown ${noun} option '${key}' (expected one of ${optionNames(table).join(', ')})`);
  }
  const given = table.fields.filter((f) => Object.hasOwn(object, f.name));
  const view = () => new DataView(ex.memory.buffer);
  for (const f of given) if (f.type === 'e') writeField(view(), table, base, f, object[f.name], noun);
  ex.iam_table_defaults(table.ptr, base);
  for (const f of table.fields) {
    if (f.type === 't') writeStruct(ex, f.table, base + f.offset, object[f.name] ?? {}, f.name);
    else if (Object.hasOwn(object, f.name)) writeField(view(), table, base, f, object[f.name], noun);
  }
}

function writeField(view, table, base, f, value, noun) {
  const at = base + f.offset;
  if (f.length > 1 && f.type !== 's') {
    if (!Array.isArray(value) || value.length > f.length || !value.every((v) => Number.isInteger(v) && v >= 1 && v <= INT32_MAX))
      throw new Error(`${f.name} must be an array of at most ${f.length} positive integers (got ${shown(value)})`);
    value.forEach((v, k) => view.setInt32(at + 4 * k, v, true));
    view.setInt32(base + table.byName.get(f.count).offset, value.length, true);
    return;
  }
  switch (f.type) {
    case 'e': {
      const id = f.names.indexOf(value);
      if (id < 0) throw new Error(`unknown ${noun === 'loss' ? 'loss ' : ''}${f.name} '${shown(value)}' (expected one of ${f.names.join(', ')})`);
      view.setInt32(at, id, true);
      return;
    }
    case 'b':
      if (typeof value !== 'boolean') throw new Error(`${f.name} must be true or false (got ${shown(value)})`);
      view.setInt32(at, value ? 1 : 0, true);
      return;
    case 'f':
      // NaN and ±Infinity go through: C names them in its own sentence
      if (typeof value !== 'number') throw new Error(`${f.name} must be a number (got ${typeof value} ${shown(value)})`);
      view.setFloat32(at, value, true);
      return;
    case 'i': case 'u': {
      const [lo, hi] = f.type === 'u' ? [0, 2 ** 32 - 1] : [INT32_MIN, INT32_MAX];
      if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${f.name} must be a number (got ${shown(value)})`);
      if (!Number.isInteger(value)) throw new Error(`${f.name} must be an integer (got ${value})`);
      if (value < lo || value > hi) throw new Error(`${f.name} must be in [${lo}, ${hi}] (got ${value})`);
      if (f.type === 'u') view.setUint32(at, value, true);
      else view.setInt32(at, value, true);
      return;
    }
    default:
      throw new Error(`${f.name} cannot be set`);
  }
}

/** Read the struct at `base` into a plain object: enums as names, flags as booleans,
 *  a counted array as an array of its used elements, a nested struct as an object. */
export function readStruct(ex, table, base) {
  const view = new DataView(ex.memory.buffer);
  const hidden = countFields(table);
  const out = {};
  for (const f of table.fields) {
    if (hidden.has(f.name)) continue;
    const at = base + f.offset;
    if (f.type === 't') out[f.name] = readStruct(ex, f.table, at);
    else if (f.type === 's') out[f.name] = readString(view, at, f.length);
    else if (f.length > 1) {
      const used = view.getInt32(base + table.byName.get(f.count).offset, true);
      out[f.name] = Array.from({ length: Math.max(0, Math.min(used, f.length)) }, (_, k) => view.getInt32(at + 4 * k, true));
    } else out[f.name] = readScalar(view, f, at);
  }
  return out;
}

function readScalar(view, f, at) {
  switch (f.type) {
    case 'f': return shortestFloat32(view.getFloat32(at, true));
    case 'u': return view.getUint32(at, true);
    case 'b': return view.getInt32(at, true) !== 0;
    case 'e': return f.names[view.getInt32(at, true)] ?? `#${view.getInt32(at, true)}`;
    default: return view.getInt32(at, true);
  }
}

/** The shortest decimal that is the same float32: 0.3, not 0.30000001192092896. */
export function shortestFloat32(v) {
  if (!Number.isFinite(v)) return v;
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(v.toPrecision(digits));
    if (Math.fround(short) === v) return short;
  }
  return v;
}

function readString(view, at, capacity) {
  const bytes = new Uint8Array(view.buffer, at, capacity);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? capacity : end));
}
