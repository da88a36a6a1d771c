#include <cookieseal/clock.hpp>

#include "detail/digits.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>

namespace cookieseal {

namespace {
// Reads exactly s.size() decimal digits.
bool read_digits(std::string_view s, int& out) noexcept {
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}
}  // namespace

time_point system_now() noexcept {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool detail::write_rfc3339(char (&s)[21], time_point t) noexcept {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return false;
  std::memcpy(s, "0000-00-00T00:00:00Z", sizeof s);
  detail::put_four_digits(s, static_cast<unsigned>(y));
  detail::put_two_digits(s + 5, static_cast<unsigned>(ymd.month()));
  detail::put_two_digits(s + 8, static_cast<unsigned>(ymd.day()));
  detail::put_two_digits(s + 11, static_cast<unsigned>(hms.hours().count()));
  detail::put_two_digits(s + 14, static_cast<unsigned>(hms.minutes().count()));
  detail::put_two_digits(s + 17, static_cast<unsigned>(hms.seconds().count()));
  return true;
}

std::string format_rfc3339(time_point t) {
  using namespace std::chrono;
  if (char s[21]; detail::write_rfc3339(s, t)) return std::string(s, sizeof s - 1);
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<time_point> parse_rfc3339(std::string_view s) noexcept {
  using namespace std::chrono;
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return std::nullopt;
  int y, mo, d, h, mi, se;
  if (!read_digits(s.substr(0, 4), y) || !read_digits(s.substr(5, 2), mo) ||
      !read_digits(s.substr(8, 2), d) || !read_digits(s.substr(11, 2), h) ||
      !read_digits(s.substr(14, 2), mi) || !read_digits(s.substr(17, 2), se))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (y < 1970 || !ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return time_point{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{se};
}

}  // namespace cookieseal
