// seal/open of the shared fixtures against the raw-libsodium floor, in one run.
// Floor: the fixture's JSON bytes through XChaCha20-Poly1305 (nonce drawn from
// libsodium each time) and base64url, with libsodium's constant-time base64 and
// with our table-driven one. Run: meson test -C build-release --benchmark, or
// bench/run.sh, which also prints the ratios.
#include "bench_support.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace {

using namespace bench;

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

int main(int argc, char** argv) { return bench::run(argc, argv); }
