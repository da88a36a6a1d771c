#include "detail/payload.hpp"

#include "detail/wire_numbers.hpp"

#include <cookieseal/detail/compact_archive.hpp>

#include <limits>
#include <stdexcept>

namespace cookieseal::detail {

namespace {

using namespace payload_tags;  // NOLINT: the wire's tag names

struct too_deep {};

void save_bytes(compact_output_archive& ar, std::span<const std::byte> b) {
  ar.write_varint(b.size());
  ar.write_bytes(b.data(), b.size());
}

}  // namespace

void save_string_view(compact_output_archive& ar, std::string_view s) {
  ar.write_varint(s.size());
  ar.write_bytes(s.data(), s.size());
}

namespace {

void save_string(compact_output_archive& ar, const std::string& s) { save_string_view(ar, s); }

void save_value(compact_output_archive& ar, const value& v, std::size_t depth);

void save_map(compact_output_archive& ar, const value::map& m, std::size_t depth) {
  ar.write_varint(m.size());
  for (const auto& [k, v] : m) {
    save_string(ar, k);
    save_value(ar, v, depth);
  }
}

void save_value(compact_output_archive& ar, const value& v, std::size_t depth) {
  switch (v.type()) {
    case value::kind::null: ar.write_byte(tag_null); return;
    case value::kind::boolean: ar.write_byte(*v.get_if<bool>() ? tag_true : tag_false); return;
    case value::kind::integer:
      ar.write_byte(tag_int);
      ar(*v.get_if<std::int64_t>());
      return;
    case value::kind::real:
      ar.write_byte(tag_double);
      ar(*v.get_if<double>());
      return;
    case value::kind::string:
      ar.write_byte(tag_string);
      save_string(ar, *v.get_if<std::string>());
      return;
    case value::kind::bytes:
      ar.write_byte(tag_bytes);
      save_bytes(ar, *v.get_if<value::bytes>());
      return;
    case value::kind::list: {
      if (depth >= max_value_depth) throw too_deep{};
      ar.write_byte(tag_list);
      const auto& l = *v.get_if<value::list>();
      ar.write_varint(l.size());
      for (const auto& e : l) save_value(ar, e, depth + 1);
      return;
    }
    case value::kind::map:
      if (depth >= max_value_depth) throw too_deep{};
      ar.write_byte(tag_map);
      save_map(ar, *v.get_if<value::map>(), depth + 1);
      return;
    case value::kind::object: {
      const auto& o = *v.get_if<value::object>();
      ar.write_byte(tag_object);
      save_string(ar, o.type_name);
      save_bytes(ar, o.data);
      return;
    }
  }
}

// Reads what cereal's string save wrote (size tag, then the characters) in one
// copy: cereal's own load zero-fills first, and this is the hot path of open.
std::string load_string(compact_input_archive& ar) { return std::string(load_string_view(ar)); }

value::bytes load_bytes(compact_input_archive& ar) {
  const auto bytes = ar.take(ar.read_size());
  return value::bytes(bytes.begin(), bytes.end());
}

// Appends to a map whose keys must arrive in strictly ascending order: the
// insertion itself tells an out-of-order or repeated key, with no extra compare.
template <class Map, class V>
void append_ascending(Map& m, std::string&& k, V&& v) {
  const std::size_t before = m.size();
  const auto it = m.emplace_hint(m.end(), std::move(k), std::forward<V>(v));
  if (m.size() == before || std::next(it) != m.end())
    throw cereal::Exception("cookieseal: map keys not in ascending order");
}

value load_value(compact_input_archive& ar);

value::map load_map(compact_input_archive& ar) {
  value::map m;
  const std::size_t n = ar.read_size();
  for (std::size_t i = 0; i < n; ++i) {
    std::string k = load_string(ar);
    // Canonical: strictly ascending keys, so no duplicates and one encoding per map.
    append_ascending(m, std::move(k), load_value(ar));
  }
  return m;
}

value load_value(compact_input_archive& ar) {
  switch (ar.read_byte()) {
    case tag_null: return value{};
    case tag_false: return value{false};
    case tag_true: return value{true};
    case tag_int: {
      std::int64_t i;
      ar(i);
      return value{i};
    }
    case tag_double: {
      double d;
      ar(d);
      return value{d};
    }
    case tag_string: return value{load_string(ar)};
    case tag_bytes: return value{load_bytes(ar)};
    case tag_list: {
      ar.enter(max_value_depth);
      const std::size_t n = ar.read_size();
      value::list l;
      l.reserve(n);  // n <= bytes left: bounded by the input's length
      for (std::size_t i = 0; i < n; ++i) l.push_back(load_value(ar));
      ar.leave();
      return value{std::move(l)};
    }
    case tag_map: {
      ar.enter(max_value_depth);
      value::map m = load_map(ar);
      ar.leave();
      return value{std::move(m)};
    }
    case tag_object: {
      value::object o;
      o.type_name = load_string(ar);
      o.data = load_bytes(ar);
      return value{std::move(o)};
    }
    default: throw cereal::Exception("cookieseal: unknown value tag");
  }
}

void save_time(compact_output_archive& ar, time_point t) { ar(unix_seconds(t)); }

// The lifetime of kinds 2 and 3: a flags byte, then the durations it announces.
enum lifetime_flag : std::uint8_t {
  has_max_age = 1,
  has_idle_timeout = 2,
  is_browser_session = 4,
};

void save_lifetime(compact_output_archive& ar, const session_lifetime& l) {
  ar.write_byte(static_cast<std::uint8_t>((l.max_age ? has_max_age : 0) |
                                          (l.idle_timeout ? has_idle_timeout : 0) |
                                          (l.browser_session ? is_browser_session : 0)));
  if (l.max_age) ar(static_cast<std::uint64_t>(l.max_age->count()));
  if (l.idle_timeout) ar(static_cast<std::uint64_t>(l.idle_timeout->count()));
}

std::chrono::seconds load_duration(compact_input_archive& ar) {
  std::uint64_t d;
  ar(d);
  if (d > static_cast<std::uint64_t>(max_policy_duration.count()))
    throw cereal::Exception("cookieseal: a session lifetime over 100 years");
  return std::chrono::seconds{static_cast<std::int64_t>(d)};
}

session_lifetime load_lifetime(compact_input_archive& ar) {
  const std::uint8_t flags = ar.read_byte();
  // Canonical: no unknown bit, and never an empty lifetime (that seals as kind 0 or 1).
  if (flags == 0 || (flags & ~(has_max_age | has_idle_timeout | is_browser_session)) != 0)
    throw cereal::Exception("cookieseal: bad session lifetime flags");
  session_lifetime l;
  if (flags & has_max_age) l.max_age = load_duration(ar);
  if (flags & has_idle_timeout) l.idle_timeout = load_duration(ar);
  l.browser_session = (flags & is_browser_session) != 0;
  return l;
}

// The kind byte of a record of @p base kind, and the lifetime in front of it.
void save_kind(compact_output_archive& ar, payload_kind base, const session_lifetime& l) {
  if (l.follows_codec()) {
    ar.write_byte(static_cast<std::uint8_t>(base));
    return;
  }
  ar.write_byte(static_cast<std::uint8_t>(base) + 2);
  save_lifetime(ar, l);
}

session load_inline_record(compact_input_archive& ar, const session_lifetime& lifetime) {
  session_id id;
  ar.read_bytes(id.data(), id.size());
  const time_point created = load_time(ar);
  std::string subject = load_string(ar);
  value::map values = load_map(ar);
  value::map constants = load_map(ar);
  session::flash_map flashes;
  const std::size_t n = ar.read_size();
  for (std::size_t i = 0; i < n; ++i) {
    std::string k = load_string(ar);
    const std::size_t count = ar.read_size();
    value::list l;
    l.reserve(count);
    for (std::size_t j = 0; j < count; ++j) l.push_back(load_value(ar));
    append_ascending(flashes, std::move(k), std::move(l));
  }
  return session(id, created, std::move(subject), std::move(values), std::move(constants),
                 std::move(flashes), lifetime);
}

}  // namespace

std::string_view load_string_view(compact_input_archive& ar) {
  const auto bytes = ar.take(ar.read_size());  // the size is bounded by the bytes left
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

time_point load_time(compact_input_archive& ar) {
  std::uint64_t t;
  ar(t);
  // Bounded like the envelope's times: created_at + max_age must not overflow.
  if (t >= max_input_seconds) throw cereal::Exception("cookieseal: time out of range");
  return from_unix_seconds(t);
}

std::uint8_t load_kind(compact_input_archive& ar, session_lifetime& lifetime) {
  const std::uint8_t kind = ar.read_byte();
  if (kind > static_cast<std::uint8_t>(payload_kind::overflow_reference_with_lifetime))
    throw cereal::Exception("cookieseal: unknown payload kind");
  lifetime = kind >= 2 ? load_lifetime(ar) : session_lifetime{};
  return kind;
}

overflow_reference load_reference_record(compact_input_archive& ar,
                                         const session_lifetime& lifetime) {
  overflow_reference r;
  r.lifetime = lifetime;
  ar.read_bytes(r.entry_id.data(), r.entry_id.size());
  ar.read_bytes(r.entry_key.data(), r.entry_key.size());
  r.created_at = load_time(ar);
  r.subject = load_string(ar);
  return r;
}

void encode_inline_head(const session_lifetime& lifetime, const session_id& id,
                        time_point created_at, std::string_view subject, wiped_bytes& out) {
  compact_output_archive ar(out);
  save_kind(ar, payload_kind::inline_session, lifetime);
  ar.write_bytes(id.data(), id.size());
  save_time(ar, created_at);
  save_string_view(ar, subject);
}

void encode_value(compact_output_archive& ar, const value& v) { save_value(ar, v, 0); }

result<void> encode_inline(const session& s, wiped_bytes& out) {
  try {
    encode_inline_head(s.lifetime(), s.id(), s.created_at(), s.subject(), out);
    compact_output_archive ar(out);
    save_map(ar, s.values(), 0);
    save_map(ar, s.constants(), 0);
    ar.write_varint(s.flashes().size());
    for (const auto& [k, l] : s.flashes()) {
      save_string(ar, k);
      ar.write_varint(l.size());
      for (const auto& v : l) save_value(ar, v, 0);
    }
    return {};
  } catch (const too_deep&) {
    return errc::invalid_payload;
  }
}

void encode_reference(const overflow_reference& r, wiped_bytes& out) {
  compact_output_archive ar(out);
  save_kind(ar, payload_kind::overflow_reference, r.lifetime);
  ar.write_bytes(r.entry_id.data(), r.entry_id.size());
  ar.write_bytes(r.entry_key.data(), r.entry_key.size());
  save_time(ar, r.created_at);
  save_string(ar, r.subject);
}

result<std::variant<session, overflow_reference>> decode_payload(std::span<const std::byte> in) {
  return decode_payload_as<session>(in, load_inline_record);
}

result<session> decode_inline(std::span<const std::byte> in) {
  return decode_inline_as<session>(in, load_inline_record);
}

}  // namespace cookieseal::detail
