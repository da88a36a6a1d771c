// libsodium's base64url (no padding) as an independent encoder for tests.
#pragma once

#include <sodium.h>

#include <string>
#include <vector>

namespace test {

inline std::string sodium_base64url(const std::vector<unsigned char>& in) {
  if (in.empty()) return {};  // libsodium's pointers must not be null
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), in.data(), in.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the terminating NUL
  return out;
}

}  // namespace test
