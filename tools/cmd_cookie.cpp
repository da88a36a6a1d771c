// cookieseal seal | open | inspect
#include "cli.hpp"

#include <cookieseal/codec.hpp>
#include <cookieseal/json.hpp>
#include <cookieseal/keyring_file.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>

namespace cli {

namespace {

constexpr std::size_t max_stdin_bytes = 1 << 20;

constexpr const char* seal_usage =
    R"(usage: cookieseal seal --keyring FILE --name NAME [--purpose P]
                       [--max-age DUR] [--idle DUR] [--full]
                       [--session-max-age DUR] [--session-idle DUR] [--browser-session]
                       < session.json

Reads a JSON object of session values on stdin and prints the sealed cookie value.
With --full, stdin is {"values":{...}, "constants":{...}, "flashes":{"key":[...]},
"subject":"...", "lifetime":{"max_age":SECONDS, "idle_timeout":SECONDS,
"browser_session":BOOL}} (every member optional). JSON integers become int, other
numbers double; bytes are {"$bytes":"<base64url>"}. --max-age (default 7d) and --idle
(default 24h) set the codec's policy; 0 turns a bound off. --session-max-age and
--session-idle give this session its own lifetime, within the policy (shorter
counts, longer is cut to the policy's; 0 = none only where the policy's is 0), and
--browser-session marks it a browser session (no Max-Age/Expires on its cookie);
they override the JSON's "lifetime" members. --now TIME seals as if the
clock said TIME (a key must be active then). --store DIR|URL puts sessions too large
for a cookie into that overflow store (a directory, or redis:// / unix:// for
Redis), sealed; the cookie carries a reference.
)";

constexpr const char* open_usage =
    R"(usage: cookieseal open --keyring FILE --name NAME [--purpose P]
                       [--max-age DUR] [--idle DUR] COOKIE

Opens COOKIE ("-" reads it from stdin) and prints {"values", "constants",
"flashes", "lifetime": {max_age, idle_timeout, browser_session}, "meta": {id,
subject, created_at, issued_at, expires_at, key_id, key_replaced, overflow}}
("lifetime" is the session's own; null durations follow the policy; overflow
is true when the session came from the overflow store). Strings print as valid
UTF-8: bytes that are not become U+FFFD. --max-age and --idle give the policy
in force (defaults 7d, 24h); --now TIME opens as if the clock said TIME;
--store DIR|URL resolves overflow references and checks revocations there.

Exit codes: 0 opened; 1 runtime failure (I/O, keyring file); 2 usage error.
A cookie that does not open prints one line naming the error and exits with
9 + the error value: 10 malformed, 11 unsupported_version, 12 unknown_key,
13 authentication_failed, 14 expired, 15 invalid_payload, 16 too_large,
17 store_unavailable, 18 revoked, 19 key_not_loaded, 20 ambiguous.
(header_truncated, 12, is a whole Cookie header's: open never returns it.)
)";

constexpr const char* inspect_usage = R"(usage: cookieseal inspect COOKIE

Prints the cookie's clear header (version, key id, issued, expires) without any
key; "-" reads COOKIE from stdin. NOTHING IT PRINTS IS VERIFIED: anyone can
forge these fields.
)";

std::string read_stdin() {
  std::string s;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    s.append(buf, n);
    if (s.size() > max_stdin_bytes) throw usage_error("stdin is larger than 1 MiB");
  }
  if (std::ferror(stdin)) throw runtime_failure("cannot read stdin");
  return s;
}

// A COOKIE argument; "-" reads it from stdin (off the process list), one line.
std::string cookie_argument(const std::string& arg) {
  if (arg != "-") return arg;
  std::string cookie = read_stdin();
  while (!cookie.empty() && (cookie.back() == '\n' || cookie.back() == '\r')) cookie.pop_back();
  return cookie;
}

std::string required(const args& a, const std::string& name, const char* command) {
  auto v = a.get(name);
  if (!v)
    throw usage_error(fmt::format("--{} is required (see cookieseal {} --help)", name, command));
  return *v;
}

void check_binding(const std::string& name, const std::string& purpose) {
  if (name.empty() || name.size() > 255) throw usage_error("--name must be 1..255 bytes");
  if (purpose.size() > 255) throw usage_error("--purpose must be at most 255 bytes");
}

cookieseal::keyring load_keys(const args& a, cookieseal::time_point now) {
  if (auto f = a.get("keyring")) return cookieseal::load_keyring_file(*f, now);
  if (std::getenv(cookieseal::keyring_env_var))
    return cookieseal::load_keyring_env(cookieseal::keyring_env_var, now);
  throw usage_error("--keyring FILE is required (or set $COOKIESEAL_KEYRING)");
}

cookieseal::codec make_codec(const args& a) {
  // --now TIME: evaluate as if the clock said TIME (tests, forensics).
  const cookieseal::time_point now = a.time("now", cookieseal::system_now());
  cookieseal::codec_options o;
  o.max_age = a.duration("max-age", o.max_age);
  o.idle_timeout = a.duration("idle", o.idle_timeout);
  if (a.has("now")) o.clock = [now] { return now; };
  if (auto where = a.get("store")) {
    const auto st = open_store(*where).store;
    o.overflow_store = st;
    o.revocation_store = st;
  }
  return cookieseal::codec(load_keys(a, now), o);
}

// --session-max-age, --session-idle and --browser-session over the JSON's "lifetime".
cookieseal::session_lifetime lifetime_with_flags(const args& a, cookieseal::session_lifetime l) {
  if (a.has("session-max-age")) l.max_age = a.duration("session-max-age", {});
  if (a.has("session-idle")) l.idle_timeout = a.duration("session-idle", {});
  if (a.has("browser-session")) l.browser_session = true;
  return l;
}

}  // namespace

int cmd_seal(const std::vector<std::string>& argv) {
  const args a = args::parse(argv,
                             {"keyring", "name", "purpose", "max-age", "idle", "now", "store",
                              "session-max-age", "session-idle"},
                             {"full", "browser-session"});
  if (a.help) return std::fputs(seal_usage, stdout), exit_ok;
  a.expect_positional(0,
                      "cookieseal seal --keyring FILE --name NAME [--purpose P] [--full] < json");
  const std::string name = required(a, "name", "seal");
  const std::string purpose = a.get("purpose").value_or("");
  check_binding(name, purpose);
  const auto c = make_codec(a);
  auto s = cookieseal::session_from_json(read_stdin(), a.has("full"), c.now());
  s.set_lifetime(lifetime_with_flags(a, s.lifetime()));
  auto sealed = c.seal(name, s, purpose);
  if (!sealed)
    throw cookie_error(sealed.error(), fmt::format("{}: {}", cookieseal::to_string(sealed.error()),
                                                   cookieseal::message(sealed.error())));
  fmt::print("{}\n", sealed->cookie);
  return exit_ok;
}

int cmd_open(const std::vector<std::string>& argv) {
  const args a =
      args::parse(argv, {"keyring", "name", "purpose", "max-age", "idle", "now", "store"});
  if (a.help) return std::fputs(open_usage, stdout), exit_ok;
  a.expect_positional(1, "cookieseal open --keyring FILE --name NAME [--purpose P] COOKIE");
  const std::string name = required(a, "name", "open");
  const std::string purpose = a.get("purpose").value_or("");
  check_binding(name, purpose);
  const std::string cookie = cookie_argument(a.positional[0]);
  const auto c = make_codec(a);
  auto opened = c.open(name, cookie, purpose);
  if (!opened && opened.error() == cookieseal::errc::store_unavailable && !a.has("store"))
    throw cookie_error(opened.error(),
                       "store_unavailable: the cookie refers to an overflow entry in a store; "
                       "give --store DIR|URL to open it");
  if (!opened)
    throw cookie_error(opened.error(), fmt::format("{}: {}", cookieseal::to_string(opened.error()),
                                                   cookieseal::message(opened.error())));
  std::cout << cookieseal::session_to_json(opened->session, &opened->info, 2) << "\n";
  return exit_ok;
}

int cmd_inspect(const std::vector<std::string>& argv) {
  const args a = args::parse(argv, {});
  if (a.help) return std::fputs(inspect_usage, stdout), exit_ok;
  a.expect_positional(1, "cookieseal inspect COOKIE");
  auto h = cookieseal::read_unverified_header(cookie_argument(a.positional[0]));
  if (!h)
    throw cookie_error(h.error(), fmt::format("{}: {}", cookieseal::to_string(h.error()),
                                              cookieseal::message(h.error())));
  const nlohmann::json out = {
      {"verified", false},
      {"version", h->version},
      {"key_id", fmt::format("{:08x}", h->key_id)},
      {"issued_at", cookieseal::format_rfc3339(h->issued_at)},
      {"expires_at", h->expires_at ? nlohmann::json(cookieseal::format_rfc3339(*h->expires_at))
                                   : nlohmann::json(nullptr)},
  };
  std::cout << out.dump(2) << "\n";
  std::fputs("(unverified: the header is readable without a key and can be forged)\n", stderr);
  return exit_ok;
}

}  // namespace cli
