// The JSON bridge (lib/json.cpp, shared by the CLI and the C ABI) on arbitrary
// bytes: whatever imports must export and import back to the same value.
#include <cookieseal/json.hpp>

#include "fuzz_support.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto v = cookieseal::value_from_json(text);
    const auto back = cookieseal::value_from_json(cookieseal::value_to_json(v));
    if (!(back == v)) fuzz::fail("JSON import/export is not a round trip");
    if (v.get_if<cookieseal::value::map>() != nullptr)
      (void)cookieseal::map_from_json(text, "fuzz");
    (void)cookieseal::session_from_json(text, true, cookieseal::time_point{});
  } catch (const cookieseal::json_error&) {
    // Refused with a message, as the CLI does.
  }
  return 0;
}
