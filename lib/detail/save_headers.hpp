// What a save sends, in one place: the Set-Cookie of a sealed session under a
// manager's attributes, and the headers around the Set-Cookie lines. Shared by
// session_manager's saves and the C ABI's save of a new session in one call.
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/http.hpp>
#include <cookieseal/session_manager.hpp>

#include <span>
#include <string>
#include <vector>

namespace cookieseal::detail {

/// The Set-Cookie line for @p s sealed under @p o, a session manager's options
/// (their name and attributes checked when it was made); a browser session's
/// carries no Max-Age or Expires: its server-side expiry holds.
std::string set_cookie_for(const session_options& o, const sealed& s);

/// The response headers of a save that sends @p set_cookies (moved from):
/// those lines, then Cache-Control: no-store (only with a Set-Cookie) and
/// Vary: Cookie.
std::vector<http::header> with_cache_headers(std::span<std::string> set_cookies);

}  // namespace cookieseal::detail
