// What every save that seals sends, as http.cpp writes it, without the
// public functions' checks and copies: the Set-Cookie line (a session manager
// checks its name and attributes once, when it is made, and a sealed cookie
// is base64url, cookie-octets only), and the cache headers appended in place.
#pragma once

#include <cookieseal/http.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal::detail {

/// http::set_cookie's line for a name and attributes already checked and a
/// value of cookie-octets only (asserted in debug builds); its length is
/// checked. @throws http::cookie_error when name + value is too long.
std::string set_cookie_line(std::string_view name, std::string_view value,
                            const http::cookie_attributes& attributes,
                            std::optional<time_point> expires, time_point now);

/// http::imf_fixdate(t), appended to @p out (no string of its own).
void append_imf_fixdate(std::string& out, time_point t);

/// http::session_cache_headers(sets_cookie), appended to @p out.
void append_session_cache_headers(std::vector<http::header>& out, bool sets_cookie);

}  // namespace cookieseal::detail
