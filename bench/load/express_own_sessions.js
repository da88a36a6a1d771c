#!/usr/bin/env node
// The load benchmark's peer for Node.js: the Node shop's GET routes and its
// login on Express with iron-session (sealed cookies: AES-256-CBC +
// HMAC-SHA256, no server state), so bench/load/run.py compares cookieseal's
// Express middleware with the encrypted cookie sessions an Express user has
// without it, in the same run. (cookie-session, Express's own, only signs: its
// cookie is readable base64 JSON; @fastify/secure-session is Fastify's.)
//
//   node bench/load/express_own_sessions.js --port N
//
// Express and iron-session come from bindings/node (npm ci there), pinned by
// its package-lock.json.
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');

const node = path.join(__dirname, '..', '..', 'bindings', 'node');
const need = (m) => require(require.resolve(m, { paths: [node] }));
const express = need('express');
const { getIronSession } = need('iron-session');

const options = {
  password: crypto.randomBytes(32).toString('hex'),  // per run: the benchmark logs in afresh
  // The same cookie attributes as cookieseal's defaults (__Host-session).
  cookieName: '__Host-session',
  cookieOptions: { secure: true, httpOnly: true, sameSite: 'lax', path: '/' },
};

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(async (req, res, next) => {
  try {
    req.session = await getIronSession(req, res, options);
    next();
  } catch (e) {
    next(e);
  }
});
app.get('/', async (req, res) => {
  req.session.visits = (req.session.visits ?? 0) + 1;
  await req.session.save();
  res.type('html').send(`<!doctype html><title>express</title><p>Visits: ${req.session.visits}</p>`);
});
app.get('/api/state', (req, res) => {
  const items = (req.session.cart ?? []).filter((i) => typeof i === 'string');
  res.json({ user: req.session.user ?? '', visits: req.session.visits ?? 0, cart_items: items.length,
    cart_bytes: items.reduce((n, i) => n + Buffer.byteLength(i), 0), new: req.session.user === undefined, refused: '' });
});
app.post('/login', async (req, res) => {
  req.session.user = String(req.body?.user ?? '').slice(0, 64);
  await req.session.save();
  res.redirect(303, '/');
});

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 8084;
http.createServer(app).listen(port, '127.0.0.1', () => console.log(`express + iron-session: http://127.0.0.1:${port}/`));
