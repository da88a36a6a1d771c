/// @file clock.hpp
/// Time as the library sees it: whole seconds of the system clock, and an
/// injectable clock so tests can move time.
#pragma once

#include <cookieseal/export.hpp>

#include <chrono>
#include <functional>

namespace cookieseal {

/// A point in time, in whole seconds since the Unix epoch (UTC).
using time_point = std::chrono::sys_seconds;

/// A clock: returns "now". An empty clock_function means the system clock.
using clock_function = std::function<time_point()>;

/// The system clock, truncated to whole seconds.
[[nodiscard]] COOKIESEAL_API time_point system_now() noexcept;

}  // namespace cookieseal
