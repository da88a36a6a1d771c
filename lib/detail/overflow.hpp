// Sessions too large for a cookie: spill the inline record into the overflow
// store as a sealed entry and put a small reference in the cookie; fetch it back.
#pragma once

#include <cookieseal/detail/wipe.hpp>
#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/store.hpp>

#include "detail/payload.hpp"

#include <optional>

namespace cookieseal::detail {

/// A session moved to the store: the entry written, and the cookie's plaintext.
struct spilled {
  entry_id id;
  wiped_bytes reference;  // kind byte 1 + reference record
};

/**
 * Seals @p inline_plaintext (kind byte + inline record) as a new entry in
 * @p st and returns the reference plaintext to put in the cookie.
 * errc::too_large (over max_entry_bytes), errc::store_unavailable.
 */
result<spilled> spill(entry_store& st, std::span<const std::byte> inline_plaintext,
                      const session& s, std::optional<time_point> expires);

/**
 * The session behind @p ref: errc::expired (the entry is gone: expired,
 * replaced more than the grace period ago, or its session destroyed),
 * errc::store_unavailable, errc::authentication_failed (not this entry),
 * errc::invalid_payload. Wipes the entry key.
 */
result<session> fetch(entry_store& st, overflow_reference& ref, time_point now);

}  // namespace cookieseal::detail
