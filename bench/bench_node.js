#!/usr/bin/env node
// Node.js: seal and open of bench/fixtures/typical.json through the cookieseal
// addon (on the calling thread, and as promises on the libuv pool) against
// @fastify/secure-session (sodium-native secretbox) and iron-session
// (WebCrypto), in the same run. Medians of rounds, ns per operation: the
// synchronous calls and secure-session's in alternating rounds.
// Usage: bench/bench_node.js FIXTURES_DIR   (bindings/node built and npm ci'd)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const node = path.join(__dirname, '..', 'bindings', 'node');
const need = (m) => require(require.resolve(m, { paths: [node] }));
const cookieseal = require(node);
const Fastify = need('fastify');
const iron = need('iron-session');

const fixture = JSON.parse(fs.readFileSync(path.join(process.argv[2] ?? path.join(__dirname, 'fixtures'), 'typical.json')));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// ns per call of fn, the median of 5 rounds of n calls (after a warm-up).
async function measure(fn, n) {
  for (let i = 0; i < Math.min(n, 2000); i++) await fn();
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    rounds.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return median(rounds);
}

// ns per call of each of @p fns, rounds of n calls taken in turn (one round
// of each, nine times), so that a machine that slows down for a while
// slows every contender alike; the median of each one's rounds.
function syncMeasureTogether(fns, n) {
  for (const fn of fns) for (let i = 0; i < Math.min(n, 2000); i++) fn();
  const rounds = fns.map(() => []);
  for (let r = 0; r < 9; r++) {
    fns.forEach((fn, k) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      rounds[k].push(Number(process.hrtime.bigint() - t0) / n);
    });
  }
  return rounds.map(median);
}

async function main() {
  const when = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const keyringText = `cookieseal-keyring 1\nkey 9f3a01c2 ${when} ${when} never ${crypto.randomBytes(32).toString('base64url')}\n`;
  const sessions = new cookieseal.Codec({ keyringText }).sessionManager({ name: '__Host-session' });
  const session = { values: fixture };
  const cs = sessions.sealSync(session);

  const app = Fastify();
  await app.register(need('@fastify/secure-session'), { key: crypto.randomBytes(32) });
  await app.ready();
  const fsSession = () => app.createSecureSession({ ...fixture });
  const fsCookie = app.encodeSecureSession(fsSession());

  const password = crypto.randomBytes(32).toString('hex');
  const ironCookie = await iron.sealData(fixture, { password });

  // An open that a handler uses reads a value of it (both give the values parsed).
  const [sealSync, fsSeal] = syncMeasureTogether([() => sessions.sealSync(session), () => app.encodeSecureSession(fsSession())], 10000);
  const [openSync, fsOpen] = syncMeasureTogether([() => sessions.openSync(cs).values.user_id, () => app.decodeSecureSession(fsCookie).get('user_id')], 10000);
  const rows = [
    ['seal', sealSync, await measure(() => sessions.seal(session), 5000), fsSeal, await measure(() => iron.sealData(fixture, { password }), 500)],
    ['open', openSync, await measure(() => sessions.open(cs), 5000), fsOpen, await measure(() => iron.unsealData(ironCookie, { password }), 500)],
  ];
  await app.close();
  console.log(`Node.js ${process.version}, typical fixture (${JSON.stringify(fixture).length} bytes of JSON)\n`);
  console.log('| typical fixture | cookieseal sync ns | cookieseal promise ns | @fastify/secure-session ns | iron-session ns | sync / secure-session | iron-session / sync | cookie chars (cookieseal / secure-session / iron) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [op, sync, promise, fsns, ironns] of rows) {
    const chars = op === 'seal' ? `${cs.length} / ${fsCookie.length} / ${ironCookie.length}` : '';
    console.log(`| ${op} | ${sync.toFixed(0)} | ${promise.toFixed(0)} | ${fsns.toFixed(0)} | ${ironns.toFixed(0)} | ${(sync / fsns).toFixed(2)}x | ${(ironns / sync).toFixed(0)}x | ${chars} |`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
