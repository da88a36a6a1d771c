'use strict';
// A Fastify plugin: request.session with get/set/delete/regenerate/data as
// @fastify/secure-session has them, plus login and flashes. A request whose
// cookie cannot be judged is answered 503 (Fastify's error handling) and its
// cookie is left alone. The session is saved in onSend (on the libuv pool
// when it needs the store).
const { sessionsFrom } = require('./index');
const json = require('./json');
const { cookieLines, applyHeaders } = require('./http');

class FastifySession {
  constructor(rs) {
    this._rs = rs;
    this._deleted = false;
    this._saved = false;
  }

  get(key) { return this._rs.values[key]; }
  set(key, value) {
    if (value === undefined) delete this._rs.values[key];
    else this._rs.values[key] = value;
  }
  /** Every value (a copy). */
  data() { return { ...this._rs.values }; }
  /** Ends the session: the cookie is cleared and the session ended server-side. */
  delete() {
    this._rs.destroy();
    this._deleted = true;
  }
  /** A new session id and no values, but those named in @p ignoreFields. */
  regenerate(ignoreFields = []) {
    const keep = {};
    for (const k of ignoreFields) if (k in this._rs.values) keep[k] = this._rs.values[k];
    this._rs.values = keep;
    this._rs.regenerate();
  }
  /** Fixes the subject (for "log out everywhere"), draws a new id. */
  login(subject) { this._rs.login(subject); }
  flash(key, message) { this._rs.flash(key, message); }
  /** The messages under @p key, removed from the session. */
  flashes(key) { return this._rs.takeFlashes(key); }

  get changed() { return json.encodeMap(this._rs.values) !== this._rs._savedValues; }
  get deleted() { return this._deleted; }
  get isNew() { return this._rs.isNew; }
  get subject() { return this._rs.subject; }
  get outcome() { return this._rs.outcome; }
  /** The RequestSession underneath. */
  get request() { return this._rs; }
}

async function fastifyPlugin(fastify, options) {
  const sessions = sessionsFrom(options, 'cookieseal.fastify');
  const ownCodec = options.codec === undefined;
  fastify.decorateRequest('session', null);
  fastify.decorate('cookieseal', sessions);

  fastify.addHook('onRequest', async (request) => {
    const rs = await sessions.load(cookieLines(request.raw));
    if (rs.undecided) {
      rs.close();
      const err = rs.reason;
      err.statusCode = 503;  // err.status is the library's number
      throw err;
    }
    request.session = new FastifySession(rs);
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const s = request.session;
    if (!s || s._saved) return payload;
    s._saved = true;  // an error reply passes here again: saved once
    let headers;
    try {
      headers = await s._rs.save();
    } catch (err) {
      if (err.undecided) err.statusCode = 503;
      throw err;
    } finally {
      s._rs.close();
    }
    applyHeaders(headers, {
      get: (name) => reply.getHeader(name),
      set: (name, value) => reply.header(name, value),
      addCookies: (values) => reply.header('set-cookie', values),  // Fastify appends these
    });
    return payload;
  });

  fastify.addHook('onResponse', async (request) => {
    if (request.session) request.session._rs.close();
  });

  if (ownCodec) fastify.addHook('onClose', async () => sessions.codec.close());
}

// What fastify-plugin does: the decorators reach the parent scope.
fastifyPlugin[Symbol.for('skip-override')] = true;
fastifyPlugin[Symbol.for('fastify.display-name')] = 'cookieseal';
fastifyPlugin[Symbol.for('plugin-meta')] = { name: 'cookieseal', fastify: '>=4' };

module.exports = { fastify: fastifyPlugin, FastifySession };
