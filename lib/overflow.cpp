#include "detail/overflow.hpp"

#include "detail/entry.hpp"
#include "detail/random.hpp"
#include "detail/session_access.hpp"

#include <sodium.h>

namespace cookieseal::detail {

result<spilled> spill(entry_store& st, std::span<const std::byte> inline_plaintext,
                      const session& s, std::optional<time_point> expires) {
  if (inline_plaintext.size() + entry_overhead > max_entry_bytes) return errc::too_large;
  overflow_reference ref;
  random_fill(ref.entry_id);
  random_fill(ref.entry_key);
  ref.created_at = s.created_at();
  ref.subject = s.subject();
  ref.lifetime = s.lifetime();
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

result<session> fetch(entry_store& st, overflow_reference& ref, time_point now) {
  struct wipe_key {
    overflow_reference& r;
    ~wipe_key() { sodium_memzero(r.entry_key.data(), r.entry_key.size()); }
  } wiper{ref};
  auto got = st.get(ref.entry_id, now);
  if (!got) return errc::store_unavailable;
  if (!*got) return errc::expired;
  wiped_bytes plaintext;
  if (!open_entry(ref.entry_key, ref.entry_id, **got, plaintext))
    return errc::authentication_failed;
  auto s = decode_inline(plaintext);
  if (!s) return s.error();
  // The reference repeats what revocation and expiry need; it must agree.
  if (s->created_at() != ref.created_at || s->subject() != ref.subject ||
      s->lifetime() != ref.lifetime)
    return errc::invalid_payload;
  session_access::set_overflow_entry(*s, ref.entry_id);
  return s;
}

}  // namespace cookieseal::detail
