// The seal path with the nonce supplied: production passes a random one, the
// known-answer tests a fixed one (production nonces are never chosen).
#pragma once

#include <cookieseal/codec.hpp>

#include "detail/envelope.hpp"

namespace cookieseal::detail {

result<sealed> seal_with_nonce(const codec& c, std::string_view name, const session& s,
                               std::string_view purpose, const nonce& iv);

/// The created_at @p s is sealed with at @p t: its own, or for a session created
/// in this request, moved past a revocation cut-off of this second.
/// errc::revoked, errc::store_unavailable.
result<time_point> created_at_to_seal(const codec& c, const session& s, const keyring& keys,
                                      time_point t);

/// Seals @p s (created_at settled) with @p key of @p keys at @p t.
result<sealed> seal_checked(const codec& c, std::string_view name, const session& s,
                            std::string_view purpose, const nonce& iv, const keyring& keys,
                            const key_info& key, time_point t);

}  // namespace cookieseal::detail
