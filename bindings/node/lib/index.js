'use strict';
// cookieseal for Node.js: sealed (encrypted, authenticated) session cookies
// that C++, Python, Go and Node.js servers open alike from one keyring file.
//
//   const codec = new cookieseal.Codec({ keyring: '/etc/cookieseal/keyring', store: 'redis://127.0.0.1:6379' });
//   const sessions = codec.sessionManager({ name: '__Host-session' });  // one kind of cookie
//   const r = await sessions.load(req.headers.cookie ?? '');            // the libuv pool only if the store is needed
//   if (r.undecided) return respond503();                               // keep the cookie
//   r.values.visits = (r.values.visits ?? 0) + 1;
//   for (const [name, value] of await r.save()) res.appendHeader(name, value);
//
// The format, the request logic and the crypto are the C++ library's (the C
// ABI, libcookieseal-c); this is a thin layer giving them JavaScript's shape.
const native = require('./native');
const json = require('./json');
const { invalidArgument } = require('./errors');
const { CODEC, SESSION, refuseUnknown, codecOptions, sessionOptions, object } = require('./options');

const OUTCOMES = ['opened', 'refused', 'undecided'];

/**
 * What a server shares: the keyring (and its watcher), the store (and its
 * connections), the policy's bounds. One per process.
 */
class Codec {
  constructor(options) {
    options = object(options, 'Codec');
    refuseUnknown(options, CODEC, 'Codec');
    if (options.keyring === undefined && options.keyringText === undefined) {
      throw invalidArgument('Codec: a keyring (a file) or keyringText is needed');
    }
    this._native = new native.NativeCodec(codecOptions(options));
  }

  /** A SessionManager (one kind of cookie) on this codec. */
  sessionManager(options) {
    return new SessionManager(this, options);
  }

  /** "Log out everywhere": every session of @p subject created up to now is refused. */
  async revokeSubject(subject) {
    return this._native.revokeSubject(subjectText(subject));
  }

  /** Stops the keyring watcher; the managers and sessions on it then answer 'closed'. */
  close() {
    this._native.close();
  }
}

/** One kind of session cookie on a Codec: name, purpose, attributes. */
class SessionManager {
  constructor(codec, options) {
    if (!(codec instanceof Codec)) throw invalidArgument('SessionManager: a Codec is needed');
    options = object(options, 'SessionManager');
    refuseUnknown(options, SESSION, 'SessionManager');
    this.codec = codec;  // kept reachable: the codec must outlive its managers in use
    this._native = new native.NativeSessionManager(codec._native, sessionOptions(options));
  }

  /**
   * The session of one request from its Cookie header (a string; several
   * Cookie lines as an array, or joined by '\n'). Settled at once when it
   * needs neither the store nor the keyring file, else run on the libuv pool.
   */
  async load(cookieHeader) {
    const header = cookieHeaderText(cookieHeader);
    return new RequestSession(this, await this._native.load(header));
  }

  /** A cookie value for { values, constants, flashes, subject } (each optional). */
  async seal(session) {
    return this._native.seal(json.encodeSession(session ?? {}));
  }

  /**
   * The session in a cookie value: an OpenedSession (values, constants,
   * flashes; lifetime and meta read when first asked for).
   */
  async open(cookie) {
    return json.decodeOpened(await this._native.open(String(cookie)), -1);
  }

  /** seal() on the calling thread: for a codec without a store (no I/O). */
  sealSync(session) {
    return this._native.sealSync(json.encodeSession(session ?? {}));
  }

  /** open() on the calling thread: for a codec without a store (no I/O). */
  openSync(cookie) {
    const text = this._native.openSync(String(cookie));
    return json.decodeOpened(text, native.openCut[0]);
  }

  async revokeSubject(subject) {
    return this.codec.revokeSubject(subject);
  }

  close() {
    this._native.close();
  }
}

/**
 * One request's session of one kind. `values` is a plain object of its
 * values: change it, then save() for the response headers.
 */
class RequestSession {
  constructor(manager, nativeRequest) {
    this.manager = manager;  // keeps the manager (and codec) reachable
    this._native = nativeRequest;
    const [outcome, reason] = nativeRequest.outcome();
    /** 'opened', 'refused' or 'undecided'. */
    this.outcome = OUTCOMES[outcome];
    /** Why the cookie was refused or undecided: an Error, or null. */
    this.reason = reason;
    /** True when no cookie opened (a fresh session). */
    this.isNew = nativeRequest.isNew();
    this._load();
  }

  _load() {
    const s = json.decodeSession(this._native.sessionJson());
    this.meta = s.meta;
    this.constants = s.constants;
    this.values = s.values;
    this._savedValues = json.encodeMap(s.values);
    this._flashes = s.flashes;
  }

  get opened() { return this.outcome === 'opened'; }
  get refused() { return this.outcome === 'refused'; }
  /** The server could not judge the cookie: answer 503; save() sends nothing. */
  get undecided() { return this.outcome === 'undecided'; }
  get subject() { return this.meta.subject; }
  /** True when the values differ from what was loaded or last saved. */
  get changed() { return json.encodeMap(this.values) !== this._savedValues; }

  get(key) { return this.values[key]; }
  set(key, value) { this.values[key] = value; }
  delete(key) { delete this.values[key]; }

  /** Every queued flash, { key: [messages] }, without consuming them. */
  get flashes() {
    if (this._flashes === null) this._flashes = json.decodeSession(this._native.sessionJson()).flashes;
    return this._flashes;
  }

  /** Queues @p message (any JSON value) under @p key, to be read once. */
  flash(key, message) {
    this._native.flash(String(key), json.encode(message));
    this._flashes = null;
  }

  /** The messages under @p key, removed from the session. */
  takeFlashes(key) {
    this._flashes = null;
    return json.decode(this._native.takeFlashes(String(key)));
  }

  /** Fixes the subject (for "log out everywhere"), draws a new id, restarts created_at. */
  login(subject) {
    this._native.login(subjectText(subject));
    this.meta.subject = subject;
  }

  /** A new session id (the values stay). */
  regenerate() {
    this._native.regenerateId();
  }

  /** Ends the session (server-side too); a fresh, empty one goes on. */
  destroy() {
    this._native.destroy();
    this._load();
  }

  /**
   * The response headers, [[name, value], ...]: Set-Cookie when needed,
   * Cache-Control: no-store with it, Vary: Cookie. Rejects with an Error whose
   * `undecided` is true when the request is undecided: answer 503.
   */
  async save() {
    const values = json.encodeMap(this.values ?? {});
    if (values !== this._savedValues) {
      this._native.update(`{"values":${values}}`);
      this._savedValues = values;
    }
    return JSON.parse(await this._native.save());
  }

  /** Frees the native request now (else the garbage collector does). */
  close() {
    this._native.close();
  }
}

function subjectText(subject) {
  if (typeof subject !== 'string' || subject === '') throw invalidArgument('a subject must be a non-empty string');
  return subject;
}

// Several Cookie lines (HTTP/2 sends one per cookie) are joined by '\n',
// never by ', ', which would merge two cookies into one.
function cookieHeaderText(header) {
  if (header === undefined || header === null) return '';
  if (Array.isArray(header)) return header.join('\n');
  if (typeof header !== 'string') throw invalidArgument('a Cookie header must be a string or an array of lines');
  return header;
}

/** A Codec and a SessionManager from one options object (or { codec, ...session options }). */
function sessionsFrom(options, what) {
  options = object(options, what);
  const codecPart = {};
  const sessionPart = {};
  for (const [k, v] of Object.entries(options)) {
    if (k === 'codec') continue;
    if (CODEC.includes(k)) codecPart[k] = v;
    else if (SESSION.includes(k)) sessionPart[k] = v;
    else throw invalidArgument(`${what}: unknown option ${JSON.stringify(k)}`);
  }
  let codec = options.codec;
  if (codec !== undefined) {
    if (!(codec instanceof Codec)) throw invalidArgument(`${what}: codec must be a cookieseal.Codec`);
    if (Object.keys(codecPart).length) throw invalidArgument(`${what}: give a codec or its options, not both`);
  } else {
    codec = new Codec(codecPart);
  }
  return codec.sessionManager(sessionPart);
}

module.exports = {
  Codec,
  SessionManager,
  RequestSession,
  sessionsFrom,
  cookieHeaderText,
  Object: json.UserObject,
  version: native.version,
  abiVersion: native.abiVersion,
};

// The framework adapters (they require this module: loaded after its exports).
module.exports.express = require('./express').express;
module.exports.fastify = require('./fastify').fastify;
module.exports.getSession = require('./next').getSession;
