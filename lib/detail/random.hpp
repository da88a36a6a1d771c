// Random bytes from libsodium's CSPRNG, with sodium_init() done once.
#pragma once

#include <cstddef>
#include <span>

namespace cookieseal::detail {

/// Calls sodium_init() once per process; throws std::runtime_error if it fails.
void ensure_sodium();

/// Fills @p out with cryptographically random bytes.
void random_fill(std::span<std::byte> out);

}  // namespace cookieseal::detail
