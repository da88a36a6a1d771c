// The seal path with the nonce supplied: production passes a random one, the
// known-answer tests a fixed one (production nonces are never chosen).
#pragma once

#include <cookieseal/codec.hpp>

#include "detail/envelope.hpp"

namespace cookieseal::detail {

result<sealed> seal_with_nonce(const codec& c, std::string_view name, const session& s,
                               std::string_view purpose, const nonce& iv);

}  // namespace cookieseal::detail
