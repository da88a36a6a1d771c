// cookieseal keyring init|rotate|list|prune|revoke|end-sessions
#include "cli.hpp"

#include <cookieseal/codec.hpp>
#include <cookieseal/keyring_file.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace cli {

namespace {

constexpr const char* keyring_usage = R"(usage: cookieseal keyring SUBCOMMAND FILE [OPTIONS]

  init FILE             create FILE (mode 0600) with one key, active now
  rotate FILE           add a key that seals after --activate-in (default 1h); keys without
                        an expiry get one --expire-old-in (default 30d) after that activation.
                        --expire-old-in 0 logs every user out when the new key activates:
                        it needs --force. --activate-in 0 (a leak) lists keys still
                        pending from earlier rotations: revoke them too.
  list FILE [--json]    every key's id, state, created/activates/expires (no key bytes);
                        --json for monitoring
  prune FILE            remove keys that have expired
  revoke FILE ID        remove key ID now: cookies it sealed stop opening at once
  end-sessions FILE [--before TIME] [--force]
                        refuse every session created before TIME (default: now);
                        a TIME in the future refuses every new session until then,
                        so it needs --force

Every change takes FILE.lock, writes a temp file, fsyncs and renames it over FILE,
so concurrent operators lose no key and a crash leaves the old file whole.
Servers pick up the change on their next reload (keyring_watcher).
)";

cookieseal::time_point now() { return cookieseal::system_now(); }

std::uint32_t parse_id(const std::string& s) {
  std::uint32_t id = 0;
  if (s.size() != 8 || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw usage_error(
        fmt::format("bad key id \"{}\" (want 8 hex digits, as `keyring list` shows)", s));
  id = static_cast<std::uint32_t>(std::stoul(s, nullptr, 16));
  return id;
}

int list(const std::string& file, bool json) {
  const auto k = cookieseal::load_keyring_file(file, now());
  const auto t = now();
  if (json) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& info : k.keys())
      keys.push_back(
          {{"id", cookieseal::key_id_hex(info.id)},
           {"state", cookieseal::to_string(k.state(info, t))},
           {"created", cookieseal::format_rfc3339(info.created)},
           {"activates", cookieseal::format_rfc3339(info.activates)},
           {"expires", info.expires ? nlohmann::json(cookieseal::format_rfc3339(*info.expires))
                                    : nlohmann::json(nullptr)}});
    for (const auto& gone : k.tombstones())
      keys.push_back({{"id", cookieseal::key_id_hex(gone.id)},
                      {"state", cookieseal::to_string(cookieseal::key_state::revoked)},
                      {"created", cookieseal::format_rfc3339(gone.created)},
                      {"activates", cookieseal::format_rfc3339(gone.activates)},
                      {"expires", nullptr},
                      {"removed", cookieseal::format_rfc3339(gone.removed)}});
    const auto esb = k.end_sessions_before();
    const nlohmann::json out = {
        {"keys", keys},
        {"end_sessions_before",
         esb ? nlohmann::json(cookieseal::format_rfc3339(*esb)) : nlohmann::json(nullptr)},
        {"now", cookieseal::format_rfc3339(t)}};
    fmt::print("{}\n", out.dump(2));
    return exit_ok;
  }
  fmt::print("{:<8}  {:<8}  {:<20}  {:<20}  {:<20}\n", "id", "state", "created", "activates",
             "expires");
  for (const auto& info : k.keys())
    fmt::print("{:08x}  {:<8}  {:<20}  {:<20}  {:<20}\n", info.id,
               cookieseal::to_string(k.state(info, t)), cookieseal::format_rfc3339(info.created),
               cookieseal::format_rfc3339(info.activates),
               info.expires ? cookieseal::format_rfc3339(*info.expires) : "never");
  // Removed keys stay listed: their ids are never reused.
  for (const auto& gone : k.tombstones())
    fmt::print("{:08x}  {:<8}  {:<20}  {:<20}  removed {}\n", gone.id,
               cookieseal::to_string(cookieseal::key_state::revoked),
               cookieseal::format_rfc3339(gone.created), cookieseal::format_rfc3339(gone.activates),
               cookieseal::format_rfc3339(gone.removed));
  if (auto e = k.end_sessions_before())
    fmt::print("end-sessions-before {}\n", cookieseal::format_rfc3339(*e));
  return exit_ok;
}

int init(const args&, const std::string& file) {
  const auto t = now();
  const auto k = cookieseal::create_keyring_file(file, cookieseal::keyring::generate(t), t);
  fmt::print("created {} with key {} (active now)\n", file, cookieseal::key_id_hex(k.keys()[0].id));
  return exit_ok;
}

int rotate(const args& a, const std::string& file) {
  const auto activate_in = a.duration("activate-in", cookieseal::default_activate_in);
  const auto expire_old_in = a.duration("expire-old-in", cookieseal::default_expire_old_in);
  if (expire_old_in.count() == 0 && !a.has("force"))
    throw usage_error(
        "--expire-old-in 0 makes every cookie sealed so far stop opening when the new key "
        "activates: every user is logged out. Add --force if that is what you want");
  const auto t = now();
  std::uint32_t added = 0;
  std::vector<cookieseal::key_info> pending;
  cookieseal::update_keyring_file(
      file,
      [&](const cookieseal::keyring& k) {
        auto [next, new_id] = k.rotate(t, activate_in, expire_old_in);
        added = new_id;
        pending.clear();
        for (const auto& info : k.keys())
          if (info.activates > t + activate_in) pending.push_back(info);
        return next;
      },
      t);
  fmt::print("added key {}: seals from {}; older keys without an expiry open until {}\n",
             cookieseal::key_id_hex(added), cookieseal::format_rfc3339(t + activate_in),
             cookieseal::format_rfc3339(t + activate_in + expire_old_in));
  // A key pending from an earlier rotation takes over sealing when it
  // activates; after a leak it is as exposed as the leaked one.
  for (const auto& info : pending)
    fmt::print(stderr,
               "warning: key {0} is still pending and will take over sealing at {1}; if the "
               "keyring leaked, revoke it too: cookieseal keyring revoke {2} {0}\n",
               cookieseal::key_id_hex(info.id), cookieseal::format_rfc3339(info.activates), file);
  return exit_ok;
}

int prune(const args&, const std::string& file) {
  const auto t = now();
  std::size_t removed = 0;
  cookieseal::update_keyring_file(
      file,
      [&](const cookieseal::keyring& k) {
        auto next = k.pruned(t);
        removed = k.size() - next.size();
        return next;
      },
      t);
  fmt::print("removed {} expired key{}\n", removed, removed == 1 ? "" : "s");
  return exit_ok;
}

int revoke(const args& a, const std::string& file) {
  const std::uint32_t id = parse_id(a.positional[2]);
  const std::string hex = cookieseal::key_id_hex(id);
  const auto t = now();
  cookieseal::update_keyring_file(
      file,
      [&](const cookieseal::keyring& k) {
        if (const auto* gone = k.find_tombstone(id))
          throw runtime_failure(fmt::format("{}: key {} was already revoked at {}", file, hex,
                                            cookieseal::format_rfc3339(gone->removed)));
        if (k.find(id) == nullptr) throw runtime_failure(fmt::format("{}: no key {}", file, hex));
        try {
          return k.without_key(id, t);  // refuses the only key that can seal
        } catch (const std::invalid_argument&) {
          throw runtime_failure(
              fmt::format("revoking {} would leave no key that can seal; first run: cookieseal "
                          "keyring rotate {} --activate-in 0",
                          hex, file));
        }
      },
      t);
  fmt::print("revoked key {}: cookies it sealed stop opening once servers reload\n", hex);
  return exit_ok;
}

int end_sessions(const args& a, const std::string& file) {
  const auto t = now();
  // Every session created up to now (this second included); one created
  // after, even in the same second, holds (codec::seal moves it to the cut-off).
  const cookieseal::time_point before = a.time("before", cookieseal::revocation_cutoff(t));
  if (before > cookieseal::revocation_cutoff(t) && !a.has("force"))
    throw usage_error(fmt::format(
        "--before {} is in the future: until then every new session is refused too (every "
        "login fails); give --force if that is what you want",
        cookieseal::format_rfc3339(before)));
  cookieseal::update_keyring_file(
      file, [&](const cookieseal::keyring& k) { return k.with_end_sessions_before(before); }, t);
  fmt::print("sessions created before {} are refused once servers reload\n",
             cookieseal::format_rfc3339(before));
  return exit_ok;
}

int list_command(const args& a, const std::string& file) { return list(file, a.has("json")); }

// One row per subcommand: its usage line, the options it takes, what it does.
struct subcommand {
  const char* name;
  std::size_t positionals;  // with the subcommand's name
  const char* usage;
  std::array<std::string_view, 3> options;  // the --options it takes; "" fills
  int (*run)(const args&, const std::string& file);
};

const subcommand subcommands[] = {
    {"init", 2, "cookieseal keyring init FILE", {}, init},
    {"rotate",
     2,
     "cookieseal keyring rotate FILE [--activate-in DUR] [--expire-old-in DUR] [--force]",
     {"activate-in", "expire-old-in", "force"},
     rotate},
    {"list", 2, "cookieseal keyring list FILE [--json]", {"json"}, list_command},
    {"prune", 2, "cookieseal keyring prune FILE", {}, prune},
    {"revoke", 3, "cookieseal keyring revoke FILE ID", {}, revoke},
    {"end-sessions",
     2,
     "cookieseal keyring end-sessions FILE [--before TIME] [--force]",
     {"before", "force"},
     end_sessions},
};

}  // namespace

int cmd_keyring(const std::vector<std::string>& argv) {
  const args a = args::parse(argv, {"activate-in", "expire-old-in", "before"}, {"force", "json"});
  if (a.help || a.positional.empty()) {
    std::fputs(keyring_usage, a.help ? stdout : stderr);
    return a.help ? exit_ok : exit_usage;
  }
  const std::string& name = a.positional[0];
  for (const auto& sub : subcommands) {
    if (name != sub.name) continue;
    a.expect_positional(sub.positionals, sub.usage);
    for (const auto& [option, value] : a.options)
      if (option.empty() ||
          std::find(sub.options.begin(), sub.options.end(), option) == sub.options.end())
        throw usage_error(fmt::format("keyring {} takes no --{}", name, option));
    return sub.run(a, a.positional[1]);
  }
  throw usage_error(
      fmt::format("unknown keyring subcommand \"{}\" (see cookieseal keyring --help)", name));
}

}  // namespace cli
