'use strict';
// A small Next.js app (test/next-app: a route handler on the Node.js runtime
// and a client page) built with `next build`, served with `next start` on
// loopback, driven over HTTP and by Debian's Chromium (playwright-core from
// tests/e2e); its cookie opens in this process's addon and back, and the C++
// example shop's session in it and back (rotation, revocation seen by both).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');
const cookieseal = require('..');
const { keyringFile, freePort, request, cookiePair, tempDir, serverProcess, Browser } = require('./helpers');

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

test('Next.js and the C++ shop: a session made in one opens in the other, through a rotation and a revocation', { timeout: 600000 }, async (t) => {
  const cli = process.env.COOKIESEAL_CLI;
  assert.ok(cli && process.env.COOKIESEAL_SHOP, 'COOKIESEAL_CLI/SHOP are not set: run the suite through bindings/node/test.sh');
  const state = path.join(tempDir(t), 'state');
  const store = path.join(state, 'store');
  const keyring = path.join(state, 'keyring');
  const shop = await serverProcess(t, [process.env.COOKIESEAL_SHOP, '--state', state, '--store', store]);
  const next = await serve(t, keyring, { COOKIESEAL_COOKIE_NAME: '__Host-session', COOKIESEAL_STORE: store });

  const alice = new Browser();
  await alice.post(shop, '/login', { user: 'alice' });
  await alice.post(shop, '/cart/add', { item: 'book' });
  const inNext = await alice.state(next);
  assert.deepEqual([inNext.user, inNext.cart_items, inNext.refused], ['alice', 1, '']);
  await alice.post(next, '/cart/add', { item: 'pen' });
  const inShop = await alice.state(shop);
  assert.deepEqual([inShop.user, inShop.cart_items], ['alice', 2]);

  execFileSync(cli, ['keyring', 'rotate', keyring, '--activate-in', '0s']);
  await new Promise((r) => setTimeout(r, 1500));  // the shop's watcher polls each second
  await alice.post(shop, '/cart/add', { item: 'cup' });
  assert.equal((await alice.state(next)).cart_items, 3, 'Next opens the new key at once');
  await alice.post(next, '/cart/add', { item: 'mug' });
  assert.equal((await alice.state(shop)).cart_items, 4);

  execFileSync(cli, ['revoke-subject', '--store', store, 'alice']);
  const gone = await new Browser(Object.fromEntries(alice.cookies)).state(next);
  assert.deepEqual([gone.user, gone.refused], ['', 'revoked']);
  assert.equal((await alice.state(shop)).refused, 'revoked');
});
