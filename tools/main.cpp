// cookieseal: keyring management and cookie seal/open/inspect from the shell.
#include "cli.hpp"

#include <cookieseal/json.hpp>
#include <cookieseal/keyring_file.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

constexpr const char* usage = R"(usage: cookieseal COMMAND [ARGS...]

Commands:
  keyring init FILE                       create a keyring file with one active key
  keyring rotate FILE [--activate-in DUR] [--expire-old-in DUR]
  keyring list FILE [--json]              ids, states and dates (never key bytes)
  keyring prune FILE                      remove expired keys
  keyring revoke FILE ID                  remove one key now (a leaked key)
  keyring end-sessions FILE [--before TIME]
                                          refuse sessions created before TIME (default now)
  seal --keyring FILE --name NAME [--purpose P] [--max-age DUR] [--idle DUR] [--store S] [--full]
                                          JSON on stdin -> cookie value on stdout
  open --keyring FILE --name NAME [--purpose P] [--max-age DUR] [--idle DUR] [--store S] COOKIE|-
                                          cookie -> JSON on stdout ("-": the cookie on stdin,
                                          which other users cannot see in the process list)
  inspect COOKIE                          the clear header, unverified
  store gc DIR | store stats DIR|URL      overflow store maintenance
  revoke-subject --store DIR|URL SUBJECT  log one user out everywhere

seal and open take --store DIR|URL to use an overflow store (sessions over 4 KB)
and check it for revocations: a directory, or redis://host[:port][/db] or
unix:///path for Redis (rediss:// is not supported by this build).

Durations: 90s, 15m, 12h, 30d. Times: RFC 3339 UTC, e.g. 2026-11-22T03:00:00Z.
--keyring may be left out when $COOKIESEAL_KEYRING holds the keyring text.
Run any command with --help for details. Exit codes: 0 ok, 1 runtime failure,
2 usage error, 3 a store maintenance command could not use its store, 10..20 the cookie did not open (9 + the error value: 10 malformed,
11 unsupported_version, 12 unknown_key, 13 authentication_failed, 14 expired,
15 invalid_payload, 16 too_large, 17 store_unavailable, 18 revoked,
19 key_not_loaded, 20 ambiguous).
)";

// Library messages start with "cookieseal: " already; say it once.
std::string_view without_prefix(std::string_view m) {
  constexpr std::string_view prefix = "cookieseal: ";
  return m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs("cookieseal: no command given (see cookieseal --help)\n", stderr);
    return cli::exit_usage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(usage, stdout);
    return cli::exit_ok;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "keyring") return cli::cmd_keyring(args);
    if (command == "seal") return cli::cmd_seal(args);
    if (command == "open") return cli::cmd_open(args);
    if (command == "inspect") return cli::cmd_inspect(args);
    if (command == "store") return cli::cmd_store(args);
    if (command == "revoke-subject") return cli::cmd_revoke_subject(args);
    throw cli::usage_error("unknown command \"" + command + "\" (see cookieseal --help)");
  } catch (const cli::usage_error& e) {
    fmt::print(stderr, "cookieseal: {}\n", without_prefix(e.what()));
    return cli::exit_usage;
  } catch (const cli::store_error& e) {
    fmt::print(stderr, "cookieseal: {}\n", without_prefix(e.what()));
    return cli::exit_store;
  } catch (const cookieseal::json_error& e) {  // the JSON a user gave: a usage error
    fmt::print(stderr, "cookieseal: stdin: {}\n", without_prefix(e.what()));
    return cli::exit_usage;
  } catch (const cli::cookie_error& e) {
    fmt::print(stderr, "cookieseal: {}\n", without_prefix(e.what()));
    return cli::exit_for(e.code);
  } catch (const cookieseal::keyring_file_error& e) {
    fmt::print(stderr, "cookieseal: {}\n", without_prefix(e.what()));
    return cli::exit_runtime;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cookieseal: {}\n", without_prefix(e.what()));
    return cli::exit_runtime;
  }
}
