#include <cookieseal/json.hpp>

#include "detail/json_value.hpp"

#include <fmt/format.h>

#include <sodium.h>
#include <cmath>
#include <iterator>
#include <type_traits>

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
// Same text as nlohmann's dump: compact, invalid UTF-8 replaced by U+FFFD,
// non-finite doubles as null.
void append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
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
    // A well-formed UTF-8 sequence is copied; anything else becomes U+FFFD.
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    bool ok = n != 0 && static_cast<std::size_t>(end - p) >= n;
    for (std::size_t i = 1; ok && i < n; ++i) ok = (p[i] & 0xC0) == 0x80;
    if (ok && n == 3) ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0);
    if (ok && n == 4) ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
    if (ok) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++p;
    }
  }
  out.push_back('"');
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
    case kind::map: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, e] : *v.get_if<value::map>()) {
        if (!first) out.push_back(',');
        first = false;
        append_string(out, k);
        out.push_back(':');
        append_value(out, e);
      }
      out.push_back('}');
      return;
    }
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

template <class Map>
void append_map(std::string& out, const Map& m) {
  out.push_back('{');
  bool first = true;
  for (const auto& [k, e] : m) {
    if (!first) out.push_back(',');
    first = false;
    append_string(out, k);
    out.push_back(':');
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
  }
  out.push_back('}');
}

}  // namespace

namespace detail {

json parse_json(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw json_error(fmt::format("not valid JSON: {}", e.what()));
  }
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
      for (const auto& e : j) l.push_back(value_from(e, depth + 1));
      return value(std::move(l));
    }
    case json::value_t::object: {
      if (j.contains("$bytes")) {
        if (j.size() == 1) return value(from_b64url(j["$bytes"]));
        if (j.size() == 2 && j.contains("$object") && j["$object"].is_string())
          return value(value::object{j["$object"].get<std::string>(), from_b64url(j["$bytes"])});
        throw json_error("an object with \"$bytes\" may only also have \"$object\"");
      }
      if (depth >= max_value_depth)
        throw json_error(fmt::format("nesting deeper than {} levels", max_value_depth));
      value::map m;
      for (const auto& [k, e] : j.items()) m.emplace(k, value_from(e, depth + 1));
      return value(std::move(m));
    }
    default: throw json_error("unsupported JSON value (binary)");
  }
}

json value_json(const value& v) {
  using kind = value::kind;
  switch (v.type()) {
    case kind::null: return nullptr;
    case kind::boolean: return *v.get_if<bool>();
    case kind::integer: return *v.get_if<std::int64_t>();
    case kind::real: return *v.get_if<double>();
    case kind::string: return *v.get_if<std::string>();
    case kind::bytes: return {{"$bytes", b64url(*v.get_if<value::bytes>())}};
    case kind::list: {
      auto out = json::array();
      for (const auto& e : *v.get_if<value::list>()) out.push_back(value_json(e));
      return out;
    }
    case kind::map: {
      auto out = json::object();
      for (const auto& [k, e] : *v.get_if<value::map>()) out[k] = value_json(e);
      return out;
    }
    case kind::object: {
      const auto& o = *v.get_if<value::object>();
      return {{"$object", o.type_name}, {"$bytes", b64url(o.data)}};
    }
  }
  return nullptr;
}

value::map map_from(const json& j, std::string_view what) {
  if (!j.is_object() || j.contains("$bytes"))
    throw json_error(fmt::format("{} must be a JSON object of values", what));
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
  if (j.contains("lifetime")) s.set_lifetime(lifetime_from(j["lifetime"]));
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
