// The JSON bridge's strict reader (RFC 8259, as nlohmann-json read it before):
// text -> json_doc, every bound checked as the text is read, before anything
// past it is allocated. FORMAT.md section 6 is the contract.
#include "detail/json_value.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <locale.h>  // newlocale, strtod_l (glibc)
#include <stdlib.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <span>

namespace cookieseal::detail {

namespace {

using kind = json_ref::kind;

// "C" numbers whatever the process's locale (a host language may set LC_NUMERIC).
locale_t c_locale() {
  static const locale_t c = newlocale(LC_NUMERIC_MASK, "C", nullptr);
  return c;
}

class reader {
 public:
  reader(json_doc& doc, std::string_view text)
      : doc_(doc), begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  void document() {
    // A leading byte order mark is skipped (nlohmann did so).
    if (end_ - p_ >= 3 && std::string_view(p_, 3) == "\xEF\xBB\xBF") p_ += 3;
    value();
    space();
    if (p_ != end_) fail("unexpected text after the value");
  }

 private:
  [[noreturn]] void fail(std::string_view what) const {
    std::size_t line = 1, column = 1;
    for (const char* q = begin_; q < p_; ++q) {
      if (*q == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw json_error(fmt::format("not valid JSON: {} at line {}, column {}", what, line, column));
  }

  void count() {
    if (++values_ > max_json_values)
      throw json_error(fmt::format("more than {} JSON values", max_json_values));
  }
  void open() {
    if (++depth_ > max_json_depth)
      throw json_error(
          fmt::format("JSON nesting deeper than {} levels (a value's {}, and the "
                      "session's own 2)",
                      max_json_depth, max_value_depth));
    count();
  }
  [[noreturn]] static void too_big(std::string_view text) {
    throw json_error(fmt::format("integer {} does not fit in 64 signed bits", text));
  }

  void space() noexcept {
    const char* q = p_;
    while (q < end_ && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')) ++q;
    p_ = q;
  }

  std::uint32_t add(kind t) {
    doc_.nodes.emplace_back().type = t;
    return static_cast<std::uint32_t>(doc_.nodes.size() - 1);
  }
  void finish(std::uint32_t i, std::uint32_t size) noexcept {
    doc_.nodes[i].size = size;
    doc_.nodes[i].end = static_cast<std::uint32_t>(doc_.nodes.size());
  }

  void value() {
    space();
    if (p_ == end_) fail("the text ends where a value should be");
    switch (*p_) {
      case '{': return container(kind::object);
      case '[': return container(kind::array);
      case '"': return count(), string();
      case 't': return count(), literal("true", kind::boolean, true);
      case 'f': return count(), literal("false", kind::boolean, false);
      case 'n': return count(), literal("null", kind::null, false);
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return number();
        fail("a value cannot start here");
    }
  }

  void literal(std::string_view word, kind t, bool b) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      fail("invalid literal");
    p_ += word.size();
    const auto i = add(t);
    doc_.nodes[i].boolean = b;
    finish(i, 0);
  }

  // An array's elements or an object's members, up to @p close.
  template <class F>
  std::uint32_t sequence(char close, std::string_view what, F&& element) {
    std::uint32_t n = 0;
    space();
    if (p_ < end_ && *p_ == close) {
      ++p_;
      return n;
    }
    for (;;) {
      element();
      ++n;
      space();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
      } else if (p_ < end_ && *p_ == close) {
        ++p_;
        return n;
      } else {
        fail(what);
      }
    }
  }

  void member() {
    space();
    if (p_ == end_ || *p_ != '"') fail("expected a string (an object's key)");
    string();  // the key: not a value, not counted
    space();
    if (p_ == end_ || *p_ != ':') fail("expected ':' after an object's key");
    ++p_;
    value();
  }

  void container(kind t) {
    open();
    ++p_;
    const auto i = add(t);
    const std::uint32_t n =
        t == kind::array ? sequence(']', "expected ',' or ']' in an array", [&] { value(); })
                         : sequence('}', "expected ',' or '}' in an object", [&] { member(); });
    --depth_;
    finish(i, n);
  }

  unsigned hex4() {
    if (end_ - p_ < 4) fail("\\u needs four hex digits");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k, ++p_) {
      const char c = *p_;
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        fail("\\u needs four hex digits");
      }
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // At the opening quote. Text without escapes stays in the text; with them
  // it is unescaped into the arena.
  void string() {
    ++p_;
    const char* start = p_;
    const auto i = add(kind::string);
    std::string* out = nullptr;  // the arena, once an escape is met
    std::size_t arena_start = 0;
    for (;;) {
      // The common run: printable ASCII.
      const char* run = p_;
      p_ = reinterpret_cast<const char*>(
          json_plain_run(reinterpret_cast<const unsigned char*>(p_),
                         reinterpret_cast<const unsigned char*>(end_)));
      if (out != nullptr) out->append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) fail("the text ends inside a string");
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) fail("a control character in a string must be escaped");
      if (c >= 0x80) {
        std::size_t bad = 0;
        const auto* u = reinterpret_cast<const unsigned char*>(p_);
        const std::size_t n = utf8_sequence(u, reinterpret_cast<const unsigned char*>(end_), bad);
        if (n == 0) fail("a string is not valid UTF-8");
        if (out != nullptr) out->append(p_, n);
        p_ += n;
        continue;
      }
      // A backslash.
      if (out == nullptr) {
        out = &doc_.arena;
        arena_start = out->size();
        out->append(start, static_cast<std::size_t>(p_ - start));
      }
      ++p_;
      if (p_ == end_) fail("the text ends inside a string");
      switch (*p_++) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a low surrogate \\u escape without a high one");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
              fail("a high surrogate \\u escape without a low one");
            p_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("a high surrogate \\u escape without a low one");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(*out, cp);
          break;
        }
        default: --p_, fail("an invalid escape in a string");
      }
    }
    auto& n = doc_.nodes[i];
    if (out != nullptr) {
      n.unescaped = true;
      n.offset = arena_start;
      n.size = static_cast<std::uint32_t>(out->size() - arena_start);
    } else {
      n.offset = static_cast<std::size_t>(start - begin_);
      n.size = static_cast<std::uint32_t>(p_ - start);
    }
    n.end = static_cast<std::uint32_t>(doc_.nodes.size());
    ++p_;  // the closing quote
  }

  void digits() {
    if (p_ == end_ || *p_ < '0' || *p_ > '9') fail("a number needs a digit here");
    const char* q = p_;
    while (q < end_ && *q >= '0' && *q <= '9') ++q;
    p_ = q;
  }

  void number() {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ < end_ && *p_ == '0') {
      ++p_;
    } else {
      digits();
    }
    bool integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      digits();
      integral = false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      digits();
      integral = false;
    }
    const std::string_view text(start, static_cast<std::size_t>(p_ - start));
    json_doc::node n;
    if (integral) {
      // Never a double: an integer outside int64 is an error (FORMAT.md 6).
      std::int64_t v = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) too_big(text);
      n.type = negative ? kind::integer : kind::unsigned_integer;
      n.integer = v;
    } else {
      double d = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
      if (r.ec == std::errc::result_out_of_range) {
        // Underflow reads as strtod reads it (0 or a subnormal); overflow is refused.
        const locale_t c = c_locale();
        if (c == nullptr) throw std::bad_alloc();
        const std::string copy(text);
        d = strtod_l(copy.c_str(), nullptr, c);
      } else if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) {
        fail("a number that does not read");
      }
      if (!std::isfinite(d)) fail(fmt::format("number {} is out of a double's range", text));
      n.type = kind::real;
      n.real = d;
    }
    count();
    n.end = static_cast<std::uint32_t>(doc_.nodes.size() + 1);
    doc_.nodes.push_back(n);
  }

  json_doc& doc_;
  const char* begin_;
  const char* p_;
  const char* end_;
  std::size_t depth_ = 0, values_ = 0;
};

}  // namespace

json_doc::json_doc(std::string_view t) : json_ref(this, 0), text(t) {
  if (t.size() > max_json_bytes)
    throw json_error(
        fmt::format("JSON text of {} bytes is larger than {} bytes", t.size(), max_json_bytes));
  nodes.reserve(std::min<std::size_t>(64, t.size() / 2 + 1));
  reader(*this, t).document();
}

std::vector<std::pair<std::string_view, json_ref>> json_ref::items() const {
  if (!is_object()) return {};
  struct member {  // trivial: the buffer below is not initialised
    const char* key;
    std::size_t key_size;
    std::uint32_t value;
    [[nodiscard]] std::string_view k() const noexcept { return {key, key_size}; }
  };
  const std::size_t size = doc_->nodes[i_].size;
  member small[32];  // most objects: no allocation for the sort
  std::vector<member> large;
  if (size > std::size(small)) large.resize(size);
  const std::span<member> members(size > std::size(small) ? large.data() : small, size);
  for (std::uint32_t c = first_child(), n = 0; n < size; ++n) {
    const std::uint32_t v = c + 1;  // a key is one node
    const std::string_view key = json_ref(doc_, c).get_string();
    members[n] = {key.data(), key.size(), v};
    c = next(v);
  }
  // By key, then by position: the last of equal keys ends each run.
  std::sort(members.begin(), members.end(), [](const member& a, const member& b) {
    const int c = a.k().compare(b.k());
    return c != 0 ? c < 0 : a.value < b.value;
  });
  std::vector<std::pair<std::string_view, json_ref>> out;
  out.reserve(members.size());
  for (std::size_t k = 0; k < members.size(); ++k)
    if (k + 1 == members.size() || members[k + 1].k() != members[k].k())
      out.emplace_back(members[k].k(), json_ref(doc_, members[k].value));
  return out;
}

std::uint32_t json_ref::find(std::string_view key) const noexcept {
  std::uint32_t found = 0;
  for (std::uint32_t c = first_child(), n = 0; n < doc_->nodes[i_].size; ++n) {
    const std::uint32_t v = c + 1;
    if (json_ref(doc_, c).get_string() == key) found = v;
    c = next(v);
  }
  return found;
}

bool json_ref::contains(std::string_view key) const noexcept {
  return is_object() && find(key) != 0;
}

json_ref json_ref::operator[](std::string_view key) const {
  const std::uint32_t v = is_object() ? find(key) : 0;
  if (v == 0) throw json_error("no member \"" + std::string(key) + "\"");
  return json_ref(doc_, v);
}

}  // namespace cookieseal::detail
