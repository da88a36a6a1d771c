'use strict';
// Next.js (Node.js runtime): getSession(cookies(), options) in the shape of
// iron-session's getIronSession: the session's values are the object's own
// properties; save() and destroy() write the cookie through the cookie store.
// A request whose cookie cannot be judged throws an Error with `undecided`
// set: answer 503 and change no cookie.
const crypto = require('node:crypto');
const { sessionsFrom } = require('./index');

// One SessionManager (and Codec: keyring watcher, store pool) per distinct
// options, made once: Next.js calls getSession on every request.
const managers = new Map();
const functionIds = new WeakMap();  // a function or object option: by identity
let nextId = 0;

function managerFor(options) {
  const canonical = JSON.stringify(Object.keys(options).sort().map((k) => {
    const v = options[k];
    if (typeof v === 'function' || (v && typeof v === 'object' && !Buffer.isBuffer(v))) {
      if (!functionIds.has(v)) functionIds.set(v, `#${++nextId}`);
      return [k, functionIds.get(v)];
    }
    return [k, Buffer.isBuffer(v) ? v.toString('base64') : v];
  }));
  const key = crypto.createHash('sha256').update(canonical).digest('hex');  // no key text kept
  let m = managers.get(key);
  if (!m) {
    m = sessionsFrom(options, 'cookieseal.getSession');
    managers.set(key, m);
  }
  return m;
}

// The Set-Cookie line the library made, as the options of cookieStore.set.
function parseSetCookie(line) {
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).toLowerCase();
    const v = i < 0 ? '' : a.slice(i + 1);
    if (k === 'max-age') cookie.maxAge = Number(v);
    else if (k === 'expires') cookie.expires = new Date(v);
    else if (k === 'path') cookie.path = v;
    else if (k === 'domain') cookie.domain = v;
    else if (k === 'httponly') cookie.httpOnly = true;
    else if (k === 'secure') cookie.secure = true;
    else if (k === 'samesite') cookie.sameSite = v.toLowerCase();
    else if (k === 'partitioned') cookie.partitioned = true;
  }
  return cookie;
}

/**
 * The session of this request: its values as own properties, and the
 * non-enumerable save(), destroy(), login(subject), flash(key, message),
 * flashes(key) and `cookieseal` (the RequestSession).
 * @param cookieStore what next/headers' cookies() gives (get/getAll/set)
 */
async function getSession(cookieStore, options) {
  const manager = managerFor(options ?? {});
  const all = typeof cookieStore.getAll === 'function' ? cookieStore.getAll() : [];
  const header = all.map((c) => `${c.name}=${c.value}`).join('; ');
  const rs = await manager.load(header);
  if (rs.undecided) {
    rs.close();
    throw rs.reason;
  }
  const session = {};
  const refresh = () => {
    for (const k of Object.keys(session)) delete session[k];
    Object.assign(session, rs.values);
  };
  refresh();
  Object.defineProperties(session, {
    cookieseal: { value: rs },
    save: {
      async value() {
        rs.values = { ...session };
        for (const [name, value] of await rs.save()) {
          if (name.toLowerCase() === 'set-cookie') cookieStore.set(parseSetCookie(value));
        }
      },
    },
    destroy: {
      value() {
        rs.destroy();
        refresh();
        // iron-session's destroy() clears the cookie at once; so does this (save in the background is not possible here).
        return session.save();
      },
    },
    login: { value(subject) { rs.values = { ...session }; rs.login(subject); } },
    flash: { value(key, message) { rs.flash(key, message); } },
    flashes: { value(key) { return rs.takeFlashes(key); } },
  });
  return session;
}

module.exports = { getSession, parseSetCookie };
