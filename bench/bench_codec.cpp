// seal/open of the shared fixtures against the raw-libsodium floor, in one run.
// Floor: the fixture's JSON bytes through XChaCha20-Poly1305 (nonce drawn from
// libsodium each time) and base64url, with libsodium's constant-time base64 and
// with our table-driven one. Run: meson test -C build-release --benchmark, or
// bench/run.sh, which also prints the ratios.
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

namespace {

using cookieseal::value;

std::string read_file(const std::string& name) {
  const char* dir = std::getenv("COOKIESEAL_BENCH_FIXTURES");
  std::ifstream in(std::string(dir ? dir : "bench/fixtures") + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + name);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Fixture values exactly: integers as int64, strings as strings, arrays as lists.
value to_value(const nlohmann::json& j) {
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

const fixture& get_fixture(int which) {
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

void set_bytes(benchmark::State& state, std::size_t per_iteration) {
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
}

const char* fixture_name(int which) { return which == 0 ? "typical" : "large"; }

std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> floor_key() {
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

void BM_seal(benchmark::State& state) {
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

void BM_open(benchmark::State& state) {
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

void BM_open_forged(benchmark::State& state) {
  const auto& f = get_fixture(static_cast<int>(state.range(0)));
  cookieseal::codec c(cookieseal::keyring::generate());
  auto cookie = c.seal("session", f.session)->cookie;
  cookie[cookie.size() / 2] = cookie[cookie.size() / 2] == 'A' ? 'B' : 'A';
  for (auto _ : state) {
    auto r = c.open("session", cookie);
    if (r) state.SkipWithError("forged cookie opened");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(fixture_name(static_cast<int>(state.range(0))));
}

// Keyrings of N keys; the cookie's key is the oldest (first activated).
void BM_open_keyring(benchmark::State& state) {
  const auto& f = get_fixture(0);
  const auto start = cookieseal::system_now() - std::chrono::hours(24 * 30);
  // Key i activates at start + i seconds, so key 0 is the oldest.
  auto keys = cookieseal::keyring::generate(start);
  for (std::int64_t i = 1; i < state.range(0); ++i)
    keys = keys.with_new_key(start, start + std::chrono::seconds(i));
  const auto shared = std::make_shared<const cookieseal::keyring>(keys);
  cookieseal::codec_options at_start;
  at_start.clock = [start] { return start; };  // only key 0 has activated then
  cookieseal::codec first(shared, at_start);
  const cookieseal::session s(f.session.id(), start, "", f.session.values(), {}, {});
  const auto cookie = first.seal("session", s);
  cookieseal::codec_options later;
  later.clock = [t = start + std::chrono::hours(1)] { return t; };
  cookieseal::codec c(shared, later);
  if (!cookie || cookie->key_id != keys.keys()[0].id) state.SkipWithError("setup failed");
  for (auto _ : state) {
    auto r = c.open("session", cookie->cookie);
    if (!r) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(std::to_string(state.range(0)) + " keys");
}

}  // namespace

#define FIXTURES ->Arg(0)->Arg(1)
BENCHMARK(BM_floor_seal<false>) FIXTURES->Name("BM_floor_seal_sodium_b64");
BENCHMARK(BM_floor_seal<true>) FIXTURES->Name("BM_floor_seal_table_b64");
BENCHMARK(BM_floor_open<false>) FIXTURES->Name("BM_floor_open_sodium_b64");
BENCHMARK(BM_floor_open<true>) FIXTURES->Name("BM_floor_open_table_b64");
BENCHMARK(BM_seal) FIXTURES;
BENCHMARK(BM_open) FIXTURES;
BENCHMARK(BM_open_forged) FIXTURES;
BENCHMARK(BM_open_keyring)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
