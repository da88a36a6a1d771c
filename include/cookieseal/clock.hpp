/// @file clock.hpp
/// Time as the library sees it: whole seconds of the system clock, and an
/// injectable clock so tests can move time.
#pragma once

#include <cookieseal/export.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal {

/// A point in time, in whole seconds since the Unix epoch (UTC).
using time_point = std::chrono::sys_seconds;

/// A clock: returns "now". An empty clock_function means the system clock.
using clock_function = std::function<time_point()>;

/// The system clock, truncated to whole seconds.
[[nodiscard]] COOKIESEAL_API time_point system_now() noexcept;

/// RFC 3339 in UTC with a Z, e.g. "2026-11-22T03:00:00Z".
[[nodiscard]] COOKIESEAL_API std::string format_rfc3339(time_point t);

/**
 * Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (UTC, years 1970..9999, no fraction, no
 * offset other than Z); nullopt otherwise.
 */
[[nodiscard]] COOKIESEAL_API std::optional<time_point> parse_rfc3339(std::string_view s) noexcept;

}  // namespace cookieseal
