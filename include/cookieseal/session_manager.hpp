/// @file session_manager.hpp
/// What a web handler touches: a request's Cookie header in, a session to use,
/// the Set-Cookie (and cache) headers to send back out.
///
/// Every request's cookie comes to one of three outcomes (error.hpp):
/// opened; refused (the cookie itself is bad: it may be cleared); or undecided
/// (the server could not judge it: a store or the keyring file could not
/// answer). An undecided request changes no cookie: save() sends nothing and
/// fails, and the adapter answers 503, so a fault never logs a user out.
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/http.hpp>
#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// One kind of session cookie.
struct session_options {
  std::string name = "__Host-session";  ///< the cookie name (bound into the seal)
  std::string purpose;                  ///< bound into the seal as well
  http::cookie_attributes attributes;   ///< secure defaults: HttpOnly, Secure, SameSite=Lax, Path=/
  /// Sliding expiry: re-send the cookie once this share of the idle window is used.
  double renew_after = 0.5;
  /// Bounds on the Cookie header; a header cut at them never clears a cookie.
  http::cookie_limits limits;
};

/// One request's session of one kind.
class COOKIESEAL_API request_session {
 public:
  /// The session to read and change.
  [[nodiscard]] cookieseal::session& session() noexcept { return session_; }
  [[nodiscard]] const cookieseal::session& session() const noexcept { return session_; }
  /// No cookie opened (none came, it was refused, or the request is undecided):
  /// this is a fresh session. Also true after destroy().
  [[nodiscard]] bool is_new() const noexcept { return !info_.has_value(); }
  /// A cookie came but was refused (for logging): malformed, expired, revoked,
  /// ambiguous, ... The session is fresh; save() may clear the cookie.
  [[nodiscard]] std::optional<errc> refused() const noexcept {
    return outcome_ == outcome::refused ? error_ : std::nullopt;
  }
  /**
   * The server could not judge the cookie (store_unavailable, key_not_loaded;
   * header_truncated when the Cookie header was cut at its limits and no cookie
   * of the name opened in what was read). Answer 503: save() sends no cookie.
   */
  [[nodiscard]] std::optional<errc> undecided() const noexcept {
    return outcome_ == outcome::undecided ? error_ : std::nullopt;
  }
  /// What the request's cookie came to (opened also for "no cookie came").
  [[nodiscard]] cookieseal::outcome outcome() const noexcept { return outcome_; }
  /// What opening the cookie told (key, times, renewal), when one opened.
  [[nodiscard]] const std::optional<open_info>& info() const noexcept { return info_; }
  /**
   * Ends the session: save() removes it server-side (overflow entry, id
   * revoked) and sends a deletion cookie. session() becomes a fresh, empty
   * session: a flash set on it ("You are logged out") is sealed into a new
   * cookie instead of the deletion.
   */
  void destroy();
  [[nodiscard]] bool destroyed() const noexcept { return ended_.has_value(); }

 private:
  friend class session_manager;
  request_session(cookieseal::session s, time_point now) : session_(std::move(s)), now_(now) {}
  cookieseal::session session_;
  time_point now_;  // when it was loaded, for a fresh session
  std::optional<open_info> info_;
  cookieseal::outcome outcome_ = outcome::opened;
  std::optional<errc> error_;
  bool clear_cookie_ = false;                 // a refused cookie save() should clear
  std::optional<cookieseal::session> ended_;  // the session destroy() ended
  bool ended_was_opened_ = false;             // ...came from a cookie (so the server holds state)
};

/**
 * Loads a session from a request's Cookie header and decides which headers the
 * response needs. Thread-safe (shares the codec's guarantees).
 */
class COOKIESEAL_API session_manager {
 public:
  /// @p c must outlive the manager. @throws http::cookie_error for unsafe options.
  explicit session_manager(const codec& c, session_options options = {});

  /**
   * The stored session, or a fresh one. Every cookie of the name is tried
   * (browsers send one per matching path and domain):
   *  - one opens: that session. Under a name without the `__Host-` prefix, two
   *    that open to different sessions are refused as errc::ambiguous (one may
   *    have been planted by a sibling subdomain), and one that opens beside one
   *    that is undecided is undecided. `__Host-` cookies cannot be planted.
   *  - none opens: refused (the first reason) or undecided (any undecided one;
   *    or the header was cut at its limits, where the cookie may have been).
   */
  [[nodiscard]] request_session load(std::string_view cookie_header) const;

  /**
   * The response headers, as (name, value) lines to add: none but `Vary:
   * Cookie` when nothing changed and no renewal is due; the sealed session
   * when it changed, half its idle window is used, or its key was replaced; a
   * deletion after destroy() or for a refused cookie (never after a cut
   * header, nor for an ambiguous one); `Cache-Control: no-store` with every
   * Set-Cookie. Max-Age follows the session's expiry (its own lifetime within
   * the codec's, see session::set_lifetime); a browser session (its lifetime's
   * browser_session, or the attributes') gets no Max-Age/Expires. Sliding
   * renewal uses the session's effective idle window.
   *
   * Add the Set-Cookie and Vary lines; SET the Cache-Control line: it must
   * replace any Cache-Control the application gave the response (`public,
   * max-age=3600`), so that the response ends with one Cache-Control that no
   * shared cache stores. Two lines would leave the choice to the cache.
   *
   * An undecided request fails with its reason and sends nothing, even if the
   * handler changed the session: answer 503. Other errors come from seal or
   * destroy (too_large without a store, store_unavailable, revoked); a failed
   * save changes nothing in @p r (still dirty, still to be destroyed), so it
   * can be saved again (session_registry::save's rule, for one session).
   */
  [[nodiscard]] result<std::vector<http::header>> save(request_session& r) const;

  [[nodiscard]] const session_options& options() const noexcept { return options_; }
  [[nodiscard]] const codec& codec_used() const noexcept { return codec_; }

 private:
  friend class session_registry;
  // What save() sends, in two steps so several sessions save all or nothing:
  // plan() talks to the store (seal, destroy) and changes no request state;
  // commit() then records that the plan was sent.
  struct plan {
    std::vector<std::string> set_cookies;
    bool ended = false;  // the ended session was destroyed server-side
    bool sealed = false;
  };
  result<plan> seal_plan(const request_session& r) const;
  result<void> destroy_ended(const request_session& r) const;
  static void commit(request_session& r, const plan& p) noexcept;

  const codec& codec_;
  session_options options_;
};

/**
 * Several named sessions in one request (as gorilla/sessions' Registry), e.g.
 * a long-lived "prefs" and a short "auth" cookie, loaded lazily.
 */
class COOKIESEAL_API session_registry {
 public:
  explicit session_registry(std::string cookie_header) : header_(std::move(cookie_header)) {}
  /// This request's session of @p m's kind (loaded on first use).
  request_session& get(const session_manager& m);
  /**
   * Every header the loaded sessions need, all or nothing: if any is
   * undecided, or saving any fails (too_large, store_unavailable, ...), its
   * reason, nothing to send, and no session's state changed (each is still
   * dirty, still to be destroyed), so the caller can answer 503 or save again.
   * What the store was already told stays told: an overflow entry written for
   * a cookie that is not sent expires unread, and a session already ended
   * server-side is ended again, harmlessly, by the next save.
   */
  [[nodiscard]] result<std::vector<http::header>> save();

  /// One request's sessions, each with the manager of its kind.
  using entry = std::pair<const session_manager*, request_session*>;
  /// save() over sessions loaded elsewhere (the C ABI's requests): the same
  /// all-or-nothing rule. On failure *@p failed (when not null) is the index of
  /// the session the reason concerns.
  [[nodiscard]] static result<std::vector<http::header>> save_all(std::span<const entry> sessions,
                                                                  std::size_t* failed = nullptr);

 private:
  std::string header_;
  std::map<const session_manager*, request_session> loaded_;
};

}  // namespace cookieseal
