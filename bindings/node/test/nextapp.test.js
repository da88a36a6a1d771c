'use strict';
// A small Next.js app (test/next-app: a route handler on the Node.js runtime
// and a client page) built with `next build`, served with `next start` on
// loopback, driven over HTTP and by Debian's Chromium (playwright-core from
// tests/e2e); its cookie opens in this process's addon and back, and the
// sessions of the C++ example shop, the Flask app and the Go server in it and
// back (rotation, revocation seen by both); on a paused Redis it answers 503
// and leaves the cookie as it was.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');
const cookieseal = require('..');
const {
  keyringFile, freePort, request, cookiePair, tempDir, serverProcess, Browser, redis, need, flaskServer, goServer, keyId,
} = require('./helpers');

const app = path.join(__dirname, 'next-app');
const nextBin = path.join(app, 'node_modules', 'next', 'dist', 'bin', 'next');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

// next build, once for the tests of this file.
let built = false;
function build() {
  if (!built) execFileSync(process.execPath, [nextBin, 'build'], { cwd: app, env, stdio: 'pipe' });
  built = true;
}

async function serve(t, keyring, more = {}) {
  build();
  const port = await freePort();
  const p = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: app, env: { ...env, COOKIESEAL_KEYRING_FILE: keyring, ...more }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  p.stdout.on('data', (d) => { log += d; });
  p.stderr.on('data', (d) => { log += d; });
  t.after(() => p.kill('SIGTERM'));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (p.exitCode !== null) break;
    try {
      await request(base, '/api/session', { method: 'HEAD' });
      return base;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`next start did not answer on ${base}:\n${log}`);
}

test('Next.js: next build, next start; the session counts, opens in the addon and back, destroy clears it', { timeout: 600000 }, async (t) => {
  const keyring = keyringFile(t);
  const base = await serve(t, keyring);
  const first = await request(base, '/api/session');
  assert.equal(first.status, 200);
  assert.deepEqual(JSON.parse(first.body), { visits: 1, from: null });
  assert.match(first.setCookie[0], /^app=.*HttpOnly/i);
  const cookie = cookiePair(first.setCookie[0]);
  assert.deepEqual(JSON.parse((await request(base, '/api/session', { cookie })).body), { visits: 2, from: null });

  // The same keyring in this process: Next's cookie opens here, ours opens there.
  const sessions = new cookieseal.Codec({ keyring }).sessionManager({ name: 'app' });
  assert.equal((await sessions.open(cookie.slice('app='.length))).values.visits, 1);
  const ours = await sessions.seal({ values: { visits: 41, from: 'node' } });
  assert.deepEqual(JSON.parse((await request(base, '/api/session', { cookie: `app=${ours}` })).body), { visits: 42, from: 'node' });

  const out = await request(base, '/api/session', { method: 'DELETE', cookie });
  assert.equal(out.status, 200);
  assert.match(out.setCookie.join('\n'), /app=;/);

  // Chromium: the page's fetch carries the cookie; a reload counts on.
  const { chromium } = require(require.resolve('playwright-core', { paths: [path.join(__dirname, '..', '..', '..', 'tests', 'e2e')] }));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('#visits:has-text("visits: 1")');
  await page.reload();
  await page.waitForSelector('#visits:has-text("visits: 2")');
  const cookies = await page.context().cookies();
  assert.equal(cookies.find((c) => c.name === 'app').httpOnly, true);
});

test('Next.js and the C++ shop, the Flask app and the Go server: a session made in each opens in Next.js and back, through a rotation and a revocation', { timeout: 600000 }, async (t) => {
  const cli = need('COOKIESEAL_CLI');
  const dir = tempDir(t);
  const state = path.join(dir, 'state');
  const store = path.join(state, 'store');
  const keyring = path.join(state, 'keyring');
  const servers = { shop: await serverProcess(t, [need('COOKIESEAL_SHOP'), '--state', state, '--store', store]) };  // makes the keyring file
  servers.flask = await flaskServer(t, keyring, store);
  servers.go = await goServer(t, dir, keyring, store);
  const next = await serve(t, keyring, { COOKIESEAL_COOKIE_NAME: '__Host-session', COOKIESEAL_STORE: store });
  const cart = async (b, base) => {
    const st = await b.state(base);
    return [st.user, st.cart_items, st.cart_bytes, st.refused];
  };

  // A user logs in on each server and fills the cart there and in Next.js.
  const browsers = {};
  for (const [name, base] of Object.entries(servers)) {
    const b = browsers[name] = new Browser();
    await b.post(base, '/login', { user: `alice-${name}` });
    await b.post(base, '/cart/add', { item: 'book' });
    assert.deepEqual(await cart(b, next), [`alice-${name}`, 1, 4, ''], `made in ${name}, opened in Next.js`);
    await b.post(next, '/cart/add', { item: 'pen' });
    assert.deepEqual(await cart(b, base), [`alice-${name}`, 2, 7, ''], `made in ${name}, back from Next.js`);
  }

  // A rotation through the CLI: each server seals with the new key and its
  // cookie opens in Next.js, and Next's (the new key too) in each server.
  const before = keyId(browsers.shop.cookies.get('__Host-session'));
  execFileSync(cli, ['keyring', 'rotate', keyring, '--activate-in', '0s']);
  await new Promise((r) => setTimeout(r, 1500));  // the servers' watchers poll each second
  for (const [name, base] of Object.entries(servers)) {
    const b = browsers[name];
    await b.post(base, '/cart/add', { item: 'cup' });
    assert.notEqual(keyId(b.cookies.get('__Host-session')), before, `${name} seals with the new key`);
    assert.deepEqual(await cart(b, next), [`alice-${name}`, 3, 10, ''], `after the rotation, made in ${name}, opened in Next.js`);
    await b.post(next, '/cart/add', { item: 'mug' });
    assert.notEqual(keyId(b.cookies.get('__Host-session')), before, 'Next.js seals with the new key');
    assert.deepEqual(await cart(b, base), [`alice-${name}`, 4, 13, ''], `after the rotation, back from Next.js to ${name}`);
  }

  // "Log out everywhere" in each server: Next.js refuses that user's cookie too.
  for (const [name, base] of Object.entries(servers)) {
    const kept = Object.fromEntries(browsers[name].cookies);
    await browsers[name].post(base, '/logout-everywhere');
    for (const [where, url] of [['Next.js', next], [name, base]]) {
      const st = await new Browser(kept).state(url);
      assert.deepEqual([st.user, st.refused], ['', 'revoked'], `revoked in ${name}, seen by ${where}`);
    }
  }
});

test('Next.js on Redis: a session overflowed into it opens; undecided while Redis is paused (503, the cookie untouched), whole after', { timeout: 600000 }, async (t) => {
  const r = await redis(t);
  const next = await serve(t, keyringFile(t), { COOKIESEAL_STORE: r.url });
  const b = new Browser();
  for (const item of ['a', 'b', 'c']) await b.post(next, '/cart/add', { item: item.repeat(2000) });
  const cookie = b.cookies.get('app');
  assert.ok(cookie.length < 1000, 'a reference into Redis, not the session');
  const whole = async () => {
    const st = await b.state(next);
    return [st.cart_items, st.cart_bytes, st.refused];
  };
  assert.deepEqual(await whole(), [3, 6000, '']);

  r.process.kill('SIGSTOP');
  for (const [method, pathname] of [['GET', '/api/state'], ['POST', '/cart/add'], ['GET', '/api/session'], ['DELETE', '/api/session']]) {
    const res = await b.send(next, pathname, { method, form: method === 'POST' ? { item: 'd' } : undefined });
    assert.equal(res.status, 503, `${method} ${pathname}`);
    assert.deepEqual(res.setCookie, [], `${method} ${pathname}: no Set-Cookie while Redis is paused`);
    assert.equal(b.cookies.get('app'), cookie, `${method} ${pathname}: the cookie byte for byte`);
  }
  r.process.kill('SIGCONT');
  assert.deepEqual(await whole(), [3, 6000, ''], 'Redis back: the session whole');
});
