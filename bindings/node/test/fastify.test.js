'use strict';
// The Fastify plugin on a real Fastify server on loopback, with
// @fastify/secure-session's request.session API.
const test = require('node:test');
const assert = require('node:assert/strict');
const Fastify = require('fastify');
const cookieseal = require('..');
const { keyringText, freePort, request, cookiePair, lines } = require('./helpers');

async function server(t, options = {}) {
  const app = Fastify();
  await app.register(cookieseal.fastify, { keyringText: keyringText(), name: 's', secure: false, ...options });
  app.get('/visit', async (req) => {
    req.session.set('visits', (req.session.get('visits') ?? 0) + 1);
    return { visits: req.session.get('visits'), isNew: req.session.isNew };
  });
  app.get('/read', async (req) => ({ data: req.session.data(), changed: req.session.changed }));
  app.get('/logout', async (req) => { req.session.delete(); return { deleted: req.session.deleted }; });
  app.get('/login', async (req) => {
    req.session.regenerate(['visits']);
    req.session.login('alice');
    req.session.set('user', 'alice');
    req.session.flash('notice', 'hi');
    return { subject: req.session.subject };
  });
  app.get('/flash', async (req) => req.session.flashes('notice'));
  app.get('/cached', async (req, reply) => {
    reply.header('Cache-Control', 'public, max-age=60');
    req.session.set('x', 1);
    return 'x';
  });
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  t.after(() => app.close());
  return `http://127.0.0.1:${port}`;
}

test('request.session.get/set across requests; unchanged, no Set-Cookie', async (t) => {
  const base = await server(t);
  const first = await request(base, '/visit');
  assert.deepEqual(JSON.parse(first.body), { visits: 1, isNew: true });
  const second = await request(base, '/visit', { cookie: cookiePair(first.setCookie[0]) });
  assert.deepEqual(JSON.parse(second.body), { visits: 2, isNew: false });
  const read = await request(base, '/read', { cookie: cookiePair(second.setCookie[0]) });
  assert.deepEqual(JSON.parse(read.body), { data: { visits: 2 }, changed: false });
  assert.equal(read.setCookie.length, 0);
});

test('delete() ends the session and clears the cookie', async (t) => {
  const base = await server(t);
  const cookie = cookiePair((await request(base, '/visit')).setCookie[0]);
  const out = await request(base, '/logout', { cookie });
  assert.deepEqual(JSON.parse(out.body), { deleted: true });
  assert.match(out.setCookie[0], /^s=; Max-Age=0/);
});

test('regenerate(ignoreFields) keeps only those, a new id; login and flashes', async (t) => {
  const base = await server(t);
  const first = await request(base, '/visit');
  const login = await request(base, '/login', { cookie: cookiePair(first.setCookie[0]) });
  assert.deepEqual(JSON.parse(login.body), { subject: 'alice' });
  const cookie = cookiePair(login.setCookie[0]);
  const flash = await request(base, '/flash', { cookie });
  assert.deepEqual(JSON.parse(flash.body), ['hi']);
  const read = await request(base, '/read', { cookie: cookiePair(flash.setCookie[0]) });
  assert.deepEqual(JSON.parse(read.body).data, { visits: 1, user: 'alice' });
});

test("Cache-Control: no-store replaces the app's; several Cookie lines pass whole", async (t) => {
  const base = await server(t);
  const res = await request(base, '/cached');
  assert.deepEqual(lines(res, 'Cache-Control'), ['no-store']);
  const read = await request(base, '/read', { cookie: ['a=1', cookiePair(res.setCookie[0])] });
  assert.deepEqual(JSON.parse(read.body).data, { x: 1 });
});
