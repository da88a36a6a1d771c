// The post-decryption payload decoder (compact cereal archive), reached
// directly: almost no input gets past AEAD in fuzz_decode. The encoding is
// canonical, so whatever decodes must re-encode to exactly the input.
#include <cookieseal/cereal.hpp>

#include "detail/payload.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdint>
#include <span>

namespace d = cookieseal::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = std::as_bytes(std::span(data, size));
  auto r = d::decode_payload(in);
  if (!r) {
    if (r.error() != cookieseal::errc::invalid_payload) fuzz::fail("unexpected error");
    return 0;
  }
  cookieseal::detail::wiped_bytes out;
  if (auto* s = std::get_if<cookieseal::session>(&*r)) {
    if (!d::encode_inline(*s, out)) fuzz::fail("a decoded session does not encode");
  } else {
    d::encode_reference(std::get<d::overflow_reference>(*r), out);
  }
  if (!std::equal(out.begin(), out.end(), in.begin(), in.end()))
    fuzz::fail("decode then encode is not the identity");
  return 0;
}
