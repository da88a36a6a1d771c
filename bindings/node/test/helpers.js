'use strict';
// What the tests share: a fresh keyring file, loopback servers on the
// project's test ports, an HTTP client that shows every header line.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cookieseal-node-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function keyringText(keyId = '9f3a01c2') {
  const when = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  return `cookieseal-keyring 1\nkey ${keyId} ${when} ${when} never ${crypto.randomBytes(32).toString('base64url')}\n`;
}

/** A keyring file (mode 0600) in a temp dir removed after the test. */
function keyringFile(t) {
  const file = path.join(tempDir(t), 'keyring');
  fs.writeFileSync(file, keyringText(), { mode: 0o600 });
  return file;
}

// The project's loopback test ports: 17800-17999, or the range
// COOKIESEAL_TEST_PORTS names ("25000-25199": suites run side by side stay
// apart). node --test runs each test file in its own process, side by side:
// each file probes only its own block of the range, so a port one file found
// free is never the one another file's server is binding a moment later (a
// race seen in CI: 'cannot listen').
const [rangeFirst, rangeLast] = (process.env.COOKIESEAL_TEST_PORTS || '17800-17999').split('-').map(Number);
const testFiles = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
const fileIndex = Math.max(0, testFiles.indexOf(path.basename(process.argv[1] ?? '')));
const blockSize = Math.floor((rangeLast - rangeFirst + 1) / Math.max(1, testFiles.length));
const firstPort = rangeFirst + fileIndex * blockSize;
const lastPort = firstPort + blockSize - 1;
let nextPort = firstPort;
async function listen(server) {
  for (let tries = 0; tries < blockSize; tries++) {
    const port = nextPort;
    nextPort = nextPort >= lastPort ? firstPort : nextPort + 1;
    try {
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
      });
      return `http://127.0.0.1:${port}`;
    } catch (e) {
      if (e.code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`no free port in ${firstPort}-${lastPort}`);
}

/** A free port in the range, for servers started by other processes. */
async function freePort() {
  const s = http.createServer();
  const url = await listen(s);
  await new Promise((r) => s.close(r));
  return Number(new URL(url).port);
}

/**
 * One request; `cookie` may be an array (one Cookie line each).
 * @returns {Promise<{status, headers, raw, setCookie: string[], body}>}
 */
function request(base, pathname, { method = 'GET', cookie, body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (cookie !== undefined) h.cookie = cookie;
    const req = http.request(new URL(pathname, base), { method, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) raw.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        resolve({
          status: res.statusCode,
          headers: res.headers,
          raw,
          setCookie: res.headers['set-cookie'] ?? [],
          body: Buffer.concat(chunks).toString(),
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A redis-server on loopback in a temp dir until the test ends: { url, process } (SIGSTOP pauses it). */
async function redis(t) {
  const port = await freePort();
  const dir = tempDir(t);
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  t.after(() => { p.kill('SIGCONT'); p.kill('SIGTERM'); });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); r(true); });
      s.on('error', () => r(false));
    });
    if (up) return { url: `redis://127.0.0.1:${port}`, process: p };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

/**
 * A server process (argv[0] with its args, then `--port N`) on loopback until
 * the test ends, up once GET /api/state answers. @returns its base URL.
 */
async function serverProcess(t, argv, { env } = {}) {
  // A free port can still be taken by a process outside this suite before
  // the server binds it: then the server says so, and gets another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const p = spawn(argv[0], [...argv.slice(1), '--port', String(port)], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    p.stdout.on('data', (d) => { output += d; });
    p.stderr.on('data', (d) => { output += d; });
    const exited = new Promise((r) => p.once('exit', r));
    t.after(() => { p.kill('SIGTERM'); return exited; });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      if (p.exitCode !== null) break;
      try {
        await request(base, '/api/state');
        return base;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (attempt < 3 && /cannot listen/.test(output)) continue;
    throw new Error(`${argv[0]} did not answer on ${base}:\n${output}`);
  }
}

const root = path.join(__dirname, '..', '..', '..');

/** A variable bindings/node/test.sh sets (the build tree, the CLI, the shop). */
function need(name) {
  const v = process.env[name];
  assert.ok(v, `${name} is not set: run the suite through bindings/node/test.sh`);
  return v;
}

/** The Flask example app (examples/flask_app.py) on the build tree's library, as serverProcess. */
function flaskServer(t, keyring, store) {
  return serverProcess(t, ['/usr/bin/python3', path.join(root, 'examples', 'flask_app.py'), '--keyring', keyring, '--store', store], {
    env: { PYTHONPATH: path.join(root, 'bindings', 'python'), COOKIESEAL_LIBRARY: path.join(need('COOKIESEAL_BUILD'), 'lib', 'libcookieseal-c.so.1') },
  });
}

/** The Go example server (examples/go_app/cmd/go-shop) built into dir against the build tree, as serverProcess. */
function goServer(t, dir, keyring, store) {
  const out = path.join(dir, 'go-shop');
  execFileSync('bash', ['-c', '. "$0/bindings/go/env.sh" && cd "$root/examples/go_app" && go build -o "$1" ./cmd/go-shop', root, out],
    { env: { ...process.env, build: need('COOKIESEAL_BUILD') }, stdio: 'pipe' });
  return serverProcess(t, [out, '--keyring', keyring, '--store', store]);
}

/** The key id in a cookie's clear header (the CLI's inspect: no key, nothing verified). */
function keyId(cookie) {
  return JSON.parse(execFileSync(need('COOKIESEAL_CLI'), ['inspect', cookie], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()).key_id;
}

/**
 * One browser across servers on one host: cookies kept by name (Secure ones
 * too, as browsers and curl keep them for loopback), sent to every server.
 */
class Browser {
  constructor(cookies = {}) {
    this.cookies = new Map(Object.entries(cookies));
  }

  async send(base, pathname, { method = 'GET', form } = {}) {
    const options = { method };
    if (this.cookies.size) options.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form !== undefined) {
      options.body = new URLSearchParams(form).toString();
      options.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    }
    const res = await request(base, pathname, options);
    for (const line of res.setCookie) {
      const pair = cookiePair(line);
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      if (value === '' || /;\s*max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** POST a form; the shops answer 303 to "/". */
  async post(base, pathname, form = {}) {
    const res = await this.send(base, pathname, { method: 'POST', form });
    if (res.status !== 303) throw new Error(`POST ${base}${pathname}: ${res.status} ${res.body}`);
    return res;
  }

  /** GET /api/state as JSON. */
  async state(base) {
    const res = await this.send(base, '/api/state');
    if (res.status !== 200) throw new Error(`GET ${base}/api/state: ${res.status} ${res.body}`);
    return JSON.parse(res.body);
  }
}

/** "name=value" of a Set-Cookie line (to send back). */
function cookiePair(setCookie) {
  return setCookie.split(';')[0];
}

/** The lines of a header name in a response (case-insensitive). */
function lines(res, name) {
  return res.raw.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

module.exports = {
  tempDir, keyringText, keyringFile, listen, freePort, request, cookiePair, lines, serverProcess, Browser, redis,
  need, flaskServer, goServer, keyId,
};
