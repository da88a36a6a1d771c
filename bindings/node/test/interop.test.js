'use strict';
// One keyring, two languages: a cookie sealed by the C++ CLI opens in an
// Express server, and one Express sealed opens in the CLI.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const http = require('node:http');
const express = require('express');
const cookieseal = require('..');
const { keyringFile, listen, request, cookiePair } = require('./helpers');

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
