// The keyring file parser on arbitrary text. Whatever parses must format to
// text that parses to a keyring formatting identically (a fixed point).
#include <cookieseal/keyring_file.hpp>

#include "fuzz_support.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto k = cookieseal::parse_keyring(text, "fuzz");
    const auto once = cookieseal::format_keyring(k);
    const auto twice = cookieseal::format_keyring(cookieseal::parse_keyring(once, "fuzz"));
    if (once != twice) fuzz::fail("format(parse(format(k))) differs from format(k)");
  } catch (const cookieseal::keyring_file_error&) {
    // The expected outcome for almost every input.
  }
  return 0;
}
