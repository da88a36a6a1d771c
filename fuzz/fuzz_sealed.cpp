// Authentic cookies around fuzzer-chosen plaintexts and header times: every
// input passes base64 and the AEAD, so the fuzzer explores what lies behind
// them (expiry from header and payload, the policy, revocation, payload kinds).
// Input: u32 issued offset | u32 expires offset | u8 flags | plaintext.
#include "detail/envelope.hpp"
#include "detail/keyring_access.hpp"
#include "fuzz_support.hpp"

#include <cstdint>
#include <cstring>
#include <span>

namespace d = cookieseal::detail;

namespace {
std::uint32_t read_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  const auto& c = fuzz::fixed_codec();
  const auto keys = c.current_keyring();
  const std::uint64_t t0 = static_cast<std::uint64_t>(fuzz::t0.time_since_epoch().count());
  const std::uint8_t flags = data[8];
  d::envelope_header h;
  h.key_id = 0x9f3a01c2;
  // Offsets around "now" in both directions, in seconds.
  h.issued_at = t0 + read_u32(data) - 0x80000000u;
  h.expires_at = (flags & 1) ? d::unix_never : t0 + read_u32(data + 4) - 0x80000000u;
  std::memset(h.iv.data(), flags, h.iv.size());
  const auto key = d::keyring_access::find(*keys, h.key_id);
  const char* name = (flags & 2) ? "session" : "other";
  const auto cookie =
      d::seal_envelope(key.bytes, h, name, "", std::as_bytes(std::span(data + 9, size - 9)));
  auto r = c.open("session", cookie);
  if (r) {
    if (!(flags & 2)) fuzz::fail("a cookie sealed for another name opened");
    auto again = c.seal("session", r->session);
    if (again) {
      auto back = c.open("session", again->cookie);
      if (!back || !fuzz::same_encoding(back->session, r->session))
        fuzz::fail("re-sealed session differs");
    } else if (again.error() != cookieseal::errc::expired &&
               again.error() != cookieseal::errc::too_large) {
      fuzz::fail("an opened session fails to seal for an unexpected reason");
    }
  } else if (static_cast<int>(r.error()) < 1 || static_cast<int>(r.error()) > 9) {
    fuzz::fail("open returned an error outside the table");
  }
  return 0;
}
