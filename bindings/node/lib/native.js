'use strict';
// The addon (build/Release/cookieseal.node, built by scripts/build.js).
module.exports = require('../build/Release/cookieseal.node');
