'use strict';
// Session values cross the C ABI as JSON (docs/FORMAT.md, "JSON"): bytes are
// {"$bytes": base64url}. A Buffer or Uint8Array goes out that way and comes
// back as a Buffer; everything else is plain JSON.
const { invalidArgument } = require('./errors');

function replacer(key, value) {
  const raw = this[key];
  if (raw instanceof Uint8Array) {
    return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url') };
  }
  if (typeof value === 'bigint') throw invalidArgument(`${key || 'a value'}: a BigInt has no JSON form`);
  return value;
}

function reviver(_key, value) {
  if (value !== null && typeof value === 'object' && typeof value.$bytes === 'string' &&
      value.$object === undefined && Object.keys(value).length === 1) {
    return Buffer.from(value.$bytes, 'base64url');
  }
  return value;
}

// True when @p value holds bytes or a BigInt somewhere: only then is the
// (much slower) replacer needed. Deeper than the library's nesting bound,
// the replacer decides (and the library refuses).
function special(value, depth = 0) {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint';
  if (value instanceof Uint8Array || depth > 40) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (special(v, depth + 1)) return true;
    return false;
  }
  for (const k in value) if (special(value[k], depth + 1)) return true;
  return false;
}

/** JSON text for a session value (Buffers as $bytes). */
function encode(value) {
  let text;
  try {
    text = special(value) ? JSON.stringify(value, replacer) : JSON.stringify(value);
  } catch (e) {
    if (e.code) throw e;
    throw invalidArgument(e.message);  // a cycle, a throwing toJSON
  }
  if (text === undefined) throw invalidArgument(`${typeof value} has no JSON form`);
  return text;
}

/** A value from the library's JSON text ($bytes as Buffers). */
function decode(text) {
  return text.includes('"$bytes"') ? JSON.parse(text, reviver) : JSON.parse(text);
}

module.exports = { encode, decode };
