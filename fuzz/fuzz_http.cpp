// Cookie header parsing and Set-Cookie building on arbitrary bytes.
// Invariants: parsing stays within its limits and returns views into the
// header; whatever set_cookie emits has no CR, LF or NUL and round-trips its
// name and value through the parser; anything else is refused with cookie_error.
#include <cookieseal/http.hpp>

#include "fuzz_support.hpp"

#include <cstdint>
#include <string_view>

namespace http = cookieseal::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  http::cookie_limits limits;
  limits.max_header_bytes = 2048;
  limits.max_cookies = 16;
  const auto pairs = http::parse_cookie_header(in, limits);
  if (pairs.size() > limits.max_cookies) fuzz::fail("more pairs than max_cookies");
  for (const auto& p : pairs) {
    if (p.name.data() < in.data() || p.name.data() + p.name.size() > in.data() + in.size())
      fuzz::fail("a name points outside the header");
    if (p.name.empty()) fuzz::fail("an empty name");
  }

  // The input split in three: name | value | attribute text, plus flag bits.
  if (size < 4) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t a = 1 + data[1] % (size - 1), b = a + (size - a) / 2;
  const std::string_view name = in.substr(2, a > 2 ? a - 2 : 0), value = in.substr(a, b - a),
                         attr = in.substr(b);
  http::cookie_attributes attrs;
  attrs.secure = flags & 1;
  attrs.http_only = flags & 2;
  attrs.partitioned = flags & 4;
  attrs.browser_session = flags & 8;
  attrs.same_site = (flags & 0x30) == 0      ? std::nullopt
                    : (flags & 0x30) == 0x10 ? std::optional(http::same_site::strict)
                    : (flags & 0x30) == 0x20 ? std::optional(http::same_site::lax)
                                             : std::optional(http::same_site::none);
  (flags & 0x40 ? attrs.domain : attrs.path) = std::string(attr);
  try {
    const std::string h =
        http::set_cookie(name, value, attrs, fuzz::t0 + std::chrono::hours(1), fuzz::t0);
    if (h.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      fuzz::fail("Set-Cookie contains CR, LF or NUL");
    const std::string first_pair = h.substr(0, h.find(';'));  // the views below point into it
    const auto back = http::parse_cookie_header(first_pair);
    // cookie-octet excludes DQUOTE, so no emitted value is ever unquoted by the parser.
    if (back.size() != 1 || back[0].name != name || back[0].value != value)
      fuzz::fail("Set-Cookie name/value does not parse back");
    (void)http::delete_cookie(name, attrs);
  } catch (const http::cookie_error&) {
    // Refused: the expected outcome for most inputs.
  }
  return 0;
}
