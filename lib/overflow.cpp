#include "detail/overflow.hpp"

#include "detail/entry.hpp"
#include "detail/random.hpp"
#include "detail/session_access.hpp"

#include <sodium.h>

namespace cookieseal::detail {

result<spilled> spill(entry_store& st, std::span<const std::byte> inline_plaintext,
                      time_point created_at, std::string_view subject,
                      const session_lifetime& lifetime, std::optional<time_point> expires) {
  if (inline_plaintext.size() + entry_overhead > max_entry_bytes) return errc::too_large;
  overflow_reference ref;
  random_fill(ref.entry_id);
  random_fill(ref.entry_key);
  ref.created_at = created_at;
  ref.subject = subject;
  ref.lifetime = lifetime;
  const auto entry = seal_entry(ref.entry_key, ref.entry_id, inline_plaintext);
  if (auto r = st.put(ref.entry_id, entry, expires); !r) {
    sodium_memzero(ref.entry_key.data(), ref.entry_key.size());
    return errc::store_unavailable;
  }
  spilled out{ref.entry_id, {}};
  encode_reference(ref, out.reference);
  sodium_memzero(ref.entry_key.data(), ref.entry_key.size());
  return out;
}

result<void> fetch_entry(entry_store& st, overflow_reference& ref, time_point now,
                         wiped_bytes& plaintext) {
  struct wipe_key {
    overflow_reference& r;
    ~wipe_key() { sodium_memzero(r.entry_key.data(), r.entry_key.size()); }
  } wiper{ref};
  auto got = st.get(ref.entry_id, now);
  if (!got) return errc::store_unavailable;
  if (!*got) return errc::expired;
  if (!open_entry(ref.entry_key, ref.entry_id, **got, plaintext))
    return errc::authentication_failed;
  return {};
}

}  // namespace cookieseal::detail
