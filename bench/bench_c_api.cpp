// The C ABI (libcookieseal-c, what every binding calls) against the C++ codec
// and the raw-libsodium floor, in one run: the typical and large fixtures
// sealed from their session JSON (cookieseal_seal) and opened to it
// (cookieseal_open), a request's whole path (cookieseal_request_new from a
// Cookie header, one set, save), and a new session saved in one call
// (cookieseal_session_manager_save_new), and a Cookie header's session opened
// and saved in one call each (ABI 1.4). bench/report_c_api.py prints the ratios.
#include <cookieseal/cookieseal.h>

#include "bench_support.hpp"

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

namespace {

using namespace bench;

// A codec and a session manager of the C ABI on a fresh random key.
struct c_handles {
  cookieseal_codec* codec = nullptr;
  cookieseal_session_manager* sessions = nullptr;

  c_handles() {
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    std::string text(cookieseal::detail::base64url_encoded_size(sizeof key), '\0');
    cookieseal::detail::base64url_encode(key, sizeof key, text.data());
    sodium_memzero(key, sizeof key);
    char when[32];
    const std::time_t t = std::time(nullptr) - 3600;
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr ||
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
      throw std::runtime_error("no time");
    const std::string keyring = std::string("cookieseal-keyring 1\nkey 9f3a01c2 ") + when + " " +
                                when + " never " + text + "\n";
    cookieseal_codec_options o;
    cookieseal_session_options so;
    if (cookieseal_codec_options_init(&o) != COOKIESEAL_OK ||
        cookieseal_session_options_init(&so) != COOKIESEAL_OK)
      throw std::runtime_error("options");
    o.keyring_text = keyring.data();
    o.keyring_text_len = keyring.size();
    if (cookieseal_codec_new(&o, &codec, nullptr) != COOKIESEAL_OK ||
        cookieseal_session_manager_new(codec, &so, &sessions, nullptr) != COOKIESEAL_OK)
      throw std::runtime_error("cannot make the C ABI's handles");
  }
  ~c_handles() {
    cookieseal_session_manager_free(sessions);
    cookieseal_codec_free(codec);
  }
  c_handles(const c_handles&) = delete;
  c_handles& operator=(const c_handles&) = delete;

  // The fixture as cookieseal_seal takes it.
  static std::string session_json(int which) {
    return "{\"values\":" + get_fixture(which).json + "}";
  }
  // A Cookie header holding the fixture's session.
  std::string cookie_header(int which) const {
    return "__Host-session=" + seal(session_json(which));
  }
  std::string seal(const std::string& json) const {
    char* cookie = nullptr;
    std::size_t n = 0;
    if (cookieseal_seal(sessions, json.data(), json.size(), &cookie, &n, nullptr) != COOKIESEAL_OK)
      throw std::runtime_error("seal failed");
    std::string out(cookie, n);
    cookieseal_free(cookie);
    return out;
  }
};

void BM_c_seal(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string json = c_handles::session_json(which);
  std::size_t size = 0;
  for (auto _ : state) {
    char* cookie = nullptr;
    if (cookieseal_seal(c.sessions, json.data(), json.size(), &cookie, &size, nullptr) !=
        COOKIESEAL_OK)
      state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(cookie);
    cookieseal_free(cookie);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.counters["cookie_chars"] = static_cast<double>(size);
  state.SetLabel(fixture_name(which));
}

void BM_c_open(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string cookie = c.seal(c_handles::session_json(which));
  for (auto _ : state) {
    char* json = nullptr;
    std::size_t n = 0;
    if (cookieseal_open(c.sessions, cookie.data(), cookie.size(), &json, &n, nullptr) !=
        COOKIESEAL_OK)
      state.SkipWithError("open failed");
    benchmark::DoNotOptimize(json);
    cookieseal_free(json);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.counters["cookie_chars"] = static_cast<double>(cookie.size());
  state.SetLabel(fixture_name(which));
}

// What a web framework does per request with a cookie: load, one change, save.
void BM_c_request(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string header = c.cookie_header(which);
  for (auto _ : state) {
    cookieseal_request* r = nullptr;
    char* headers = nullptr;
    std::size_t n = 0;
    if (cookieseal_request_new(c.sessions, header.data(), header.size(), &r, nullptr) !=
            COOKIESEAL_OK ||
        cookieseal_request_is_new(r) ||
        cookieseal_request_set(r, "visits", 6, "1", 1) != COOKIESEAL_OK ||
        cookieseal_request_save(r, &headers, &n) != COOKIESEAL_OK)
      state.SkipWithError("request failed");
    benchmark::DoNotOptimize(headers);
    cookieseal_free(headers);
    cookieseal_request_free(r);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.SetLabel(fixture_name(which));
}

// A request that only reads: new from the Cookie header, its session's JSON,
// freed (what a handler that reads its session and changes nothing costs).
void BM_c_request_read(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string header = c.cookie_header(which);
  for (auto _ : state) {
    cookieseal_request* r = nullptr;
    char* json = nullptr;
    std::size_t n = 0;
    if (cookieseal_request_new(c.sessions, header.data(), header.size(), &r, nullptr) !=
            COOKIESEAL_OK ||
        cookieseal_request_is_new(r) ||
        cookieseal_request_session_json(r, &json, &n) != COOKIESEAL_OK)
      state.SkipWithError("request failed");
    benchmark::DoNotOptimize(json);
    cookieseal_free(json);
    cookieseal_request_free(r);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.SetLabel(fixture_name(which));
}

// A request that came without the cookie, its new session saved in one call
// (ABI 1.3): the seal, the Set-Cookie and the headers' JSON, and the id.
void BM_c_save_new(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string json = c_handles::session_json(which);
  for (auto _ : state) {
    char id[COOKIESEAL_SESSION_ID_HEX_SIZE];
    char* headers = nullptr;
    std::size_t n = 0;
    if (cookieseal_session_manager_save_new(c.sessions, json.data(), json.size(), id, &headers, &n,
                                            nullptr) != COOKIESEAL_OK)
      state.SkipWithError("save_new failed");
    benchmark::DoNotOptimize(headers);
    cookieseal_free(headers);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.SetLabel(fixture_name(which));
}

// The read of BM_c_request_read in one call (ABI 1.4): the header's session
// as JSON, no request made or freed (the gorilla store's New without a store).
void BM_c_open_header(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string header = c.cookie_header(which);
  for (auto _ : state) {
    cookieseal_outcome outcome = COOKIESEAL_UNDECIDED;
    char* json = nullptr;
    std::size_t n = 0;
    if (cookieseal_session_manager_open_header(c.sessions, header.data(), header.size(), &outcome,
                                               nullptr, &json, &n, nullptr) != COOKIESEAL_OK ||
        json == nullptr)
      state.SkipWithError("open_header failed");
    benchmark::DoNotOptimize(json);
    cookieseal_free(json);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.SetLabel(fixture_name(which));
}

// The header's session saved with its values given whole and a lifetime (a
// re-seal), in one call (ABI 1.4): the gorilla store's Save without a store.
void BM_c_save_header(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const c_handles c;
  const std::string header = c.cookie_header(which);
  const std::string update =
      "{\"values\":" + get_fixture(which).json + ",\"lifetime\":{\"idle_timeout\":3600}}";
  for (auto _ : state) {
    char id[COOKIESEAL_SESSION_ID_HEX_SIZE];
    char* headers = nullptr;
    std::size_t n = 0;
    if (cookieseal_session_manager_save_header(c.sessions, header.data(), header.size(),
                                               update.data(), update.size(), id, &headers, &n,
                                               nullptr) != COOKIESEAL_OK)
      state.SkipWithError("save_header failed");
    benchmark::DoNotOptimize(headers);
    cookieseal_free(headers);
  }
  set_bytes(state, get_fixture(which).json.size());
  state.SetLabel(fixture_name(which));
}

}  // namespace

#define FIXTURES ->Arg(0)->Arg(1)
BENCHMARK(BM_floor_seal<true>) FIXTURES->Name("BM_floor_seal_table_b64");
BENCHMARK(BM_floor_open<true>) FIXTURES->Name("BM_floor_open_table_b64");
BENCHMARK(BM_seal) FIXTURES;
BENCHMARK(BM_open) FIXTURES;
BENCHMARK(BM_c_seal) FIXTURES;
BENCHMARK(BM_c_open) FIXTURES;
BENCHMARK(BM_c_request) FIXTURES;
BENCHMARK(BM_c_request_read) FIXTURES;
BENCHMARK(BM_c_save_new) FIXTURES;
BENCHMARK(BM_c_open_header) FIXTURES;
BENCHMARK(BM_c_save_header) FIXTURES;

int main(int argc, char** argv) { return bench::run(argc, argv); }
