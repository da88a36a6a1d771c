'use strict';
// The Express middleware on a real Express server on loopback, held to
// cookie-session's documented behaviour where it applies.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const cookieseal = require('..');
const { keyringText, listen, request, cookiePair, lines } = require('./helpers');

async function server(t, options = {}, routes = () => {}) {
  const app = express();
  app.use(cookieseal.express({ keyringText: keyringText(), name: 's', secure: false, ...options }));
  routes(app);
  app.get('/visit', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1;
    res.json({ visits: req.session.visits, isNew: req.session.isNew });
  });
  app.get('/read', (req, res) => res.json({ session: req.session, populated: req.session?.isPopulated ?? false }));
  app.get('/logout', (req, res) => { req.session = null; res.send('bye'); });
  app.get('/login', (req, res) => {
    req.cookieseal.login(String(req.query.user));
    req.session.user = req.query.user;
    req.flash('notice', `Welcome, ${req.query.user}`);
    res.redirect('/');
  });
  app.get('/flash', (req, res) => res.json(req.flash('notice')));
  app.get('/cached', (req, res) => {
    res.set('Cache-Control', 'public, max-age=600');
    req.session.touched = true;
    res.send('x');
  });
  app.get('/stream', (req, res) => {
    req.session.streamed = true;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('a');
    setTimeout(() => { res.write('b'); res.end('c'); }, 5);
  });
  const s = http.createServer(app);
  const base = await listen(s);
  t.after(() => new Promise((r) => s.close(r)));
  return base;
}

test('req.session counts visits across requests; the cookie is set only when it changed', async (t) => {
  const base = await server(t);
  const first = await request(base, '/visit');
  assert.equal(first.status, 200);
  assert.deepEqual(JSON.parse(first.body), { visits: 1, isNew: true });
  assert.equal(first.setCookie.length, 1);
  assert.match(first.setCookie[0], /^s=/);
  const cookie = cookiePair(first.setCookie[0]);
  const second = await request(base, '/visit', { cookie });
  assert.deepEqual(JSON.parse(second.body), { visits: 2, isNew: false });
  const read = await request(base, '/read', { cookie: cookiePair(second.setCookie[0]) });
  assert.deepEqual(JSON.parse(read.body), { session: { visits: 2 }, populated: true });
  assert.equal(read.setCookie.length, 0, 'unchanged: no Set-Cookie');
  const fresh = await request(base, '/read');
  assert.deepEqual(JSON.parse(fresh.body), { session: {}, populated: false });
  assert.equal(fresh.setCookie.length, 0, 'an untouched new session sets no cookie');
});

test('req.session = null logs out: the cookie is cleared and the old one no longer opens', async (t) => {
  const base = await server(t);
  const cookie = cookiePair((await request(base, '/visit')).setCookie[0]);
  const out = await request(base, '/logout', { cookie });
  assert.equal(out.body, 'bye');
  assert.equal(out.setCookie.length, 1);
  assert.match(out.setCookie[0], /^s=; Max-Age=0/);
  const after = await request(base, '/read', { cookie: cookiePair(out.setCookie[0]) });
  assert.deepEqual(JSON.parse(after.body).session, {});
});

test('login and flashes: the message is read once, the subject kept', async (t) => {
  const base = await server(t, {}, (app) => {
    app.get('/', (req, res) => res.json({ subject: req.cookieseal.subject, user: req.session.user }));
  });
  const login = await request(base, '/login?user=alice');
  assert.equal(login.status, 302);
  let cookie = cookiePair(login.setCookie[0]);
  const home = await request(base, '/', { cookie });
  assert.deepEqual(JSON.parse(home.body), { subject: 'alice', user: 'alice' });
  const flash = await request(base, '/flash', { cookie });
  assert.deepEqual(JSON.parse(flash.body), ['Welcome, alice']);
  cookie = cookiePair(flash.setCookie[0]);
  assert.deepEqual(JSON.parse((await request(base, '/flash', { cookie })).body), []);
});

test("the library's Cache-Control: no-store replaces the app's (one line); Vary: Cookie is added", async (t) => {
  const base = await server(t);
  const res = await request(base, '/cached');
  assert.deepEqual(lines(res, 'Cache-Control'), ['no-store']);
  assert.match(lines(res, 'Vary').join(','), /Cookie/);
  assert.equal(res.setCookie.length, 1);
});

test('a response written in pieces (writeHead, write, end) still carries the cookie', async (t) => {
  const base = await server(t);
  const res = await request(base, '/stream');
  assert.equal(res.body, 'abc');
  assert.equal(res.setCookie.length, 1);
  const read = await request(base, '/read', { cookie: cookiePair(res.setCookie[0]) });
  assert.equal(JSON.parse(read.body).session.streamed, true);
});

test('several Cookie header lines are all passed to the library', async (t) => {
  const base = await server(t);
  const cookie = cookiePair((await request(base, '/visit')).setCookie[0]);
  const res = await request(base, '/read', { cookie: ['a=1', cookie, 'b=2'] });
  assert.deepEqual(JSON.parse(res.body).session, { visits: 1 });
});

test('a refused cookie (tampered) gives a fresh session and a clearing cookie', async (t) => {
  const base = await server(t);
  const cookie = cookiePair((await request(base, '/visit')).setCookie[0]);
  const res = await request(base, '/read', { cookie: `${cookie.slice(0, -3)}AAA` });
  assert.deepEqual(JSON.parse(res.body).session, {});
  assert.match(res.setCookie[0], /^s=; Max-Age=0/);
});

test('req.session replaced by a new object saves that object', async (t) => {
  const base = await server(t, {}, (app) => {
    app.get('/replace', (req, res) => { req.session = { fresh: 1 }; res.end(); });
  });
  const cookie = cookiePair((await request(base, '/visit')).setCookie[0]);
  const replaced = await request(base, '/replace', { cookie });
  const read = await request(base, '/read', { cookie: cookiePair(replaced.setCookie[0]) });
  assert.deepEqual(JSON.parse(read.body).session, { fresh: 1 });
});

test('a session too large without a store answers 500 and sets no cookie', async (t) => {
  const base = await server(t, {}, (app) => {
    app.get('/big', (req, res) => { req.session.big = 'x'.repeat(8000); res.send('ok'); });
  });
  const res = await request(base, '/big');
  assert.equal(res.status, 500);
  assert.equal(res.setCookie.length, 0);
});

test('one codec shared by two cookie kinds', async (t) => {
  const codec = new cookieseal.Codec({ keyringText: keyringText() });
  const app = express();
  app.use(cookieseal.express({ codec, name: 'a', secure: false }));
  app.get('/', (req, res) => { req.session.n = 1; res.end(); });
  const s = http.createServer(app);
  const base = await listen(s);
  t.after(() => new Promise((r) => s.close(r)));
  const res = await request(base, '/');
  assert.match(res.setCookie[0], /^a=/);
  assert.throws(() => cookieseal.express({ codec, store: '/tmp' }), { code: 'invalid_argument' });
});
