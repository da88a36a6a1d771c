// The cookieseal command-line tool: shared declarations.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/store.hpp>

#include <chrono>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

/// Exit codes (README, "CLI"): 0 success, 1 runtime failure, 2 usage, 3 store; open errors 9 +
/// errc.
inline constexpr int exit_ok = 0;
inline constexpr int exit_runtime = 1;
inline constexpr int exit_usage = 2;
/// A store maintenance command (store gc/stats, revoke-subject) could not use its store.
inline constexpr int exit_store = 3;
inline int exit_for(cookieseal::errc e) { return 9 + static_cast<int>(e); }

/// Bad flags, arguments or JSON: exit 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// I/O or keyring file trouble: exit 1.
struct runtime_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// A store maintenance command could not reach or use its store: exit 3. The
/// message keeps the cause (and never a password).
struct store_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// A cookie that did not open: exit 9 + errc.
struct cookie_error : std::runtime_error {
  cookie_error(cookieseal::errc e, const std::string& what) : std::runtime_error(what), code(e) {}
  cookieseal::errc code;
};

/**
 * Parsed arguments: positionals in order, and --name value / --name=value
 * options. Flags listed in @p switches take no value. Unknown options are a
 * usage_error.
 */
struct args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool help = false;

  static args parse(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
                    const std::vector<std::string>& switches = {});
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const;
  [[nodiscard]] bool has(const std::string& name) const { return options.count(name) != 0; }
  /// --name DURATION (90s, 15m, 12h, 30d), or @p fallback. @throws usage_error
  [[nodiscard]] std::chrono::seconds duration(const std::string& name,
                                              std::chrono::seconds fallback) const;
  /// --name TIME (RFC 3339 UTC), or @p fallback. @throws usage_error
  [[nodiscard]] cookieseal::time_point time(const std::string& name,
                                            cookieseal::time_point fallback) const;
  /// Exactly @p n positionals, or a usage_error naming @p usage.
  void expect_positional(std::size_t n, const char* usage) const;
};

/// A store opened from the command line, and the last cause it reported.
struct opened_store {
  std::shared_ptr<cookieseal::store> store;
  std::shared_ptr<std::string> last_cause;
  /// "WHERE (password redacted): CAUSE" for a failed call.
  [[nodiscard]] std::string why(const std::string& where) const;
};

/// A file_store for a directory, a redis_store for redis:// and unix:// URLs;
/// its failures' causes are kept. @throws usage_error (bad URL) or runtime_failure
opened_store open_store(const std::string& where);

int cmd_keyring(const std::vector<std::string>& argv);
int cmd_seal(const std::vector<std::string>& argv);
int cmd_open(const std::vector<std::string>& argv);
int cmd_inspect(const std::vector<std::string>& argv);
int cmd_store(const std::vector<std::string>& argv);
int cmd_revoke_subject(const std::vector<std::string>& argv);

}  // namespace cli
