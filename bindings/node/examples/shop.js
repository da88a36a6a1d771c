'use strict';
// The example shop's twin on Express and on Fastify, over cookieseal's
// middleware: the routes and the JSON of the C++ cookieseal-shop, the Flask
// app and the Go server, on the same keyring file and store, so a user logged
// in on one is logged in on all, with the same cart, visits and flash messages.
//
//   node examples/shop.js --keyring STATE/keyring [--store DIR|URL] [--port 8083]
//                         [--framework express|fastify] [--no-revocation]
//
// (bench/load/run.py measures it this way, beside bench/load/express_own_sessions.js.)
const http = require('node:http');
const cookieseal = require('..');

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(name, s, notes) {
  const who = s.subject ? `<p id="user">Logged in as <b>${escape(s.subject)}</b></p>` : '<p id="user">Not logged in.</p>';
  return `<!doctype html><title>cookieseal ${name}</title><h1>cookieseal on ${name}</h1>` +
    notes.map((m) => `<p class="flash" id="flash">${escape(m)}</p>`).join('') + who +
    `<p>Visits: <span id="visits">${s.visits}</span></p><p>Cart: <span id="cart-items">${s.cart.length}</span> items</p>`;
}

function state(values, subject, rs) {
  const items = (Array.isArray(values.cart) ? values.cart : []).filter((i) => typeof i === 'string');
  return {
    user: subject, visits: values.visits ?? 0, cart_items: items.length,
    cart_bytes: items.reduce((n, i) => n + Buffer.byteLength(i), 0), new: rs.isNew,
    refused: rs.refused ? rs.reason.code : '',
  };
}

// What a route does to the session, the same on both frameworks: @p s has
// values (an object), subject, login, flash, flashes, destroy, revoke.
const routes = {
  login(s, form) {
    const user = form.user ?? '';
    if (!user || user.length > 64) return s.flash('notice', 'Please enter a name (up to 64 characters).');
    try {
      s.login(user);
      s.flash('notice', `Welcome, ${user}!`);
    } catch (e) {
      if (e.code !== 'invalid_argument') throw e;
      s.flash('notice', 'Log out first to switch users.');
    }
  },
  add(s, form) {
    const item = (form.item || 'item').slice(0, 2000);
    const cart = Array.isArray(s.values.cart) ? s.values.cart : [];
    if (cart.length < 1000) cart.push(item);
    s.values.cart = cart;
  },
  flash(s, form) { s.flash('notice', form.message ?? ''); },
  logout(s) {
    s.destroy();
    s.flash('notice', 'You are logged out.');
  },
  // Every session of this user created up to now, on every browser and server.
  async logoutEverywhere(s) {
    if (s.subject) await s.revoke(s.subject);
    s.destroy();
    s.flash('notice', 'You are logged out everywhere.');
  },
};

/** The shop on Express: an app (express.urlencoded for the forms). */
function expressShop(options) {
  const express = require('express');
  const app = express();
  app.use(cookieseal.express(options));
  app.use(express.urlencoded({ extended: false }));
  const view = (req) => ({
    get values() { return req.session; },
    get subject() { return req.cookieseal.subject; },
    login: (u) => req.cookieseal.login(u),
    flash: (k, m) => req.cookieseal.flash(k, m),
    destroy: () => req.cookieseal.destroy(),
    revoke: (u) => req.cookieseal.revokeSubject(u),
  });
  app.get('/', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1;
    const notes = req.cookieseal.flashes('notice');
    res.type('html').send(page('Express', { subject: req.cookieseal.subject, visits: req.session.visits, cart: req.session.cart ?? [] }, notes));
  });
  app.get('/api/state', (req, res) => res.json(state(req.session, req.cookieseal.subject, req.cookieseal.request)));
  const post = (path, f) => app.post(path, async (req, res, next) => {
    try {
      await f(view(req), req.body ?? {});
      res.redirect(303, '/');
    } catch (e) {
      next(e);
    }
  });
  post('/login', routes.login);
  post('/cart/add', routes.add);
  post('/flash', routes.flash);
  post('/logout', routes.logout);
  post('/logout-everywhere', routes.logoutEverywhere);
  // The library's Error of an undecided request carries statusCode 503.
  app.use((err, req, res, _next) => res.status(err.statusCode ?? 500).type('text').send(err.undecided ? 'Service Unavailable' : 'Internal Server Error'));
  return app;
}

/** The shop on Fastify: an instance, not yet listening. */
async function fastifyShop(options) {
  const app = require('fastify')();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' },
    (req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body))));
  await app.register(cookieseal.fastify, options);
  const view = (req) => ({
    get values() { return req.session.request.values; },
    get subject() { return req.session.subject; },
    login: (u) => req.session.login(u),
    flash: (k, m) => req.session.flash(k, m),
    destroy: () => req.session.request.destroy(),
    revoke: (u) => app.cookieseal.revokeSubject(u),
  });
  app.get('/', async (req, reply) => {
    req.session.set('visits', (req.session.get('visits') ?? 0) + 1);
    const notes = req.session.flashes('notice');
    reply.type('text/html; charset=utf-8');
    return page('Fastify', { subject: req.session.subject, visits: req.session.get('visits'), cart: req.session.get('cart') ?? [] }, notes);
  });
  app.get('/api/state', async (req) => state(req.session.request.values, req.session.subject, req.session.request));
  const post = (path, f) => app.post(path, async (req, reply) => {
    await f(view(req), req.body ?? {});
    return reply.redirect('/', 303);
  });
  post('/login', routes.login);
  post('/cart/add', routes.add);
  post('/flash', routes.flash);
  post('/logout', routes.logout);
  post('/logout-everywhere', routes.logoutEverywhere);
  return app;
}

async function main(argv) {
  const args = { framework: 'express', port: '8083' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-revocation') args.noRevocation = true;
    else if (['--keyring', '--store', '--port', '--framework'].includes(a) && i + 1 < argv.length) args[a.slice(2)] = argv[++i];
    else args.bad = true;
  }
  if (args.bad || !args.keyring || !['express', 'fastify'].includes(args.framework)) {
    console.error('usage: shop.js --keyring FILE [--store DIR|URL] [--port N] [--framework express|fastify] [--no-revocation]');
    process.exit(2);
  }
  const options = { keyring: args.keyring, ...(args.store ? { store: args.store } : {}), ...(args.noRevocation ? { storeRevocations: false } : {}) };
  const port = Number(args.port);
  if (args.framework === 'express') {
    await new Promise((resolve) => http.createServer(expressShop(options)).listen(port, '127.0.0.1', resolve));
  } else {
    await (await fastifyShop(options)).listen({ port, host: '127.0.0.1' });
  }
  console.log(`cookieseal ${args.framework}: http://127.0.0.1:${port}/`);
}

if (require.main === module) main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });

module.exports = { expressShop, fastifyShop };
