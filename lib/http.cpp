#include <cookieseal/http.hpp>

#include "detail/digits.hpp"
#include "detail/set_cookie.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <iterator>

namespace cookieseal::http {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The character classes of a cookie pair, one table lookup a byte (the
// value is checked on every Set-Cookie: a branchy test a byte cost ~1 µs for
// a typical cookie).
enum : unsigned char { token_char = 1, cookie_octet = 2 };

constexpr std::array<unsigned char, 256> char_classes = [] {
  std::array<unsigned char, 256> t{};
  constexpr std::string_view separators = "()<>@,;:\\\"/[]?={}";
  for (unsigned c = 0x21; c < 0x7F; ++c) {
    // RFC 7230 tchar: what a cookie name may contain.
    if (separators.find(static_cast<char>(c)) == std::string_view::npos) t[c] |= token_char;
    // RFC 6265 cookie-octet: every visible character but '"', ',', ';' and '\\'.
    if (c != 0x22 && c != 0x2C && c != 0x3B && c != 0x5C) t[c] |= cookie_octet;
  }
  return t;
}();

bool all_of_class(std::string_view s, unsigned char cls) {
  unsigned char all = cls;
  for (const char c : s) all &= char_classes[static_cast<unsigned char>(c)];
  return all != 0;
}

void check_attribute(std::string_view what, std::string_view v) {
  if (v.size() > max_attribute_value_bytes)
    throw cookie_error(
        fmt::format("cookie {} is longer than {} bytes", what, max_attribute_value_bytes));
  for (char ch : v)
    if (const auto c = static_cast<unsigned char>(ch); c < 0x20 || c == 0x7F || c == ';')
      throw cookie_error(fmt::format("cookie {} contains ';' or a control character", what));
}

void check_length(std::string_view name, std::string_view value) {
  if (name.size() + value.size() > max_name_value_bytes)
    throw cookie_error(fmt::format("cookie name + value is longer than {} bytes: browsers drop it",
                                   max_name_value_bytes));
}

void check_name_value(std::string_view name, std::string_view value) {
  if (name.empty() || !all_of_class(name, token_char))
    throw cookie_error("cookie name is not an RFC 6265 token");
  if (!all_of_class(value, cookie_octet))
    throw cookie_error("cookie value contains a character outside cookie-octet");
  check_length(name, value);
}

void check_rules(std::string_view name, const cookie_attributes& a) {
  check_attribute("path", a.path);
  check_attribute("domain", a.domain);
  if (a.same_site == same_site::none && !a.secure)
    throw cookie_error("SameSite=None requires Secure");
  if (a.partitioned && !a.secure) throw cookie_error("Partitioned requires Secure");
  if (name.rfind("__Secure-", 0) == 0 && !a.secure)
    throw cookie_error("a __Secure- cookie requires Secure");
  if (name.rfind("__Host-", 0) == 0 && (!a.secure || !a.domain.empty() || a.path != "/"))
    throw cookie_error("a __Host- cookie requires Secure, Path=/ and no Domain");
}

void append_attributes(std::string& out, const cookie_attributes& a) {
  if (!a.path.empty()) out.append("; Path=").append(a.path);
  if (!a.domain.empty()) out.append("; Domain=").append(a.domain);
  if (a.secure) out += "; Secure";
  if (a.http_only) out += "; HttpOnly";
  if (a.same_site)
    out += *a.same_site == same_site::strict ? "; SameSite=Strict"
           : *a.same_site == same_site::lax  ? "; SameSite=Lax"
                                             : "; SameSite=None";
  if (a.partitioned) out += "; Partitioned";
}

// An instant's fields as an IMF-fixdate names them.
struct date_fields {
  const char* day_of_week;
  unsigned day;
  const char* month;
  int year;
  long hours, minutes, seconds;
};

date_fields fields_of(time_point t) {
  using namespace std::chrono;
  static constexpr const char* days_of_week[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return {days_of_week[weekday{day}.c_encoding()],        static_cast<unsigned>(ymd.day()),
          months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
          static_cast<long>(hms.hours().count()),         static_cast<long>(hms.minutes().count()),
          static_cast<long>(hms.seconds().count())};
}

// The 29 characters of an IMF-fixdate for a year of four digits; false for
// another year (append_imf_fixdate's fmt form then).
bool put_imf_fixdate(char (&s)[30], time_point t) {
  const date_fields f = fields_of(t);
  if (f.year < 0 || f.year > 9999) return false;
  std::memcpy(s, "Www, 00 Mmm 0000 00:00:00 GMT", sizeof s);
  std::memcpy(s, f.day_of_week, 3);
  detail::put_two_digits(s + 5, f.day);
  std::memcpy(s + 8, f.month, 3);
  detail::put_four_digits(s + 12, static_cast<unsigned>(f.year));
  detail::put_two_digits(s + 17, static_cast<unsigned>(f.hours));
  detail::put_two_digits(s + 20, static_cast<unsigned>(f.minutes));
  detail::put_two_digits(s + 23, static_cast<unsigned>(f.seconds));
  return true;
}

}  // namespace

parsed_cookies parse_cookies(std::string_view header, const cookie_limits& limits) {
  parsed_cookies out;
  if (header.size() > limits.max_header_bytes) {
    // Cut at the limit, and drop the pair the cut went through: a half value
    // must never be taken for the cookie (and then refused and cleared).
    out.truncated = true;
    const bool cut_at_separator = header[limits.max_header_bytes] == ';';
    header = header.substr(0, limits.max_header_bytes);
    if (!cut_at_separator) {
      const auto last_semi = header.rfind(';');
      header =
          last_semi == std::string_view::npos ? std::string_view{} : header.substr(0, last_semi);
    }
  }
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;  // no '=': not a cookie-pair
    std::string_view name = trim(pair.substr(0, eq));
    std::string_view value = trim(pair.substr(eq + 1));
    if (name.empty()) continue;
    if (out.pairs.size() == limits.max_cookies) {  // one pair too many: stop
      out.truncated = true;
      break;
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    out.pairs.push_back({name, value});
  }
  return out;
}

std::vector<cookie_pair> parse_cookie_header(std::string_view header, const cookie_limits& limits) {
  return parse_cookies(header, limits).pairs;
}

std::vector<std::string_view> cookie_values(std::string_view header, std::string_view name,
                                            const cookie_limits& limits) {
  std::vector<std::string_view> out;
  for (const auto& p : parse_cookie_header(header, limits))
    if (p.name == name) out.push_back(p.value);
  return out;
}

std::string imf_fixdate(time_point t) {
  std::string out;
  detail::append_imf_fixdate(out, t);
  return out;
}

std::string set_cookie(std::string_view name, std::string_view value,
                       const cookie_attributes& attributes, std::optional<time_point> expires,
                       time_point now) {
  check_name_value(name, value);
  check_rules(name, attributes);
  return detail::set_cookie_line(name, value, attributes, expires, now);
}

std::vector<header> session_cache_headers(bool sets_cookie) {
  std::vector<header> out;
  out.reserve(2);
  detail::append_session_cache_headers(out, sets_cookie);
  return out;
}

std::string delete_cookie(std::string_view name, const cookie_attributes& attributes) {
  check_name_value(name, "");
  check_rules(name, attributes);
  std::string out;
  out.append(name).append("=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  append_attributes(out, attributes);
  return out;
}

}  // namespace cookieseal::http

namespace cookieseal::detail {

std::string set_cookie_line(std::string_view name, std::string_view value,
                            const http::cookie_attributes& attributes,
                            std::optional<time_point> expires, time_point now) {
  assert(http::all_of_class(value, http::cookie_octet));
  http::check_length(name, value);
  std::string out;
  out.reserve(name.size() + value.size() + 160);
  out.append(name).append(1, '=').append(value);
  if (expires && !attributes.browser_session) {
    const auto max_age = std::max<std::int64_t>(0, (*expires - now).count());
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, max_age);  // 20 at most
    out.append("; Max-Age=").append(digits, static_cast<std::size_t>(r.ptr - digits));
    out.append("; Expires=");
    append_imf_fixdate(out, *expires);
  }
  http::append_attributes(out, attributes);
  return out;
}

void append_imf_fixdate(std::string& out, time_point t) {
  char s[30];
  if (http::put_imf_fixdate(s, t)) {
    out.append(s, sizeof s - 1);
    return;
  }
  const http::date_fields f = http::fields_of(t);
  fmt::format_to(std::back_inserter(out), "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", f.day_of_week,
                 f.day, f.month, f.year, f.hours, f.minutes, f.seconds);
}

void append_session_cache_headers(std::vector<http::header>& out, bool sets_cookie) {
  if (sets_cookie) out.push_back({"Cache-Control", "no-store"});
  out.push_back({"Vary", "Cookie"});
}

}  // namespace cookieseal::detail
