// The CLI's JSON import (tools/json_session.cpp) on arbitrary bytes: whatever
// imports must export and import back to the same value.
#include "cli.hpp"
#include "fuzz_support.hpp"
#include "json_session.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    const auto v = cli::value_from_json(j);
    const auto back = cli::value_from_json(cli::value_to_json(v));
    if (!(back == v)) fuzz::fail("JSON import/export is not a round trip");
    if (j.is_object() && !j.contains("$bytes")) (void)cli::map_from_json(j, "fuzz");
  } catch (const cli::usage_error&) {
    // Refused with a message, as the CLI does.
  }
  return 0;
}
