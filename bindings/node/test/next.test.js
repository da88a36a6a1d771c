'use strict';
// getSession(cookies(), options) against a cookie store of the shape
// next/headers gives (getAll/set), as iron-session's getIronSession is used.
const test = require('node:test');
const assert = require('node:assert/strict');
const cookieseal = require('..');
const { parseSetCookie } = require('../lib/next');
const { keyringText } = require('./helpers');

// What Next.js's RequestCookies/ResponseCookies do with the jar, in memory.
function cookieStore(jar = new Map()) {
  return {
    jar,
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set(c) {
      if (c.maxAge === 0) jar.delete(c.name);
      else jar.set(c.name, c.value);
      this.last = c;
    },
  };
}

const options = { keyringText: keyringText(), name: 'app', secure: false };

test('values are the session object\'s own properties; save() writes the cookie', async () => {
  const store = cookieStore();
  const s = await cookieseal.getSession(store, options);
  assert.deepEqual({ ...s }, {});
  s.user = 'alice';
  s.visits = 1;
  await s.save();
  assert.ok(store.jar.get('app'));
  assert.equal(store.last.httpOnly, true);
  assert.equal(store.last.path, '/');
  assert.equal(store.last.sameSite, 'lax');
  const again = await cookieseal.getSession(store, options);
  assert.deepEqual({ ...again }, { user: 'alice', visits: 1 });
  assert.deepEqual(Object.keys(again), ['user', 'visits'], 'save/destroy are not enumerable');
});

test('destroy() clears the cookie; login and flashes work', async () => {
  const store = cookieStore();
  const s = await cookieseal.getSession(store, options);
  s.n = 1;
  s.login('alice');
  s.flash('notice', 'hi');
  await s.save();
  const again = await cookieseal.getSession(store, options);
  assert.equal(again.cookieseal.subject, 'alice');
  assert.deepEqual(again.flashes('notice'), ['hi']);
  await again.destroy();
  assert.equal(store.jar.has('app'), false);
  assert.equal(store.last.maxAge, 0);
});

test('the same options reuse one codec; an undecided request throws with undecided set', async () => {
  const a = await cookieseal.getSession(cookieStore(), options);
  const b = await cookieseal.getSession(cookieStore(), { ...options });
  assert.equal(a.cookieseal.manager, b.cookieseal.manager);
  const text = keyringText();
  const cookie = new cookieseal.Codec({ keyringText: text }).sessionManager({ name: 'x' }).sealSync({ values: { a: 1 } });
  const down = { keyringText: text, store: 'redis://127.0.0.1:1', name: 'x', diagnostic() {} };
  await assert.rejects(cookieseal.getSession(cookieStore(new Map([['x', cookie]])), down),
    { code: 'store_unavailable', undecided: true });
});

test('parseSetCookie reads every attribute the library writes', () => {
  assert.deepEqual(parseSetCookie('n=v; Max-Age=60; Path=/p; Domain=example.com; Secure; HttpOnly; SameSite=Strict; Partitioned'), {
    name: 'n', value: 'v', maxAge: 60, path: '/p', domain: 'example.com', secure: true, httpOnly: true, sameSite: 'strict', partitioned: true,
  });
});
