// The whole open path on attacker-chosen cookie text: size cap, base64url,
// version, header expiry, key lookup, AEAD, payload, policy.
#include "fuzz_support.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view cookie(reinterpret_cast<const char*>(data), size);
  auto r = fuzz::fixed_codec().open("session", cookie);
  if (r) {
    // Whatever opens must seal again and open to the same data.
    auto again = fuzz::fixed_codec().seal("session", r->session);
    if (!again) fuzz::fail("an opened session does not seal again");
    auto back = fuzz::fixed_codec().open("session", again->cookie);
    if (!back || !fuzz::same_encoding(back->session, r->session))
      fuzz::fail("re-sealed session differs");
  } else if (static_cast<int>(r.error()) < 1 || static_cast<int>(r.error()) > 9) {
    fuzz::fail("open returned an error outside the table");
  }
  return 0;
}
