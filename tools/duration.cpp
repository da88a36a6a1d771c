#include "duration.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

namespace cli {

std::optional<std::chrono::seconds> parse_duration(std::string_view s) noexcept {
  if (s == "0") return std::chrono::seconds{0};
  if (s.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  const std::string_view digits = s.substr(0, s.size() - 1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size() || n < 0 || digits.front() == '+' ||
      n > std::numeric_limits<std::int64_t>::max() / unit)
    return std::nullopt;
  return std::chrono::seconds{n * unit};
}

}  // namespace cli
