'use strict';
// Express (and Connect) middleware: req.session is a plain object as in
// cookie-session (saved only when changed; `req.session = null` logs out),
// req.cookieseal has login/regenerate/destroy/flash, and req.flash works as
// connect-flash's. A request whose cookie cannot be judged (the store or the
// keyring file could not answer) goes to the error handlers as a 503 and its
// cookie is left alone.
const { sessionsFrom } = require('./index');
const json = require('./json');
const { cookieLines, applyHeaders, nodeResponse } = require('./http');

function express(options) {
  const sessions = sessionsFrom(options, 'cookieseal.express');
  return function cookiesealMiddleware(req, res, next) {
    if (req.cookieseal) return next();  // mounted twice: the first one holds
    sessions.load(cookieLines(req)).then((rs) => {
      if (rs.undecided) {
        rs.close();
        return next(unavailable(rs.reason));
      }
      attach(req, res, rs, sessions);
      next();
    }, next);
  };
}

// The library's Error, marked for Express's error handling (err.status is
// the library's number, so the HTTP status goes in statusCode).
function unavailable(err) {
  err.statusCode = 503;
  err.expose = false;
  return err;
}

function attach(req, res, rs, sessions) {
  let current = decorate(rs.values, rs);
  Object.defineProperty(req, 'session', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (v) => {
      if (v !== null && typeof v !== 'object') throw new TypeError('req.session must be an object or null');
      current = v === null ? null : decorate(v, rs);
    },
  });
  req.cookieseal = {
    request: rs,
    get outcome() { return rs.outcome; },
    get reason() { return rs.reason; },
    get subject() { return rs.subject; },
    login(subject) { sync(); rs.login(subject); },
    regenerate() { rs.regenerate(); },
    destroy() { rs.destroy(); current = decorate(rs.values, rs); },
    flash(key, message) { rs.flash(key, message); },
    flashes(key) { return rs.takeFlashes(key); },
    revokeSubject(subject) { return sessions.revokeSubject(subject); },
  };
  if (req.flash === undefined) {
    // connect-flash: flash(type, msg) queues, flash(type) reads once, flash() all.
    req.flash = (type, message) => {
      if (type === undefined) {
        const all = rs.flashes;
        for (const key of Object.keys(all)) rs.takeFlashes(key);
        return all;
      }
      if (message === undefined) return rs.takeFlashes(type);
      rs.flash(type, message);
      return undefined;
    };
  }
  // What the app did to req.session, given to the request before it saves.
  function sync() {
    if (current === null) {
      rs.destroy();
      current = decorate(rs.values, rs);
    } else if (current !== rs.values) {
      rs.values = current;
    }
  }
  holdResponse(res, async () => {
    sync();
    try {
      return await rs.save();
    } finally {
      rs.close();
    }
  });
}

// cookie-session's isNew, isChanged and isPopulated, kept out of the values
// (not enumerable, so never saved).
function decorate(values, rs) {
  if (Object.prototype.hasOwnProperty.call(values, 'isChanged')) return values;
  Object.defineProperties(values, {
    isNew: { get: () => rs.isNew, configurable: true },
    isChanged: { get: () => json.encodeMap(values) !== rs._savedValues, configurable: true },
    isPopulated: { get: () => Object.keys(values).length > 0, configurable: true },
  });
  return values;
}

// The session is saved (on the libuv pool when it needs the store) before
// the response's head goes out: writeHead, write and end are held until it
// is, then replayed in order
// with the originals back in place (Node's own end() calls this.writeHead).
// A save that fails answers 503 (undecided: the cookie untouched) or 500
// instead of the app's response, with no Set-Cookie of ours.
function holdResponse(res, save) {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const pending = [];
  const replay = (ok, err) => {
    Object.assign(res, original);
    if (!ok) return fail(res, original, err);
    for (const [name, args] of pending) original[name].apply(res, args);
    return undefined;
  };
  for (const name of Object.keys(original)) {
    res[name] = function held(...args) {
      pending.push([name, args]);
      if (pending.length === 1) {
        save().then((headers) => {
          if (!res.headersSent) applyHeaders(headers, nodeResponse(res));
          replay(true);
        }, (err) => replay(false, err));
      }
      return name === 'write' ? true : res;
    };
  }
}

function fail(res, original, err) {
  if (res.headersSent) return original.end.call(res);
  for (const h of res.getHeaderNames()) res.removeHeader(h);
  res.statusCode = err && err.undecided ? 503 : 500;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  original.end.call(res, res.statusCode === 503 ? 'Service Unavailable' : 'Internal Server Error');
}

module.exports = { express };
