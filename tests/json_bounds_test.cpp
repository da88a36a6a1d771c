// The JSON bridge bounds what it allocates by its bounds, not by the input:
// this program counts every allocation (operator new is replaced here, so it
// is a program of its own).
#include <cookieseal/json.hpp>

#include <doctest/doctest.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {
std::atomic<std::size_t> live{0}, peak{0};

void* counted(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  const std::size_t now = live += malloc_usable_size(p);
  for (std::size_t seen = peak; now > seen && !peak.compare_exchange_weak(seen, now);) {
  }
  return p;
}

void uncounted(void* p) noexcept {
  if (p == nullptr) return;
  live -= malloc_usable_size(p);
  std::free(p);
}

// The growth of the peak of live heap bytes while @p f runs.
template <class F>
std::size_t peak_during(F&& f) {
  const std::size_t base = live;
  peak = base;
  f();
  return peak - base;
}
}  // namespace

void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, std::size_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::size_t) noexcept { uncounted(p); }

TEST_SUITE("json") {
  TEST_CASE("20 MB of nested arrays are refused with less than 1 MiB allocated") {
    const std::string deep(20'000'000, '[');
    const std::size_t used = peak_during([&] {
      CHECK_THROWS_AS((void)cookieseal::value_from_json(deep), cookieseal::json_error);
      CHECK_THROWS_AS((void)cookieseal::session_from_json(deep, true, {}), cookieseal::json_error);
    });
    CHECK(used < (1u << 20));
  }

  TEST_CASE("JSON with the most values the bridge reads costs a bounded amount") {
    // The worst shape per byte: a flat array of one-digit numbers.
    auto flat = [](std::size_t values) {
      std::string s = "[";
      for (std::size_t i = 1; i + 1 < values; ++i) s += "0,";
      return s + "0]";
    };
    const std::string most = flat(cookieseal::max_json_values);
    const std::size_t used =
        peak_during([&] { CHECK_NOTHROW((void)cookieseal::value_from_json(most)); });
    MESSAGE("peak ", used >> 20, " MiB for ", cookieseal::max_json_values, " values");
    CHECK(used < 128u << 20);
    CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json(flat(cookieseal::max_json_values + 1)),
                         doctest::Contains("more than"), cookieseal::json_error);
  }
}
