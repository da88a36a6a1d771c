#include "detail/payload_json.hpp"

#include "detail/json_value.hpp"
#include "detail/json_writer.hpp"

#include <cookieseal/detail/wipe.hpp>

#include <cstddef>
#include <vector>

namespace cookieseal::detail {

void wipe_text(std::string& s) noexcept {
  // A short string's inline buffer keeps its bytes when moved from: all of it.
  const std::size_t inline_capacity = std::string().capacity();
  wipe(s.data(), s.capacity() <= inline_capacity ? s.capacity() : s.size());
}

json_record::~json_record() {
  wipe_text(maps);
  wipe_text(subject_);
}

namespace {

using namespace payload_tags;  // NOLINT: the wire's tag names

// Writes the JSON of the values read, in the order read. A map's members are
// kept on a stack (key, where the value's text is) so that a map with keys
// that are not valid UTF-8 can be rewritten in the writer's order.
class transcoder {
 public:
  transcoder(compact_input_archive& ar, std::string& out) : ar_(ar), out_(out) {}
  ~transcoder() { wipe_text(scratch_); }
  transcoder(const transcoder&) = delete;
  transcoder& operator=(const transcoder&) = delete;

  void value() {
    switch (ar_.read_byte()) {
      case tag_null: out_ += "null"; return;
      case tag_false: out_ += "false"; return;
      case tag_true: out_ += "true"; return;
      case tag_int: {
        std::int64_t i;
        ar_(i);
        append_json_integer(out_, i);
        return;
      }
      case tag_double: {
        double d;
        ar_(d);
        append_json_double(out_, d);
        return;
      }
      case tag_string: append_json_string(out_, load_string_view(ar_)); return;
      case tag_bytes: append_json_bytes(out_, ar_.take(ar_.read_size())); return;
      case tag_list: {
        ar_.enter(max_value_depth);
        list();
        ar_.leave();
        return;
      }
      case tag_map:
        ar_.enter(max_value_depth);
        map(true, [this] { value(); });
        ar_.leave();
        return;
      case tag_object: {
        const std::string_view name = load_string_view(ar_);
        append_json_object(out_, name, ar_.take(ar_.read_size()));
        return;
      }
      default: throw cereal::Exception("cookieseal: unknown value tag");
    }
  }

  void list() {
    const std::size_t n = ar_.read_size();
    out_.push_back('[');
    for (std::size_t i = 0; i < n; ++i) {
      if (i != 0) out_.push_back(',');
      value();
    }
    out_.push_back(']');
  }

  // A map whose keys must arrive in strictly ascending byte order, each
  // value written by @p write_value; @p tag_escape as append_json_string's.
  template <class WriteValue>
  void map(bool tag_escape, WriteValue&& write_value) {
    const std::size_t n = ar_.read_size();
    out_.push_back('{');
    const std::size_t base = members_.size();
    const std::size_t start = out_.size();
    bool all_valid = true;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string_view k = load_string_view(ar_);
      if (i != 0 && !(members_.back().key < k))
        throw cereal::Exception("cookieseal: map keys not in ascending order");
      all_valid = all_valid && valid_utf8(k);
      if (i != 0) out_.push_back(',');
      append_json_string(out_, k, tag_escape);
      out_.push_back(':');
      const std::size_t begin = out_.size();
      write_value();
      members_.push_back({k, begin, out_.size()});
    }
    if (!all_valid) rewrite(start, base, tag_escape);
    members_.resize(base);
    out_.push_back('}');
  }

 private:
  struct member {
    std::string_view key;
    std::size_t begin, end;  // the value's text in out_
  };

  // The members from members_[base] on, written from out_[start] on, again in
  // the order (and with the keys) of replaced_key_order.
  void rewrite(std::size_t start, std::size_t base, bool tag_escape) {
    std::vector<std::string_view> keys;
    keys.reserve(members_.size() - base);
    for (std::size_t i = base; i < members_.size(); ++i) keys.push_back(members_[i].key);
    const auto order = replaced_key_order(keys);
    wipe_text(scratch_);
    scratch_.assign(out_, start);
    wipe(out_.data() + start, out_.size() - start);
    out_.resize(start);
    bool first = true;
    for (const auto& [k, i] : order) {
      if (!first) out_.push_back(',');
      first = false;
      append_json_string(out_, k, tag_escape);
      out_.push_back(':');
      const member& m = members_[base + i];
      out_.append(scratch_, m.begin - start, m.end - m.begin);
    }
  }

  compact_input_archive& ar_;
  std::string& out_;
  std::vector<member> members_;
  std::string scratch_;  // plaintext
};

}  // namespace

json_record load_inline_json(compact_input_archive& ar, const session_lifetime& lifetime) {
  json_record r;
  r.lifetime_ = lifetime;
  ar.read_bytes(r.id_.data(), r.id_.size());
  r.created_at_ = load_time(ar);
  r.subject_ = load_string_view(ar);
  // JSON takes a few times the record's bytes; room for that, so the text
  // rarely moves (a move leaves an unwiped copy behind).
  r.maps.reserve(512 + 3 * ar.remaining());
  transcoder t(ar, r.maps);
  r.maps += "{\"values\":";
  t.map(false, [&] { t.value(); });
  r.maps += ",\"constants\":";
  t.map(false, [&] { t.value(); });
  r.maps += ",\"flashes\":";
  t.map(false, [&] { t.list(); });
  return r;
}

namespace {

// Encodes JSON values as session_from_json's path reads them into a session
// and encode_inline writes it: each check and refusal of json.cpp's readers,
// in their order (a text refused on both paths is refused with one message).
class encoder {
 public:
  explicit encoder(wiped_bytes& out) : ar_(out) {}

  void value(const json_ref& j, std::size_t depth) {
    using kind = json_ref::kind;
    switch (j.type()) {
      case kind::null: ar_.write_byte(tag_null); return;
      case kind::boolean: ar_.write_byte(j.get_bool() ? tag_true : tag_false); return;
      case kind::integer:
      case kind::unsigned_integer:
        ar_.write_byte(tag_int);
        ar_(j.get_int());
        return;
      case kind::real:
        ar_.write_byte(tag_double);
        ar_(j.get_double());
        return;
      case kind::string:
        ar_.write_byte(tag_string);
        save_string_view(ar_, j.get_string());
        return;
      case kind::array:
        check_nesting(depth);
        ar_.write_byte(tag_list);
        ar_.write_varint(j.array_size());
        j.for_each_element([&](const json_ref& e) { value(e, depth + 1); });
        return;
      case kind::object: {
        const auto members = j.items();
        for (const auto& [k, e] : members)
          if (is_tag_key(k)) {
            // bytes or a user object ($bytes, $object): rare, read as the bridge reads them
            encode_value(ar_, value_from(j, depth));
            return;
          }
        check_nesting(depth);
        ar_.write_byte(tag_map);
        ar_.write_varint(members.size());
        for (const auto& [k, e] : members) {  // ascending, "$$" keys too once stripped
          save_string_view(ar_, nested_key(k));
          value(e, depth + 1);
        }
        return;
      }
    }
    throw json_error("unsupported JSON value");
  }

  // values or constants: the keys as they are.
  void map(const json_ref& j, std::string_view what) {
    check_values_object(j, what);
    const auto members = j.items();
    ar_.write_varint(members.size());
    for (const auto& [k, e] : members) {
      save_string_view(ar_, k);
      value(e, 0);
    }
  }

  // A flash with no messages is no flash (session::flash was never called).
  void flashes(const json_ref& j) {
    check_flashes_object(j);
    const auto members = j.items();
    std::size_t n = 0;
    for (const auto& [k, list] : members)
      if (list.array_size() != 0) ++n;
    ar_.write_varint(n);
    for (const auto& [k, list] : members) {
      check_flash_list(k, list);
      if (list.array_size() == 0) continue;
      save_string_view(ar_, k);
      ar_.write_varint(list.array_size());
      list.for_each_element([&](const json_ref& e) { value(e, 1); });
    }
  }

  void empty_map() { ar_.write_varint(0); }

 private:
  compact_output_archive ar_;
};

}  // namespace

json_session session_maps_from_json(std::string_view text) {
  const auto j = parse_json(text);
  check_full_session(j);
  json_session out;
  // Constants are encoded first (their errors come first, as on
  // session_from_json's path) but stand after the values: their own buffer
  // when there are any.
  wiped_bytes constants;
  const bool has_constants = j.contains("constants");
  if (has_constants) encoder(constants).map(j["constants"], "\"constants\"");
  if (j.contains("subject")) out.subject = subject_from(j["subject"]);
  out.maps.reserve(text.size() + 16);
  encoder m(out.maps);
  if (j.contains("values"))
    m.map(j["values"], "\"values\"");
  else
    m.empty_map();
  if (has_constants)
    out.maps.insert(out.maps.end(), constants.begin(), constants.end());
  else
    m.empty_map();
  if (j.contains("flashes"))
    m.flashes(j["flashes"]);
  else
    m.empty_map();
  if (j.contains("lifetime")) out.lifetime = lifetime_from(j["lifetime"]);
  return out;
}

}  // namespace cookieseal::detail
