// Known-answer vectors of the cookie format (libsodium .exp style): a fixed
// key, key id, nonce, clock and session give exactly the cookie in
// tests/vectors/envelope_v1.txt, and that cookie opens to the same session.
// If one of these fails, the wire format changed: that breaks every cookie in
// the field. Do not "fix" the vector file; fix the code.
#include <cookieseal/codec.hpp>

#include "detail/codec_seam.hpp"
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
  FAIL("no session named " << name);
  return session(created);
}

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
      const session s = vector_session(name);

      cookieseal::detail::wiped_bytes plaintext;
      REQUIRE(d::encode_inline(s, plaintext));
      CHECK(hex(plaintext) == f.at("plaintext"));

      auto sealed = d::seal_with_nonce(c, f.at("cookie_name"), s, f.at("purpose"), iv);
      REQUIRE(sealed);
      CHECK(sealed->cookie == f.at("cookie"));

      auto opened = c.open(f.at("cookie_name"), f.at("cookie"), f.at("purpose"));
      REQUIRE(opened);
      CHECK(opened->session.same_data(s));
      CHECK(opened->info.key_id == key_id);
      CHECK(opened->info.issued_at == now);
    }
  }
}
