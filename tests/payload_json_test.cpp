// The C ABI's transcoder (lib/payload_json.cpp) against the session path it
// replaces: the same text or record byte for byte, and the same refusal, for
// the fixtures and the edge cases of the payload and of the JSON bridge.
#include <cookieseal/codec.hpp>
#include <cookieseal/file_store.hpp>
#include <cookieseal/json.hpp>

#include "detail/codec_seam.hpp"
#include "detail/envelope.hpp"
#include "detail/json_writer.hpp"
#include "detail/keyring_access.hpp"
#include "detail/payload.hpp"
#include "detail/payload_json.hpp"
#include "detail/wire_numbers.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace {

using namespace std::chrono_literals;
using cookieseal::codec;
using cookieseal::errc;
using cookieseal::session;
using cookieseal::session_id;
using cookieseal::value;
namespace d = cookieseal::detail;

std::string fixture(const char* name) {
  std::ifstream in(std::string(COOKIESEAL_BENCH_FIXTURES) + "/" + name);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), {}};
}

// open through both paths: the same JSON, or the same error.
void check_open(const codec& c, const std::string& cookie, std::string_view name = "session") {
  auto ref = c.open(name, cookie);
  auto fast = d::open_json(c, name, cookie, "");
  REQUIRE(ref.has_value() == fast.has_value());
  if (!ref) {
    CHECK(ref.error() == fast.error());
    return;
  }
  CHECK(*fast == cookieseal::session_to_json(ref->session, &ref->info));
}

void check_session(const codec& c, const session& s) {
  auto sealed = c.seal("session", s);
  REQUIRE(sealed);
  check_open(c, sealed->cookie);
}

// A plaintext through both decoders, the inline record as JSON.
void check_plaintext(std::span<const std::byte> in) {
  auto ref = d::decode_payload(in);
  auto fast = d::decode_payload_json(in);
  REQUIRE(ref.has_value() == fast.has_value());
  if (!ref) return;
  REQUIRE(ref->index() == fast->index());
  if (const auto* s = std::get_if<session>(&*ref)) {
    const auto& rec = std::get<d::json_record>(*fast);
    std::string got = rec.maps;
    d::append_session_tail(got, rec.lifetime(), rec.id(), rec.subject(), rec.created_at(), nullptr);
    CHECK(got == cookieseal::session_to_json(*s));
  }
}

session edge_session() {
  session s(value::map{{"$bytes", 1}, {"plan", "pro"}}, "user:42", test::t0);
  value::map nested{{"$bytes", "not a tag"}, {"$object", value::map{}}, {"$$x", 1}, {"", {}}};
  s.set("nested", value(nested));
  s.set("$object", value::object{"point", {std::byte{1}, std::byte{2}}});
  s.set("bytes", value::bytes{std::byte{0}, std::byte{0xff}, std::byte{0x80}});
  s.set("empty_bytes", value::bytes{});
  s.set("empty_map", value::map{});
  s.set("empty_list", value::list{});
  s.set("min", std::numeric_limits<std::int64_t>::min());
  s.set("max", std::numeric_limits<std::int64_t>::max());
  s.set("zero", 0);
  s.set("doubles", value::list{1.0, -0.0, 0.1, 1e300, 5e-324, std::nan(""),
                               std::numeric_limits<double>::infinity(), -1.5});
  s.set("text", "quote \" backslash \\ controls \x01\x1f\n\t and \xc3\xa9 \xf0\x9f\x8d\xaa");
  s.set("bad utf-8",
        "a\xff"
        "b\xc3"
        "c\xed\xa0\x80"
        "d\xf4\x90\x80\x80");
  // Keys that are not valid UTF-8: reordered, and two that become one.
  s.set("k\xff", 1);
  s.set("k\xfe", 2);
  s.set("k\xef\xbf\xbd", 3);
  s.set("j", value::map{{"\xff"
                         "a",
                         1},
                        {"\xfe"
                         "a",
                         2},
                        {"b", value::map{{"\x80", true}}}});
  s.flash("notice", "saved");
  s.flash("notice", value::list{1, 2});
  s.flash("\xff", "bad key");
  s.flash("empty", value());
  return s;
}

// What a full session's JSON becomes: its record, or the json_error's message.
using json_outcome = std::variant<d::wiped_bytes, std::string>;

json_outcome record_of(std::string_view text, session_id& id) {
  try {
    const auto s = cookieseal::session_from_json(text, true, test::t0);
    id = s.id();
    d::wiped_bytes out;
    REQUIRE(d::encode_inline(s, out));
    return out;
  } catch (const cookieseal::json_error& e) {
    return std::string(e.what());
  }
}

json_outcome transcoded_record_of(std::string_view text, const session_id& id) {
  try {
    const auto js = d::session_maps_from_json(text);
    d::wiped_bytes out;
    d::encode_inline_head(js.lifetime, id, test::t0, js.subject, out);
    out.insert(out.end(), js.maps.begin(), js.maps.end());
    return out;
  } catch (const cookieseal::json_error& e) {
    return std::string(e.what());
  }
}

// Both paths to the payload (the reference's random id given to both).
void check_json(std::string_view text) {
  CAPTURE(text);
  session_id id{};
  const auto want = record_of(text, id);
  CHECK(transcoded_record_of(text, id) == want);
}

// The text without its "id" (each seal draws its own).
std::string without_id(std::string json) {
  const auto at = json.find("\"id\":\"");
  if (at != std::string::npos) json.erase(at, 6 + 32 + 1);
  return json;
}

// seal through both paths: the same refusal, or cookies that open to the same session.
void check_seal(const codec& c, std::string_view json) {
  CAPTURE(json.substr(0, 200));
  std::optional<cookieseal::result<cookieseal::sealed>> ref;
  std::optional<std::string> ref_error, fast_error;
  try {
    ref.emplace(c.seal("session", cookieseal::session_from_json(json, true, c.now())));
  } catch (const cookieseal::json_error& e) {
    ref_error = e.what();
  }
  std::optional<cookieseal::result<cookieseal::sealed>> fast;
  try {
    fast.emplace(d::seal_json(c, "session", json, ""));
  } catch (const cookieseal::json_error& e) {
    fast_error = e.what();
  }
  REQUIRE(ref_error == fast_error);
  if (ref_error) return;
  REQUIRE(ref->has_value() == fast->has_value());
  if (!*ref) {
    CHECK(ref->error() == fast->error());
    return;
  }
  const auto& a = **ref;
  const auto& b = **fast;
  CHECK(a.cookie.size() == b.cookie.size());
  CHECK(a.key_id == b.key_id);
  CHECK(a.issued_at == b.issued_at);
  CHECK(a.expires_at == b.expires_at);
  CHECK(a.overflow == b.overflow);
  CHECK(a.browser_session == b.browser_session);
  auto oa = c.open("session", a.cookie);
  auto ob = c.open("session", b.cookie);
  REQUIRE(oa);
  REQUIRE(ob);
  CHECK(without_id(cookieseal::session_to_json(ob->session, &ob->info)) ==
        without_id(cookieseal::session_to_json(oa->session, &oa->info)));
}

// JSON texts for the seal: fixtures, edge cases, and refusals of each check.
std::vector<std::string> seal_texts() {
  std::vector<std::string> t{
      "{\"values\":" + fixture("typical.json") + "}",
      "{\"values\":" + fixture("large.json") + "}",
      "{}",
      R"({"values":{},"constants":{},"flashes":{},"subject":"","lifetime":{}})",
      R"({"values":{"$bytes":1,"$object":{"$bytes":"AAE"},"b":{"$bytes":""},)"
      R"("o":{"$object":"point","$bytes":"AQI"},"n":{"$$bytes":2,"$$":{"$$$x":[]},"":null}},)"
      R"("constants":{"plan":"pro","a":[1,2.5,-0.0,1e300,5e-324]},"subject":"user:42",)"
      R"("flashes":{"notice":["saved",[1,2]],"empty":[],"z":[null,{"k":true}]},)"
      R"("lifetime":{"max_age":7200,"idle_timeout":0,"browser_session":true}})",
      R"({"values":{"min":-9223372036854775808,"max":9223372036854775807,"u":0,"d":1.0}})",
      R"({"values":{"s":"quote \" backslash \\ \u0001 \ud83c\udf6a \u00e9 é"}})",
      R"({"values":{"a":1,"a":2}})",  // the last of duplicates
      R"({"values":{"min":-9223372036854775809}})",
      R"({"values":{"max":9223372036854775808}})",
      R"({"values":{"bad":"\ud800"}})",
      "{\"values\":{\"bad\":\"\xff\"}}",
      "{\"values\":{\"\xc3\":1}}",
      R"({"values":[]})",
      R"({"values":1})",
      R"({"constants":"x"})",
      R"({"subject":1})",
      R"({"flashes":[]})",
      R"({"flashes":{"a":[1],"b":1}})",
      R"({"flashes":{"a":[[[1]]],"b":1}})",
      R"({"lifetime":{"max_age":-1}})",
      R"({"lifetime":{"max_age":3162240001}})",
      R"({"lifetime":{"idle":1}})",
      R"({"lifetime":{"browser_session":1}})",
      R"({"other":1})",
      R"({"values":{"x":{"$bytes":"!!"}}})",
      R"({"values":{"x":{"$bytes":1}}})",
      R"({"values":{"x":{"$object":"t"}}})",
      R"({"values":{"x":{"$object":1,"$bytes":""}}})",
      R"({"values":{"x":{"$bytes":"","y":1}}})",
      R"({"values":{"x":{"$":1}}})",
      "[]",
      "",
      "{",
      R"({"values":{"x":1}} x)",
  };
  for (const bool maps : {false, true})
    for (const std::size_t levels :
         {cookieseal::max_value_depth - 1, cookieseal::max_value_depth,
          cookieseal::max_value_depth + 1, cookieseal::max_json_depth + 1}) {
      std::string v = "1";
      for (std::size_t i = 0; i < levels; ++i) v = maps ? "{\"k\":" + v + "}" : "[" + v + "]";
      t.push_back("{\"values\":{\"v\":" + v + "}}");
      t.push_back("{\"flashes\":{\"f\":[" + v + "]}}");
    }
  return t;
}

value nest(std::size_t levels, bool maps) {
  value v(1);
  for (std::size_t i = 0; i < levels; ++i)
    v = maps ? value(value::map{{"k", std::move(v)}}) : value(value::list{std::move(v)});
  return v;
}

}  // namespace

TEST_SUITE("payload_json") {
  TEST_CASE("open gives session_to_json's text for the fixtures") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    for (const char* f : {"typical.json", "large.json"}) {
      CAPTURE(f);
      check_session(c, cookieseal::session_from_json(fixture(f), false, test::t0));
    }
  }

  TEST_CASE("open gives session_to_json's text for the edge cases") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    SUBCASE("escapes, bytes, objects, bounds, doubles, bad UTF-8, flashes, constants") {
      check_session(c, edge_session());
    }
    SUBCASE("an empty session") { check_session(c, session(test::t0)); }
    SUBCASE("a lifetime of its own") {
      session s(test::t0);
      s.set_lifetime({.max_age = 2h, .idle_timeout = 0s, .browser_session = true});
      check_session(c, s);
    }
    SUBCASE("nesting at the bound") {
      session s(test::t0);
      s.set("maps", nest(cookieseal::max_value_depth, true));
      s.set("lists", nest(cookieseal::max_value_depth, false));
      check_session(c, s);
    }
  }

  TEST_CASE("open refuses what the session path refuses, with the same error") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    auto sealed = c.seal("session", test::typical_session());
    REQUIRE(sealed);
    SUBCASE("tampered") {
      std::string bad = sealed->cookie;
      bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
      check_open(c, bad);
    }
    SUBCASE("another name") { check_open(c, sealed->cookie, "other"); }
    SUBCASE("malformed") { check_open(c, "!!"); }
    SUBCASE("expired") {
      clock.advance(25h);
      check_open(c, sealed->cookie);
    }
    SUBCASE("an authenticated payload that does not parse") {
      const auto keys = c.current_keyring();
      const auto* key = keys->sealing_key(test::t0);
      REQUIRE(key != nullptr);
      d::envelope_header h;
      h.key_id = key->id;
      h.issued_at = d::unix_seconds(test::t0);
      h.expires_at = d::unix_seconds(test::t0 + 1h);
      h.iv = d::random_nonce();
      for (const std::vector<unsigned char>& p : std::vector<std::vector<unsigned char>>{
               {}, {7}, {0, 1, 2}, std::vector<unsigned char>(40, 0)}) {
        const auto cookie = d::seal_envelope(d::keyring_access::bytes_of(*keys, key), h, "session",
                                             "", std::as_bytes(std::span(p)));
        check_open(c, cookie);
      }
    }
  }

  TEST_CASE("open reads overflowed sessions and revocations as the session path does") {
    test::temp_dir dir;
    auto st = std::make_shared<cookieseal::file_store>(dir / "store");
    test::manual_clock clock;
    auto o = test::options_with(clock);
    o.overflow_store = st;
    o.revocation_store = st;
    codec c(test::fixed_keyring(), o);
    session s = edge_session();
    s.set("blob", std::string(6000, 'x'));
    auto sealed = c.seal("session", s);
    REQUIRE(sealed);
    REQUIRE(sealed->overflow);
    check_open(c, sealed->cookie);
    SUBCASE("without a store") {
      codec bare(test::fixed_keyring(), test::options_with(clock));
      check_open(bare, sealed->cookie);
    }
    SUBCASE("revoked") {
      auto opened = c.open("session", sealed->cookie);
      REQUIRE(opened);
      REQUIRE(c.destroy(opened->session));
      check_open(c, sealed->cookie);
    }
    SUBCASE("subject revoked") {
      clock.advance(2s);
      REQUIRE(c.revoke_subject("user:42"));
      check_open(c, sealed->cookie);
    }
  }

  TEST_CASE("the JSON encoder writes encode_inline's record, and refuses with the same message") {
    for (const auto& text : seal_texts()) check_json(text);
  }

  TEST_CASE("seal_json seals as the session path does, and refuses with the same error") {
    test::temp_dir dir;
    auto st = std::make_shared<cookieseal::file_store>(dir / "store");
    test::manual_clock clock;
    SUBCASE("inline") {
      codec c(test::fixed_keyring(), test::options_with(clock));
      for (const auto& text : seal_texts()) check_seal(c, text);
    }
    const std::string big =
        "{\"subject\":\"user:42\",\"values\":{\"blob\":\"" + std::string(6000, 'x') + "\"}}";
    SUBCASE("too large without a store") {
      codec c(test::fixed_keyring(), test::options_with(clock));
      check_seal(c, big);
    }
    SUBCASE("overflowed, with a store") {
      auto o = test::options_with(clock);
      o.overflow_store = st;
      o.revocation_store = st;
      codec c(test::fixed_keyring(), o);
      check_seal(c, big);
      check_seal(c, "{\"values\":{\"blob\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"}}");
    }
    SUBCASE("a subject revoked in this second") {
      auto o = test::options_with(clock);
      o.revocation_store = st;
      codec c(test::fixed_keyring(), o);
      REQUIRE(c.revoke_subject("user:42"));
      check_seal(c, R"({"subject":"user:42"})");
      clock.advance(1s);
      check_seal(c, R"({"subject":"user:42"})");
    }
    SUBCASE("no sealing key") {
      codec c(cookieseal::keyring{}, test::options_with(clock));
      check_seal(c, R"({"values":{"a":1}})");
    }
    SUBCASE("a lifetime already over") {
      codec c(test::fixed_keyring(), test::options_with(clock));
      check_seal(c, R"({"lifetime":{"max_age":0,"idle_timeout":0}})");
    }
  }

  TEST_CASE("the payload decoders agree on hand-made plaintexts") {
    auto bytes = [](std::initializer_list<int> v) {
      std::vector<std::byte> out;
      for (int b : v) out.push_back(static_cast<std::byte>(b));
      return out;
    };
    // kind 0, id, created_at 0, subject "", then values / constants / flashes
    auto record = [&](std::initializer_list<int> maps) {
      auto r = bytes({0});
      r.insert(r.end(), 16, std::byte{7});
      r.push_back(std::byte{0});
      r.push_back(std::byte{0});
      const auto m = bytes(maps);
      r.insert(r.end(), m.begin(), m.end());
      return r;
    };
    check_plaintext(record({0, 0, 0}));
    check_plaintext(record({1, 1, 'a', 3, 0x82, 0x00, 0, 0}));  // non-minimal
    check_plaintext(record({2, 1, 'b', 0, 1, 'a', 0, 0, 0}));   // not ascending
    check_plaintext(record({2, 1, 'a', 0, 1, 'a', 0, 0, 0}));   // repeated
    check_plaintext(record({1, 1, 'a', 10, 0, 0}));             // unknown tag
    check_plaintext(record({1, 1, 'a', 5, 0x10, 'x', 0, 0}));   // past the end
    check_plaintext(record({0, 0, 1, 1, 'f', 2, 0, 2}));        // a flash list
    check_plaintext(record({0, 0, 2, 1, 'b', 0, 1, 'a', 0}));   // flashes not ascending
    check_plaintext(record({1, 1, 'a', 4, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0}));  // NaN
    check_plaintext(record({0, 0, 0, 0}));                                        // trailing
    auto deep = [&](std::size_t levels) {
      auto r = record({1, 1, 'a'});
      for (std::size_t i = 0; i < levels; ++i) {
        r.push_back(std::byte{7});
        r.push_back(std::byte{1});
      }
      for (int b : {0, 0, 0}) r.push_back(static_cast<std::byte>(b));
      return r;
    };
    check_plaintext(deep(cookieseal::max_value_depth));
    check_plaintext(deep(cookieseal::max_value_depth + 1));
    check_plaintext(bytes({}));
    check_plaintext(bytes({4}));
  }
}
