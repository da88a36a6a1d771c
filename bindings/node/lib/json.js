'use strict';
// Session values cross the C ABI as JSON (docs/FORMAT.md, section 6): bytes
// are {"$bytes": base64url}, a C++ user object {"$object": name, "$bytes": ...}
// (here a cookieseal.Object), and in a map nested in a value a key that
// starts with '$' is written with one more '$', so that no key is ever read
// as one of those tags. The session's own maps (values, constants, flashes)
// keep their keys as they are. A Buffer or Uint8Array goes out as bytes and
// comes back as a Buffer; everything else is plain JSON.
const { invalidArgument } = require('./errors');

/** A user object sealed by C++ (cookieseal/cereal.hpp): its type name and bytes. */
class UserObject {
  constructor(typeName, data) {
    if (typeof typeName !== 'string') throw invalidArgument('cookieseal.Object: the type name must be a string');
    if (!(data instanceof Uint8Array)) throw invalidArgument('cookieseal.Object: the data must be a Buffer or Uint8Array');
    this.typeName = typeName;
    this.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    Object.freeze(this);
  }
}

const DOLLAR = 36;  // '$'

// obj[k] = v, also for the key "__proto__" (an own property, as JSON.parse makes it).
function put(obj, k, v) {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

function base64url(raw) {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
}

// A JSON.stringify replacer: the maps in @p raw (the session's own) keep
// their keys; every other map gets one more '$' on a key that starts with one.
function replacerKeeping(raw) {
  return function replacer(key, value) {
    const held = this[key];
    if (held instanceof Uint8Array) return { $bytes: base64url(held) };
    if (held instanceof UserObject) return { $object: held.typeName, $bytes: base64url(held.data) };
    if (typeof value === 'bigint') throw invalidArgument(`${key || 'a value'}: a BigInt has no JSON form`);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !raw.has(value)) {
      let escaped = null;
      for (const k of Object.keys(value)) {
        if (k.charCodeAt(0) === DOLLAR) { escaped = {}; break; }
      }
      if (escaped === null) return value;
      for (const k of Object.keys(value)) put(escaped, k.charCodeAt(0) === DOLLAR ? `$${k}` : k, value[k]);
      return escaped;
    }
    return value;
  };
}

// True when @p value holds bytes, a user object, a BigInt or a key that
// starts with '$' somewhere: only then is the (much slower) replacer needed.
// Deeper than the library's nesting bound, the replacer decides (and the
// library refuses).
// (A primitive member is judged in place, without a call.)
function special(value, depth = 0) {
  if (typeof value !== 'object') return typeof value === 'bigint';
  if (value === null) return false;
  if (depth > 40) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'object' ? special(v, depth + 1) : typeof v === 'bigint') return true;
    }
    return false;
  }
  if (value instanceof Uint8Array || value instanceof UserObject) return true;
  for (const k in value) {
    if (k.charCodeAt(0) === DOLLAR) return true;
    const v = value[k];
    if (typeof v === 'object' ? special(v, depth + 1) : typeof v === 'bigint') return true;
  }
  return false;
}

function stringify(value, raw) {
  let text;
  try {
    text = special(value) ? JSON.stringify(value, replacerKeeping(raw)) : JSON.stringify(value);
  } catch (e) {
    if (e.code) throw e;
    throw invalidArgument(e.message);  // a cycle, a throwing toJSON
  }
  if (text === undefined) throw invalidArgument(`${typeof value} has no JSON form`);
  return text;
}

const NONE = new Set();

/** JSON text for one session value (a flash message, a value in a map). */
function encode(value) {
  return stringify(value, NONE);
}

/** JSON text for the session's values (or constants): its own keys as they are. */
function encodeMap(values) {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return stringify(values, NONE);
  return stringify(values, new Set([values]));
}

/** JSON text for { values, constants, flashes, subject, lifetime } (each optional). */
function encodeSession(doc) {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return stringify(doc, NONE);
  const raw = new Set([doc]);
  for (const name of ['values', 'constants', 'flashes', 'lifetime']) {
    const m = doc[name];
    if (m !== null && typeof m === 'object' && !Array.isArray(m)) raw.add(m);
  }
  return stringify(doc, raw);
}

function isTag(k) {
  return k.charCodeAt(0) === DOLLAR && k.charCodeAt(1) !== DOLLAR;
}

// One value as JSON.parse read it from the library -> JavaScript.
function decodeValue(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const keys = Object.keys(value);
  if (keys.some(isTag)) {
    if (keys.length === 1 && typeof value.$bytes === 'string') return Buffer.from(value.$bytes, 'base64url');
    if (keys.length === 2 && typeof value.$object === 'string' && typeof value.$bytes === 'string') {
      return new UserObject(value.$object, Buffer.from(value.$bytes, 'base64url'));
    }
    throw new Error(`not a value of the library's JSON: ${JSON.stringify(keys.sort())}`);
  }
  const out = {};
  for (const k of keys) put(out, k.charCodeAt(0) === DOLLAR ? k.slice(1) : k, decodeValue(value[k]));
  return out;
}

// A map of the session's own (values, constants): keys as they are.
function decodeMap(map) {
  if (map === null || typeof map !== 'object') return map;
  for (const k of Object.keys(map)) map[k] = decodeValue(map[k]);
  return map;
}

// Only text with a '$' in it can hold a tag or an escaped key (a search for
// the one character is some 40 times faster in V8 than one for '"$').
const mayHoldTags = (text) => text.indexOf('$') >= 0;

/** A session from the library's JSON: { values, constants, flashes, lifetime, meta }. */
function decodeSession(text) {
  const doc = JSON.parse(text);
  if (!mayHoldTags(text)) return doc;
  decodeMap(doc.values);
  decodeMap(doc.constants);
  decodeFlashes(doc.flashes);
  return doc;
}

function decodeFlashes(flashes) {
  if (flashes !== null && typeof flashes === 'object') {
    for (const k of Object.keys(flashes)) flashes[k] = decodeValue(flashes[k]);
  }
}

// The session JSON's tail: its lifetime and meta, after the maps.
const TAIL = ',"lifetime":{"max_age":';
const VALUES_KEY = '{"values":';
const NO_CONSTANTS_NOR_FLASHES = ',"constants":{},"flashes":{}';

// An own data property, as an assignment to a plain object makes it.
function own(obj, k, v) {
  Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/**
 * What open() gives: values, constants, flashes and lifetime read at once;
 * meta (its id, subject and times: a third of the JSON to parse, seldom used
 * by a handler) when first asked for, as a getter of the class: a spread or
 * Object.keys() of the result leaves it out; JSON.stringify gives all five.
 */
class OpenedSession {
  #text;  // the JSON's meta, unread (then null)
  #meta = null;

  constructor(maps, lifetime, metaText, meta = null) {
    this.values = maps.values;
    this.constants = maps.constants;
    this.flashes = maps.flashes;
    this.lifetime = lifetime;
    this.#text = metaText;
    this.#meta = meta;
  }

  get meta() {
    if (this.#text !== null) {
      this.#meta = JSON.parse(this.#text);
      this.#text = null;
    }
    return this.#meta;
  }

  set meta(v) { own(this, 'meta', v); }

  toJSON() {
    return { values: this.values, constants: this.constants, flashes: this.flashes, lifetime: this.lifetime, meta: this.meta };
  }
}

// The tail after the maps: ',"lifetime":{L},"meta":{M}}', L numbers, null
// and booleans only (no '}' in it).
const LIFETIME_KEY = ',"lifetime":';
const META_KEY = '},"meta":';

const CODECS_LIFETIME = '{"max_age":null,"idle_timeout":null,"browser_session":false}';
const MAX_AGE = '{"max_age":';
const IDLE_TIMEOUT = ',"idle_timeout":';
const BROWSER_SESSION = ',"browser_session":';

// @p part is in @p text at @p at (indexOf: some 5 times faster in V8 11 than
// startsWith with a position).
const isAt = (text, part, at) => text.indexOf(part, at) === at;

// Seconds as the lifetime writes them: null, or digits.
function seconds(text) {
  if (text === 'null') return null;
  const n = Number(text);
  return text.length > 0 && text.length < 16 && Number.isSafeInteger(n) && n >= 0 && String(n) === text ? n : undefined;
}

// The lifetime object in text[from, to), as the library writes it
// ('{"max_age":N,"idle_timeout":N,"browser_session":B}'), read without
// JSON.parse (a fifth of an open's decoding); anything else by JSON.parse.
function readLifetime(text, from, to) {
  if (to - from === CODECS_LIFETIME.length && isAt(text, CODECS_LIFETIME, from)) {
    return { max_age: null, idle_timeout: null, browser_session: false };  // most sessions'
  }
  const idleAt = text.indexOf(IDLE_TIMEOUT, from);
  const browserAt = idleAt < 0 ? -1 : text.indexOf(BROWSER_SESSION, idleAt);
  if (isAt(text, MAX_AGE, from) && browserAt > 0 && browserAt < to && text.charCodeAt(to - 1) === 125 /* } */) {
    const maxAge = seconds(text.slice(from + MAX_AGE.length, idleAt));
    const idle = seconds(text.slice(idleAt + IDLE_TIMEOUT.length, browserAt));
    const browser = text.slice(browserAt + BROWSER_SESSION.length, to - 1);
    if (maxAge !== undefined && idle !== undefined && (browser === 'true' || browser === 'false')) {
      return { max_age: maxAge, idle_timeout: idle, browser_session: browser === 'true' };
    }
  }
  return JSON.parse(text.slice(from, to));
}

/**
 * open()'s session from the library's JSON, whose maps end at @p cut (where
 * its ',"lifetime":' tail starts, as the addon found it; anything else: found
 * here, as the last one, whose quotes are raw where no string holds a raw
 * quote). Text of another shape is read whole.
 */
function decodeOpened(text, cut) {
  if (!Number.isInteger(cut) || cut < 0 || !isAt(text, TAIL, cut)) cut = text.lastIndexOf(TAIL);
  const metaAt = cut < 0 ? -1 : text.indexOf(META_KEY, cut);
  if (metaAt < 0 || !isAt(text, '}}', text.length - 2)) {
    const doc = decodeSession(text);
    return new OpenedSession(doc, doc.lifetime, null, doc.meta);
  }
  const lifetime = readLifetime(text, cut + LIFETIME_KEY.length, metaAt + 1);
  const meta = text.slice(metaAt + META_KEY.length, text.length - 1);
  // Most sessions have no constants and no flashes: then only the values are
  // parsed. (The text before the tail is '{"values":V,"constants":C,"flashes":F';
  // ending in '{}' twice, F and C are empty: no member value ends with '{'.)
  const at = cut - NO_CONSTANTS_NOR_FLASHES.length;
  if (at > VALUES_KEY.length && isAt(text, NO_CONSTANTS_NOR_FLASHES, at) && isAt(text, VALUES_KEY, 0)) {
    const valuesText = text.slice(VALUES_KEY.length, at);
    const values = JSON.parse(valuesText);
    if (mayHoldTags(valuesText)) decodeMap(values);
    return new OpenedSession({ values, constants: {}, flashes: {} }, lifetime, meta);
  }
  const maps = `${text.slice(0, cut)}}`;
  const doc = JSON.parse(maps);
  if (mayHoldTags(maps)) {
    decodeMap(doc.values);
    decodeMap(doc.constants);
    decodeFlashes(doc.flashes);
  }
  return new OpenedSession(doc, lifetime, meta);
}

/** Values (a list of flash messages, say) from the library's JSON. */
function decode(text) {
  const value = JSON.parse(text);
  return mayHoldTags(text) ? decodeValue(value) : value;
}

module.exports = { UserObject, OpenedSession, encode, encodeMap, encodeSession, decode, decodeSession, decodeOpened };
