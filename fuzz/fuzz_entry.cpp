// Overflow references and store entries: an authentic cookie holding a
// reference to an entry whose sealed record the fuzzer chooses (or whose raw
// bytes it chooses), served by an in-memory store. Exercises fetch, the entry
// AEAD, the record decoder and the reference/record consistency checks.
// Input: u8 flags (1 raw entry, 2 a subject, 4 a lifetime in the reference) |
// record or raw entry bytes.
#include <cookieseal/codec.hpp>
#include <cookieseal/store.hpp>

#include "detail/entry.hpp"
#include "detail/envelope.hpp"
#include "detail/keyring_access.hpp"
#include "detail/payload.hpp"
#include "fuzz_support.hpp"

#include <cstring>
#include <map>
#include <mutex>

namespace d = cookieseal::detail;
using cookieseal::result;

namespace {

// One entry, in memory.
class memory_store final : public cookieseal::store {
 public:
  std::vector<std::byte> entry;
  result<void> put(const cookieseal::entry_id&, std::span<const std::byte> s,
                   std::optional<cookieseal::time_point>) override {
    entry.assign(s.begin(), s.end());
    return {};
  }
  result<std::optional<std::vector<std::byte>>> get(const cookieseal::entry_id&,
                                                    cookieseal::time_point) override {
    return std::optional(entry);
  }
  result<void> erase(const cookieseal::entry_id&) override { return {}; }
  result<void> expire_by(const cookieseal::entry_id&, cookieseal::time_point) override {
    return {};
  }
  result<std::uint64_t> collect_garbage(cookieseal::time_point) override {
    return std::uint64_t{0};
  }
  result<cookieseal::store_stats> stats() override { return cookieseal::store_stats{}; }
  result<void> revoke_session(const cookieseal::session_id&, cookieseal::time_point) override {
    return {};
  }
  result<void> revoke_subject(std::string_view, cookieseal::time_point,
                              cookieseal::time_point) override {
    return {};
  }
  result<bool> is_revoked(const cookieseal::session_id&, std::string_view, cookieseal::time_point,
                          cookieseal::time_point) override {
    return false;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const auto keys = fuzz::fixed_codec().current_keyring();
  static auto st = std::make_shared<memory_store>();
  static const cookieseal::codec c = [] {
    cookieseal::codec_options o;
    o.clock = [] { return fuzz::t0; };
    o.overflow_store = st;
    return cookieseal::codec(*keys, o);
  }();
  const std::uint8_t flags = data[0];
  const auto body = std::as_bytes(std::span(data + 1, size - 1));

  d::overflow_reference ref;
  std::memset(ref.entry_id.data(), flags, ref.entry_id.size());
  std::memset(ref.entry_key.data(), 0x5A, ref.entry_key.size());
  ref.created_at = fuzz::t0 - std::chrono::hours(1);
  ref.subject = (flags & 2) ? "user" : "";
  if (flags & 4) ref.lifetime.max_age = std::chrono::hours(2);  // kind 3: a record of kind 2
  // The entry: fuzzer bytes sealed properly (reaching the decoder), or raw.
  st->entry = (flags & 1) ? std::vector<std::byte>(body.begin(), body.end())
                          : d::seal_entry(ref.entry_key, ref.entry_id, body);
  cookieseal::detail::wiped_bytes plaintext;
  d::encode_reference(ref, plaintext);
  d::envelope_header h;
  h.key_id = 0x9f3a01c2;
  h.issued_at = static_cast<std::uint64_t>(fuzz::t0.time_since_epoch().count());
  h.expires_at = h.issued_at + 3600;
  const auto cookie =
      d::seal_envelope(d::keyring_access::find(*keys, h.key_id).bytes, h, "session", "", plaintext);
  auto r = c.open("session", cookie);
  if (r) {
    if (!r->info.overflow) fuzz::fail("a reference opened as inline");
    if (r->session.created_at() != ref.created_at || r->session.subject() != ref.subject ||
        r->session.lifetime() != ref.lifetime)
      fuzz::fail("an entry disagreeing with its reference opened");
  } else if (static_cast<int>(r.error()) < 1 || static_cast<int>(r.error()) > 9) {
    fuzz::fail("open returned an error outside the table");
  }
  return 0;
}
