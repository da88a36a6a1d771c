#include <cookieseal/keyring.hpp>

#include "detail/keyring_access.hpp"
#include "detail/misuse.hpp"
#include "detail/random.hpp"
#include "detail/secure_buffer.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_set>

namespace cookieseal {

static_assert(key_bytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

// A key on its way into a new keyring: its bytes stay where they are (another
// keyring's secure buffer or the caller's span) until build() copies them.
struct keyring::pending_key {
  key_info info;
  const unsigned char* bytes;
};

keyring::keyring() noexcept = default;
keyring::~keyring() = default;
keyring::keyring(const keyring&) noexcept = default;
keyring& keyring::operator=(const keyring&) noexcept = default;
keyring::keyring(keyring&&) noexcept = default;
keyring& keyring::operator=(keyring&&) noexcept = default;

std::vector<keyring::pending_key> keyring::to_pending() const {
  std::vector<pending_key> out;
  out.reserve(infos_.size() + 1);
  for (std::size_t i = 0; i < infos_.size(); ++i)
    out.push_back({infos_[i], secrets_->data() + i * key_bytes});
  return out;
}

keyring keyring::build(std::vector<pending_key> keys, std::optional<time_point> end_before,
                       std::vector<key_tombstone> tombstones) {
  if (keys.size() > std::numeric_limits<std::uint32_t>::max())
    detail::throw_misuse("too many keys");
  // Stable: among keys activating in the same second the one added last seals,
  // and the file keeps that order across reloads.
  std::stable_sort(keys.begin(), keys.end(), [](const pending_key& a, const pending_key& b) {
    return a.info.activates < b.info.activates;
  });
  keyring k;
  k.end_sessions_before_ = end_before;
  k.index_.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (!k.index_.emplace(keys[i].info.id, static_cast<std::uint32_t>(i)).second)
      throw detail::duplicate_key_id(keys[i].info.id);
  std::unordered_set<std::uint32_t> removed;
  for (const auto& t : tombstones)
    if (k.index_.contains(t.id) || !removed.insert(t.id).second)
      throw detail::duplicate_key_id(t.id);
  k.tombstones_ = std::move(tombstones);
  if (keys.empty()) return k;
  auto secrets = std::make_shared<detail::secure_buffer>(keys.size() * key_bytes);
  k.infos_.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::memcpy(secrets->data() + i * key_bytes, keys[i].bytes, key_bytes);
    k.infos_.push_back(keys[i].info);
  }
  k.secrets_ = std::move(secrets);
  return k;
}

keyring keyring::rebuilt(std::vector<pending_key> keys) const {
  return build(std::move(keys), end_sessions_before_, tombstones_);
}

keyring keyring::from_keys(std::span<const entry> keys,
                           std::optional<time_point> end_sessions_before,
                           std::span<const key_tombstone> tombstones) {
  std::vector<pending_key> pending;
  pending.reserve(keys.size());
  for (const auto& e : keys) {
    if (e.bytes.size() != key_bytes) detail::throw_misuse("a key must be exactly 32 bytes");
    pending.push_back({e.info, reinterpret_cast<const unsigned char*>(e.bytes.data())});
  }
  return build(std::move(pending), end_sessions_before, {tombstones.begin(), tombstones.end()});
}

keyring keyring::generate(time_point now) { return keyring{}.with_new_key(now, now); }

keyring keyring::with_key(const key_info& info, std::span<const std::byte> bytes) const {
  if (bytes.size() != key_bytes) detail::throw_misuse("a key must be exactly 32 bytes");
  auto keys = to_pending();
  keys.push_back({info, reinterpret_cast<const unsigned char*>(bytes.data())});
  return rebuilt(std::move(keys));
}

keyring keyring::with_new_key(time_point created, time_point activates,
                              std::optional<time_point> expires) const {
  std::array<std::byte, key_bytes> bytes;
  detail::random_fill(bytes);
  key_info info{0, created, activates, expires};
  do {
    std::array<std::byte, 4> id;
    detail::random_fill(id);
    std::memcpy(&info.id, id.data(), sizeof info.id);
  } while (find(info.id) != nullptr || find_tombstone(info.id) != nullptr);
  try {
    keyring k = with_key(info, bytes);
    sodium_memzero(bytes.data(), bytes.size());
    return k;
  } catch (...) {
    sodium_memzero(bytes.data(), bytes.size());
    throw;
  }
}

keyring keyring::without_key(std::uint32_t id, time_point now) const {
  const key_info* gone = find(id);
  if (gone == nullptr) detail::throw_misuse("no key " + key_id_hex(id));
  auto keys = to_pending();
  std::erase_if(keys, [id](const pending_key& p) { return p.info.id == id; });
  auto tombstones = tombstones_;
  tombstones.push_back({id, gone->created, gone->activates, now});
  keyring next = build(std::move(keys), end_sessions_before_, std::move(tombstones));
  if (sealing_key(now) != nullptr && next.sealing_key(now) == nullptr)
    detail::throw_misuse("removing key " + key_id_hex(id) +
                         " would leave no key that can seal; rotate with activate_in 0 first");
  return next;
}

keyring keyring::with_expiry(std::uint32_t id, std::optional<time_point> expires) const {
  if (find(id) == nullptr) detail::throw_misuse("no key " + key_id_hex(id));
  auto keys = to_pending();
  for (auto& p : keys)
    if (p.info.id == id) p.info.expires = expires;
  return rebuilt(std::move(keys));
}

keyring keyring::rotated(time_point now, std::chrono::seconds activate_in,
                         std::chrono::seconds expire_old_in) const {
  const time_point activates = now + activate_in;
  const keyring next = with_new_key(now, activates);
  auto keys = next.to_pending();
  for (auto& p : keys) {
    const bool is_new = find(p.info.id) == nullptr;
    if (!is_new && !p.info.expires) p.info.expires = activates + expire_old_in;
  }
  return rebuilt(std::move(keys));
}

keyring::rotation keyring::rotate(time_point now, std::chrono::seconds activate_in,
                                  std::chrono::seconds expire_old_in) const {
  rotation r{rotated(now, activate_in, expire_old_in), 0};
  for (const auto& info : r.keys.keys())
    if (find(info.id) == nullptr) r.new_key_id = info.id;
  return r;
}

keyring keyring::pruned(time_point now) const {
  auto keys = to_pending();
  std::erase_if(keys, [now](const pending_key& p) { return p.info.expired_at(now); });
  return rebuilt(std::move(keys));
}

keyring keyring::with_end_sessions_before(std::optional<time_point> t) const {
  keyring k = *this;
  k.end_sessions_before_ = t;
  return k;
}

const key_info* keyring::find(std::uint32_t id) const noexcept {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &infos_[it->second];
}

const key_tombstone* keyring::find_tombstone(std::uint32_t id) const noexcept {
  const auto it = std::find_if(tombstones_.begin(), tombstones_.end(),
                               [id](const key_tombstone& t) { return t.id == id; });
  return it == tombstones_.end() ? nullptr : &*it;
}

const key_info* keyring::sealing_key(time_point now) const noexcept {
  // infos_ is sorted by activation: the sealing key is the last activated one
  // that has not expired.
  auto it = std::upper_bound(infos_.begin(), infos_.end(), now,
                             [](time_point t, const key_info& k) { return t < k.activates; });
  while (it != infos_.begin()) {
    --it;
    if (!it->expired_at(now)) return &*it;
  }
  return nullptr;
}

key_state keyring::state(const key_info& k, time_point now) const noexcept {
  if (k.expired_at(now)) return key_state::expired;
  if (k.activates > now) return key_state::pending;
  const key_info* sealing = sealing_key(now);
  return sealing != nullptr && sealing->id == k.id ? key_state::active : key_state::replaced;
}

namespace detail {
duplicate_key_id::duplicate_key_id(std::uint32_t key_id)
    : std::invalid_argument("cookieseal: duplicate key id " + key_id_hex(key_id)), id(key_id) {}
}  // namespace detail

std::string key_id_hex(std::uint32_t id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, id >>= 4) out[static_cast<std::size_t>(i)] = digits[id & 0xF];
  return out;
}

std::string_view to_string(key_state s) noexcept {
  switch (s) {
    case key_state::pending: return "pending";
    case key_state::active: return "active";
    case key_state::replaced: return "replaced";
    case key_state::expired: return "expired";
    case key_state::revoked: return "revoked";
  }
  return "unknown";
}

}  // namespace cookieseal
