'use strict';
// Errors made on the JavaScript side (a bad option) in the addon's shape:
// an Error with `code` (the status's name), `status` (its number) and
// `undecided`. The library's own errors come from the addon in that shape.
const INVALID_ARGUMENT = 100;

function invalidArgument(message) {
  const e = new Error(message);
  e.code = 'invalid_argument';
  e.status = INVALID_ARGUMENT;
  e.undecided = false;
  return e;
}

module.exports = { invalidArgument };
