'use strict';
// The addon over the C ABI: seal/open, a request's session, errors in their
// shape, options, closing in any order.
const test = require('node:test');
const assert = require('node:assert/strict');
const cookieseal = require('..');
const { keyringText, keyringFile, tempDir } = require('./helpers');

function manager(options = {}) {
  const { name = 's', ...codec } = options;
  return new cookieseal.Codec({ keyringText: keyringText(), ...codec }).sessionManager({ name });
}

test('seal then open gives the values back, bytes as Buffers', async () => {
  const m = manager();
  const cookie = await m.seal({ values: { visits: 3, cart: ['book'], blob: Buffer.from([0, 255]) }, subject: 'alice' });
  assert.match(cookie, /^[A-Za-z0-9_-]+$/);
  const s = await m.open(cookie);
  assert.deepEqual(s.values, { visits: 3, cart: ['book'], blob: Buffer.from([0, 255]) });
  assert.equal(s.meta.subject, 'alice');
  assert.equal(m.openSync(m.sealSync({ values: { a: 1 } })).values.a, 1);
});

test('a bad cookie rejects with the library\'s Error: code, status, message, undecided', async () => {
  const m = manager();
  const cookie = await m.seal({ values: { a: 1 } });
  await assert.rejects(m.open('!!!'), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'malformed');
    assert.equal(e.status, 1);
    assert.equal(e.undecided, false);
    assert.match(e.message, /base64url/);
    return true;
  });
  // One character in the middle (ciphertext, all six bits used): the last one
  // carries padding bits a strict decoder refuses as malformed instead.
  const mid = cookie.length >> 1;
  const tampered = cookie.slice(0, mid) + (cookie[mid] === 'A' ? 'B' : 'A') + cookie.slice(mid + 1);
  await assert.rejects(m.open(tampered), { code: 'authentication_failed', status: 4 });
  const other = manager();  // another keyring: the key id is unknown there
  await assert.rejects(other.open(cookie), (e) => e.status >= 3 && e.undecided === false);
  assert.throws(() => m.openSync('!!!'), { code: 'malformed' });
});

test('a request: load, change, flash, save; the next request sees it', async () => {
  const m = manager();
  const r = await m.load('');
  assert.equal(r.outcome, 'opened');
  assert.equal(r.isNew, true);
  assert.equal(r.reason, null);
  r.values.visits = 1;
  r.flash('notice', 'Welcome');
  const headers = await r.save();
  const setCookie = headers.filter(([n]) => n === 'Set-Cookie').map(([, v]) => v);
  assert.equal(setCookie.length, 1);
  assert.deepEqual(headers.find(([n]) => n === 'Cache-Control'), ['Cache-Control', 'no-store']);
  r.close();

  const r2 = await m.load(setCookie[0].split(';')[0]);
  assert.equal(r2.outcome, 'opened');
  assert.equal(r2.isNew, false);
  assert.equal(r2.get('visits'), 1);
  assert.deepEqual(r2.flashes, { notice: ['Welcome'] });
  assert.deepEqual(r2.takeFlashes('notice'), ['Welcome']);
  assert.deepEqual(r2.takeFlashes('notice'), []);
  r2.login('alice');
  assert.equal(r2.subject, 'alice');
  const id = r2.meta.id;
  assert.throws(() => r2.login('bob'), { code: 'invalid_argument', status: 100 });
  r2.destroy();
  assert.deepEqual(r2.values, {});
  assert.notEqual(r2.meta.id, id);
  assert.equal(r2.subject, '');
});

test('a refused cookie gives a fresh session, its reason, and a clearing Set-Cookie', async () => {
  const m = manager();
  const r = await m.load('s=AAAA');
  assert.equal(r.outcome, 'refused');
  assert.equal(r.reason.code, 'malformed');
  assert.equal(r.refused, true);
  const headers = await r.save();
  assert.match(headers.find(([n]) => n === 'Set-Cookie')[1], /^s=; Max-Age=0/);
});

test('several Cookie lines, as an array or joined by \\n, reach the library whole', async () => {
  const m = manager();
  const r = await m.load('');
  r.values.n = 7;
  const pair = (await r.save()).find(([n]) => n === 'Set-Cookie')[1].split(';')[0];
  for (const header of [['a=1', pair, 'b=2'], `a=1\n${pair}`]) {
    const again = await m.load(header);
    assert.equal(again.get('n'), 7);
  }
});

test('options: unknown names, wrong types and ranges are refused, naming the option', () => {
  const text = keyringText();
  assert.throws(() => new cookieseal.Codec({ keyringText: text, maxage: 5 }), { code: 'invalid_argument', message: /maxage/ });
  assert.throws(() => new cookieseal.Codec({ keyringText: text, maxAge: -1 }), { code: 'invalid_argument', message: /maxAge/ });
  assert.throws(() => new cookieseal.Codec({ keyringText: text, maxAge: '7d' }), { message: /maxAge/ });
  assert.throws(() => new cookieseal.Codec({}), { code: 'invalid_argument', message: /keyring/ });
  const codec = new cookieseal.Codec({ keyringText: text });
  assert.throws(() => codec.sessionManager({ sameSite: 'sometimes' }), { message: /sameSite/ });
  assert.throws(() => codec.sessionManager({ secure: 'yes' }), { message: /secure/ });
  assert.throws(() => codec.sessionManager({ name: 'x'.repeat(300) }), { code: 'invalid_argument', status: 100 });
});

test('session options reach the cookie; left out, the library\'s defaults hold', async () => {
  const codec = new cookieseal.Codec({ keyringText: keyringText() });
  const set = async (options) => {
    const r = await codec.sessionManager(options).load('');
    r.values.a = 1;
    return (await r.save()).find(([n]) => n === 'Set-Cookie')[1];
  };
  const def = await set({});
  assert.match(def, /^__Host-session=/);
  assert.match(def, /Secure/);
  assert.match(def, /HttpOnly/);
  assert.match(def, /SameSite=Lax/);
  const custom = await set({ name: 'app', path: '/shop', secure: false, httpOnly: false, sameSite: 'Strict', browserSession: true });
  assert.match(custom, /^app=/);
  assert.match(custom, /Path=\/shop/);
  assert.doesNotMatch(custom, /Secure|HttpOnly|Max-Age/);
  assert.match(custom, /SameSite=Strict/);
});

test('a keyring file, and keyringText as a Buffer, both open what the other sealed', async (t) => {
  const file = keyringFile(t);
  const fromFile = new cookieseal.Codec({ keyring: file, reloadInterval: 0 }).sessionManager({ name: 's' });
  const fromText = new cookieseal.Codec({ keyringText: require('node:fs').readFileSync(file) }).sessionManager({ name: 's' });
  assert.equal((await fromText.open(await fromFile.seal({ values: { k: 'v' } }))).values.k, 'v');
  assert.throws(() => new cookieseal.Codec({ keyring: `${file}.missing` }), { code: 'keyring_error', status: 103 });
  assert.throws(() => new cookieseal.Codec({ keyringText: 'not a keyring' }), { code: 'keyring_error' });
});

test('closing in any order: later calls answer closed, nothing crashes', async () => {
  const codec = new cookieseal.Codec({ keyringText: keyringText() });
  const m = codec.sessionManager({ name: 's' });
  const r = await m.load('');
  codec.close();
  codec.close();
  await assert.rejects(m.seal({}), { code: 'closed', status: 106 });
  await assert.rejects(m.load(''), { code: 'closed' });
  r.values.a = 1;
  await assert.rejects(r.save(), { code: 'closed' });
  m.close();
  assert.throws(() => m.sealSync({}), { code: 'closed', message: /session manager was closed/ });
  r.close();
  assert.throws(() => r.login('x'), { code: 'closed', message: /request was closed/ });
  await assert.rejects(codec.revokeSubject('alice'), { code: 'closed' });
});

test('a load and a save that need no store settle at once, on the event loop; one that needs the store goes to the libuv pool', async (t) => {
  const m = manager({ store: tempDir(t) });
  // Settled within two microtask turns: resolved in the call itself, never
  // by a completion from the pool (which comes in a later turn of the loop).
  const atOnce = async (promise) => {
    let settled = false;
    promise.then(() => { settled = true; }, () => { settled = true; });
    await null;
    await null;
    return settled;
  };
  const loading = m.load('');
  assert.equal(await atOnce(loading), true, 'a load with no cookie');
  const r = await loading;
  r.values.a = 1;
  const small = r.save();
  assert.equal(await atOnce(small), true, 'the save of a small session with no subject');
  const cookie = (await small).find(([n]) => n === 'Set-Cookie')[1].split(';')[0];
  r.values.big = 'x'.repeat(6000);
  const big = r.save();
  assert.equal(await atOnce(big), false, 'a save that overflows into the store');
  await big;
  const revocationCheck = m.load(cookie);
  assert.equal(await atOnce(revocationCheck), false, 'a load that checks the revocation list');
  assert.equal((await revocationCheck).values.a, 1);
});

test('a request is refused while its save runs, and close() then waits for it', async (t) => {
  // A save that overflows into the store runs on the libuv pool.
  const r = await manager({ store: tempDir(t) }).load('');
  r.values.a = 'x'.repeat(6000);
  const saving = r.save();
  assert.throws(() => r.get('a') && r.login('x'), { message: /being saved/ });
  r.close();  // freed when the save returns
  assert.ok((await saving).length > 0);
  assert.throws(() => r.login('x'), { code: 'closed' });
});

test('many handles dropped mid-call are collected without a crash', async () => {
  const done = [];
  for (let i = 0; i < 50; i++) {
    const m = manager();
    done.push(m.seal({ values: { i } }).then((c) => m.open(c)));
  }
  const all = await Promise.all(done);
  assert.deepEqual(all.map((s) => s.values.i), [...Array(50).keys()]);
  if (global.gc) global.gc();
});

test('a store: sessions over 4 KB overflow into it and come back; revokeSubject ends them', async (t) => {
  const store = tempDir(t);
  const codec = new cookieseal.Codec({ keyringText: keyringText(), store });
  const m = codec.sessionManager({ name: 's' });
  const r = await m.load('');
  r.login('alice');
  r.values.big = 'x'.repeat(10000);
  const pair = (await r.save()).find(([n]) => n === 'Set-Cookie')[1].split(';')[0];
  assert.ok(pair.length < 4096);
  const again = await m.load(pair);
  assert.equal(again.values.big.length, 10000);
  assert.equal(again.meta.overflow, true);
  await codec.revokeSubject('alice');
  const after = await m.load(pair);
  assert.equal(after.outcome, 'refused');
  assert.equal(after.reason.code, 'revoked');
});

test('without a store, a session over 4 KB fails with too_large', async () => {
  const r = await manager().load('');
  r.values.big = 'x'.repeat(10000);
  await assert.rejects(r.save(), { code: 'too_large', status: 7, undecided: false });
});

test('the diagnostic function hears why a store failed', async (t) => {
  const heard = [];
  const codec = new cookieseal.Codec({
    keyringText: keyringText(), store: 'redis://127.0.0.1:1', diagnostic: (m) => heard.push(m),
  });
  const r = await codec.sessionManager({ name: 's' }).load('');
  r.login('alice');
  await assert.rejects(codec.revokeSubject('alice'), { code: 'store_unavailable', undecided: true });
  for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.ok(heard.some((m) => /Redis|connect/i.test(m)), JSON.stringify(heard));
  t.after(() => codec.close());
});

test('the ES module entry point exports the same objects', async () => {
  const esm = await import('../index.mjs');
  assert.equal(esm.Codec, cookieseal.Codec);
  assert.equal(esm.default.express, cookieseal.express);
  assert.equal(typeof esm.version, 'string');
});

test('the garbage collector running mid-call frees nothing the call or its result uses', { skip: !global.gc && 'needs --expose-gc' }, async () => {
  const pending = [];
  for (let i = 0; i < 20; i++) pending.push(manager().load(''));  // codec and manager unreachable
  for (let i = 0; i < 5; i++) global.gc();
  const requests = await Promise.all(pending);
  for (let i = 0; i < 5; i++) global.gc();
  for (const r of requests) {
    r.values.a = 1;
    assert.equal((await r.save()).filter(([n]) => n === 'Set-Cookie').length, 1);
  }
});

test('every key round-trips: "$bytes", "$object", "$$x" and "$", in values, nested maps and flashes', async () => {
  const m = manager();
  const tricky = { $bytes: 'not bytes', $object: 'not an object', $$x: 1, $: 2, plain: Buffer.from([1, 2]) };
  const values = { ...tricky, nested: { ...tricky, deeper: [{ $bytes: 'in a list' }] } };
  const s = await m.open(await m.seal({ values, constants: { $bytes: { $object: 'x' } }, flashes: { $: [{ $bytes: 'f' }] } }));
  assert.deepEqual(s.values, values);
  assert.deepEqual(s.constants, { $bytes: { $object: 'x' } });
  assert.deepEqual(s.flashes, { $: [{ $bytes: 'f' }] });

  // Through a request: saved, loaded, changed and saved again, every time.
  let cookie = '';
  for (let round = 0; round < 3; round++) {
    const r = await m.load(cookie);
    assert.equal(r.outcome, 'opened');
    if (round > 0) assert.deepEqual(r.values, { ...values, round: round - 1 });
    if (round > 0) assert.deepEqual(r.takeFlashes('$bytes'), [{ $bytes: 'message', $$y: Buffer.from('z') }]);
    r.values = { ...values, round };
    r.flash('$bytes', { $bytes: 'message', $$y: Buffer.from('z') });
    const setCookie = (await r.save()).filter(([n]) => n === 'Set-Cookie').map(([, v]) => v);
    assert.equal(setCookie.length, 1);
    cookie = setCookie[0].split(';')[0];
    r.close();
  }
});

test('a C++ user object comes back as a cookieseal.Object and goes out again as one', async () => {
  const m = manager();
  const obj = new cookieseal.Object('shop::cart', Buffer.from([7, 8, 9]));
  const s = await m.open(await m.seal({ values: { cart: obj, list: [obj] } }));
  assert.ok(s.values.cart instanceof cookieseal.Object);
  assert.equal(s.values.cart.typeName, 'shop::cart');
  assert.deepEqual(s.values.cart.data, Buffer.from([7, 8, 9]));
  assert.deepEqual(s.values, { cart: obj, list: [obj] });
  // A plain object shaped like the tag is a map, never an object.
  const fake = { $object: 'shop::cart', $bytes: 'BwgJ' };
  assert.deepEqual((await m.open(await m.seal({ values: { fake } }))).values.fake, fake);
  assert.equal((await import('../index.mjs')).Object, cookieseal.Object);
});

test('the fast paths keep every value: non-ASCII text, a "$" in a string, bytes and BigInts deep in lists', () => {
  const m = manager();
  // Non-ASCII output is made from UTF-8; a '$' outside a key sends the text the slow way, unchanged.
  const values = { name: 'Zoë 😀 日本', price: '$5', '$x': 'k', list: [[1, ['a', Buffer.from([1])]]], held: [null, true, 2.5] };
  const s = m.openSync(m.sealSync({ values }));
  assert.deepEqual(s.values, values);
  assert.deepEqual(m.openSync(m.sealSync({ values: { note: 'plain ASCII, no dollar' } })).values, { note: 'plain ASCII, no dollar' });
  assert.throws(() => m.sealSync({ values: { deep: [[{ n: 1n }]] } }), { code: 'invalid_argument' });
  // Nested past the library's bound: refused by the library, not by a stack overflow.
  let deep = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  assert.throws(() => m.sealSync({ values: { deep } }), { code: 'invalid_argument' });
});

test('an opened session reads its lifetime and meta when asked, whatever the values and subject hold', async () => {
  const m = manager();
  const tricky = ',"lifetime":{"max_age":1},"meta":{"id":"x"}}';
  const cases = [
    { values: { a: 1 } },
    // The tail's own text as a structure and inside strings, before it and in the subject.
    { values: { lifetime: { max_age: 5 }, note: tricky }, subject: `eve${tricky}` },
    { values: { name: 'Zoë 😀', lifetime: { max_age: 7 } }, subject: 'Zoë' },  // not ASCII: found in JavaScript
    { values: { $bytes: 'k', blob: Buffer.from([1, 2]) }, flashes: { _flash: ['hi'] }, constants: { plan: 'pro' } },
    { values: { a: 2 }, lifetime: { max_age: 0, idle_timeout: 600, browser_session: true } },  // its own lifetime
    { values: { a: 3 }, lifetime: { idle_timeout: 3600 } },
  ];
  for (const c of cases) {
    const cookie = m.sealSync(c);
    for (const s of [m.openSync(cookie), await m.open(cookie)]) {
      assert.deepEqual(s.values, c.values);
      assert.deepEqual(s.constants, c.constants ?? {});
      assert.deepEqual(s.flashes, c.flashes ?? {});
      assert.equal(s.meta.subject, c.subject ?? '');
      assert.match(s.meta.id, /^[0-9a-f]{32}$/);
      assert.equal(s.meta, s.meta);  // read once
      // The lifetime as the library wrote it, however it was read.
      assert.deepEqual(s.lifetime, JSON.parse(m._native.openSync(cookie)).lifetime);
      assert.deepEqual({ ...s }.lifetime, s.lifetime);  // an own property: a spread keeps it
      // JSON.stringify gives all five, as the library wrote them.
      const whole = JSON.parse(JSON.stringify(s));
      assert.deepEqual(Object.keys(whole), ['values', 'constants', 'flashes', 'lifetime', 'meta']);
      assert.deepEqual(whole.meta, s.meta);
    }
  }
  const s = m.openSync(m.sealSync({ values: { a: 1 } }));
  s.meta = { mine: true };  // assignable, as on a plain object
  assert.deepEqual(s.meta, { mine: true });
  s.values.b = 2;
  assert.deepEqual(s.values, { a: 1, b: 2 });
});

test('the open\'s hand-over of where the maps end cannot be spoiled from JavaScript', () => {
  const m = manager();
  const native = require('../lib/native');
  const cookie = m.sealSync({ values: { a: 1 }, subject: 'sam' });
  native.openCut[0] = 3;  // a wrong offset is checked, not trusted
  assert.deepEqual(m.openSync(cookie).values, { a: 1 });
  // Detached (the last test of this file: the rest of the process finds the cut in JavaScript).
  structuredClone(native.openCut.buffer, { transfer: [native.openCut.buffer] });
  assert.equal(native.openCut.buffer.byteLength, 0);
  const s = m.openSync(cookie);
  assert.deepEqual(s.values, { a: 1 });
  assert.equal(s.meta.subject, 'sam');
});
