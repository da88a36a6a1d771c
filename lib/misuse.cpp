#include "detail/misuse.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace cookieseal::detail {

void throw_misuse(std::string_view what) {
  throw std::invalid_argument("cookieseal: " + std::string(what));
}

void check_binding(std::string_view name, std::string_view purpose) {
  constexpr std::size_t max_binding_bytes = 255;  // one length byte each in the AD
  if (name.empty() || name.size() > max_binding_bytes)
    throw_misuse("cookie name must be 1..255 bytes");
  if (purpose.size() > max_binding_bytes) throw_misuse("purpose must be at most 255 bytes");
}

}  // namespace cookieseal::detail
