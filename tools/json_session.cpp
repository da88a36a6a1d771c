#include "json_session.hpp"

#include "cli.hpp"

#include <fmt/format.h>
#include <sodium.h>

namespace cli {

namespace {

std::string b64url(const cookieseal::value::bytes& b) {
  if (b.empty()) return {};  // libsodium's pointers must not be null
  std::string out(sodium_base64_ENCODED_LEN(b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(b.data()),
                    b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the NUL
  return out;
}

cookieseal::value::bytes from_b64url(const nlohmann::json& j) {
  if (!j.is_string()) throw usage_error("\"$bytes\" must be a base64url string");
  const auto& s = j.get_ref<const std::string&>();
  if (s.empty()) return {};  // libsodium's pointers must not be null
  cookieseal::value::bytes out(s.size());
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(), s.size(),
                        nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    throw usage_error("\"$bytes\" is not valid base64url (no padding)");
  out.resize(len);
  return out;
}

std::string hex_id(std::uint32_t id) { return fmt::format("{:08x}", id); }

}  // namespace

cookieseal::value value_from_json(const nlohmann::json& j, std::size_t depth) {
  using cookieseal::value;
  switch (j.type()) {
    case nlohmann::json::value_t::null: return value();
    case nlohmann::json::value_t::boolean: return value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return value(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX))
        throw usage_error(fmt::format("integer {} does not fit in 64 signed bits", u));
      return value(static_cast<std::int64_t>(u));
    }
    case nlohmann::json::value_t::number_float: return value(j.get<double>());
    case nlohmann::json::value_t::string: return value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      if (depth >= cookieseal::max_value_depth)
        throw usage_error(fmt::format("nesting deeper than {} levels", cookieseal::max_value_depth));
      value::list l;
      for (const auto& e : j) l.push_back(value_from_json(e, depth + 1));
      return value(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      if (j.contains("$bytes")) {
        if (j.size() == 1) return value(from_b64url(j["$bytes"]));
        if (j.size() == 2 && j.contains("$object") && j["$object"].is_string())
          return value(value::object{j["$object"].get<std::string>(), from_b64url(j["$bytes"])});
        throw usage_error("an object with \"$bytes\" may only also have \"$object\"");
      }
      if (depth >= cookieseal::max_value_depth)
        throw usage_error(fmt::format("nesting deeper than {} levels", cookieseal::max_value_depth));
      value::map m;
      for (const auto& [k, e] : j.items()) m.emplace(k, value_from_json(e, depth + 1));
      return value(std::move(m));
    }
    default: throw usage_error("unsupported JSON value (binary)");
  }
}

nlohmann::json value_to_json(const cookieseal::value& v) {
  using kind = cookieseal::value::kind;
  switch (v.type()) {
    case kind::null: return nullptr;
    case kind::boolean: return *v.get_if<bool>();
    case kind::integer: return *v.get_if<std::int64_t>();
    case kind::real: return *v.get_if<double>();
    case kind::string: return *v.get_if<std::string>();
    case kind::bytes: return {{"$bytes", b64url(*v.get_if<cookieseal::value::bytes>())}};
    case kind::list: {
      auto out = nlohmann::json::array();
      for (const auto& e : *v.get_if<cookieseal::value::list>()) out.push_back(value_to_json(e));
      return out;
    }
    case kind::map: {
      auto out = nlohmann::json::object();
      for (const auto& [k, e] : *v.get_if<cookieseal::value::map>()) out[k] = value_to_json(e);
      return out;
    }
    case kind::object: {
      const auto& o = *v.get_if<cookieseal::value::object>();
      return {{"$object", o.type_name}, {"$bytes", b64url(o.data)}};
    }
  }
  return nullptr;
}

cookieseal::value::map map_from_json(const nlohmann::json& j, const char* what) {
  if (!j.is_object() || j.contains("$bytes"))
    throw usage_error(fmt::format("{} must be a JSON object of values", what));
  cookieseal::value::map m;
  for (const auto& [k, e] : j.items()) m.emplace(k, value_from_json(e, 0));
  return m;
}

nlohmann::json opened_to_json(const cookieseal::opened& o) {
  const auto& s = o.session;
  nlohmann::json flashes = nlohmann::json::object();
  for (const auto& [k, l] : s.flashes()) flashes[k] = value_to_json(cookieseal::value(l));
  return {
      {"values", value_to_json(cookieseal::value(s.values()))},
      {"constants", value_to_json(cookieseal::value(s.constants()))},
      {"flashes", flashes},
      {"meta",
       {{"id", cookieseal::to_hex(s.id())},
        {"subject", s.subject()},
        {"created_at", cookieseal::format_rfc3339(s.created_at())},
        {"issued_at", cookieseal::format_rfc3339(o.info.issued_at)},
        {"expires_at", o.info.expires_at ? nlohmann::json(cookieseal::format_rfc3339(*o.info.expires_at))
                                         : nlohmann::json(nullptr)},
        {"key_id", hex_id(o.info.key_id)},
        {"key_replaced", o.info.key_replaced}}},
  };
}

}  // namespace cli
