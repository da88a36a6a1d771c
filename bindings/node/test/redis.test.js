'use strict';
// The three outcomes with a real redis-server (the overflow and revocation
// store) paused with SIGSTOP: undecided requests are answered 503 and their
// cookie is left byte for byte; after SIGCONT the session is whole.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const Fastify = require('fastify');
const cookieseal = require('..');
const { keyringText, listen, freePort, request, cookiePair, redis } = require('./helpers');

const big = 'x'.repeat(6000);  // overflows: the cookie holds a reference into Redis

async function expressApp(t, store) {
  const app = express();
  app.use(cookieseal.express({ keyringText: keyringText(), store, name: 's', secure: false }));
  app.get('/fill', (req, res) => { req.session.big = big; req.session.n = 1; res.send('ok'); });
  app.get('/read', (req, res) => { req.session.n += 1; res.json({ n: req.session.n, big: req.session.big?.length }); });
  app.get('/logout', (req, res) => { req.session = null; res.send('bye'); });
  app.get('/peek', (req, res) => res.json(req.session));
  const s = http.createServer(app);
  const base = await listen(s);
  t.after(() => new Promise((r) => s.close(r)));
  return base;
}

test('Express: opened, refused, and undecided (Redis paused: 503, the cookie untouched)', async (t) => {
  const r = await redis(t);
  const base = await expressApp(t, r.url);
  const fill = await request(base, '/fill');
  const cookie = cookiePair(fill.setCookie[0]);
  assert.ok(cookie.length < 4096);
  const opened = await request(base, '/read', { cookie });
  assert.deepEqual(JSON.parse(opened.body), { n: 2, big: 6000 });
  const refused = await request(base, '/peek', { cookie: `${cookie.slice(0, -4)}AAAA` });
  assert.equal(refused.status, 200);
  assert.equal(refused.body, '{}');
  assert.match(refused.setCookie[0], /^s=; Max-Age=0/);

  r.process.kill('SIGSTOP');
  for (const path of ['/read', '/peek', '/logout']) {
    const paused = await request(base, path, { cookie });
    assert.equal(paused.status, 503, path);
    assert.deepEqual(paused.setCookie, [], `${path}: no Set-Cookie during the pause`);
  }
  r.process.kill('SIGCONT');
  const after = await request(base, '/read', { cookie });
  assert.deepEqual(JSON.parse(after.body), { n: 2, big: 6000 });
});

test('Redis paused: what needs no store (a fresh visitor, a small session) is answered at once; the rest waits, undecided', async (t) => {
  const r = await redis(t);
  const base = await expressApp(t, r.url);
  const cookie = cookiePair((await request(base, '/fill')).setCookie[0]);
  r.process.kill('SIGSTOP');
  // More requests that need the store than the libuv pool has threads (4):
  // the fresh visitor is not queued behind them.
  const waiting = Array.from({ length: 8 }, () => request(base, '/read', { cookie }));
  const fresh = await request(base, '/peek');
  assert.equal(fresh.status, 200);
  assert.equal(fresh.body, '{}');
  for (const res of await Promise.all(waiting)) assert.equal(res.status, 503);
  r.process.kill('SIGCONT');
});

test('Fastify: Redis paused answers 503 and sets no cookie; then the session is whole', async (t) => {
  const r = await redis(t);
  const app = Fastify();
  await app.register(cookieseal.fastify, { keyringText: keyringText(), store: r.url, name: 's', secure: false });
  app.get('/fill', async (req) => { req.session.set('big', big); return 'ok'; });
  app.get('/read', async (req) => ({ big: req.session.get('big')?.length }));
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  t.after(() => app.close());
  const base = `http://127.0.0.1:${port}`;
  const cookie = cookiePair((await request(base, '/fill')).setCookie[0]);
  r.process.kill('SIGSTOP');
  const paused = await request(base, '/read', { cookie });
  assert.equal(paused.status, 503);
  assert.deepEqual(paused.setCookie, []);
  r.process.kill('SIGCONT');
  assert.deepEqual(JSON.parse((await request(base, '/read', { cookie })).body), { big: 6000 });
});

test('"log out everywhere" through the store: a revoked subject is refused', async (t) => {
  const r = await redis(t);
  const codec = new cookieseal.Codec({ keyringText: keyringText(), store: r.url });
  t.after(() => codec.close());
  const m = codec.sessionManager({ name: 's' });
  const rs = await m.load('');
  rs.login('alice');
  rs.values.a = 1;
  const pair = (await rs.save()).find(([n]) => n === 'Set-Cookie')[1].split(';')[0];
  assert.equal((await m.load(pair)).outcome, 'opened');
  await codec.revokeSubject('alice');
  const after = await m.load(pair);
  assert.equal(after.outcome, 'refused');
  assert.equal(after.reason.code, 'revoked');
});
