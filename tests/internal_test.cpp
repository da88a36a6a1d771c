// White-box tests of lib/detail: base64url, the payload decoder, the envelope.
#include <cookieseal/codec.hpp>

#include "detail/base64url.hpp"
#include "detail/envelope.hpp"
#include "detail/json_value.hpp"
#include "detail/json_writer.hpp"
#include "detail/keyring_access.hpp"
#include "detail/payload.hpp"
#include "sodium_base64.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <random>
#include <string>
#include <vector>

namespace d = cookieseal::detail;
using cookieseal::errc;
using cookieseal::value;
using namespace std::chrono_literals;

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> l) {
  std::vector<std::byte> out;
  for (int b : l) out.push_back(static_cast<std::byte>(b));
  return out;
}

// An inline record header: kind 0, id of 16 zero bytes, created_at 1, empty subject.
std::vector<std::byte> record_prefix() {
  auto out = bytes({0});
  out.resize(17);
  out.push_back(std::byte{1});  // created_at
  out.push_back(std::byte{0});  // subject ""
  return out;
}

std::vector<std::byte> with_values(std::vector<std::byte> values_map) {
  auto out = record_prefix();
  out.insert(out.end(), values_map.begin(), values_map.end());
  out.push_back(std::byte{0});  // constants {}
  out.push_back(std::byte{0});  // flashes {}
  return out;
}

}  // namespace

TEST_SUITE("internal") {
  TEST_CASE("table base64url agrees with libsodium on every length and random bytes") {
    std::mt19937 rng(12345);
    for (std::size_t n = 0; n < 300; ++n) {
      std::vector<unsigned char> in(n);
      for (auto& b : in) b = static_cast<unsigned char>(rng());
      std::string ours(d::base64url_encoded_size(n), '\0');
      d::base64url_encode(in.data(), n, ours.data());
      CAPTURE(n);
      CHECK(ours == test::sodium_base64url(in));
      REQUIRE(d::base64url_decoded_size(ours.size()) == n);
      std::vector<unsigned char> back(n);
      CHECK(d::base64url_decode(ours, back.data()));
      CHECK(back == in);
    }
  }

  TEST_CASE("table base64url refuses what strict libsodium refuses") {
    unsigned char out[8];
    CHECK_FALSE(d::base64url_decode("A", out));     // impossible length
    CHECK_FALSE(d::base64url_decode("AB==", out));  // padding
    CHECK_FALSE(d::base64url_decode("AB+/", out));  // standard alphabet
    CHECK_FALSE(d::base64url_decode("AB C", out));  // whitespace
    CHECK_FALSE(d::base64url_decode("AB", out));    // non-zero trailing bits ('B' = 000001)
    CHECK(d::base64url_decode("AA", out));
    CHECK_FALSE(d::base64url_decode("AAB", out));  // non-zero trailing bits
    CHECK(d::base64url_decode("AAE", out));
    CHECK_FALSE(d::base64url_decode(std::string_view("AA\0A", 4), out));
  }

  TEST_CASE("the payload decoder refuses malformed plaintexts with invalid_payload") {
    SUBCASE("a minimal valid record decodes") { CHECK(d::decode_payload(with_values(bytes({0})))); }
    SUBCASE("empty, unknown kind, trailing bytes") {
      CHECK(d::decode_payload({}).error() == errc::invalid_payload);
      auto r = with_values(bytes({0}));
      r[0] = std::byte{2};
      CHECK(d::decode_payload(r).error() == errc::invalid_payload);
      r[0] = std::byte{0};
      r.push_back(std::byte{0});
      CHECK(d::decode_payload(r).error() == errc::invalid_payload);
    }
    SUBCASE("a non-minimal LEB128") {
      // map of one entry "a" -> int encoded as 0x82 0x00 (non-minimal 2)
      CHECK(d::decode_payload(with_values(bytes({1, 1, 'a', 3, 0x82, 0x00}))).error() ==
            errc::invalid_payload);
      CHECK(d::decode_payload(with_values(bytes({1, 1, 'a', 3, 0x02}))));  // the minimal form
      auto r = record_prefix();
      r[17] = std::byte{0x81};  // created_at 1 as 0x81 0x00
      r.insert(r.begin() + 18, std::byte{0x00});
      r.insert(r.end(), {std::byte{0}, std::byte{0}, std::byte{0}});
      CHECK(d::decode_payload(r).error() == errc::invalid_payload);
    }
    SUBCASE("a size past the end") {
      CHECK(d::decode_payload(with_values(bytes({1, 1, 'a', 5, 0x10, 'x'}))).error() ==
            errc::invalid_payload);
      CHECK(d::decode_payload(with_values(bytes({0x7F}))).error() == errc::invalid_payload);
      CHECK(d::decode_payload(with_values(bytes({1, 1, 'a', 7, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F})))
                .error() == errc::invalid_payload);
    }
    SUBCASE("unknown tag, bad bool, keys out of order or repeated") {
      CHECK(d::decode_payload(with_values(bytes({1, 1, 'a', 10}))).error() ==
            errc::invalid_payload);
      CHECK(d::decode_payload(with_values(bytes({2, 1, 'b', 0, 1, 'a', 0}))).error() ==
            errc::invalid_payload);
      CHECK(d::decode_payload(with_values(bytes({2, 1, 'a', 0, 1, 'a', 0}))).error() ==
            errc::invalid_payload);
      CHECK(d::decode_payload(with_values(bytes({2, 1, 'a', 0, 1, 'b', 0}))));
    }
    SUBCASE("nesting one past the depth limit, and a deep bomb") {
      auto nest = [](std::size_t depth) {
        auto v = bytes({1, 1, 'a'});
        for (std::size_t i = 0; i < depth; ++i) v.insert(v.end(), {std::byte{7}, std::byte{1}});
        v.push_back(std::byte{0});
        return with_values(v);
      };
      CHECK(d::decode_payload(nest(cookieseal::max_value_depth)));
      CHECK(d::decode_payload(nest(cookieseal::max_value_depth + 1)).error() ==
            errc::invalid_payload);
      CHECK(d::decode_payload(nest(100000)).error() == errc::invalid_payload);
    }
  }

  TEST_CASE("an overflow reference round-trips through the payload codec") {
    d::overflow_reference r;
    for (std::size_t i = 0; i < 32; ++i) {
      r.entry_id[i] = static_cast<std::byte>(i);
      r.entry_key[i] = static_cast<std::byte>(255 - i);
    }
    r.created_at = test::t0;
    r.subject = "user-1";
    cookieseal::detail::wiped_bytes buf;
    d::encode_reference(r, buf);
    CHECK(buf.size() == 1 + 32 + 32 + 5 + 1 + 6);
    auto back = d::decode_payload(buf);
    REQUIRE(back);
    auto* ref = std::get_if<d::overflow_reference>(&*back);
    REQUIRE(ref != nullptr);
    CHECK(ref->entry_id == r.entry_id);
    CHECK(ref->entry_key == r.entry_key);
    CHECK(ref->created_at == r.created_at);
    CHECK(ref->subject == "user-1");
    CHECK(d::decode_inline(buf).error() == errc::invalid_payload);
  }

  TEST_CASE("an authentic overflow reference without a store opens as store_unavailable") {
    test::manual_clock clock;
    auto keys = test::fixed_keyring();
    cookieseal::codec c(keys, test::options_with(clock));
    d::overflow_reference r;
    r.created_at = test::t0;
    cookieseal::detail::wiped_bytes buf;
    d::encode_reference(r, buf);
    d::envelope_header h;
    h.key_id = 0x9f3a01c2;
    h.issued_at = static_cast<std::uint64_t>(test::t0.time_since_epoch().count());
    h.expires_at = h.issued_at + 3600;
    h.iv = d::random_nonce();
    const auto key = d::keyring_access::find(keys, h.key_id);
    const auto cookie = d::seal_envelope(key.bytes, h, "session", "", buf);
    CHECK(c.open("session", cookie).error() == errc::store_unavailable);
  }

  TEST_CASE("an authentic envelope with a garbage payload opens as invalid_payload") {
    test::manual_clock clock;
    auto keys = test::fixed_keyring();
    cookieseal::codec c(keys, test::options_with(clock));
    d::envelope_header h;
    h.key_id = 0x9f3a01c2;
    h.issued_at = static_cast<std::uint64_t>(test::t0.time_since_epoch().count());
    h.expires_at = d::unix_never;
    h.iv = d::random_nonce();
    const auto key = d::keyring_access::find(keys, h.key_id);
    for (const auto& junk : {bytes({}), bytes({0}), bytes({9, 9, 9}), with_values(bytes({0x7F}))}) {
      const auto cookie = d::seal_envelope(key.bytes, h, "session", "", junk);
      CHECK(c.open("session", cookie).error() == errc::invalid_payload);
    }
  }

  TEST_CASE("the envelope header is parsed before any crypto") {
    unsigned char buf[3074];
    CHECK(d::parse_envelope(std::string(81, 'A'), buf).error() == errc::malformed);  // 60 bytes
    CHECK(d::parse_envelope(std::string(82, 'A'), buf).error() ==
          errc::unsupported_version);  // 61 bytes, version 0
    auto ok = d::parse_envelope(
        "AQAAAAEAAAAAAAAAAgAAAAAAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", buf);
    REQUIRE(ok);
    CHECK(ok->header.key_id == 1);
    CHECK(ok->header.issued_at == 2);
    CHECK(ok->header.expires_at == 3);
    CHECK(ok->plaintext_bytes() == 0);
  }
}

TEST_CASE("a JSON value asked as another kind answers empty, and a missing member throws") {
  const auto doc = cookieseal::detail::parse_json(R"({"s":"abcdef","a":[1,2],"o":{"k":1}})");
  const auto s = doc["s"];
  CHECK(s.array_size() == 0);  // not its byte length
  CHECK(s.items().empty());
  int n = 0;
  s.for_each_element([&](auto) { ++n; });
  CHECK(n == 0);
  CHECK(doc["a"].array_size() == 2);
  CHECK(doc["o"].items().size() == 1);
  CHECK_THROWS_AS((void)doc["missing"], cookieseal::json_error);  // not the root
  CHECK_THROWS_AS((void)s["k"], cookieseal::json_error);
}

TEST_CASE("a JSON string's common run ends at the first byte the table stops at, at any offset") {
  using cookieseal::detail::json_plain_run;
  using cookieseal::detail::json_string_stops;
  // Every byte value, at every position of a 24-byte run (three words and the
  // tail), from every start offset: the word test must agree with the table.
  for (unsigned c = 0; c < 256; ++c) {
    for (std::size_t at = 0; at < 24; ++at) {
      for (std::size_t start = 0; start < 8; ++start) {
        std::vector<unsigned char> text(start + 24 + 3, 'a');
        text[start + at] = static_cast<unsigned char>(c);
        const unsigned char* p = text.data() + start;
        const unsigned char* end = text.data() + text.size();
        const std::size_t want = json_string_stops[c] ? at : text.size() - start;
        REQUIRE(static_cast<std::size_t>(json_plain_run(p, end) - p) == want);
      }
    }
  }
  const unsigned char none[] = "no stop here";
  CHECK(json_plain_run(none, none) == none);  // empty
  CHECK(json_plain_run(none, none + 12) == none + 12);
}

TEST_CASE("strings with escapes and UTF-8 at every offset survive the writer and the reader") {
  const std::pair<std::string, std::string> pieces[] = {{"\"", "\\\""},
                                                        {"\\", "\\\\"},
                                                        {"\n", "\\n"},
                                                        {"\x01", "\\u0001"},
                                                        {"\x1f", "\\u001f"},
                                                        {"\x7f", "\x7f"},
                                                        {"\xc3\xa9", "\xc3\xa9"},
                                                        {"\xe2\x82\xac", "\xe2\x82\xac"},
                                                        {"/", "/"}};
  for (const auto& [piece, written] : pieces) {
    for (std::size_t at = 0; at < 20; ++at) {
      const std::string s = std::string(at, 'x') + piece + std::string(11, 'y');
      std::string json = "{\"s\":";
      cookieseal::detail::append_json_string(json, s);
      // The writer's own text: the piece escaped where JSON needs it.
      REQUIRE(json == "{\"s\":\"" + std::string(at, 'x') + written + std::string(11, 'y') + "\"");
      json += "}";
      REQUIRE(cookieseal::detail::parse_json(json)["s"].get_string() == s);
    }
  }
  // The reader refuses what the run must stop at, wherever it stands: a raw
  // control character, a byte that is not UTF-8.
  for (const std::string bad : {"\x01", "\x1f", "\x80", "\xc3", "\xff"}) {
    for (std::size_t at = 0; at < 20; ++at) {
      const std::string json =
          "{\"s\":\"" + std::string(at, 'x') + bad + std::string(11, 'y') + "\"}";
      REQUIRE_THROWS_AS((void)cookieseal::detail::parse_json(json), cookieseal::json_error);
    }
  }
}
