// Known-answer vectors of the cookie format (libsodium .exp style): a fixed
// key, key id, nonce, clock and session give exactly the cookie in
// tests/vectors/envelope_v1.txt, and that cookie opens to the same session.
// If one of these fails, the wire format changed: that breaks every cookie in
// the field. Do not "fix" the vector file; fix the code.
#include <cookieseal/codec.hpp>

#include "detail/codec_seam.hpp"
#include "detail/envelope.hpp"
#include "detail/keyring_access.hpp"
#include "detail/payload.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>

namespace d = cookieseal::detail;
using cookieseal::session;
using cookieseal::value;
using namespace std::chrono_literals;

namespace {

using vector_fields = std::map<std::string, std::string>;

// Reads "name: value" blocks separated by blank lines; '#' starts a comment line.
std::map<std::string, vector_fields> read_vectors() {
  const char* dir = std::getenv("COOKIESEAL_VECTORS");
  REQUIRE_MESSAGE(dir != nullptr, "COOKIESEAL_VECTORS must name tests/vectors");
  std::ifstream in(std::string(dir) + "/envelope_v1.txt");
  REQUIRE_MESSAGE(in.good(), "cannot read envelope_v1.txt");
  std::map<std::string, vector_fields> out;
  vector_fields cur;
  auto flush = [&] {
    if (!cur.empty()) out[cur.at("vector")] = cur;
    cur.clear();
  };
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    const auto colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    std::string v = line.substr(colon + 1);
    if (!v.empty() && v[0] == ' ') v.erase(0, 1);
    cur[line.substr(0, colon)] = v;
  }
  flush();
  return out;
}

std::string hex(std::span<const std::byte> b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (std::byte x : b) {
    s.push_back(digits[std::to_integer<unsigned>(x) >> 4]);
    s.push_back(digits[std::to_integer<unsigned>(x) & 15]);
  }
  return s;
}

template <std::size_t N>
std::array<unsigned char, N> unhex(const std::string& s) {
  REQUIRE(s.size() == 2 * N);
  std::array<unsigned char, N> out{};
  for (std::size_t i = 0; i < N; ++i)
    out[i] = static_cast<unsigned char>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
  return out;
}

cookieseal::session_id fixed_id() {
  cookieseal::session_id id;
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::byte>(0xA0 + i);
  return id;
}

// The sessions the vectors name, built the same way every time.
session vector_session(const std::string& name) {
  const auto created = test::t0 - 1h;
  if (name == "empty") return session(fixed_id(), created, "", {}, {}, {});
  if (name == "typical") {
    session t = test::typical_session();
    return session(fixed_id(), created, "", t.values(), {}, {});
  }
  if (name == "every-kind") {
    value::map values{
        {"b", value::bytes{std::byte{0}, std::byte{0xFF}}},
        {"d", -2.5},
        {"f", false},
        {"i", -300},
        {"l", value::list{1, "x", value::list{}}},
        {"m", value::map{{"k", nullptr}}},
        {"o", value::object{"t.v1", {std::byte{7}}}},
        {"s", "h\xC3\xA9"},
        {"t", true},
    };
    session::flash_map flashes{{"notice", value::list{"saved"}}};
    return session(fixed_id(), created, "user-42", values, value::map{{"tenant", "acme"}}, flashes);
  }
  // Kind 2: a "remember me" lifetime longer than the codec's max_age (clamped
  // to it) with a shorter idle timeout.
  if (name == "lifetime")
    return session(fixed_id(), created, "alice", value::map{{"user", "alice"}}, {}, {},
                   {.max_age = 30 * 24h, .idle_timeout = 12h});
  if (name == "browser-session")
    return session(fixed_id(), created, "", {}, {}, {}, {.browser_session = true});
  FAIL("no session named " << name);
  return session(created);
}

// The overflow references the vectors name (kind 1 or 3): entry id c0..df, entry key e0..ff.
d::overflow_reference vector_reference(const std::string& name) {
  d::overflow_reference r;
  for (std::size_t i = 0; i < r.entry_id.size(); ++i) r.entry_id[i] = std::byte(0xC0 + i);
  for (std::size_t i = 0; i < r.entry_key.size(); ++i) r.entry_key[i] = std::byte(0xE0 + i);
  r.created_at = test::t0 - 1h;
  r.subject = "user-42";
  if (name == "reference-lifetime") r.lifetime = {.max_age = 2h, .browser_session = true};
  return r;
}

bool is_reference(const std::string& name) { return name.rfind("reference", 0) == 0; }

}  // namespace

TEST_SUITE("wire") {
  TEST_CASE("frozen envelope v1 vectors seal to the exact cookie and open back") {
    const auto vectors = read_vectors();
    REQUIRE(vectors.size() >= 3);
    for (const auto& entry : vectors) {
      const std::string& name = entry.first;
      const vector_fields& f = entry.second;
      CAPTURE(name);
      const auto key = unhex<32>(f.at("key"));
      const auto key_id = static_cast<std::uint32_t>(std::stoul(f.at("key_id"), nullptr, 16));
      const auto iv = unhex<24>(f.at("nonce"));
      const cookieseal::time_point now{std::chrono::seconds{std::stoll(f.at("now"))}};
      auto keys = cookieseal::keyring{}.with_key({key_id, now - 24h, now - 24h, std::nullopt},
                                                 std::as_bytes(std::span(key)));
      test::manual_clock clock(now);
      cookieseal::codec c(keys, test::options_with(clock));
      const auto expires =
          f.count("expires_at") ? std::stoll(f.at("expires_at")) : std::stoll(f.at("now")) + 86400;

      if (is_reference(name)) {
        // A reference names a store entry (random in real seals): its record
        // and cookie are pinned here; its policy runs before any store is asked.
        const auto ref = vector_reference(name);
        cookieseal::detail::wiped_bytes plaintext;
        d::encode_reference(ref, plaintext);
        CHECK(hex(plaintext) == f.at("plaintext"));
        d::envelope_header h;
        h.key_id = key_id;
        h.issued_at = static_cast<std::uint64_t>(std::stoll(f.at("now")));
        h.expires_at = static_cast<std::uint64_t>(expires);
        h.iv = iv;
        CHECK(d::seal_envelope(key.data(), h, f.at("cookie_name"), f.at("purpose"), plaintext) ==
              f.at("cookie"));
        auto decoded = d::decode_payload(plaintext);
        REQUIRE(decoded);
        const auto* back = std::get_if<d::overflow_reference>(&*decoded);
        REQUIRE(back != nullptr);
        CHECK(back->entry_id == ref.entry_id);
        CHECK(back->created_at == ref.created_at);
        CHECK(back->subject == ref.subject);
        CHECK(back->lifetime == ref.lifetime);
        CHECK(c.open(f.at("cookie_name"), f.at("cookie"), f.at("purpose")).error() ==
              cookieseal::errc::store_unavailable);
        continue;
      }
      const session s = vector_session(name);

      cookieseal::detail::wiped_bytes plaintext;
      REQUIRE(d::encode_inline(s, plaintext));
      CHECK(hex(plaintext) == f.at("plaintext"));

      auto sealed = d::seal_with_nonce(c, f.at("cookie_name"), s, f.at("purpose"), iv);
      REQUIRE(sealed);
      CHECK(sealed->cookie == f.at("cookie"));
      CHECK(sealed->expires_at == cookieseal::time_point{std::chrono::seconds{expires}});

      auto opened = c.open(f.at("cookie_name"), f.at("cookie"), f.at("purpose"));
      REQUIRE(opened);
      CHECK(opened->session.same_data(s));
      CHECK(opened->info.key_id == key_id);
      CHECK(opened->info.issued_at == now);
    }
  }

  TEST_CASE("a reference alone carries the lifetime: it is refused before any store is asked") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));  // no store
    const auto key = cookieseal::detail::keyring_access::find(*c.current_keyring(), 0x9f3a01c2);
    auto cookie_for = [&](const d::overflow_reference& ref) {
      cookieseal::detail::wiped_bytes plaintext;
      d::encode_reference(ref, plaintext);
      d::envelope_header h;
      h.key_id = 0x9f3a01c2;
      h.issued_at = d::unix_seconds(test::t0);
      h.expires_at = d::unix_never;  // only the reference can end it
      h.iv = d::random_nonce();
      return d::seal_envelope(key.bytes, h, "session", "", plaintext);
    };
    auto ref = vector_reference("reference");  // created an hour ago, no lifetime
    CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::store_unavailable);
    ref.lifetime.max_age = 1h;  // ended with the leeway's last second
    CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::store_unavailable);
    clock.advance(61s);
    CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::expired);
    ref.lifetime = {.idle_timeout = 60s};
    CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::store_unavailable);
    clock.advance(60s);
    CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::expired);
    // A created_at near the end of time is refused before created_at + max_age
    // could overflow (found by fuzz_sealed under UBSan); just below 2^62 it is
    // a cookie from the future.
    ref.lifetime = {.max_age = 7 * 24h};
    for (const std::uint64_t at : {std::uint64_t{INT64_MAX}, d::max_input_seconds}) {
      ref.created_at = d::from_unix_seconds(at);
      CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::invalid_payload);
    }
    ref.created_at = d::from_unix_seconds(d::max_input_seconds - 1);
    CHECK(c.open("session", cookie_for(ref)).error() == cookieseal::errc::invalid_payload);
  }

  TEST_CASE("a lifetime record that is not canonical, or out of bounds, is invalid_payload") {
    // kind 2 = kind 0 preceded by flags and the durations they announce.
    const std::string tail = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafa09989d80600000000";
    auto decode = [](const std::string& h) {
      std::vector<std::byte> b;
      for (std::size_t i = 0; i < h.size(); i += 2)
        b.push_back(std::byte(std::stoul(h.substr(i, 2), nullptr, 16)));
      return d::decode_payload(b);
    };
    CHECK(decode("0204" + tail));            // a browser session
    CHECK(decode("0201bc95a605" + tail));    // max_age 11111100 s
    CHECK(decode("020180e8efe30b" + tail));  // max_age 100 years exactly
    CHECK(decode("0200" + tail).error() == cookieseal::errc::invalid_payload);  // empty: kind 0
    CHECK(decode("0208" + tail).error() == cookieseal::errc::invalid_payload);  // unknown flag
    CHECK(decode("020181e8efe30b" + tail).error() == cookieseal::errc::invalid_payload);  // +1 s
    CHECK(decode("0201a0").error() == cookieseal::errc::invalid_payload);     // cut in a varint
    CHECK(decode("04" + tail).error() == cookieseal::errc::invalid_payload);  // unknown kind
  }
}
