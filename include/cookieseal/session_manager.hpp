/// @file session_manager.hpp
/// What a web handler touches: a request's Cookie header in, a session to use,
/// the Set-Cookie headers to send back out.
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/http.hpp>
#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>

#include <map>
#include <optional>
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
};

/// One request's session of one kind.
class COOKIESEAL_API request_session {
 public:
  /// The session to read and change.
  [[nodiscard]] cookieseal::session& session() noexcept { return session_; }
  [[nodiscard]] const cookieseal::session& session() const noexcept { return session_; }
  /// No usable cookie came with the request: this is a fresh session.
  [[nodiscard]] bool is_new() const noexcept { return !info_.has_value(); }
  /// A cookie came but was refused (for logging): malformed, expired, revoked, ...
  [[nodiscard]] std::optional<errc> refused() const noexcept { return refused_; }
  /// What opening the cookie told (key, times, renewal), when one opened.
  [[nodiscard]] const std::optional<open_info>& info() const noexcept { return info_; }
  /// Ends the session: save() sends a deletion cookie and removes it server-side.
  void destroy() noexcept { destroyed_ = true; }
  [[nodiscard]] bool destroyed() const noexcept { return destroyed_; }

 private:
  friend class session_manager;
  explicit request_session(cookieseal::session s) : session_(std::move(s)) {}
  cookieseal::session session_;
  std::optional<open_info> info_;
  std::optional<errc> refused_;
  bool destroyed_ = false;
};

/**
 * Loads a session from a request's Cookie header and decides which Set-Cookie
 * headers the response needs. Thread-safe (shares the codec's guarantees).
 */
class COOKIESEAL_API session_manager {
 public:
  /// @p c must outlive the manager. @throws http::cookie_error for unsafe options.
  explicit session_manager(const codec& c, session_options options = {});

  /**
   * The stored session, or a fresh one when the header has no cookie of this
   * name or none opens (invalid, expired, revoked: see refused()). Several
   * cookies of the name (from different paths) are tried in turn.
   */
  [[nodiscard]] request_session load(std::string_view cookie_header) const;

  /**
   * The Set-Cookie header values for the response: none when nothing changed
   * and no renewal is due; the sealed session when it changed, half its idle
   * window is used, or its key was replaced; a deletion cookie after destroy()
   * or when a refused cookie should be cleared. Max-Age follows the session's
   * expiry. Errors from seal (too_large without a store, store_unavailable).
   */
  [[nodiscard]] result<std::vector<std::string>> save(request_session& r) const;

  [[nodiscard]] const session_options& options() const noexcept { return options_; }
  [[nodiscard]] const codec& codec_used() const noexcept { return codec_; }

 private:
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
  /// Every Set-Cookie header the loaded sessions need.
  [[nodiscard]] result<std::vector<std::string>> save();

 private:
  std::string header_;
  std::map<const session_manager*, request_session> loaded_;
};

}  // namespace cookieseal
