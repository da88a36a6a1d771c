'use strict';
// What the tests share: a fresh keyring file, loopback servers on the
// project's test ports, an HTTP client that shows every header line.
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

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

// The project's loopback test ports: 17800-17999.
let nextPort = 17800 + (process.pid % 40) * 5;
async function listen(server) {
  for (let tries = 0; tries < 200; tries++) {
    const port = nextPort;
    nextPort = nextPort >= 17999 ? 17800 : nextPort + 1;
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
  throw new Error('no free port in 17800-17999');
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

/** "name=value" of a Set-Cookie line (to send back). */
function cookiePair(setCookie) {
  return setCookie.split(';')[0];
}

/** The lines of a header name in a response (case-insensitive). */
function lines(res, name) {
  return res.raw.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

module.exports = { tempDir, keyringText, keyringFile, listen, freePort, request, cookiePair, lines };
