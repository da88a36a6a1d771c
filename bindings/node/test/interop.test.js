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
