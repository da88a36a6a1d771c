'use strict';
// One options object, in JavaScript's case of the library's names, split into
// what the codec takes and what a session manager takes. Every option left
// out stays undefined, so the library's default holds (none is restated
// here). Durations are seconds, as in the library and its other bindings.
const { invalidArgument } = require('./errors');

const CODEC = ['keyring', 'keyringText', 'store', 'storeRevocations', 'maxAge', 'idleTimeout',
  'leeway', 'reloadInterval', 'diagnostic'];
const SESSION = ['name', 'purpose', 'path', 'domain', 'secure', 'httpOnly', 'sameSite',
  'partitioned', 'browserSession'];
const SAME_SITE = { strict: 1, lax: 2, none: 3 };  // COOKIESEAL_SAME_SITE_*
const INT64_MAX = Number.MAX_SAFE_INTEGER;  // what a Number holds exactly

function refuseUnknown(options, known, what) {
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw invalidArgument(`${what}: unknown option ${JSON.stringify(k)}`);
  }
}

function text(options, name) {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidArgument(`${name} must be a string`);
  return v;
}

function seconds(options, name, max = INT64_MAX) {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
    throw invalidArgument(`${name} must be a number of seconds in 0..${max}, not ${String(v)}`);
  }
  return v;
}

function flag(options, name) {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidArgument(`${name} must be true or false`);
  return v;
}

function defaultDiagnostic(message) {
  process.emitWarning(message, 'CookiesealDiagnostic');
}

/** The NativeCodec's options for @p options (keyring, store, policy). */
function codecOptions(options) {
  const keyringText = options.keyringText;
  if (keyringText !== undefined && typeof keyringText !== 'string' && !Buffer.isBuffer(keyringText)) {
    throw invalidArgument('keyringText must be a string or a Buffer');
  }
  const diagnostic = options.diagnostic ?? defaultDiagnostic;
  if (typeof diagnostic !== 'function') throw invalidArgument('diagnostic must be a function');
  const reload = seconds(options, 'reloadInterval', 0xffffffff / 1000);
  return {
    keyringPath: text(options, 'keyring'),
    keyringText,
    store: text(options, 'store'),
    storeRevocations: flag(options, 'storeRevocations'),
    maxAge: integer(seconds(options, 'maxAge')),
    idleTimeout: integer(seconds(options, 'idleTimeout')),
    leeway: integer(seconds(options, 'leeway')),
    reloadIntervalMs: reload === undefined ? undefined : Math.round(reload * 1000),
    // Called on the event loop; a throwing user function must not end the process.
    diagnostic(message) {
      try {
        diagnostic(message);
      } catch (e) {
        process.emitWarning(`cookieseal: the diagnostic function threw: ${e && e.message}`);
      }
    },
  };
}

function integer(v) {
  return v === undefined ? undefined : Math.trunc(v);
}

/** The NativeSessionManager's options (one kind of cookie). */
function sessionOptions(options) {
  let sameSite;
  const s = options.sameSite;
  if (s === false) {
    sameSite = 0;  // no SameSite attribute, as in cookie-session
  } else if (s !== undefined && s !== null) {
    sameSite = typeof s === 'string' ? SAME_SITE[s.toLowerCase()] : undefined;
    if (sameSite === undefined) throw invalidArgument(`sameSite must be 'Strict', 'Lax', 'None' or false`);
  }
  return {
    name: text(options, 'name'),
    purpose: text(options, 'purpose'),
    path: text(options, 'path'),
    domain: text(options, 'domain'),
    secure: flag(options, 'secure'),
    httpOnly: flag(options, 'httpOnly'),
    sameSite,
    partitioned: flag(options, 'partitioned'),
    browserSession: flag(options, 'browserSession'),
  };
}

function object(options, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalidArgument(`${what}: options must be an object`);
  return options;
}

module.exports = { CODEC, SESSION, refuseUnknown, codecOptions, sessionOptions, object };
