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
#include <cookieseal/limits.hpp>
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

/// The "never ends" of a revocation record kept for as long as its sessions
/// can exist (max_age 0): 9999-12-31T23:59:59Z.
inline constexpr time_point revocation_forever{std::chrono::seconds{253402300799LL}};

namespace detail {
class watcher_link;
struct codec_access;
}  // namespace detail

/// The policy a codec seals and opens with (defaults as README's "Codec" lists).
struct codec_options {
  /// Absolute lifetime from the session's created_at; 0 = none.
  std::chrono::seconds max_age = std::chrono::hours{24 * 7};
  /// Idle timeout from the last seal; 0 = none.
  std::chrono::seconds idle_timeout = std::chrono::hours{24};
  /// Clock-skew tolerance between servers, applied to every expiry check.
  std::chrono::seconds leeway = std::chrono::seconds{60};
  /// Limit on cookie name + value, in bytes; at most browser_cookie_limit.
  std::size_t max_cookie_bytes = browser_cookie_limit;
  /// How long an overflow entry replaced by a re-seal keeps opening, so
  /// parallel requests that still carry the old cookie keep working.
  std::chrono::seconds replaced_entry_grace = std::chrono::seconds{60};
  /// "Now"; empty means the system clock. Inject one in tests.
  clock_function clock;
  /**
   * Hears why a request was undecided or a store call failed, as it happens:
   * "open: key f3909fbd is not loaded here and the keyring file fails to
   * load: /etc/app/keyring: … (mode 0644) …", "open: the revocation list could
   * not answer". Never given key material or session data. Refused cookies
   * are not reported (they are normal traffic). The stores' own diagnostic
   * functions (store::set_diagnostic) say what failed inside them.
   */
  diagnostic_function diagnostic;
  /**
   * Where sessions too large for a cookie go, sealed (file_store, redis_store).
   * nullptr: seal returns errc::too_large for them.
   */
  std::shared_ptr<entry_store> overflow_store;
  /**
   * Checked on every open for revoked sessions and subjects (errc::revoked);
   * usually the same store. nullptr: no per-session revocation.
   */
  std::shared_ptr<revocation_list> revocation_store;
};

/**
 * The cut-off of "log out everywhere" asked for at @p now: every session created
 * up to and including @p now's second is covered. A session created after the
 * request, even in the same second, holds: the codec seals a session created
 * (or logged in) in that second with created_at moved to the cut-off (for a
 * subject, the cut-off in force, which a second call in the same second moves
 * one second further: revocation_list::revoke_subject).
 */
[[nodiscard]] constexpr time_point revocation_cutoff(time_point now) noexcept {
  return now + std::chrono::seconds{1};
}

/**
 * The lifetime a session whose own is @p l is sealed and opened with under
 * policy @p o, both durations set (browser_session copied). The codec's value
 * is the default and the upper bound: each duration is the session's where it
 * is set and shorter, else the codec's. A codec's 0 bounds nothing, so there
 * the session's counts, its 0 (none) included; elsewhere a session's 0 takes
 * the codec's value.
 */
[[nodiscard]] COOKIESEAL_API session_lifetime
effective_lifetime(const codec_options& o, const session_lifetime& l) noexcept;

/**
 * Until when a revocation of the sessions created before @p created_before must
 * be kept under policy @p o (and lifetime @p l of one session): past the last
 * second any of them can still open (created_at + effective max_age + leeway),
 * or revocation_forever when that max_age is 0 (an idle-renewed or
 * never-expiring session can live on indefinitely).
 */
[[nodiscard]] COOKIESEAL_API time_point revocation_end(const codec_options& o,
                                                       time_point created_before,
                                                       const session_lifetime& l = {}) noexcept;

/// What open() learned besides the session.
struct open_info {
  std::uint32_t key_id = 0;              ///< the key that sealed the cookie
  time_point issued_at{};                ///< when it was sealed
  std::optional<time_point> expires_at;  ///< its header expiry; nullopt = none
  /// The sealing key has since been replaced: re-seal so keys migrate as users return.
  bool key_replaced = false;
  /// Fraction of the session's effective idle window used, 0..1 (0 without an idle timeout).
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
  /// The session's lifetime makes it a browser session: send its cookie without
  /// Max-Age/Expires (expires_at still holds on the server).
  bool browser_session = false;
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
  /// @throws std::invalid_argument when max_cookie_bytes exceeds browser_cookie_limit,
  ///         or a duration is negative or longer than max_policy_duration.
  explicit codec(keyring keys, codec_options options = {});
  explicit codec(std::shared_ptr<const keyring> keys, codec_options options = {});
  /// Detaches from a keyring_watcher it was attached to (either may go first).
  ~codec();
  codec(const codec&) = delete;
  codec& operator=(const codec&) = delete;

  /**
   * Seals @p s for cookie @p name (and @p purpose) with the current sealing key,
   * under the session's effective lifetime (effective_lifetime): expires_at =
   * min(created_at + max_age, now + idle_timeout), leaving out a 0.
   * A session created or logged in during this request (never opened from a
   * cookie) whose created_at falls in the second of a revocation cut-off
   * (revocation_cutoff: the keyring's end-sessions-before, or its subject's
   * revocation in the revocation store) is sealed with created_at moved to the
   * cut-off, so it holds while every older session stays refused.
   * @return the cookie, or errc::unknown_key (no active key), errc::expired
   *         (the session outlived its effective max_age), errc::revoked (created before the
   *         keyring's end-sessions-before), errc::too_large (name + value over
   *         the limit), errc::invalid_payload (a value nests too deep),
   *         errc::store_unavailable (the overflow or revocation store failed).
   * @throws std::invalid_argument when @p name is not 1..255 bytes or @p purpose over 255.
   */
  [[nodiscard]] result<sealed> seal(std::string_view name, const session& s,
                                    std::string_view purpose = {}) const;

  /**
   * Opens cookie value @p cookie sealed for @p name and @p purpose.
   * Never throws on any cookie value (only on an invalid name or purpose, as seal).
   * Checks, in order: size, base64url, version, header expiry, key id (O(1),
   * never trial decryption), authentication, payload, then the policy in force
   * (max_age from created_at, idle timeout: the codec's as it is now, shortened
   * by the lifetime sealed with the session; before any overflow store is
   * asked), cookies from the future (issued_at
   * after now + leeway, or created_at after issued_at + leeway: invalid_payload;
   * one more second is allowed for whole-second rounding), end-sessions-before
   * and the revocation store.
   *
   * A key id the keyring lacks: when a keyring_watcher is attached, its file is
   * checked at once (at most once a second) and the open retried; the answer is
   * errc::unknown_key when the file confirms the key is gone (refused), and
   * errc::key_not_loaded when it cannot (undecided: the file fails to load, or
   * was checked under a second ago and the cookie is newer than that check).
   * Use outcome_of() on the error to tell refused from undecided.
   */
  [[nodiscard]] result<opened> open(std::string_view name, std::string_view cookie,
                                    std::string_view purpose = {}) const;

  /**
   * Ends a session on the server side: removes its overflow entry, and with a
   * revocation store refuses its id (errc::revoked) until @p until (default:
   * when its effective max_age would end it), so copies of the cookie stop opening.
   * Send the browser a deletion cookie as well. errc::store_unavailable.
   */
  [[nodiscard]] result<void> destroy(const session& s,
                                     std::optional<time_point> until = std::nullopt) const;

  /**
   * "Log out everywhere" for @p subject: every session of it created up to now
   * (revocation_cutoff) is refused as errc::revoked by every server using the
   * revocation store, for as long as any of them could open
   * (revocation_end); sessions created after this call hold.
   * errc::store_unavailable (also when no revocation store is set).
   * @throws std::invalid_argument when @p subject is empty.
   */
  [[nodiscard]] result<void> revoke_subject(std::string_view subject) const;

  /// A fresh session created now, by this codec's clock.
  [[nodiscard]] session new_session() const;

  /// Swaps the keyring atomically; requests in flight finish with the old one.
  void set_keyring(std::shared_ptr<const keyring> keys) noexcept;
  /// The keyring in force now.
  [[nodiscard]] std::shared_ptr<const keyring> current_keyring() const noexcept;

  [[nodiscard]] const codec_options& options() const noexcept { return options_; }
  /// Now, by this codec's clock.
  [[nodiscard]] time_point now() const;

  /// The seam a keyring_watcher attaches through (keyring_watcher::attach;
  /// lib/detail/watcher_link.hpp): not an API.
  [[nodiscard]] std::shared_ptr<detail::watcher_link> keyring_link() const noexcept {
    return link_;
  }

 private:
  friend struct detail::codec_access;  // open's steps, shared by the C ABI's JSON open

  result<void> check_revocation(const session_id& id, std::string_view subject, time_point created,
                                time_point now) const;
  result<void> check_policy(time_point created, time_point issued, const session_lifetime& lifetime,
                            const keyring& keys, time_point now) const;
  result<std::shared_ptr<const keyring>> keyring_with(std::uint32_t key_id, time_point issued,
                                                      time_point now) const;

  codec_options options_;
  // A plain mutex, not std::atomic<std::shared_ptr>: libstdc++ 12's lock-bit
  // implementation is invisible to ThreadSanitizer. The critical section is a
  // shared_ptr copy.
  mutable std::mutex keys_mutex_;
  std::shared_ptr<const keyring> keys_;
  const std::shared_ptr<detail::watcher_link> link_;  // to the watcher attached, if any
};

}  // namespace cookieseal
