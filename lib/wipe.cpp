#include <cookieseal/detail/wipe.hpp>

#include <sodium.h>

namespace cookieseal::detail {

void wipe(void* p, std::size_t n) noexcept { sodium_memzero(p, n); }

}  // namespace cookieseal::detail
