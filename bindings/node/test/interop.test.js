'use strict';
// One keyring, every server: a cookie sealed by the C++ CLI opens in an
// Express server and back; the C++ example shop, the Flask app, the Go server
// and the Express and Fastify twins of the shop (examples/shop.js) share
// sessions, a key rotation and "log out everywhere".
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const express = require('express');
const cookieseal = require('..');
const { expressShop, fastifyShop } = require('../examples/shop');
const {
  keyringFile, listen, freePort, request, cookiePair, tempDir, serverProcess, Browser, redis, need, flaskServer, goServer, keyId,
} = require('./helpers');

const cli = process.env.COOKIESEAL_CLI;

async function server(t, keyring) {
  const app = express();
  app.use(cookieseal.express({ keyring, name: 'shared', secure: false }));
  app.get('/read', (req, res) => res.json(req.session));
  app.get('/write', (req, res) => { req.session.from = 'express'; req.session.n = 42; res.end(); });
  const s = http.createServer(app);
  const base = await listen(s);
  t.after(() => new Promise((r) => s.close(r)));
  return base;
}

test('a cookie sealed by the C++ CLI opens in Express, and one from Express in the CLI', async (t) => {
  assert.ok(cli, 'COOKIESEAL_CLI is not set: run the suite through bindings/node/test.sh');
  const keyring = keyringFile(t);
  const base = await server(t, keyring);
  const sealed = execFileSync(cli, ['seal', '--keyring', keyring, '--name', 'shared'], {
    input: JSON.stringify({ from: 'cli', cart: ['book', 'pen'] }),
  }).toString().trim();
  const read = await request(base, '/read', { cookie: `shared=${sealed}` });
  assert.deepEqual(JSON.parse(read.body), { from: 'cli', cart: ['book', 'pen'] });

  const written = await request(base, '/write', { cookie: `shared=${sealed}` });
  const value = cookiePair(written.setCookie[0]).slice('shared='.length);
  const opened = JSON.parse(execFileSync(cli, ['open', '--keyring', keyring, '--name', 'shared', '-'], { input: value }).toString());
  const values = opened.values ?? opened;
  assert.equal(values.from, 'express');
  assert.equal(values.n, 42);
  assert.deepEqual(values.cart, ['book', 'pen']);
});

test('keys that start with "$" cross between Express and the CLI as the same keys', async (t) => {
  assert.ok(cli, 'COOKIESEAL_CLI is not set: run the suite through bindings/node/test.sh');
  const keyring = keyringFile(t);
  const app = express();
  app.use(cookieseal.express({ keyring, name: 'shared', secure: false }));
  app.get('/read', (req, res) => res.json(req.session));
  app.get('/write', (req, res) => {
    req.session.$bytes = 'top';
    req.session.nested = { $bytes: 'n', $object: 'o', $$x: 1, $: 2, raw: Buffer.from([1, 2]) };
    res.end();
  });
  const s = http.createServer(app);
  const base = await listen(s);
  t.after(() => new Promise((r) => s.close(r)));

  // The CLI prints the library's JSON: a nested key "$bytes" is written "$$bytes".
  const written = await request(base, '/write');
  const value = cookiePair(written.setCookie[0]).slice('shared='.length);
  const opened = JSON.parse(execFileSync(cli, ['open', '--keyring', keyring, '--name', 'shared', '-'], { input: value }).toString());
  assert.equal(opened.values.$bytes, 'top');
  assert.deepEqual(opened.values.nested, { $$bytes: 'n', $$object: 'o', $$$x: 1, $$: 2, raw: { $bytes: 'AQI' } });

  // And the CLI's own cookie with those keys reads in Express as them.
  const sealed = execFileSync(cli, ['seal', '--keyring', keyring, '--name', 'shared'], {
    input: JSON.stringify({ $bytes: 'top', m: { $$bytes: 'n', $$$x: 1, $$: 2 } }),
  }).toString().trim();
  const read = await request(base, '/read', { cookie: `shared=${sealed}` });
  assert.equal(read.status, 200);
  assert.deepEqual(JSON.parse(read.body), { $bytes: 'top', m: { $bytes: 'n', $$x: 1, $: 2 } });
});

/** The shop, Flask, Go, Express and Fastify on one keyring file and store. */
async function fiveServers(t, dir) {
  const state = path.join(dir, 'state');
  const store = path.join(state, 'store');
  const keyring = path.join(state, 'keyring');
  const servers = {};
  servers.shop = await serverProcess(t, [need('COOKIESEAL_SHOP'), '--state', state, '--store', store],
  );  // makes the keyring file
  servers.flask = await flaskServer(t, keyring, store);
  servers.go = await goServer(t, dir, keyring, store);
  const e = http.createServer(expressShop({ keyring, store }));
  servers.express = await listen(e);
  t.after(() => new Promise((r) => { e.closeAllConnections(); e.close(r); }));
  const f = await fastifyShop({ keyring, store });
  const port = await freePort();
  await f.listen({ port, host: '127.0.0.1' });
  t.after(() => f.close());
  servers.fastify = `http://127.0.0.1:${port}`;
  return { servers, keyring, store };
}

test('a session made on the C++ shop, Flask or Go opens in Express and Fastify and back; rotation and "log out everywhere" reach all', { timeout: 300000 }, async (t) => {
  const dir = tempDir(t);
  const { servers, keyring, store } = await fiveServers(t, dir);
  const names = Object.keys(servers);

  // A session created in each server opens in every other, user and cart.
  for (const made of names) {
    const b = new Browser();
    await b.post(servers[made], '/login', { user: `user-of-${made}` });
    await b.post(servers[made], '/cart/add', { item: `from-${made}` });
    for (const other of names) {
      const st = await b.state(servers[other]);
      assert.equal(st.user, `user-of-${made}`, `made in ${made}, opened in ${other}`);
      assert.equal(st.cart_items, 1, `made in ${made}, opened in ${other}`);
    }
  }

  // One browser across all five: values and flashes follow it.
  const alice = new Browser();
  await alice.post(servers.express, '/login', { user: 'alice' });
  for (const name of names) await alice.post(servers[name], '/cart/add', { item: `at-${name}` });
  for (const name of names) assert.equal((await alice.state(servers[name])).cart_items, names.length, name);
  for (const [from, to] of [['flask', 'express'], ['express', 'shop'], ['go', 'fastify'], ['fastify', 'flask']]) {
    await alice.post(servers[from], '/flash', { message: `from ${from}` });
    const page = await alice.send(servers[to], '/');
    assert.match(page.body, new RegExp(`from ${from}`), `a flash queued in ${from}, shown by ${to}`);
    assert.doesNotMatch((await alice.send(servers[to], '/')).body, new RegExp(`from ${from}`), 'shown once');
  }

  // An emergency rotation through the CLI: nobody is logged out; Express
  // and Fastify open the shop's cookie under the new key and seal with it.
  const before = keyId(alice.cookies.get('__Host-session'));
  execFileSync(cli, ['keyring', 'rotate', keyring, '--activate-in', '0s']);
  await new Promise((r) => setTimeout(r, 1500));  // the shop's watcher polls each second
  await alice.post(servers.shop, '/cart/add', { item: 'after-rotation' });
  const after = keyId(alice.cookies.get('__Host-session'));
  assert.notEqual(after, before, 'the shop seals with the new key');
  for (const name of names) {
    const st = await alice.state(servers[name]);
    assert.equal(st.user, 'alice', `after the rotation, ${name}`);
    assert.equal(st.cart_items, names.length + 1, `after the rotation, ${name}`);
  }
  for (const name of ['express', 'fastify']) {
    await alice.post(servers[name], '/cart/add', { item: `${name}-new-key` });
    assert.equal(keyId(alice.cookies.get('__Host-session')), after, `${name} seals with the new key`);
  }
  assert.equal((await alice.state(servers.go)).cart_items, names.length + 3);

  // "Log out everywhere" in Express ends alice's session made in Fastify, in
  // every server; a login right after (in the shop) holds everywhere.
  const other = new Browser();
  await other.post(servers.fastify, '/login', { user: 'alice' });
  await alice.post(servers.express, '/logout-everywhere');
  for (const name of names) {
    const st = await new Browser(Object.fromEntries(other.cookies)).state(servers[name]);
    assert.equal(st.user, '', `after log out everywhere, ${name}`);
    assert.equal(st.refused, 'revoked', `after log out everywhere, ${name}`);
  }
  await other.post(servers.shop, '/login', { user: 'alice' });
  for (const name of names) assert.equal((await other.state(servers[name])).user, 'alice', `a login right after, ${name}`);

  // The same through the CLI's revoke-subject, for a session made in Go.
  const bob = new Browser();
  await bob.post(servers.go, '/login', { user: 'bob' });
  assert.equal((await bob.state(servers.fastify)).user, 'bob');
  execFileSync(cli, ['revoke-subject', '--store', store, 'bob']);
  for (const name of names) {
    const st = await new Browser(Object.fromEntries(bob.cookies)).state(servers[name]);
    assert.deepEqual([st.user, st.refused], ['', 'revoked'], `after revoke-subject, ${name}`);
  }
});

test('one Redis for the shop, Express and Fastify: opened, refused, and undecided while it is paused (503, the cookie untouched)', { timeout: 120000 }, async (t) => {
  const r = await redis(t);
  const state = path.join(tempDir(t), 'state');
  const keyring = path.join(state, 'keyring');
  const servers = { shop: await serverProcess(t, [need('COOKIESEAL_SHOP'), '--state', state, '--store', r.url]) };
  const e = http.createServer(expressShop({ keyring, store: r.url }));
  servers.express = await listen(e);
  t.after(() => new Promise((done) => { e.closeAllConnections(); e.close(done); }));
  const f = await fastifyShop({ keyring, store: r.url });
  const port = await freePort();
  await f.listen({ port, host: '127.0.0.1' });
  t.after(() => f.close());
  servers.fastify = `http://127.0.0.1:${port}`;

  // Opened: a session overflowed into Redis by the shop, in all three.
  const alice = new Browser();
  await alice.post(servers.shop, '/login', { user: 'alice' });
  for (const name of Object.keys(servers)) await alice.post(servers[name], '/cart/add', { item: name.repeat(2000).slice(0, 2000) });
  const cookie = alice.cookies.get('__Host-session');
  assert.ok(cookie.length < 1000, 'a reference into Redis, not the session');
  for (const name of Object.keys(servers)) assert.equal((await alice.state(servers[name])).cart_items, 3, name);

  // Refused: a tampered cookie is cleared by each.
  for (const name of Object.keys(servers)) {
    const forged = await request(servers[name], '/api/state', { cookie: `__Host-session=${cookie.slice(0, -4)}AAAA` });
    assert.equal(forged.status, 200, name);
    assert.notEqual(JSON.parse(forged.body).refused, '', name);
    assert.match(forged.setCookie.join('\n'), /^__Host-session=; /, name);
  }

  // Undecided: Redis paused; every server answers 503 and sets no cookie.
  r.process.kill('SIGSTOP');
  for (const name of Object.keys(servers)) {
    for (const [method, pathname] of [['GET', '/api/state'], ['POST', '/cart/add'], ['POST', '/logout-everywhere']]) {
      const res = await request(servers[name], pathname, { method, cookie: `__Host-session=${cookie}` });
      assert.equal(res.status, 503, `${name} ${method} ${pathname}`);
      assert.deepEqual(res.setCookie, [], `${name} ${method} ${pathname}: the cookie is left as it was`);
    }
  }
  r.process.kill('SIGCONT');
  for (const name of Object.keys(servers)) {
    const st = await new Browser({ '__Host-session': cookie }).state(servers[name]);
    assert.deepEqual([st.user, st.cart_items], ['alice', 3], `${name}, Redis back`);
  }
});
