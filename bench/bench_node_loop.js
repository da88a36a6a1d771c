#!/usr/bin/env node
// The event-loop delay of an Express server (cookieseal middleware, sessions
// overflowing to a real redis-server) while 1,000 requests are in flight at
// once: the store I/O runs on the libuv pool, so the loop should stay free.
// The server runs in a child process and reports perf_hooks'
// monitorEventLoopDelay; this process is the client.
// Usage: bench/bench_node_loop.js   (bindings/node built and npm ci'd; redis-server on PATH)
'use strict';
const { spawn, fork } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const node = path.join(__dirname, '..', 'bindings', 'node');

const CONCURRENT = 1000;

if (process.argv[2] === '--server') {
  const express = require(require.resolve('express', { paths: [node] }));
  const cookieseal = require(node);
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const app = express();
  app.use(cookieseal.express({ keyringText: process.env.KEYRING, store: process.env.STORE, name: 's', secure: false }));
  app.get('/fill', (req, res) => { req.session.big = 'x'.repeat(6000); res.end(); });
  app.get('/visit', (req, res) => { req.session.n = (req.session.n ?? 0) + 1; res.end(String(req.session.n)); });
  const h = monitorEventLoopDelay({ resolution: 1 });
  const server = http.createServer(app).listen(Number(process.env.PORT), '127.0.0.1', () => process.send({ ready: true }));
  server.maxConnections = 4 * CONCURRENT;
  process.on('message', (m) => {
    if (m === 'start') { h.reset(); h.enable(); }
    if (m === 'stop') {
      h.disable();
      process.send({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 });
      server.close(() => process.exit(0));
    }
  });
  return;
}

function get(port, p, cookie, agent) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    }).on('error', reject);
  });
}

async function main() {
  const rport = 17990, port = 17991;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cookieseal-loop-'));
  const redis = spawn('redis-server', ['--port', String(rport), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--maxclients', '10000'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const when = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const KEYRING = `cookieseal-keyring 1\nkey 9f3a01c2 ${when} ${when} never ${crypto.randomBytes(32).toString('base64url')}\n`;
  const server = fork(__filename, ['--server'], { env: { ...process.env, KEYRING, STORE: `redis://127.0.0.1:${rport}`, PORT: String(port) } });
  await new Promise((r) => server.once('message', r));
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENT });
    const fill = await get(port, '/fill', undefined, agent);
    const cookie = fill.headers['set-cookie'][0].split(';')[0];
    await Promise.all(Array.from({ length: 200 }, () => get(port, '/visit', cookie, agent)));  // warm-up
    server.send('start');
    const t0 = process.hrtime.bigint();
    const res = await Promise.all(Array.from({ length: CONCURRENT }, () => get(port, '/visit', cookie, agent)));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    server.send('stop');
    const delay = await new Promise((r) => server.once('message', r));
    const ok = res.filter((r) => r.statusCode === 200).length;
    console.log(`| ${CONCURRENT} concurrent requests, sessions in Redis | ${ok} ok | ${ms.toFixed(0)} ms | ${delay.p50.toFixed(1)} | ${delay.p99.toFixed(1)} | ${delay.max.toFixed(1)} |`);
    agent.destroy();
  } finally {
    redis.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
