/// @file http.hpp
/// HTTP syntax: parse a request's Cookie header, build Set-Cookie headers.
/// Framework-neutral: header strings in, header strings out.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/limits.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal::http {

/// One name=value pair of a Cookie header; views into the header string.
struct cookie_pair {
  std::string_view name;
  std::string_view value;  ///< without surrounding double quotes
};

/// Bounds on what a Cookie header may make us do.
struct cookie_limits {
  std::size_t max_header_bytes = 16 * 1024;  ///< a longer header is read up to this length
  std::size_t max_cookies = 256;             ///< further pairs are ignored
};

/// A parsed Cookie header, and whether the parser had to stop early.
struct parsed_cookies {
  std::vector<cookie_pair> pairs;  ///< the complete pairs, in header order
  /// The header was longer than max_header_bytes or had more than max_cookies
  /// pairs: a cookie the client sent may be missing (the pair cut at the byte
  /// limit is dropped, never returned half). Never clear a cookie on such a request.
  bool truncated = false;
};

/// parse_cookie_header, also telling whether the header was cut at a limit.
[[nodiscard]] COOKIESEAL_API parsed_cookies parse_cookies(std::string_view header,
                                                          const cookie_limits& limits = {});

/**
 * Parses a request's Cookie header as browsers send it (RFC 6265 section 5.4
 * and 4.2.1, leniently, as sections 5.2 and 5.4 ask of servers): pairs split on
 * ';', optional whitespace trimmed, a value in double quotes unquoted, empty
 * pairs and pairs without '=' skipped. Duplicate names are kept in order
 * (browsers send one cookie per matching path). Never throws; never reads past
 * limits.max_header_bytes nor returns more than limits.max_cookies pairs.
 */
[[nodiscard]] COOKIESEAL_API std::vector<cookie_pair> parse_cookie_header(
    std::string_view header, const cookie_limits& limits = {});

/// The values of every cookie named @p name, in header order.
[[nodiscard]] COOKIESEAL_API std::vector<std::string_view> cookie_values(
    std::string_view header, std::string_view name, const cookie_limits& limits = {});

/// The SameSite attribute.
enum class same_site { strict, lax, none };

/// Set-Cookie attributes. The defaults are the secure ones.
struct cookie_attributes {
  std::string path = "/";  ///< empty: no Path attribute
  std::string domain;      ///< empty: host-only (required by __Host-)
  bool secure = true;      ///< Secure
  bool http_only = true;   ///< HttpOnly
  std::optional<http::same_site> same_site = http::same_site::lax;  ///< nullopt: none sent
  bool partitioned = false;  ///< Partitioned (CHIPS); requires Secure
  /// A browser-session cookie: no Max-Age/Expires (the server-side expiry still holds).
  bool browser_session = false;
};

/// A Set-Cookie that would be unsafe or that browsers would drop: never emitted.
class COOKIESEAL_API cookie_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Browsers keep a cookie only while name + value is at most this many bytes (RFC 6265bis).
inline constexpr std::size_t max_name_value_bytes = browser_cookie_limit;
/// ...and each attribute value at most this many bytes.
inline constexpr std::size_t max_attribute_value_bytes = 1024;

/**
 * Builds a Set-Cookie header value (without "Set-Cookie: ").
 *
 * @param expires  Max-Age and Expires (IMF-fixdate) from it and @p now;
 *                 nullopt (or attributes.browser_session) sends neither.
 * @throws cookie_error when the name is not an RFC 6265 token; the value has
 *         characters outside cookie-octet; an attribute has ';', CR, LF or a
 *         control character; name + value exceeds 4096 bytes or an attribute
 *         1024; SameSite=None or Partitioned without Secure; a __Secure- name
 *         without Secure; a __Host- name without Secure, with a Domain, or
 *         with a Path other than "/".
 */
[[nodiscard]] COOKIESEAL_API std::string set_cookie(std::string_view name, std::string_view value,
                                                    const cookie_attributes& attributes,
                                                    std::optional<time_point> expires,
                                                    time_point now);

/// A Set-Cookie value that makes the browser drop cookie @p name (Max-Age=0, past Expires).
[[nodiscard]] COOKIESEAL_API std::string delete_cookie(std::string_view name,
                                                       const cookie_attributes& attributes);

/// One response header line: name and value.
struct header {
  std::string name;
  std::string value;
  bool operator==(const header&) const = default;
};

/**
 * The headers a response that depends on the session must carry: `Vary:
 * Cookie` always, and with a Set-Cookie also `Cache-Control: no-store`, so no
 * shared cache stores one user's Set-Cookie and serves it to others (Flask's
 * CVE-2023-30861).
 */
[[nodiscard]] COOKIESEAL_API std::vector<header> session_cache_headers(bool sets_cookie);

/// @p t as an IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
[[nodiscard]] COOKIESEAL_API std::string imf_fixdate(time_point t);

}  // namespace cookieseal::http
