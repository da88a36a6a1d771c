// What the benchmark programs share: the fixtures, the raw-libsodium floor
// (the fixture's JSON bytes through XChaCha20-Poly1305, a nonce drawn from
// libsodium each time, and base64url: libsodium's constant-time one or our
// table-driven one) and the C++ codec's own seal/open, so that each program
// measures them in its own run.
#pragma once

#include <cookieseal/codec.hpp>

#include "detail/base64url.hpp"

#include <benchmark/benchmark.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

using cookieseal::value;

inline std::string read_file(const std::string& name) {
  const char* dir = std::getenv("COOKIESEAL_BENCH_FIXTURES");
  std::ifstream in(std::string(dir ? dir : "bench/fixtures") + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + name);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Fixture values exactly: integers as int64, strings as strings, arrays as lists.
inline value to_value(const nlohmann::json& j) {
  if (j.is_number_integer()) return value(j.get<std::int64_t>());
  if (j.is_number()) return value(j.get<double>());
  if (j.is_string()) return value(j.get<std::string>());
  if (j.is_boolean()) return value(j.get<bool>());
  if (j.is_array()) {
    value::list l;
    for (const auto& e : j) l.push_back(to_value(e));
    return value(std::move(l));
  }
  if (j.is_object()) {
    value::map m;
    for (const auto& [k, e] : j.items()) m.emplace(k, to_value(e));
    return value(std::move(m));
  }
  return value();
}

struct fixture {
  std::string json;
  cookieseal::session session;
};

inline const fixture& get_fixture(int which) {
  static const std::array<fixture, 2> fx = [] {
    auto make = [](const char* name) {
      fixture f{read_file(name), cookieseal::session(cookieseal::system_now())};
      const auto parsed = nlohmann::json::parse(f.json);
      for (const auto& [k, v] : parsed.items()) f.session.set(k, to_value(v));
      return f;
    };
    return std::array<fixture, 2>{make("typical.json"), make("large.json")};
  }();
  return fx[static_cast<std::size_t>(which)];
}

inline void set_bytes(benchmark::State& state, std::size_t per_iteration) {
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
}

inline const char* fixture_name(int which) { return which == 0 ? "typical" : "large"; }

inline std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> floor_key() {
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> k;
  crypto_aead_xchacha20poly1305_ietf_keygen(k.data());
  return k;
}

// --- the floor ---------------------------------------------------------------

template <bool TableBase64>
void BM_floor_seal(benchmark::State& state) {
  const auto& f = get_fixture(static_cast<int>(state.range(0)));
  const auto key = floor_key();
  const auto* m = reinterpret_cast<const unsigned char*>(f.json.data());
  for (auto _ : state) {
    unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    randombytes_buf(nonce, sizeof nonce);
    std::vector<unsigned char> ct(f.json.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &ct_len, m, f.json.size(), nullptr, 0,
                                               nullptr, nonce, key.data());
    std::string out;
    if constexpr (TableBase64) {
      out.resize(cookieseal::detail::base64url_encoded_size(ct_len));
      cookieseal::detail::base64url_encode(ct.data(), ct_len, out.data());
    } else {
      out.resize(sodium_base64_ENCODED_LEN(ct_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
      sodium_bin2base64(out.data(), out.size(), ct.data(), ct_len,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    benchmark::DoNotOptimize(out);
  }
  set_bytes(state, f.json.size());
  state.SetLabel(fixture_name(static_cast<int>(state.range(0))));
}

template <bool TableBase64>
void BM_floor_open(benchmark::State& state) {
  const auto& f = get_fixture(static_cast<int>(state.range(0)));
  const auto key = floor_key();
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  randombytes_buf(nonce, sizeof nonce);
  std::vector<unsigned char> ct(f.json.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &ct_len,
                                             reinterpret_cast<const unsigned char*>(f.json.data()),
                                             f.json.size(), nullptr, 0, nullptr, nonce, key.data());
  std::string text(cookieseal::detail::base64url_encoded_size(ct_len), '\0');
  cookieseal::detail::base64url_encode(ct.data(), ct_len, text.data());
  for (auto _ : state) {
    std::vector<unsigned char> raw(ct_len);
    if constexpr (TableBase64) {
      if (!cookieseal::detail::base64url_decode(text, raw.data())) state.SkipWithError("b64");
    } else {
      size_t len = 0;
      sodium_base642bin(raw.data(), raw.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    std::vector<unsigned char> pt(f.json.size());
    unsigned long long pt_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt.data(), &pt_len, nullptr, raw.data(),
                                                   raw.size(), nullptr, 0, nonce, key.data()) != 0)
      state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(pt);
  }
  set_bytes(state, f.json.size());
  state.SetLabel(fixture_name(static_cast<int>(state.range(0))));
}

// --- cookieseal --------------------------------------------------------------

inline void BM_seal(benchmark::State& state) {
  const auto& f = get_fixture(static_cast<int>(state.range(0)));
  cookieseal::codec c(cookieseal::keyring::generate());
  std::size_t size = 0;
  for (auto _ : state) {
    auto r = c.seal("session", f.session);
    if (!r) state.SkipWithError("seal failed");
    size = r->cookie.size();
    benchmark::DoNotOptimize(r);
  }
  set_bytes(state, f.json.size());
  state.counters["cookie_chars"] = static_cast<double>(size);
  state.SetLabel(fixture_name(static_cast<int>(state.range(0))));
}

inline void BM_open(benchmark::State& state) {
  const auto& f = get_fixture(static_cast<int>(state.range(0)));
  cookieseal::codec c(cookieseal::keyring::generate());
  const auto cookie = c.seal("session", f.session)->cookie;
  for (auto _ : state) {
    auto r = c.open("session", cookie);
    if (!r) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(r);
  }
  set_bytes(state, f.json.size());
  state.counters["cookie_chars"] = static_cast<double>(cookie.size());
  state.SetLabel(fixture_name(static_cast<int>(state.range(0))));
}

// The programs' main: libsodium, then Google Benchmark with the command line.
inline int run(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
