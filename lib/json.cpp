#include <cookieseal/json.hpp>

#include "detail/digits.hpp"
#include "detail/json_value.hpp"
#include "detail/json_writer.hpp"
#include "detail/session_access.hpp"
#include "detail/utf8.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace cookieseal {

namespace {

using detail::utf8_sequence;

using detail::json_ref;

std::string b64url(std::span<const std::byte> b) {
  if (b.empty()) return {};  // libsodium's pointers must not be null
  std::string out(sodium_base64_ENCODED_LEN(b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(b.data()),
                    b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the NUL
  return out;
}

value::bytes from_b64url(const json_ref& j) {
  if (!j.is_string()) throw json_error("\"$bytes\" must be a base64url string");
  const std::string_view s = j.get_string();
  if (s.empty()) return {};  // libsodium's pointers must not be null
  value::bytes out(s.size());
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                        s.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    throw json_error("\"$bytes\" is not valid base64url (no padding)");
  out.resize(len);
  return out;
}

}  // namespace

// The output side, written directly: the bindings' hot path (open) spends
// most of its time here, and nlohmann's DOM costs several times the crypto.
// Compact, non-finite doubles as null, and valid UTF-8 only (FORMAT.md 6).

bool detail::valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  std::size_t bad = 0;
  while (p < end) {
    if (*p < 0x80) {
      ++p;
    } else if (const std::size_t n = utf8_sequence(p, end, bad)) {
      p += n;
    } else {
      return false;
    }
  }
  return true;
}

// @p tag_escape: a map key nested in a value, where a leading '$' is doubled
// so that no key reads back as one of the bridge's tags ($bytes, $object).
void detail::append_json_string(std::string& out, std::string_view s, bool tag_escape) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  if (tag_escape && !s.empty() && s.front() == '$') out.push_back('$');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // The common run (printable ASCII, nothing to escape) in one append.
    const auto* run = p;
    p = detail::json_plain_run(p, end);
    if (p != run) out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p == end) break;
    const unsigned char c = *p;
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++p;
      continue;
    }
    std::size_t bad = 0;
    if (const std::size_t n = utf8_sequence(p, end, bad)) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    } else {
      out += "\xEF\xBF\xBD";
      p += bad;
    }
  }
  out.push_back('"');
}

namespace {

using detail::append_json_string;
using detail::valid_utf8;

// @p s with each ill-formed subsequence replaced by U+FFFD (the rare path:
// keys that need it, which must then be ordered and compared as replaced).
std::string replaced_utf8(std::string_view s) {
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  std::size_t bad = 0;
  while (p < end) {
    const std::size_t n = *p < 0x80 ? 1 : utf8_sequence(p, end, bad);
    if (n != 0) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    } else {
      out += "\xEF\xBF\xBD";
      p += bad;
    }
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::size_t>> detail::replaced_key_order(
    std::span<const std::string_view> keys) {
  std::vector<std::pair<std::string, std::size_t>> order;
  order.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order.emplace_back(replaced_utf8(keys[i]), i);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  order.erase(std::unique(order.begin(), order.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              order.end());
  return order;
}

namespace {

// Writes a map's members in ascending key order with @p write_value. Keys
// that are not valid UTF-8 are written replaced, in the order of the replaced
// text, and two that become the same text are written once (the first in
// the original byte order): what reads back writes the same again.
template <class Map, class WriteValue>
void append_members(std::string& out, const Map& m, bool tag_escape, WriteValue write_value) {
  out.push_back('{');
  auto member = [&, first = true](std::string_view k, const auto& e) mutable {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k, tag_escape);
    out.push_back(':');
    write_value(e);
  };
  if (std::all_of(m.begin(), m.end(), [](const auto& e) { return valid_utf8(e.first); })) {
    for (const auto& [k, e] : m) member(k, e);
  } else {
    std::vector<std::string_view> keys;
    std::vector<const typename Map::mapped_type*> values;
    keys.reserve(m.size());
    values.reserve(m.size());
    for (const auto& [k, e] : m) {
      keys.emplace_back(k);
      values.push_back(&e);
    }
    for (const auto& [k, i] : detail::replaced_key_order(keys)) member(k, *values[i]);
  }
  out.push_back('}');
}

}  // namespace

void detail::append_json_integer(std::string& out, std::int64_t i) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, i);  // cannot fail: 20 at most
  out.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

void detail::append_json_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  const auto start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", d);
  // keep it a JSON number that reads back as a double, not an integer
  if (out.find_first_of(".eE", start) == std::string::npos) out += ".0";
}

void detail::append_json_bytes(std::string& out, std::span<const std::byte> b) {
  out += "{\"$bytes\":";
  append_json_string(out, b64url(b));
  out.push_back('}');
}

void detail::append_json_object(std::string& out, std::string_view type_name,
                                std::span<const std::byte> data) {
  out += "{\"$object\":";
  append_json_string(out, type_name);
  out += ",\"$bytes\":";
  append_json_string(out, b64url(data));
  out.push_back('}');
}

namespace {

void append_value(std::string& out, const value& v) {
  using kind = value::kind;
  switch (v.type()) {
    case kind::null: out += "null"; return;
    case kind::boolean: out += *v.get_if<bool>() ? "true" : "false"; return;
    case kind::integer: detail::append_json_integer(out, *v.get_if<std::int64_t>()); return;
    case kind::real: detail::append_json_double(out, *v.get_if<double>()); return;
    case kind::string: append_json_string(out, *v.get_if<std::string>()); return;
    case kind::bytes: detail::append_json_bytes(out, *v.get_if<value::bytes>()); return;
    case kind::list: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : *v.get_if<value::list>()) {
        if (!first) out.push_back(',');
        first = false;
        append_value(out, e);
      }
      out.push_back(']');
      return;
    }
    case kind::map:
      append_members(out, *v.get_if<value::map>(), true,
                     [&](const value& e) { append_value(out, e); });
      return;
    case kind::object: {
      const auto& o = *v.get_if<value::object>();
      detail::append_json_object(out, o.type_name, o.data);
      return;
    }
  }
}

// The session's own maps (values, constants, flashes): maps, never tags, so
// their keys are written as they are.
template <class Map>
void append_map(std::string& out, const Map& m) {
  append_members(out, m, false, [&](const auto& e) {
    if constexpr (std::is_same_v<std::decay_t<decltype(e)>, value::list>) {
      out.push_back('[');
      bool first_item = true;
      for (const auto& item : e) {
        if (!first_item) out.push_back(',');
        first_item = false;
        append_value(out, item);
      }
      out.push_back(']');
    } else {
      append_value(out, e);
    }
  });
}

}  // namespace

namespace detail {

// A map key nested in a value: "$$..." loses one '$'; a single '$' is a tag.
bool is_tag_key(std::string_view k) noexcept {
  return !k.empty() && k[0] == '$' && (k.size() == 1 || k[1] != '$');
}

std::string_view nested_key(std::string_view k) noexcept {
  return k.substr(k.empty() || k[0] != '$' ? 0 : 1);
}

void check_nesting(std::size_t depth) {
  if (depth >= max_value_depth)
    throw json_error(fmt::format("nesting deeper than {} levels", max_value_depth));
}

void check_values_object(const json_ref& j, std::string_view what) {
  if (!j.is_object()) throw json_error(fmt::format("{} must be a JSON object of values", what));
}

void check_flashes_object(const json_ref& j) {
  if (!j.is_object()) throw json_error("\"flashes\" must be an object of arrays");
}

void check_flash_list(std::string_view key, const json_ref& list) {
  if (!list.is_array()) throw json_error(fmt::format("flashes \"{}\" must be an array", key));
}

void check_full_session(const json_ref& j) {
  if (!j.is_object()) throw json_error("a full session must be a JSON object");
  // The first unknown key in key order (as the ordered DOM named it), found
  // without a sorted list.
  std::optional<std::string_view> unknown;
  j.for_each_member([&unknown](std::string_view k, const json_ref&) {
    if (k != "values" && k != "constants" && k != "flashes" && k != "subject" && k != "lifetime" &&
        (!unknown || k < *unknown))
      unknown = k;
  });
  if (unknown)
    throw json_error(
        fmt::format("unknown member \"{}\" of a full session (want values, constants, flashes, "
                    "subject, lifetime)",
                    *unknown));
}

std::string_view subject_from(const json_ref& j) {
  if (!j.is_string()) throw json_error("\"subject\" must be a string");
  return j.get_string();
}

namespace {

value tagged(const json_ref& j) {
  for (const auto& [k, e] : j.items())
    if (k != "$bytes" && k != "$object")
      throw json_error(fmt::format(
          "unknown member \"{}\" of a tagged value (a map key that starts with $ is written "
          "with one more $: \"${}\")",
          k, k));
  if (!j.contains("$bytes")) throw json_error("\"$object\" needs its \"$bytes\"");
  if (!j.contains("$object")) return value(from_b64url(j["$bytes"]));
  if (!j["$object"].is_string()) throw json_error("\"$object\" must be a string (a type name)");
  return value(value::object{std::string(j["$object"].get_string()), from_b64url(j["$bytes"])});
}

}  // namespace

value value_from(const json_ref& j, std::size_t depth) {
  using kind = json_ref::kind;
  switch (j.type()) {
    case kind::null: return value();
    case kind::boolean: return value(j.get_bool());
    case kind::integer:
    case kind::unsigned_integer: return value(j.get_int());  // the reader kept int64 only
    case kind::real: return value(j.get_double());
    case kind::string: return value(j.get_string());
    case kind::array: {
      check_nesting(depth);
      value::list l;
      l.reserve(j.array_size());
      j.for_each_element([&](const json_ref& e) { l.push_back(value_from(e, depth + 1)); });
      return value(std::move(l));
    }
    case kind::object: {
      const auto members = j.items();
      for (const auto& [k, e] : members)
        if (is_tag_key(k)) return tagged(j);
      check_nesting(depth);
      value::map m;
      for (const auto& [k, e] : members)  // ascending, so each goes at the end
        m.emplace_hint(m.end(), nested_key(k), value_from(e, depth + 1));
      return value(std::move(m));
    }
  }
  throw json_error("unsupported JSON value");
}

value::map map_from(const json_ref& j, std::string_view what) {
  check_values_object(j, what);
  value::map m;
  for (const auto& [k, e] : j.items()) m.emplace_hint(m.end(), k, value_from(e, 0));
  return m;
}

session::flash_map flashes_from(const json_ref& j) {
  check_flashes_object(j);
  session::flash_map out;
  for (const auto& [k, list] : j.items()) {
    check_flash_list(k, list);
    auto& messages = out.emplace_hint(out.end(), k, value::list{})->second;
    messages.reserve(list.array_size());
    list.for_each_element([&](const json_ref& e) { messages.push_back(value_from(e, 1)); });
  }
  return out;
}

std::string headers_json(std::span<const http::header> headers) {
  std::string out;
  out.reserve(64 + 512 * headers.size());
  out.push_back('[');
  for (const auto& h : headers) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('[');
    append_json_string(out, h.name);
    out.push_back(',');
    append_json_string(out, h.value);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

std::string settings_json(const session_options& s, const codec_options& c) {
  const auto& a = s.attributes;
  std::string out;
  out.reserve(256);
  const auto member = [&out](std::string_view key) {
    if (out.size() > 1) out.push_back(',');
    append_json_string(out, key);
    out.push_back(':');
  };
  const auto text_or_null = [&](std::string_view key, std::string_view v) {
    member(key);
    if (v.empty())
      out += "null";
    else
      append_json_string(out, v);
  };
  const auto flag = [&](std::string_view key, bool v) {
    member(key);
    out += v ? "true" : "false";
  };
  // Members in key order, as the ABI's other JSON objects.
  out.push_back('{');
  flag("browser_session", a.browser_session);
  text_or_null("domain", a.domain);
  flag("http_only", a.http_only);
  // idle_timeout says "off" as null; max_age keeps the options' 0 = none.
  member("idle_timeout");
  if (c.idle_timeout.count() == 0)
    out += "null";
  else
    detail::append_json_integer(out, c.idle_timeout.count());
  member("max_age");
  detail::append_json_integer(out, c.max_age.count());
  member("name");
  append_json_string(out, s.name);
  flag("partitioned", a.partitioned);
  member("path");
  append_json_string(out, a.path);
  text_or_null("purpose", s.purpose);
  text_or_null("same_site", !a.same_site                              ? ""
                            : *a.same_site == http::same_site::strict ? "Strict"
                            : *a.same_site == http::same_site::lax    ? "Lax"
                                                                      : "None");
  flag("secure", a.secure);
  out.push_back('}');
  return out;
}

// "lifetime": {"max_age": N, "idle_timeout": N, "browser_session": bool}, each
// optional (null = absent = the codec's); seconds, 0..max_policy_duration.
session_lifetime lifetime_from(const json_ref& j) {
  if (!j.is_object())
    throw json_error("\"lifetime\" must be an object of max_age, idle_timeout, browser_session");
  session_lifetime l;
  for (const auto& [k, v] : j.items()) {
    if (v.is_null()) continue;
    if (k == "browser_session") {
      if (!v.is_boolean()) throw json_error("lifetime \"browser_session\" must be true or false");
      l.browser_session = v.get_bool();
      continue;
    }
    if (k != "max_age" && k != "idle_timeout")
      throw json_error(fmt::format(
          "unknown member \"{}\" of \"lifetime\" (want max_age, idle_timeout, browser_session)",
          k));
    if (!v.is_number_unsigned() || v.get_int() > max_policy_duration.count())
      throw json_error(
          fmt::format("lifetime \"{}\" must be whole seconds from 0 to 100 years (3162240000)", k));
    (k == "max_age" ? l.max_age : l.idle_timeout) = std::chrono::seconds{v.get_int()};
  }
  return l;
}

}  // namespace detail

value value_from_json(std::string_view text) {
  return detail::value_from(detail::parse_json(text), 0);
}

std::string value_to_json(const value& v) {
  std::string out;
  append_value(out, v);
  return out;
}

value::map map_from_json(std::string_view text, std::string_view what) {
  return detail::map_from(detail::parse_json(text), what);
}

namespace {

void append_duration(std::string& out, const std::optional<std::chrono::seconds>& d) {
  if (d)
    detail::append_json_integer(out, d->count());
  else
    out += "null";
}

}  // namespace

session session_from_json(std::string_view text, bool full, time_point now) {
  const auto j = detail::parse_json(text);
  if (!full) {
    session s(now);
    detail::session_access::set_values(s, detail::map_from(j, "the JSON"));
    return s;
  }
  detail::check_full_session(j);
  value::map constants;
  if (j.contains("constants")) constants = detail::map_from(j["constants"], "\"constants\"");
  std::string subject;
  if (j.contains("subject")) subject = detail::subject_from(j["subject"]);
  session s(std::move(constants), std::move(subject), now);
  if (j.contains("values"))
    detail::session_access::set_values(s, detail::map_from(j["values"], "\"values\""));
  if (j.contains("flashes"))
    for (auto& [k, list] : detail::flashes_from(j["flashes"]))
      for (auto& v : list) s.flash(k, std::move(v));
  if (j.contains("lifetime")) s.set_lifetime(detail::lifetime_from(j["lifetime"]));
  return s;
}

namespace {

// The tail's dates and id written in place (no string of their own each).
void append_rfc3339(std::string& out, time_point t) {
  if (char s[21]; detail::write_rfc3339(s, t))
    out.append(s, sizeof s - 1);
  else
    out += format_rfc3339(t);
}

}  // namespace

void detail::append_session_tail(std::string& out, const session_lifetime& lifetime,
                                 const session_id& id, std::string_view subject,
                                 time_point created_at, const open_info* info) {
  out += ",\"lifetime\":{\"max_age\":";
  append_duration(out, lifetime.max_age);
  out += ",\"idle_timeout\":";
  append_duration(out, lifetime.idle_timeout);
  out += ",\"browser_session\":";
  out += lifetime.browser_session ? "true" : "false";
  out += "},\"meta\":{\"id\":\"";
  char hex[32];
  write_hex(hex, id);
  out.append(hex, sizeof hex);
  out += "\",\"subject\":";
  append_json_string(out, subject);
  out += ",\"created_at\":\"";
  append_rfc3339(out, created_at);
  if (info == nullptr) {
    out +=
        "\",\"issued_at\":null,\"expires_at\":null,\"key_id\":null,\"key_replaced\":null,"
        "\"overflow\":null}}";
  } else {
    out += "\",\"issued_at\":\"";
    append_rfc3339(out, info->issued_at);
    out += "\",\"expires_at\":";
    if (info->expires_at) {
      out.push_back('"');
      append_rfc3339(out, *info->expires_at);
      out.push_back('"');
    } else {
      out += "null";
    }
    out += ",\"key_id\":\"";
    out += key_id_hex(info->key_id);
    out += "\",\"key_replaced\":";
    out += info->key_replaced ? "true" : "false";
    out += ",\"overflow\":";
    out += info->overflow ? "true" : "false";
    out += "}}";
  }
}

std::string session_to_json(const session& s, const open_info* info, int indent) {
  std::string out;
  out.reserve(1024);  // a typical session's text, its tail included, without a move
  out += "{\"values\":";
  append_map(out, s.values());
  out += ",\"constants\":";
  append_map(out, s.constants());
  out += ",\"flashes\":";
  append_map(out, s.flashes());
  detail::append_session_tail(out, s.lifetime(), s.id(), s.subject(), s.created_at(), info);
  if (indent < 0) return out;
  // Pretty, for people (the CLI): nlohmann's layout, as before.
  return nlohmann::json::parse(out).dump(indent, ' ', false,
                                         nlohmann::json::error_handler_t::replace);
}

}  // namespace cookieseal
