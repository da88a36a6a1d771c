// The C ABI's transcoder (lib/payload_json.cpp) against the path it replaces,
// on arbitrary bytes: a plaintext read as JSON straight from the payload must
// be refused exactly when decode_payload refuses it, and otherwise give
// session_to_json's text of the decoded session byte for byte (and the same
// overflow reference); a session's JSON encoded straight to the record must
// be refused with session_from_json's message, or give encode_inline's bytes.
#include <cookieseal/json.hpp>

#include "detail/json_writer.hpp"
#include "detail/payload.hpp"
#include "detail/payload_json.hpp"
#include "fuzz_support.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

namespace d = cookieseal::detail;

namespace {

bool same_reference(const d::overflow_reference& a, const d::overflow_reference& b) {
  return a.entry_id == b.entry_id && a.entry_key == b.entry_key && a.created_at == b.created_at &&
         a.subject == b.subject && a.lifetime == b.lifetime;
}

// Plaintext -> JSON (open).
void open_direction(std::span<const std::byte> in) {
  auto ref = d::decode_payload(in);
  auto fast = d::decode_payload_json(in);
  if (!ref || !fast) {
    if (ref.has_value() != fast.has_value()) fuzz::fail("one path refuses what the other reads");
    if (ref.error() != fast.error()) fuzz::fail("the paths refuse with different errors");
    return;
  }
  if (ref->index() != fast->index()) fuzz::fail("the paths read different kinds");
  if (const auto* s = std::get_if<cookieseal::session>(&*ref)) {
    cookieseal::open_info info;
    info.issued_at = fuzz::t0;
    info.key_id = 0x9f3a01c2;
    const std::string want = cookieseal::session_to_json(*s, &info);
    auto& rec = std::get<d::json_record>(*fast);
    std::string got = rec.maps;
    d::append_session_tail(got, rec.lifetime(), rec.id(), rec.subject(), rec.created_at(), &info);
    if (got != want) {
      std::fprintf(stderr, "want %s\ngot  %s\n", want.c_str(), got.c_str());
      fuzz::fail("the transcoded JSON differs from session_to_json's");
    }
  } else if (!same_reference(std::get<d::overflow_reference>(*ref),
                             std::get<d::overflow_reference>(*fast))) {
    fuzz::fail("the paths read different overflow references");
  }
}

// Session JSON -> the inline record (seal): the same record, or the same json_error.
void seal_direction(std::span<const std::byte> in) {
  const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  std::optional<cookieseal::session> s;
  std::string ref_error, fast_error;
  try {
    s.emplace(cookieseal::session_from_json(text, true, fuzz::t0));
  } catch (const cookieseal::json_error& e) {
    ref_error = e.what();
  }
  std::optional<d::json_session> js;
  try {
    js.emplace(d::session_maps_from_json(text));
  } catch (const cookieseal::json_error& e) {
    fast_error = e.what();
  }
  if (s.has_value() != js.has_value()) fuzz::fail("one path refuses JSON the other reads");
  if (ref_error != fast_error) {
    std::fprintf(stderr, "want %s\ngot  %s\n", ref_error.c_str(), fast_error.c_str());
    fuzz::fail("the paths refuse JSON with different messages");
  }
  if (!s) return;
  d::wiped_bytes want, got;
  if (!d::encode_inline(*s, want)) fuzz::fail("a session read from JSON does not encode");
  d::encode_inline_head(js->lifetime, s->id(), fuzz::t0, js->subject, got);
  got.insert(got.end(), js->maps.begin(), js->maps.end());
  if (got != want) fuzz::fail("the encoded record differs from encode_inline's");
}

}  // namespace

// The first byte picks the direction; the rest is the input.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto in = std::as_bytes(std::span(data + 1, size - 1));
  if (data[0] % 2 == 0)
    open_direction(in);
  else
    seal_direction(in);
  return 0;
}
