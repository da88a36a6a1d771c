'use strict';
// What the framework adapters share: the Cookie lines of a Node request, and
// the library's response headers applied to a response.

/**
 * Every Cookie line of an http.IncomingMessage joined by '\n' (Node's
 * req.headers.cookie joins them with '; ', which a cut line would corrupt).
 */
function cookieLines(req) {
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) return req.headers?.cookie ?? '';
  const lines = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].length === 6 && raw[i].toLowerCase() === 'cookie') lines.push(raw[i + 1]);
  }
  return lines.join('\n');
}

function list(v) {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [String(v)];
}

// Vary: Cookie added to what the app says (once), never replacing it.
function mergeVary(old, value) {
  const have = list(old).join(',').split(',').map((s) => s.trim()).filter(Boolean);
  if (have.includes('*') || have.some((h) => h.toLowerCase() === value.toLowerCase())) return have.join(', ');
  return [...have, value].join(', ');
}

/**
 * Applies [[name, value], ...] from save(): Set-Cookie lines are added to the
 * app's, Vary is merged, and anything else (Cache-Control: no-store) replaces
 * the app's header, so there is one line of it.
 * @param {{get(name): any, set(name, value): void, addCookies(values: string[]): void}} to
 */
function applyHeaders(pairs, to) {
  const cookies = [];
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') cookies.push(value);
    else if (lower === 'vary') to.set('Vary', mergeVary(to.get('Vary'), value));
    else to.set(name, value);
  }
  if (cookies.length) to.addCookies(cookies);
}

/** applyHeaders' target for a Node http.ServerResponse. */
function nodeResponse(res) {
  return {
    get: (name) => res.getHeader(name),
    set: (name, value) => res.setHeader(name, value),
    addCookies: (values) => res.setHeader('Set-Cookie', [...list(res.getHeader('Set-Cookie')), ...values]),
  };
}

module.exports = { cookieLines, applyHeaders, nodeResponse };
