#include "detail/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace cookieseal::detail {

void ensure_sodium() {
  // Function-local static: initialised once, thread-safe; sodium_init itself is idempotent.
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("cookieseal: sodium_init() failed");
}

void random_fill(std::span<std::byte> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

}  // namespace cookieseal::detail
