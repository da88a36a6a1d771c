#!/usr/bin/env node
// Builds the addon with node-gyp against the headers of the Node.js that runs
// this script (its prefix's include/node), so nothing is downloaded; falls
// back to node-gyp's own choice only when they are not installed.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
const args = ['rebuild'];
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

// The pinned node-gyp (devDependencies) in a checkout; npm's own when this is
// installed as a dependency.
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  gyp = process.env.npm_config_node_gyp;
}
if (!gyp) throw new Error('node-gyp is needed to build the cookieseal addon');
execFileSync(process.execPath, [gyp, ...args], {
  cwd: path.join(__dirname, '..'),
  stdio: 'inherit',
});
