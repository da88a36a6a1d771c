#include "detail/random.hpp"

#include <cookieseal/detail/wipe.hpp>

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

void wipe(void* p, std::size_t n) noexcept { sodium_memzero(p, n); }

}  // namespace cookieseal::detail
