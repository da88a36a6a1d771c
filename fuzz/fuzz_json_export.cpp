// The JSON bridge's output side (lib/json.cpp) on arbitrary bytes in keys,
// strings and type names, which a C++ session may hold: what comes out must
// be strict JSON in valid UTF-8 that reads back, and reading it back and
// writing again gives the same text. When every string was valid UTF-8, the
// value itself round-trips (keys like "$bytes" included).
#include <cookieseal/json.hpp>

#include "fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <string>

namespace {

using cookieseal::value;

// Splits the input by hand (fmt-style; FuzzedDataProvider is clang-only).
struct reader {
  const std::uint8_t* p;
  const std::uint8_t* end;
  bool all_utf8 = true;  // set false by a string the bridge must repair
  bool has_nan = false;  // NaN is written as null

  std::uint8_t byte() { return p < end ? *p++ : 0; }
  std::string text() {
    const std::size_t n = std::min<std::size_t>(byte() % 16, static_cast<std::size_t>(end - p));
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    if (!valid(s)) all_utf8 = false;
    return s;
  }
  static bool valid(const std::string& s) {
    try {
      (void)nlohmann::json(s).dump();  // the strict handler throws on bad UTF-8
      return true;
    } catch (const nlohmann::json::exception&) {
      return false;
    }
  }
  value::bytes blob() {
    const std::size_t n = std::min<std::size_t>(byte() % 16, static_cast<std::size_t>(end - p));
    value::bytes b;
    for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::byte>(*p++));
    return b;
  }
  value any(std::size_t depth) {
    switch (byte() % 10) {
      case 0: return value();
      case 1: return value(byte() % 2 == 0);
      case 2: {
        std::uint64_t u = 0;
        for (int i = 0; i < 8; ++i) u = u << 8 | byte();
        return value(static_cast<std::int64_t>(u));
      }
      case 3: {
        std::uint64_t u = 0;
        for (int i = 0; i < 8; ++i) u = u << 8 | byte();
        double d;
        std::memcpy(&d, &u, sizeof d);
        if (d != d) has_nan = true;
        return value(d);
      }
      case 4: return value(blob());
      case 5: {
        std::string name = text();
        return value(value::object{std::move(name), blob()});
      }
      case 6:
        if (depth + 1 < cookieseal::max_value_depth) {
          value::list l;
          for (std::size_t n = byte() % 4; n > 0; --n) l.push_back(any(depth + 1));
          return value(std::move(l));
        }
        return value();
      case 7:
        if (depth + 1 < cookieseal::max_value_depth) return value(map(depth + 1));
        return value();
      default: return value(text());
    }
  }
  value::map map(std::size_t depth) {
    value::map m;
    for (std::size_t n = byte() % 4; n > 0; --n) {
      std::string k = byte() % 2 == 0 ? "$" + text() : text();  // keys that look like tags
      m.insert_or_assign(std::move(k), any(depth));
    }
    return m;
  }
};

// Strict: nlohmann's parser refuses invalid UTF-8, lone surrogates, bad escapes.
nlohmann::json strict(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    std::fprintf(stderr, "%s\n", text.c_str());
    fuzz::fail("the bridge wrote text that is not strict JSON in valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader r{data, data + size};
  const value v(r.map(0));
  const std::string text = cookieseal::value_to_json(v);
  (void)strict(text);
  value back;
  try {
    back = cookieseal::value_from_json(text);
  } catch (const cookieseal::json_error&) {
    fuzz::fail("the bridge does not read back what it wrote");
  }
  if (cookieseal::value_to_json(back) != text) {
    std::fprintf(stderr, "%s\n%s\n", text.c_str(), cookieseal::value_to_json(back).c_str());
    fuzz::fail("writing what was read back differs");
  }
  if (r.all_utf8 && !r.has_nan && !(back == v)) fuzz::fail("a valid value does not round-trip");

  // A whole session: its own maps keep their keys; meta is output only.
  value::map constants = r.map(1);
  std::string subject = r.text();
  cookieseal::session s(std::move(constants), std::move(subject), fuzz::t0);
  for (const auto& [k, e] : r.map(1)) s.set(k, e);
  for (std::size_t n = r.byte() % 3; n > 0; --n) s.flash(r.text(), r.any(1));
  const std::string sj = cookieseal::session_to_json(s);
  nlohmann::json doc = strict(sj);
  (void)strict(cookieseal::session_to_json(s, nullptr, 2));
  doc["subject"] = doc["meta"]["subject"];
  doc.erase("meta");
  try {
    const auto again = cookieseal::session_from_json(doc.dump(), true, fuzz::t0);
    nlohmann::json doc2 = strict(cookieseal::session_to_json(again));
    doc2["subject"] = doc2["meta"]["subject"];
    doc2.erase("meta");
    if (doc2 != doc) fuzz::fail("a session read back writes different values");
  } catch (const cookieseal::json_error&) {
    fuzz::fail("the bridge does not read back a session it wrote");
  }
  return 0;
}
