#include <cookieseal/json.hpp>

#include "detail/json_value.hpp"

#include <fmt/format.h>

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

namespace cookieseal {

namespace {

using nlohmann::json;

std::string b64url(const value::bytes& b) {
  if (b.empty()) return {};  // libsodium's pointers must not be null
  std::string out(sodium_base64_ENCODED_LEN(b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(b.data()),
                    b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the NUL
  return out;
}

value::bytes from_b64url(const json& j) {
  if (!j.is_string()) throw json_error("\"$bytes\" must be a base64url string");
  const auto& s = j.get_ref<const std::string&>();
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

// The output side, written directly: the bindings' hot path (open) spends
// most of its time here, and nlohmann's DOM costs several times the crypto.
// Compact, non-finite doubles as null, and valid UTF-8 only (FORMAT.md 6).

// The length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or
// 0 and in @p bad the length of its maximal subpart (at least 1): the bytes
// that one U+FFFD replaces.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end, std::size_t& bad) {
  const unsigned char c = *p;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    bad = 1;  // 80..C1, F5..FF: no sequence starts here
    return 0;
  }
  std::size_t i = 1;
  for (; i < n && p + i < end; ++i) {
    const unsigned char lower = i == 1 ? lo : 0x80, upper = i == 1 ? hi : 0xBF;
    if (p[i] < lower || p[i] > upper) break;
  }
  if (i == n) return n;
  bad = i;
  return 0;
}

bool valid_utf8(std::string_view s) {
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
void append_string(std::string& out, std::string_view s, bool tag_escape = false) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  if (tag_escape && !s.empty() && s.front() == '$') out.push_back('$');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
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
    append_string(out, k, tag_escape);
    out.push_back(':');
    write_value(e);
  };
  if (std::all_of(m.begin(), m.end(), [](const auto& e) { return valid_utf8(e.first); })) {
    for (const auto& [k, e] : m) member(k, e);
  } else {
    std::vector<std::pair<std::string, const typename Map::mapped_type*>> keys;
    keys.reserve(m.size());
    for (const auto& [k, e] : m) keys.emplace_back(replaced_utf8(k), &e);
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (i == 0 || keys[i].first != keys[i - 1].first) member(keys[i].first, *keys[i].second);
  }
  out.push_back('}');
}

void append_value(std::string& out, const value& v) {
  using kind = value::kind;
  switch (v.type()) {
    case kind::null: out += "null"; return;
    case kind::boolean: out += *v.get_if<bool>() ? "true" : "false"; return;
    case kind::integer:
      fmt::format_to(std::back_inserter(out), "{}", *v.get_if<std::int64_t>());
      return;
    case kind::real: {
      const double d = *v.get_if<double>();
      if (!std::isfinite(d)) {
        out += "null";
      } else {
        const auto start = out.size();
        fmt::format_to(std::back_inserter(out), "{}", d);
        // keep it a JSON number that reads back as a double, not an integer
        if (out.find_first_of(".eE", start) == std::string::npos) out += ".0";
      }
      return;
    }
    case kind::string: append_string(out, *v.get_if<std::string>()); return;
    case kind::bytes:
      out += "{\"$bytes\":";
      append_string(out, b64url(*v.get_if<value::bytes>()));
      out.push_back('}');
      return;
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
      out += "{\"$object\":";
      append_string(out, o.type_name);
      out += ",\"$bytes\":";
      append_string(out, b64url(o.data));
      out.push_back('}');
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

namespace {

// nlohmann's DOM builder, with the bridge's bounds checked as the text is
// read: nothing is built past max_json_depth or max_json_values, and an
// integer literal outside int64 is an error (nlohmann would make it a double).
class bounded_sax {
 public:
  explicit bounded_sax(json& root) : dom_(root) {}

  bool null() { return count() && dom_.null(); }
  bool boolean(bool v) { return count() && dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return count() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<std::uint64_t>(INT64_MAX)) too_big(std::to_string(v));
    return count() && dom_.number_unsigned(v);
  }
  bool number_float(json::number_float_t v, const std::string& text) {
    if (text.find_first_of(".eE") == std::string::npos) too_big(text);
    return count() && dom_.number_float(v, text);
  }
  bool string(std::string& v) { return count() && dom_.string(v); }
  bool binary(json::binary_t& v) { return count() && dom_.binary(v); }
  bool start_object(std::size_t n) { return open() && dom_.start_object(n); }
  bool key(std::string& k) { return dom_.key(k); }
  bool end_object() { return close() && dom_.end_object(); }
  bool start_array(std::size_t n) { return open() && dom_.start_array(n); }
  bool end_array() { return close() && dom_.end_array(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    throw json_error(fmt::format("not valid JSON: {}", e.what()));
  }

 private:
  bool count() {
    if (++values_ > max_json_values)
      throw json_error(fmt::format("more than {} JSON values", max_json_values));
    return true;
  }
  bool open() {
    if (++depth_ > max_json_depth)
      throw json_error(
          fmt::format("JSON nesting deeper than {} levels (a value's {}, and the "
                      "session's own 2)",
                      max_json_depth, max_value_depth));
    return count();
  }
  bool close() {
    --depth_;
    return true;
  }
  [[noreturn]] static void too_big(const std::string& text) {
    throw json_error(fmt::format("integer {} does not fit in 64 signed bits", text));
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::size_t depth_ = 0, values_ = 0;
};

// A map key nested in a value: "$$..." loses one '$'; a single '$' is a tag.
bool is_tag(std::string_view k) {
  return !k.empty() && k[0] == '$' && (k.size() == 1 || k[1] != '$');
}

value tagged(const json& j) {
  for (const auto& [k, e] : j.items())
    if (k != "$bytes" && k != "$object")
      throw json_error(fmt::format(
          "unknown member \"{}\" of a tagged value (a map key that starts with $ is written "
          "with one more $: \"${}\")",
          k, k));
  if (!j.contains("$bytes")) throw json_error("\"$object\" needs its \"$bytes\"");
  if (j.size() == 1) return value(from_b64url(j["$bytes"]));
  if (!j["$object"].is_string()) throw json_error("\"$object\" must be a string (a type name)");
  return value(value::object{j["$object"].get<std::string>(), from_b64url(j["$bytes"])});
}

}  // namespace

json parse_json(std::string_view text) {
  if (text.size() > max_json_bytes)
    throw json_error(
        fmt::format("JSON text of {} bytes is larger than {} bytes", text.size(), max_json_bytes));
  json root;
  bounded_sax sax(root);
  try {
    json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const json::exception& e) {
    throw json_error(fmt::format("not valid JSON: {}", e.what()));
  }
  return root;
}

value value_from(const json& j, std::size_t depth) {
  switch (j.type()) {
    case json::value_t::null: return value();
    case json::value_t::boolean: return value(j.get<bool>());
    case json::value_t::number_integer: return value(j.get<std::int64_t>());
    case json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX))
        throw json_error(fmt::format("integer {} does not fit in 64 signed bits", u));
      return value(static_cast<std::int64_t>(u));
    }
    case json::value_t::number_float: return value(j.get<double>());
    case json::value_t::string: return value(j.get<std::string>());
    case json::value_t::array: {
      if (depth >= max_value_depth)
        throw json_error(fmt::format("nesting deeper than {} levels", max_value_depth));
      value::list l;
      l.reserve(j.size());
      for (const auto& e : j) l.push_back(value_from(e, depth + 1));
      return value(std::move(l));
    }
    case json::value_t::object: {
      for (auto it = j.begin(); it != j.end(); ++it)
        if (is_tag(it.key())) return tagged(j);
      if (depth >= max_value_depth)
        throw json_error(fmt::format("nesting deeper than {} levels", max_value_depth));
      value::map m;
      for (const auto& [k, e] : j.items())
        m.emplace(k.substr(k.empty() || k[0] != '$' ? 0 : 1), value_from(e, depth + 1));
      return value(std::move(m));
    }
    default: throw json_error("unsupported JSON value (binary)");
  }
}

value::map map_from(const json& j, std::string_view what) {
  if (!j.is_object()) throw json_error(fmt::format("{} must be a JSON object of values", what));
  value::map m;
  for (const auto& [k, e] : j.items()) m.emplace(k, value_from(e, 0));
  return m;
}

session::flash_map flashes_from(const json& j) {
  if (!j.is_object()) throw json_error("\"flashes\" must be an object of arrays");
  session::flash_map out;
  for (const auto& [k, list] : j.items()) {
    if (!list.is_array()) throw json_error(fmt::format("flashes \"{}\" must be an array", k));
    auto& messages = out[k];
    for (const auto& e : list) messages.push_back(value_from(e, 1));
  }
  return out;
}

std::string dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string headers_json(std::span<const http::header> headers) {
  std::string out;
  out.reserve(64 + 512 * headers.size());
  out.push_back('[');
  for (const auto& h : headers) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('[');
    append_string(out, h.name);
    out.push_back(',');
    append_string(out, h.value);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

std::string settings_json(const session_options& s, const codec_options& c) {
  const auto& a = s.attributes;
  json j = json::object();
  j["name"] = s.name;
  j["purpose"] = s.purpose.empty() ? json(nullptr) : json(s.purpose);
  j["path"] = a.path;
  j["domain"] = a.domain.empty() ? json(nullptr) : json(a.domain);
  j["secure"] = a.secure;
  j["http_only"] = a.http_only;
  j["same_site"] = !a.same_site                              ? json(nullptr)
                   : *a.same_site == http::same_site::strict ? json("Strict")
                   : *a.same_site == http::same_site::lax    ? json("Lax")
                                                             : json("None");
  j["partitioned"] = a.partitioned;
  j["browser_session"] = a.browser_session;
  // max_age keeps the options' 0 = none; idle_timeout says "off" as null.
  j["max_age"] = c.max_age.count();
  j["idle_timeout"] = c.idle_timeout.count() == 0 ? json(nullptr) : json(c.idle_timeout.count());
  return dump(j, -1);
}

// "lifetime": {"max_age": N, "idle_timeout": N, "browser_session": bool}, each
// optional (null = absent = the codec's); seconds, 0..max_policy_duration.
session_lifetime lifetime_from(const json& j) {
  if (!j.is_object())
    throw json_error("\"lifetime\" must be an object of max_age, idle_timeout, browser_session");
  session_lifetime l;
  for (const auto& [k, v] : j.items()) {
    if (v.is_null()) continue;
    if (k == "browser_session") {
      if (!v.is_boolean()) throw json_error("lifetime \"browser_session\" must be true or false");
      l.browser_session = v.get<bool>();
      continue;
    }
    if (k != "max_age" && k != "idle_timeout")
      throw json_error(fmt::format(
          "unknown member \"{}\" of \"lifetime\" (want max_age, idle_timeout, browser_session)",
          k));
    if (!v.is_number_unsigned() ||
        v.get<std::uint64_t>() > static_cast<std::uint64_t>(max_policy_duration.count()))
      throw json_error(
          fmt::format("lifetime \"{}\" must be whole seconds from 0 to 100 years (3162240000)", k));
    (k == "max_age" ? l.max_age : l.idle_timeout) =
        std::chrono::seconds{static_cast<std::int64_t>(v.get<std::uint64_t>())};
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
    fmt::format_to(std::back_inserter(out), "{}", d->count());
  else
    out += "null";
}

}  // namespace

session session_from_json(std::string_view text, bool full, time_point now) {
  const json j = detail::parse_json(text);
  if (!full) {
    session s(now);
    for (auto& [k, v] : detail::map_from(j, "the JSON")) s.set(k, std::move(v));
    return s;
  }
  if (!j.is_object()) throw json_error("a full session must be a JSON object");
  for (const auto& [k, v] : j.items())
    if (k != "values" && k != "constants" && k != "flashes" && k != "subject" && k != "lifetime")
      throw json_error(
          fmt::format("unknown member \"{}\" of a full session (want values, constants, flashes, "
                      "subject, lifetime)",
                      k));
  value::map constants;
  if (j.contains("constants")) constants = detail::map_from(j["constants"], "\"constants\"");
  std::string subject;
  if (j.contains("subject")) {
    if (!j["subject"].is_string()) throw json_error("\"subject\" must be a string");
    subject = j["subject"].get<std::string>();
  }
  session s(std::move(constants), std::move(subject), now);
  if (j.contains("values"))
    for (auto& [k, v] : detail::map_from(j["values"], "\"values\"")) s.set(k, std::move(v));
  if (j.contains("flashes"))
    for (auto& [k, list] : detail::flashes_from(j["flashes"]))
      for (auto& v : list) s.flash(k, std::move(v));
  if (j.contains("lifetime")) s.set_lifetime(detail::lifetime_from(j["lifetime"]));
  return s;
}

std::string session_to_json(const session& s, const open_info* info, int indent) {
  std::string out;
  out.reserve(512);
  out += "{\"values\":";
  append_map(out, s.values());
  out += ",\"constants\":";
  append_map(out, s.constants());
  out += ",\"flashes\":";
  append_map(out, s.flashes());
  out += ",\"lifetime\":{\"max_age\":";
  append_duration(out, s.lifetime().max_age);
  out += ",\"idle_timeout\":";
  append_duration(out, s.lifetime().idle_timeout);
  out += ",\"browser_session\":";
  out += s.lifetime().browser_session ? "true" : "false";
  out += "},\"meta\":{\"id\":\"";
  out += to_hex(s.id());
  out += "\",\"subject\":";
  append_string(out, s.subject());
  out += ",\"created_at\":\"";
  out += format_rfc3339(s.created_at());
  if (info == nullptr) {
    out +=
        "\",\"issued_at\":null,\"expires_at\":null,\"key_id\":null,\"key_replaced\":null,"
        "\"overflow\":null}}";
  } else {
    out += "\",\"issued_at\":\"";
    out += format_rfc3339(info->issued_at);
    out += "\",\"expires_at\":";
    out += info->expires_at ? "\"" + format_rfc3339(*info->expires_at) + "\"" : std::string("null");
    out += ",\"key_id\":\"";
    out += key_id_hex(info->key_id);
    out += "\",\"key_replaced\":";
    out += info->key_replaced ? "true" : "false";
    out += ",\"overflow\":";
    out += info->overflow ? "true" : "false";
    out += "}}";
  }
  if (indent < 0) return out;
  return detail::dump(detail::parse_json(out), indent);  // pretty, for people (the CLI)
}

}  // namespace cookieseal
