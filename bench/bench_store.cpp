// Overflow sessions through file_store and redis_store next to inline cookies,
// and garbage collection of 100k entries.
// COOKIESEAL_REDIS_URL (bench/run.sh starts a redis-server) enables the Redis rows.
#include <cookieseal/codec.hpp>
#include <cookieseal/file_store.hpp>
#include <cookieseal/redis_store.hpp>

#include "test_support.hpp"  // the typical session of the shared fixtures

#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

namespace {

namespace fs = std::filesystem;

fs::path make_temp_dir(const char* base) {
  std::string tmpl = (fs::path(base) / "cookieseal-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// The typical session plus 4,000 characters of notes: too large for a cookie.
cookieseal::session overflowing_session() {
  cookieseal::session s = test::typical_session(cookieseal::system_now());
  s.set("notes", std::string(4000, 'n'));
  return s;
}

std::shared_ptr<cookieseal::store> make_store(int kind, const fs::path& dir) {
  if (kind == 0) return std::make_shared<cookieseal::file_store>(dir);
  cookieseal::redis_options o;
  o.url = std::getenv("COOKIESEAL_REDIS_URL");
  o.prefix = "bench:";
  return std::make_shared<cookieseal::redis_store>(o);
}

bool skip_unavailable(benchmark::State& state, int kind) {
  if (kind == 1 && std::getenv("COOKIESEAL_REDIS_URL") == nullptr) {
    state.SkipWithError("COOKIESEAL_REDIS_URL not set (bench/run.sh starts Redis)");
    return true;
  }
  return false;
}

const char* store_name(int kind) { return kind == 0 ? "file_store" : "redis_store"; }

// A codec whose overflow store is a file_store in a scratch directory (kind 0)
// or the Redis of COOKIESEAL_REDIS_URL (kind 1); the directory goes with it.
struct overflow_codec {
  fs::path dir = make_temp_dir("/tmp");
  std::unique_ptr<cookieseal::codec> codec;
  explicit overflow_codec(int kind) {
    cookieseal::codec_options o;
    o.overflow_store = make_store(kind, dir);
    codec = std::make_unique<cookieseal::codec>(cookieseal::keyring::generate(), o);
  }
  ~overflow_codec() { fs::remove_all(dir); }
};

void BM_open_inline(benchmark::State& state) {
  cookieseal::codec c(cookieseal::keyring::generate());
  const auto cookie = c.seal("session", test::typical_session(cookieseal::system_now()))->cookie;
  for (auto _ : state) benchmark::DoNotOptimize(c.open("session", cookie));
  state.SetLabel("typical, inline");
}

void BM_seal_overflow(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  if (skip_unavailable(state, kind)) return;
  const overflow_codec oc(kind);
  const auto s = overflowing_session();
  for (auto _ : state) {
    auto r = oc.codec->seal("session", s);
    if (!r || !r->overflow) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(store_name(kind));
}

void BM_open_overflow(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  if (skip_unavailable(state, kind)) return;
  const overflow_codec oc(kind);
  const auto sealed = oc.codec->seal("session", overflowing_session());
  if (!sealed || !sealed->overflow) state.SkipWithError("setup failed");
  for (auto _ : state) {
    auto r = oc.codec->open("session", sealed->cookie);
    if (!r) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(store_name(kind));
  state.counters["cookie_chars"] = static_cast<double>(sealed->cookie.size());
}

// 100k expired entries (on tmpfs where available, so setup does not wait on fsync).
void BM_gc_100k(benchmark::State& state) {
  const char* base = fs::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  for (auto _ : state) {
    state.PauseTiming();
    const auto dir = make_temp_dir(base);
    cookieseal::file_store st(dir);
    const std::vector<std::byte> data(200);
    for (std::uint32_t i = 0; i < 100000; ++i) {
      cookieseal::entry_id id{};
      std::memcpy(id.data(), &i, sizeof i);
      id[31] = std::byte{0xAB};
      (void)st.put(id, data, test::t0);
    }
    state.ResumeTiming();
    auto removed = st.collect_garbage(test::t0 + std::chrono::seconds(1));
    if (!removed || *removed != 100000) state.SkipWithError("gc did not remove everything");
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetLabel(std::string("file_store on ") + base);
}

}  // namespace

BENCHMARK(BM_open_inline);
BENCHMARK(BM_seal_overflow)->Arg(0)->Arg(1);
BENCHMARK(BM_open_overflow)->Arg(0)->Arg(1);
BENCHMARK(BM_gc_100k)->Iterations(1)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
