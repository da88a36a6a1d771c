/// @file keyring_file.hpp
/// The keyring file (docs/KEYRING.md): parse, format, load with permission
/// checks, locked atomic updates, and loading from an environment variable.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/detail/wipe.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cookieseal {

/**
 * A keyring file or text that cannot be used. what() names the source and,
 * for parse errors, the line ("/etc/app/keys:4: ..."); it never contains key
 * bytes.
 */
class COOKIESEAL_API keyring_file_error : public config_error {
 public:
  using config_error::config_error;
};

/// Text that is a secret (a keyring file's contents): wiped whenever it
/// reallocates or is destroyed, so no copy of it is left in freed memory.
using secret_string =
    std::basic_string<char, std::char_traits<char>, detail::wiping_allocator<char>>;

/// The environment variable load_keyring_env() reads by default.
inline constexpr const char* keyring_env_var = "COOKIESEAL_KEYRING";

/**
 * Parses keyring text. @p source names it in errors. Checks syntax, ids (8 hex
 * digits, unique over keys and revoked keys), times (RFC 3339 UTC or `never`), keys (base64url, 32
 * bytes); does not require a key that can seal (see load_keyring_file).
 * @throws keyring_file_error
 */
[[nodiscard]] COOKIESEAL_API keyring parse_keyring(std::string_view text,
                                                   std::string_view source = "keyring");

/**
 * The keyring as file text, key bytes included, in a string that wipes itself
 * (no copy of the key text is left in freed memory).
 * WARNING: the result is secret; write it only to a file of mode 0600.
 */
[[nodiscard]] COOKIESEAL_API secret_string format_keyring(const keyring& k);

/**
 * Loads a keyring file (following symlinks, as Kubernetes secret mounts use).
 * Refuses a file that group or others may read (as ssh does for private keys),
 * a parse error (naming the line), and a keyring with no key that can seal at
 * @p now. @throws keyring_file_error
 */
[[nodiscard]] COOKIESEAL_API keyring load_keyring_file(const std::filesystem::path& file,
                                                       time_point now = system_now());

/**
 * Loads keyring text held elsewhere (a secret manager, a binding's argument):
 * the same checks as load_keyring_file except permissions; @p source names it
 * in errors. @throws keyring_file_error
 */
[[nodiscard]] COOKIESEAL_API keyring load_keyring_text(std::string_view text,
                                                       std::string_view source = "keyring text",
                                                       time_point now = system_now());

/**
 * Loads keyring text from environment variable @p var (containers), with the
 * same checks as load_keyring_file except permissions. Read-only: there is no
 * way to write it back. @throws keyring_file_error
 */
[[nodiscard]] COOKIESEAL_API keyring load_keyring_env(const char* var = keyring_env_var,
                                                      time_point now = system_now());

/**
 * Creates keyring file @p file holding @p keys (`cookieseal keyring init`):
 * takes an exclusive lock on FILE.lock, refuses a FILE that exists and a
 * keyring with no key that can seal at @p now, and writes it atomically as
 * update_keyring_file does. Returns the keyring written. @throws keyring_file_error
 */
COOKIESEAL_API keyring create_keyring_file(const std::filesystem::path& file, const keyring& keys,
                                           time_point now = system_now());

/**
 * Changes a keyring file safely: takes an exclusive lock on FILE.lock (never
 * on FILE, which the rename replaces), reads FILE (which must exist), applies
 * @p change, refuses a result with no key that can seal at @p now, and writes
 * it atomically: a 0600 temp file in the same directory, fsync, rename over
 * FILE, fsync of the directory. On any failure FILE is left as it was.
 * Concurrent updaters are serialized, so none loses another's key. Returns the
 * keyring written. @throws keyring_file_error
 */
COOKIESEAL_API keyring update_keyring_file(const std::filesystem::path& file,
                                           const std::function<keyring(const keyring&)>& change,
                                           time_point now = system_now());

}  // namespace cookieseal
