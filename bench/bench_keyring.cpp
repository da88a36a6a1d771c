// Keyring file reload cost, and seal+open throughput with 1, 2, 4, 8 threads
// while the keyring file is rotated and hot-reloaded underneath them.
#include <cookieseal/codec.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>

#include "test_support.hpp"  // the typical session of the shared fixtures

#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

namespace {

namespace fs = std::filesystem;

fs::path make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "cookieseal-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// A keyring file of N keys, loaded from disk each iteration (what a reload does).
void BM_reload(benchmark::State& state) {
  const auto dir = make_temp_dir();
  const auto file = dir / "keys";
  const auto now = cookieseal::system_now();
  auto keys = cookieseal::keyring::generate(now);
  for (std::int64_t i = 1; i < state.range(0); ++i) keys = keys.with_new_key(now, now);
  cookieseal::create_keyring_file(file, keys, now);
  for (auto _ : state) benchmark::DoNotOptimize(cookieseal::load_keyring_file(file, now));
  state.SetLabel(std::to_string(state.range(0)) + " keys");
  fs::remove_all(dir);
}

// Shared by all threads of BM_seal_open_reloading: a codec kept in step with a
// keyring file that another thread rotates every few milliseconds.
struct reloading_env {
  fs::path dir = make_temp_dir();
  fs::path file = dir / "keys";
  std::unique_ptr<cookieseal::keyring_watcher> watcher;
  std::unique_ptr<cookieseal::codec> codec;
  std::atomic<bool> stop{false};
  std::atomic<long> rotations{0};
  std::thread rotator;

  reloading_env() {
    const auto now = cookieseal::system_now();
    cookieseal::create_keyring_file(file, cookieseal::keyring::generate(now), now);
    watcher = std::make_unique<cookieseal::keyring_watcher>(file);
    codec = std::make_unique<cookieseal::codec>(watcher->current());
    watcher->attach(*codec);
    watcher->start(std::chrono::milliseconds(1));
    rotator = std::thread([this] {
      while (!stop.load()) {
        const auto t = cookieseal::system_now();
        // Rotate in place, keeping the ring at 8 keys so the file stays small
        // (expired and pruned, not removed: removal would leave a tombstone each time).
        cookieseal::update_keyring_file(
            file,
            [t](const cookieseal::keyring& k) {
              auto next = k.rotated(t, std::chrono::seconds(0));
              while (next.size() > 8) next = next.with_expiry(next.keys()[0].id, t).pruned(t);
              return next;
            },
            t);
        ++rotations;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  ~reloading_env() {
    stop = true;
    rotator.join();
    watcher->stop();
    fs::remove_all(dir);
  }
};

reloading_env* env = nullptr;

void BM_seal_open_reloading(benchmark::State& state) {
  const auto s = test::typical_session(cookieseal::system_now());
  std::int64_t refused = 0;
  for (auto _ : state) {
    auto sealed = env->codec->seal("session", s);
    if (!sealed) {
      ++refused;
      continue;
    }
    auto opened = env->codec->open("session", sealed->cookie);
    // A key can leave the 8-key ring between seal and open: count, don't fail.
    refused += !opened;
    benchmark::DoNotOptimize(opened);
  }
  state.counters["seal_open_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["refused"] = static_cast<double>(refused);
}

}  // namespace

BENCHMARK(BM_reload)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_seal_open_reloading)->Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  reloading_env e;
  env = &e;
  benchmark::RunSpecifiedBenchmarks();
  std::printf("keyring rotations during the run: %ld\n", e.rotations.load());
  benchmark::Shutdown();
  env = nullptr;
  return 0;
}
