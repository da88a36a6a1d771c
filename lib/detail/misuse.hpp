// The one place the library throws for a call the program got wrong (the rule
// in error.hpp): a single choke point, so every such error reads the same.
#pragma once

#include <string_view>

namespace cookieseal::detail {

/// Throws std::invalid_argument("cookieseal: " + @p what).
[[noreturn]] void throw_misuse(std::string_view what);

/// The cookie name (1..255 bytes) and purpose (at most 255) the seal binds as
/// associated data, one length byte each; throws through throw_misuse.
void check_binding(std::string_view name, std::string_view purpose);

}  // namespace cookieseal::detail
