#include <cookieseal/session.hpp>

#include "detail/digits.hpp"
#include "detail/misuse.hpp"
#include "detail/random.hpp"

#include <algorithm>

namespace cookieseal {

namespace {
session_id random_session_id() {
  session_id id;
  detail::random_fill(id);
  return id;
}

void check_lifetime(const session_lifetime& l) {
  for (const auto& d : {l.max_age, l.idle_timeout})
    if (d && (d->count() < 0 || *d > max_policy_duration))
      detail::throw_misuse("a session's max_age and idle_timeout must be 0..100 years");
}
}  // namespace

std::size_t value::depth() const noexcept {
  std::size_t child = 0;
  if (const auto* l = get_if<list>()) {
    for (const auto& v : *l) child = std::max(child, v.depth());
    return child + 1;
  }
  if (const auto* m = get_if<map>()) {
    for (const auto& [k, v] : *m) child = std::max(child, v.depth());
    return child + 1;
  }
  return 0;
}

session::session(time_point created_at)
    : id_(random_session_id()), created_at_(created_at), fresh_(true) {}

session::session(value::map constants, std::string subject, time_point created_at)
    : id_(random_session_id()),
      created_at_(created_at),
      subject_(std::move(subject)),
      constants_(std::move(constants)),
      fresh_(true) {}

session::session(session_id id, time_point created_at, std::string subject, value::map values,
                 value::map constants, flash_map flashes, session_lifetime lifetime)
    : id_(id),
      created_at_(created_at),
      subject_(std::move(subject)),
      values_(std::move(values)),
      constants_(std::move(constants)),
      flashes_(std::move(flashes)),
      lifetime_(lifetime) {
  check_lifetime(lifetime_);
}

void session::set_lifetime(session_lifetime l) {
  check_lifetime(l);
  lifetime_ = l;
  dirty_ = true;
}

void session::set(std::string_view key, value v) {
  auto it = values_.find(key);
  if (it == values_.end()) {
    values_.emplace(std::string(key), std::move(v));
  } else {
    it->second = std::move(v);
  }
  dirty_ = true;
}

const value* session::find(std::string_view key) const noexcept {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

bool session::contains(std::string_view key) const noexcept { return find(key) != nullptr; }

bool session::erase(std::string_view key) {
  auto it = values_.find(key);
  if (it == values_.end()) return false;
  values_.erase(it);
  dirty_ = true;
  return true;
}

void session::clear() {
  if (values_.empty()) return;
  values_.clear();
  dirty_ = true;
}

void session::flash(std::string_view key, value v) {
  auto it = flashes_.find(key);
  if (it == flashes_.end()) it = flashes_.emplace(std::string(key), value::list{}).first;
  it->second.push_back(std::move(v));
  dirty_ = true;
}

value::list session::take_flashes(std::string_view key) {
  auto it = flashes_.find(key);
  if (it == flashes_.end()) return {};
  value::list out = std::move(it->second);
  flashes_.erase(it);
  dirty_ = true;
  return out;
}

const value* session::constant(std::string_view key) const noexcept {
  auto it = constants_.find(key);
  return it == constants_.end() ? nullptr : &it->second;
}

bool session::login(std::string subject, time_point now) {
  if (!subject_.empty() && subject_ != subject) return false;
  subject_ = std::move(subject);
  created_at_ = now;
  fresh_ = true;
  regenerate_id();
  return true;
}

void session::regenerate_id() {
  id_ = random_session_id();
  dirty_ = true;
}

bool session::same_data(const session& o) const {
  return id_ == o.id_ && created_at_ == o.created_at_ && subject_ == o.subject_ &&
         values_ == o.values_ && constants_ == o.constants_ && flashes_ == o.flashes_ &&
         lifetime_ == o.lifetime_;
}

void detail::write_hex(char (&s)[32], const session_id& id) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < id.size(); ++i) {
    const auto u = std::to_integer<unsigned>(id[i]);
    s[2 * i] = digits[u >> 4];
    s[2 * i + 1] = digits[u & 0xF];
  }
}

std::string to_hex(const session_id& id) {
  char out[32];  // one string made at once: open writes an id each time
  detail::write_hex(out, id);
  return std::string(out, sizeof out);
}

}  // namespace cookieseal
