// cookieseal store gc|stats DIR, cookieseal revoke-subject --store DIR SUBJECT
#include "cli.hpp"

#include <cookieseal/codec.hpp>
#include <cookieseal/store.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

namespace cli {

namespace {

constexpr const char* store_usage = R"(usage: cookieseal store SUBCOMMAND DIR|URL

  gc DIR         remove expired entries, expired revocations and stale temp files
                 (Redis expires keys itself: nothing to do for a URL)
  stats DIR|URL  entries, bytes, the oldest expiry, revocation records

DIR is a file_store directory; URL is redis://[[user]:password@]host[:port][/db],
unix:///path/to/socket[?db=N], redis+sentinel://host:port[,host:port...]/MASTER[/db]
or redis+cluster://host:port[,host:port...] (keys under the prefix "cookieseal:";
stats counts every primary of a cluster).
A store that cannot be reached exits 3 and says why (passwords are never shown).
)";

constexpr const char* revoke_usage =
    R"(usage: cookieseal revoke-subject --store DIR|URL [--max-age DUR] [--leeway DUR]
                                 [--before TIME] [--for DUR] SUBJECT

"Log out everywhere" for one user: every session of SUBJECT created up to now (or
before TIME) is refused as revoked by servers that check that store; a session
created after it, even in the same second, holds. The record is kept for as long
as any session it covers could open: --max-age (default 7d, your servers' policy)
+ --leeway (default 60s), or forever with --max-age 0. --for DUR overrides that.
)";

[[noreturn]] void store_failed(const opened_store& st, const std::string& where) {
  throw store_error(st.why(where));
}

}  // namespace

std::string opened_store::why(const std::string& where) const {
  return fmt::format("store {}: {}", cookieseal::redact_store_url(where),
                     last_cause->empty() ? "the store could not be read or written" : *last_cause);
}

opened_store open_store(const std::string& where) {
  // The CLI never creates a store: a typo would make an empty one.
  if (!cookieseal::is_redis_url(where) && !std::filesystem::is_directory(where))
    throw runtime_failure(fmt::format("{}: not a store directory (create it first)", where));
  opened_store out;
  try {
    out.store = cookieseal::open_store(where);
  } catch (const cookieseal::store_url_error& e) {
    throw usage_error(e.what());
  } catch (const cookieseal::config_error& e) {
    throw store_error(fmt::format("store {}: {}", where, e.what()));
  }
  out.last_cause = std::make_shared<std::string>();
  out.store->set_diagnostic([cause = out.last_cause](std::string_view m) { cause->assign(m); });
  return out;
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
    const std::string& where = a.positional[1];
    if (cookieseal::is_redis_url(where)) {
      fmt::print("nothing to do: Redis expires cookieseal's keys itself\n");
      return exit_ok;
    }
    auto st = open_store(where);
    auto removed = st.store->collect_garbage(cookieseal::system_now());
    if (!removed) store_failed(st, where);
    fmt::print("removed {} expired or stale file{}\n", *removed, *removed == 1 ? "" : "s");
    return exit_ok;
  }
  if (sub == "stats") {
    a.expect_positional(2, "cookieseal store stats DIR");
    auto st = open_store(a.positional[1]);
    auto s = st.store->stats();
    if (!s) store_failed(st, a.positional[1]);
    fmt::print("entries: {}\nbytes: {}\noldest expiry: {}\nrevocations: {}\n", s->entries, s->bytes,
               s->oldest_expiry ? cookieseal::format_rfc3339(*s->oldest_expiry) : "none",
               s->revocations);
    return exit_ok;
  }
  throw usage_error(
      fmt::format("unknown store subcommand \"{}\" (see cookieseal store --help)", sub));
}

int cmd_revoke_subject(const std::vector<std::string>& argv) {
  const args a = args::parse(argv, {"store", "before", "for", "max-age", "leeway"});
  if (a.help) return std::fputs(revoke_usage, stdout), exit_ok;
  a.expect_positional(1, "cookieseal revoke-subject --store DIR [--before TIME] SUBJECT");
  const auto where = a.get("store");
  if (!where)
    throw usage_error("--store DIR|URL is required (see cookieseal revoke-subject --help)");
  const std::string& subject = a.positional[0];
  if (subject.empty()) throw usage_error("SUBJECT must not be empty");
  const auto now = cookieseal::system_now();
  const auto before = a.time("before", cookieseal::revocation_cutoff(now));
  cookieseal::codec_options policy;  // the same rule as codec::revoke_subject
  policy.max_age = a.duration("max-age", policy.max_age);
  policy.leeway = a.duration("leeway", policy.leeway);
  const auto until =
      a.has("for") ? now + a.duration("for", {}) : cookieseal::revocation_end(policy, before);
  auto st = open_store(*where);
  if (!st.store->revoke_subject(subject, before, until)) store_failed(st, *where);
  fmt::print("sessions of that subject created before {} are refused\n",
             cookieseal::format_rfc3339(before));
  return exit_ok;
}

}  // namespace cli
