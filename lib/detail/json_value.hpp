// The JSON bridge's reading level, for the library's own users (the C ABI);
// the public json.hpp speaks text only. A strict reader (lib/json_reader.cpp)
// turns text into a json_doc: a flat array of nodes, strings left in the text
// where they need no unescaping. nlohmann's DOM cost the C ABI's seal several
// times the codec's own.
#pragma once

#include <cookieseal/http.hpp>
#include <cookieseal/json.hpp>
#include <cookieseal/session_manager.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cookieseal::detail {

class json_doc;

/// The bytes a JSON string's common run stops at, reading or writing:
/// controls, '"', '\\' and every non-ASCII byte (checked as UTF-8).
inline constexpr auto json_string_stops = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return t;
}();

/// The end of the common run from @p p: the first byte of [p, end) that
/// json_string_stops marks, or @p end. Eight bytes a step where none of them
/// stops (a word test, at any optimisation level), then a byte at a time:
/// cookie values and tokens are long runs, read and written on every request.
inline const unsigned char* json_plain_run(const unsigned char* p,
                                           const unsigned char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t highs = 0x8080808080808080u;
  // Nonzero when a byte of v is zero (exact for "any": no borrow starts
  // without a zero byte).
  const auto zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  while (end - p >= 8) {
    std::uint64_t x = 0;
    std::memcpy(&x, p, 8);                  // any alignment, any byte order: "any byte" only
    const std::uint64_t stop = (x & highs)  // >= 0x80
                               | ((x - 0x20 * ones) & ~x & highs)  // < 0x20
                               | zero_byte(x ^ (0x22 * ones))      // '"'
                               | zero_byte(x ^ (0x5C * ones));     // '\\'
    if (stop != 0) break;
    p += 8;
  }
  while (p < end && !json_string_stops[*p]) ++p;
  return p;
}

/// One value of a json_doc (valid while the doc and its text live).
class json_ref {
 public:
  enum class kind : std::uint8_t {
    null,
    boolean,
    integer,
    unsigned_integer,
    real,
    string,
    array,
    object
  };

  [[nodiscard]] kind type() const noexcept;
  [[nodiscard]] bool is_null() const noexcept { return type() == kind::null; }
  [[nodiscard]] bool is_boolean() const noexcept { return type() == kind::boolean; }
  [[nodiscard]] bool is_string() const noexcept { return type() == kind::string; }
  [[nodiscard]] bool is_array() const noexcept { return type() == kind::array; }
  [[nodiscard]] bool is_object() const noexcept { return type() == kind::object; }
  /// An integer literal without a minus sign (within int64: the reader refuses others).
  [[nodiscard]] bool is_number_unsigned() const noexcept {
    return type() == kind::unsigned_integer;
  }
  [[nodiscard]] bool get_bool() const noexcept;
  [[nodiscard]] std::int64_t get_int() const noexcept;  ///< integer or unsigned_integer
  [[nodiscard]] double get_double() const noexcept;
  [[nodiscard]] std::string_view get_string() const noexcept;

  /// An array's elements, in order (none for any other kind).
  [[nodiscard]] std::size_t array_size() const noexcept;
  template <class F>
  void for_each_element(F&& f) const {
    for (std::uint32_t c = first_child(), n = 0; n < array_size(); ++n, c = next(c))
      f(json_ref(doc_, c));
  }
  /// An object's members in ascending key order, one per key: of duplicate
  /// keys the last (as nlohmann's DOM kept them); none for any other kind.
  [[nodiscard]] std::vector<std::pair<std::string_view, json_ref>> items() const;
  /// An object's members as written, duplicates too, with no list made (for
  /// a check of every key); none for any other kind.
  template <class F>
  void for_each_member(F&& f) const {
    const std::size_t size = member_count();
    for (std::uint32_t c = first_child(), n = 0; n < size; ++n) {
      const std::uint32_t v = c + 1;  // a key is one node
      f(json_ref(doc_, c).get_string(), json_ref(doc_, v));
      c = next(v);
    }
  }
  [[nodiscard]] bool contains(std::string_view key) const noexcept;
  /// The member @p key (the last of duplicates). @throws json_error when
  /// there is none (or this is not an object): never another node.
  [[nodiscard]] json_ref operator[](std::string_view key) const;

 protected:
  json_ref(const json_doc* doc, std::uint32_t i) noexcept : doc_(doc), i_(i) {}

 private:
  friend class json_doc;
  [[nodiscard]] std::uint32_t first_child() const noexcept { return i_ + 1; }
  [[nodiscard]] std::size_t member_count() const noexcept;  // an object's, else 0
  [[nodiscard]] std::uint32_t next(std::uint32_t node) const noexcept;
  [[nodiscard]] std::uint32_t find(std::string_view key) const noexcept;  // value node, or 0

  const json_doc* doc_;
  std::uint32_t i_;
};

/// A JSON text read within max_json_bytes, max_json_depth and
/// max_json_values, strings valid UTF-8, integers within int64; it is its root
/// value. Keeps a view of the text: the text must outlive it.
class json_doc : public json_ref {
 public:
  /// @throws json_error
  explicit json_doc(std::string_view text);
  json_doc(const json_doc&) = delete;  // the root refers to this very doc
  json_doc& operator=(const json_doc&) = delete;

  struct node {
    json_ref::kind type = json_ref::kind::null;
    bool boolean = false;
    bool unescaped = false;  // the string is in arena, not in the text
    std::uint32_t size = 0;  // string: bytes; array: elements; object: members
    std::uint32_t end = 0;   // the node after this one's subtree
    union {
      std::int64_t integer = 0;
      double real;
      std::size_t offset;  // string: in the text or the arena
    };
  };
  // An object's members are a key node (a string) then the value's subtree.
  std::vector<node> nodes;
  std::string_view text;
  std::string arena;  // strings with escapes, unescaped
};

// The accessors inline: the C ABI's seal calls them for every value.
inline json_ref::kind json_ref::type() const noexcept { return doc_->nodes[i_].type; }
inline bool json_ref::get_bool() const noexcept { return doc_->nodes[i_].boolean; }
inline std::int64_t json_ref::get_int() const noexcept { return doc_->nodes[i_].integer; }
inline double json_ref::get_double() const noexcept { return doc_->nodes[i_].real; }
inline std::string_view json_ref::get_string() const noexcept {
  const auto& n = doc_->nodes[i_];
  return {(n.unescaped ? doc_->arena.data() : doc_->text.data()) + n.offset, n.size};
}
inline std::size_t json_ref::array_size() const noexcept {
  return is_array() ? doc_->nodes[i_].size : 0;
}
inline std::size_t json_ref::member_count() const noexcept {
  return is_object() ? doc_->nodes[i_].size : 0;
}
inline std::uint32_t json_ref::next(std::uint32_t node) const noexcept {
  return doc_->nodes[node].end;
}

/// Text -> json_doc (guaranteed copy elision: no copy is made). @throws json_error
inline json_doc parse_json(std::string_view text) { return json_doc(text); }
/// @throws json_error
value value_from(const json_ref& j, std::size_t depth);

// The bridge's rules for a session's JSON, in one place for value_from and
// friends and for the C ABI's JSON -> payload seal (payload_json.hpp); the
// checks throw json_error.
/// A map key nested in a value that is one of the bridge's tags ("$bytes", "$object", "$...").
bool is_tag_key(std::string_view k) noexcept;
/// A nested map key as it is in the map: "$$..." loses one '$'.
std::string_view nested_key(std::string_view k) noexcept;
/// A list or map at @p depth (0 = a value of the session's own maps) is within max_value_depth.
void check_nesting(std::size_t depth);
/// values or constants (@p what names it) is an object.
void check_values_object(const json_ref& j, std::string_view what);
void check_flashes_object(const json_ref& j);
/// The messages of flash @p key are an array.
void check_flash_list(std::string_view key, const json_ref& list);
/// A full session: an object of values, constants, flashes, subject, lifetime only.
void check_full_session(const json_ref& j);
/// "subject", a string.
std::string_view subject_from(const json_ref& j);
/// One of the session's own maps (values, constants): keys as they are. @throws json_error
value::map map_from(const json_ref& j, std::string_view what);
/// {"key": [values...]} -> flashes. @throws json_error
session::flash_map flashes_from(const json_ref& j);
/// {"max_age": N, "idle_timeout": N, "browser_session": bool} -> a session's
/// own lifetime (each member optional). @throws json_error
session_lifetime lifetime_from(const json_ref& j);
/// Response headers as [["name","value"],...], written directly (every save of the C ABI).
std::string headers_json(std::span<const http::header> headers);
/// A session manager's effective settings (its options within codec @p c's
/// policy): {"name", "purpose", "path", "domain", "secure", "http_only",
/// "same_site", "partitioned", "browser_session", "max_age", "idle_timeout"}.
std::string settings_json(const session_options& s, const codec_options& c);

}  // namespace cookieseal::detail
