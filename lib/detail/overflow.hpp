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
 * @p st and returns the reference plaintext to put in the cookie (which
 * repeats the session's @p created_at, @p subject and @p lifetime).
 * errc::too_large (over max_entry_bytes), errc::store_unavailable.
 */
result<spilled> spill(entry_store& st, std::span<const std::byte> inline_plaintext,
                      time_point created_at, std::string_view subject,
                      const session_lifetime& lifetime, std::optional<time_point> expires);

/**
 * The plaintext (kind byte + inline record) of the entry behind @p ref:
 * errc::expired (the entry is gone: expired, replaced more than the grace
 * period ago, or its session destroyed), errc::store_unavailable,
 * errc::authentication_failed (not this entry). Wipes the entry key.
 */
result<void> fetch_entry(entry_store& st, overflow_reference& ref, time_point now,
                         wiped_bytes& plaintext);

/// Whether the record of an entry (a session or a json_record) agrees with
/// the reference that led to it, which repeats what revocation and expiry need.
template <class Record>
bool agrees(const Record& r, const overflow_reference& ref) {
  return r.created_at() == ref.created_at && r.subject() == ref.subject &&
         r.lifetime() == ref.lifetime;
}

}  // namespace cookieseal::detail
