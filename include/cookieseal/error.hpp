/// @file error.hpp
/// The error codes of the library, the CLI and the docs: one list, stable values.
///
/// The rule: data errors are returned, programmer errors are thrown. Anything
/// read from outside — a cookie, a Cookie header, a store's contents, a
/// keyring file, a store URL or directory from configuration — gives a
/// result<T> with an errc (or, for files and configuration, an exception type
/// that names the file and line: keyring_file_error) and never crashes. A
/// call the program got wrong — a cookie name over 255 bytes, a negative
/// duration, unsafe cookie attributes — throws std::invalid_argument (or a
/// subclass: http::cookie_error, json_error) at once, so it is found in testing.
/// Configuration that cannot be used where it is loaded (a keyring file, a
/// store URL or directory) throws config_error, which is not invalid_argument:
/// catch it where configuration is read, and keep the process running.
#pragma once

#include <cookieseal/export.hpp>

#include <stdexcept>
#include <string_view>

namespace cookieseal {

/**
 * Why a cookie did not open or a session could not be sealed.
 *
 * The numeric values are part of the API and never change; new errors get new
 * numbers. The CLI's `open` exits with `9 + value` (malformed = 10 ...).
 */
enum class errc : int {
  malformed = 1,              ///< not base64url, too short, trailing junk, or over the size limit
  unsupported_version = 2,    ///< the version byte is not 1
  unknown_key = 3,            ///< no usable key with that id (never had it, pruned, revoked,
                              ///< expired); on seal: the keyring has no active key
  authentication_failed = 4,  ///< AEAD open failed: tampered, wrong name/purpose, wrong key
  expired = 5,                ///< header expiry passed, or the max_age/idle policy is exceeded
  invalid_payload = 6,        ///< authenticated, but the payload does not parse or breaks a limit
  too_large = 7,              ///< (seal) the cookie would exceed the limit and no store is set
  store_unavailable = 8,      ///< the overflow store could not be reached or read
  revoked = 9,                ///< the session, its subject, or all sessions before a time ended
  key_not_loaded = 10,        ///< the cookie names a key this server has not loaded, and its
                              ///< keyring file could not confirm the key is gone (the file was
                              ///< checked under a second ago, or fails to load): undecided
  ambiguous = 11,             ///< several cookies of the session's name open to different
                              ///< sessions (one may be planted by a sibling subdomain)
  header_truncated = 12,      ///< the Cookie header was cut at its limits and no cookie of the
                              ///< name opened in what was read: it may be in the cut part
                              ///< (undecided)
};

/**
 * What a request's cookie came to. Only a refused cookie may be cleared; an
 * undecided one (the server could not judge it) changes no cookie and is
 * answered 503, so a fault never logs a user out.
 */
enum class outcome : int {
  opened = 0,     ///< the cookie opened
  refused = 1,    ///< the cookie itself is bad: malformed, expired, revoked, ...
  undecided = 2,  ///< the server could not judge: store_unavailable, key_not_loaded,
                  ///< header_truncated
};

/// The outcome an error of opening stands for: store_unavailable, key_not_loaded
/// and header_truncated are undecided, every other error refuses the cookie. The
/// one home of this rule: the C ABI and every binding ask it.
[[nodiscard]] constexpr outcome outcome_of(errc e) noexcept {
  return e == errc::store_unavailable || e == errc::key_not_loaded || e == errc::header_truncated
             ? outcome::undecided
             : outcome::refused;
}

/**
 * Configuration read from outside that cannot be used: a keyring file
 * (keyring_file_error), a store URL (store_url_error) or a store directory.
 * Data, not a programmer error. what() names the source and the cause
 * ("/var/lib/app/sessions: Permission denied"), never a password or key bytes.
 */
class COOKIESEAL_API config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The error's stable name, e.g. "authentication_failed". Unknown values give "unknown".
[[nodiscard]] COOKIESEAL_API std::string_view to_string(errc e) noexcept;

/// One sentence saying what the error means, for logs and CLI messages.
[[nodiscard]] COOKIESEAL_API std::string_view message(errc e) noexcept;

}  // namespace cookieseal
