// The CLI's durations ("90s", "15m", "12h", "30d"): command-line syntax, not library API.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace cli {

/**
 * Parses a duration: a whole number followed by s, m, h or d ("90s", "15m",
 * "12h", "30d"); "0" alone is zero. nullopt for anything else or an overflow.
 */
[[nodiscard]] std::optional<std::chrono::seconds> parse_duration(std::string_view s) noexcept;

}  // namespace cli
