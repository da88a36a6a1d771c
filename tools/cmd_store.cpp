// cookieseal store gc|stats DIR, cookieseal revoke-subject --store DIR SUBJECT
#include "cli.hpp"

#include <cookieseal/codec.hpp>
#include <cookieseal/file_store.hpp>
#include <cookieseal/redis_store.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

namespace cli {

namespace {

constexpr const char* store_usage = R"(usage: cookieseal store SUBCOMMAND DIR|URL

  gc DIR         remove expired entries, expired revocations and stale temp files
                 (Redis expires keys itself: nothing to do for a URL)
  stats DIR|URL  entries, bytes, the oldest expiry, revocation records

DIR is a file_store directory; URL is redis://[[user]:password@]host[:port][/db]
or unix:///path/to/socket[?db=N] (keys under the prefix "cookieseal:").
)";

constexpr const char* revoke_usage = R"(usage: cookieseal revoke-subject --store DIR|URL [--max-age DUR] [--leeway DUR]
                                 [--before TIME] [--for DUR] SUBJECT

"Log out everywhere" for one user: every session of SUBJECT created up to now (or
before TIME) is refused as revoked by servers that check that store; a session
created after it, even in the same second, holds. The record is kept for as long
as any session it covers could open: --max-age (default 7d, your servers' policy)
+ --leeway (default 60s), or forever with --max-age 0. --for DUR overrides that.
)";

[[noreturn]] void store_failed(const std::string& where) {
  throw cookie_error(cookieseal::errc::store_unavailable,
                     fmt::format("{}: the store could not be read or written", where));
}

}  // namespace

std::shared_ptr<cookieseal::store> open_store(const std::string& where) {
  // The CLI never creates a store: a typo would make an empty one.
  if (!cookieseal::is_redis_url(where) && !std::filesystem::is_directory(where))
    throw runtime_failure(fmt::format("{}: not a store directory (create it first)", where));
  try {
    return cookieseal::open_store(where);
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
}

int cmd_store(const std::vector<std::string>& argv) {
  const args a = args::parse(argv, {});
  if (a.help || a.positional.empty()) {
    std::fputs(store_usage, a.help ? stdout : stderr);
    return a.help ? exit_ok : exit_usage;
  }
  const std::string sub = a.positional[0];
  if (sub == "gc") {
    a.expect_positional(2, "cookieseal store gc DIR");
    auto st = open_store(a.positional[1]);
    auto removed = st->collect_garbage(cookieseal::system_now());
    if (!removed) store_failed(a.positional[1]);
    fmt::print("removed {} expired or stale file{}\n", *removed, *removed == 1 ? "" : "s");
    return exit_ok;
  }
  if (sub == "stats") {
    a.expect_positional(2, "cookieseal store stats DIR");
    auto st = open_store(a.positional[1]);
    auto s = st->stats();
    if (!s) store_failed(a.positional[1]);
    fmt::print("entries: {}\nbytes: {}\noldest expiry: {}\nrevocations: {}\n", s->entries, s->bytes,
               s->oldest_expiry ? cookieseal::format_rfc3339(*s->oldest_expiry) : "none",
               s->revocations);
    return exit_ok;
  }
  throw usage_error(fmt::format("unknown store subcommand \"{}\" (see cookieseal store --help)", sub));
}

int cmd_revoke_subject(const std::vector<std::string>& argv) {
  const args a = args::parse(argv, {"store", "before", "for", "max-age", "leeway"});
  if (a.help) return std::fputs(revoke_usage, stdout), exit_ok;
  a.expect_positional(1, "cookieseal revoke-subject --store DIR [--before TIME] SUBJECT");
  const auto where = a.get("store");
  if (!where) throw usage_error("--store DIR|URL is required (see cookieseal revoke-subject --help)");
  const std::string& subject = a.positional[0];
  if (subject.empty()) throw usage_error("SUBJECT must not be empty");
  const auto now = cookieseal::system_now();
  const auto before = a.time("before", cookieseal::revocation_cutoff(now));
  cookieseal::codec_options policy;  // the same rule as codec::revoke_subject
  policy.max_age = a.duration("max-age", policy.max_age);
  policy.leeway = a.duration("leeway", policy.leeway);
  const auto until = a.has("for") ? now + a.duration("for", {}) : cookieseal::revocation_end(policy, before);
  auto st = open_store(*where);
  if (!st->revoke_subject(subject, before, until)) store_failed(*where);
  fmt::print("sessions of that subject created before {} are refused\n",
             cookieseal::format_rfc3339(before));
  return exit_ok;
}

}  // namespace cli
