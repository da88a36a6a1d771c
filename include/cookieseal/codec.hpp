/// @file codec.hpp
/// seal (session -> cookie value) and open (cookie value -> session).
///
/// WARNING — the security contract:
///  - A sealed cookie is encrypted and authenticated with XChaCha20-Poly1305
///    under a keyring key. Its clear header (format version, key id, issued_at,
///    expires_at) is authenticated but readable by anyone holding the cookie.
///  - The cookie name and purpose are bound as associated data: a cookie sealed
///    for name "session" does not open as "csrf", nor under another purpose.
///  - Expiry is enforced here, from authenticated data and the policy in force
///    at open time, never trusted to the browser.
///  - A cookie can be replayed until it expires: whoever holds a copy is the
///    session. Stateless cookies are revoked only by expiry, keyring
///    end-sessions-before, removing the key, or a revocation store.
///  - Keys must be 32 random bytes from keyring::generate / with_new_key (or
///    the keyring file), never a password.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal {

/// Browsers keep a cookie only while name + value is at most this many bytes.
inline constexpr std::size_t browser_cookie_limit = 4096;

/// The policy a codec seals and opens with. Defaults are DESIGN.md's.
struct codec_options {
  /// Absolute lifetime from the session's created_at; 0 = none.
  std::chrono::seconds max_age = std::chrono::hours{24 * 7};
  /// Idle timeout from the last seal; 0 = none.
  std::chrono::seconds idle_timeout = std::chrono::hours{24};
  /// Clock-skew tolerance between servers, applied to every expiry check.
  std::chrono::seconds leeway = std::chrono::seconds{60};
  /// Limit on cookie name + value, in bytes; at most browser_cookie_limit.
  std::size_t max_cookie_bytes = browser_cookie_limit;
  /// "Now"; empty means the system clock. Inject one in tests.
  clock_function clock;
  /**
   * Where sessions too large for a cookie go, sealed (file_store, redis_store).
   * nullptr: seal returns errc::too_large for them.
   */
  std::shared_ptr<store> overflow_store;
  /**
   * Checked on every open for revoked sessions and subjects (errc::revoked);
   * usually the same store. nullptr: no per-session revocation.
   */
  std::shared_ptr<store> revocation_store;
};

/// What open() learned besides the session.
struct open_info {
  std::uint32_t key_id = 0;               ///< the key that sealed the cookie
  time_point issued_at{};                 ///< when it was sealed
  std::optional<time_point> expires_at;   ///< its header expiry; nullopt = none
  /// The sealing key has since been replaced: re-seal so keys migrate as users return.
  bool key_replaced = false;
  /// Fraction of the idle window used, 0..1 (0 without an idle timeout).
  double idle_used = 0.0;
  /// The session came from the overflow store (the cookie held a reference).
  bool overflow = false;
  /// Sliding renewal: true once @p threshold of the idle window is used.
  [[nodiscard]] bool renewal_due(double threshold = 0.5) const noexcept {
    return idle_used >= threshold;
  }
};

/// A successfully opened cookie.
struct opened {
  cookieseal::session session;  ///< the session, not dirty
  open_info info;               ///< key, times, renewal hints
};

/// A sealed cookie value and what the Set-Cookie header needs to know.
struct sealed {
  std::string cookie;                    ///< the cookie value (base64url, no padding)
  std::uint32_t key_id = 0;              ///< the key that sealed it
  time_point issued_at{};                ///< now, by the codec's clock
  std::optional<time_point> expires_at;  ///< server-side expiry; nullopt = none
  bool overflow = false;                 ///< the session went to the overflow store
};

/// A cookie's clear header, read without any key: NOT authenticated.
struct unverified_header {
  std::uint8_t version = 0;              ///< format version (1)
  std::uint32_t key_id = 0;              ///< the key it claims to be sealed with
  time_point issued_at{};                ///< claimed seal time
  std::optional<time_point> expires_at;  ///< claimed expiry; nullopt = none
};

/**
 * Reads a cookie's clear header for diagnostics (the CLI's `inspect`). Nothing
 * here is verified: anyone can forge these fields. errc::malformed,
 * errc::unsupported_version.
 */
[[nodiscard]] COOKIESEAL_API result<unverified_header> read_unverified_header(
    std::string_view cookie);

/**
 * Seals sessions into cookie values and opens them, under a keyring and a
 * policy. Thread-safe: seal and open may run concurrently with each other and
 * with set_keyring().
 */
class COOKIESEAL_API codec {
 public:
  /// @throws std::invalid_argument when max_cookie_bytes exceeds browser_cookie_limit.
  explicit codec(keyring keys, codec_options options = {});
  explicit codec(std::shared_ptr<const keyring> keys, codec_options options = {});
  codec(const codec&) = delete;
  codec& operator=(const codec&) = delete;

  /**
   * Seals @p s for cookie @p name (and @p purpose) with the current sealing key.
   * @return the cookie, or errc::unknown_key (no active key), errc::expired
   *         (the session outlived max_age), errc::revoked (created before the
   *         keyring's end-sessions-before), errc::too_large (name + value over
   *         the limit), errc::invalid_payload (a value nests too deep).
   * @throws std::invalid_argument when @p name is not 1..255 bytes or @p purpose over 255.
   */
  [[nodiscard]] result<sealed> seal(std::string_view name, const session& s,
                                    std::string_view purpose = {}) const;

  /**
   * Opens cookie value @p cookie sealed for @p name and @p purpose.
   * Never throws on any cookie value (only on an invalid name or purpose, as seal).
   * Checks, in order: size, base64url, version, header expiry, key id (O(1),
   * never trial decryption), authentication, payload, then the policy in force
   * (max_age from created_at, idle timeout) and end-sessions-before.
   */
  [[nodiscard]] result<opened> open(std::string_view name, std::string_view cookie,
                                    std::string_view purpose = {}) const;

  /**
   * Ends a session on the server side: removes its overflow entry, and with a
   * revocation store refuses its id (errc::revoked) until @p until (default:
   * when its max_age would end it), so copies of the cookie stop opening.
   * Send the browser a deletion cookie as well. errc::store_unavailable.
   */
  [[nodiscard]] result<void> destroy(const session& s,
                                     std::optional<time_point> until = std::nullopt) const;

  /// A fresh session created now, by this codec's clock.
  [[nodiscard]] session new_session() const;

  /// Swaps the keyring atomically; requests in flight finish with the old one.
  void set_keyring(std::shared_ptr<const keyring> keys) noexcept;
  /// The keyring in force now.
  [[nodiscard]] std::shared_ptr<const keyring> current_keyring() const noexcept;

  [[nodiscard]] const codec_options& options() const noexcept { return options_; }
  /// Now, by this codec's clock.
  [[nodiscard]] time_point now() const;

 private:
  result<void> check_revocation(const session& s, time_point now) const;

  codec_options options_;
  // A plain mutex, not std::atomic<std::shared_ptr>: libstdc++ 12's lock-bit
  // implementation is invisible to ThreadSanitizer. The critical section is a
  // shared_ptr copy.
  mutable std::mutex keys_mutex_;
  std::shared_ptr<const keyring> keys_;
};

}  // namespace cookieseal
