/// @file keyring.hpp
/// The keys that seal and open cookies, with their lifecycle. In memory; the
/// keyring file and its CLI come on top of this.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/export.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cookieseal {

/// Size of a key in bytes (XChaCha20-Poly1305).
inline constexpr std::size_t key_bytes = 32;

/// A rotated-in key starts sealing this long after the rotation.
inline constexpr std::chrono::seconds default_activate_in = std::chrono::hours{1};
/// A replaced key keeps opening this long after its successor activates.
inline constexpr std::chrono::seconds default_expire_old_in = std::chrono::hours{24 * 30};

/// A key's lifecycle metadata. Never holds the key bytes.
struct key_info {
  std::uint32_t id = 0;               ///< random, unique in the keyring; in every cookie's header
  time_point created{};               ///< when the key was made
  time_point activates{};             ///< from when it may seal
  std::optional<time_point> expires;  ///< from when it no longer opens; nullopt = never
  /// Whether the key has expired at @p now (it no longer opens).
  [[nodiscard]] constexpr bool expired_at(time_point now) const noexcept {
    return expires && *expires <= now;
  }
  bool operator==(const key_info&) const = default;
};

/**
 * What is left of a key removed from a keyring (keyring::without_key, the
 * CLI's `keyring revoke`): its id and dates, never its bytes. Its id is never
 * given to another key, and `keyring list` shows it as revoked.
 */
struct key_tombstone {
  std::uint32_t id = 0;    ///< the removed key's id
  time_point created{};    ///< when the key was made
  time_point activates{};  ///< from when it could seal
  time_point removed{};    ///< when it was removed
  bool operator==(const key_tombstone&) const = default;
};

/// Where a key is in its life at a given time.
enum class key_state : std::uint8_t {
  pending,   ///< not yet activated: opens, does not seal
  active,    ///< the sealing key: latest activation that has passed
  replaced,  ///< activated, superseded by a later key: still opens until it expires
  expired,   ///< past its expiry: neither opens nor seals
  revoked,   ///< removed (a key_tombstone): neither opens nor seals, its id never reused
};

namespace detail {
class secure_buffer;
struct keyring_access;
}  // namespace detail

/**
 * An immutable set of keys. Every "change" returns a new keyring and leaves
 * this one as it was, so a process can swap a whole keyring atomically while
 * requests in flight keep the one they started with. Copies are cheap and
 * share the key bytes.
 *
 * The key with the latest activation that has passed (and has not expired)
 * seals; every unexpired key opens. Lookup by id is O(1).
 *
 * WARNING: key bytes live in sodium_malloc'd memory (guard pages, locked
 * where the OS allows, wiped when the last keyring sharing them goes). They
 * are never printed, logged, or put in an error; keep it that way in your code.
 */
class COOKIESEAL_API keyring {
 public:
  /// An empty keyring: it can neither seal nor open.
  keyring() noexcept;
  ~keyring();
  keyring(const keyring&) noexcept;
  keyring& operator=(const keyring&) noexcept;
  keyring(keyring&&) noexcept;
  keyring& operator=(keyring&&) noexcept;

  /// One key for from_keys(): its metadata and its key_bytes bytes.
  struct entry {
    key_info info;
    std::span<const std::byte> bytes;
  };

  /**
   * A keyring of @p keys at once (one allocation, unlike repeated with_key),
   * remembering the removed keys @p tombstones.
   * @throws std::invalid_argument on a key of the wrong size or an id used
   *         twice (by keys or tombstones).
   */
  [[nodiscard]] static keyring from_keys(
      std::span<const entry> keys, std::optional<time_point> end_sessions_before = std::nullopt,
      std::span<const key_tombstone> tombstones = {});

  /// A keyring with one random key, active from @p now, never expiring.
  [[nodiscard]] static keyring generate(time_point now = system_now());

  /**
   * This keyring plus a key with the given bytes.
   * @throws std::invalid_argument if @p bytes is not key_bytes long or the id
   *         is taken (by a key or a tombstone).
   */
  [[nodiscard]] keyring with_key(const key_info& info, std::span<const std::byte> bytes) const;

  /// This keyring plus a fresh random key with a random id unique in it (tombstones included).
  [[nodiscard]] keyring with_new_key(time_point created, time_point activates,
                                     std::optional<time_point> expires = std::nullopt) const;

  /**
   * This keyring without key @p id (e.g. a leaked key: its cookies stop opening
   * at once), leaving a tombstone removed at @p now so the id is never reused.
   * @throws std::invalid_argument when @p id is not a key of this keyring, or is
   * the only key that can seal at @p now (nothing could seal after it: rotate
   * with activate_in 0 first).
   */
  [[nodiscard]] keyring without_key(std::uint32_t id, time_point now = system_now()) const;

  /// This keyring with key @p id's expiry changed. @throws std::invalid_argument if absent.
  [[nodiscard]] keyring with_expiry(std::uint32_t id, std::optional<time_point> expires) const;

  /**
   * Rotation: this keyring plus a new random key that starts sealing at
   * @p now + @p activate_in (so every server has loaded it first), and every
   * other key without an expiry set to expire @p expire_old_in after that
   * activation (its cookies keep opening until then).
   */
  [[nodiscard]] keyring rotated(time_point now,
                                std::chrono::seconds activate_in = default_activate_in,
                                std::chrono::seconds expire_old_in = default_expire_old_in) const;

  /// What rotate() made: the new keyring and the id of the key it added.
  struct rotation;
  /// rotated(), also telling the new key's id (for logs and the CLI).
  [[nodiscard]] rotation rotate(time_point now,
                                std::chrono::seconds activate_in = default_activate_in,
                                std::chrono::seconds expire_old_in = default_expire_old_in) const;

  /// This keyring without the keys that have expired at @p now.
  [[nodiscard]] keyring pruned(time_point now) const;

  /// This keyring refusing (errc::revoked) sessions created before @p t; nullopt = none.
  [[nodiscard]] keyring with_end_sessions_before(std::optional<time_point> t) const;

  /// The key with @p id, or nullptr (also for a removed key). O(1).
  [[nodiscard]] const key_info* find(std::uint32_t id) const noexcept;

  /// The tombstone of removed key @p id, or nullptr.
  [[nodiscard]] const key_tombstone* find_tombstone(std::uint32_t id) const noexcept;

  /// The keys removed from this keyring, in the order they were removed.
  [[nodiscard]] std::span<const key_tombstone> tombstones() const noexcept { return tombstones_; }

  /// The key that seals at @p now, or nullptr when none has activated (or all expired).
  [[nodiscard]] const key_info* sealing_key(time_point now) const noexcept;

  /// The state of @p k at @p now within this keyring.
  [[nodiscard]] key_state state(const key_info& k, time_point now) const noexcept;

  /// All keys, in ascending order of activation (ties: in the order they were added).
  [[nodiscard]] std::span<const key_info> keys() const noexcept { return infos_; }
  [[nodiscard]] std::size_t size() const noexcept { return infos_.size(); }
  [[nodiscard]] bool empty() const noexcept { return infos_.empty(); }

  /// Sessions created before this time are refused as revoked; nullopt = none.
  [[nodiscard]] std::optional<time_point> end_sessions_before() const noexcept {
    return end_sessions_before_;
  }

 private:
  friend struct detail::keyring_access;
  struct pending_key;
  // The one place a keyring is validated (ids unique over keys and tombstones).
  static keyring build(std::vector<pending_key> keys, std::optional<time_point> end_before,
                       std::vector<key_tombstone> tombstones);
  keyring rebuilt(std::vector<pending_key> keys) const;
  std::vector<pending_key> to_pending() const;

  std::vector<key_info> infos_;                             // stable-sorted by activates
  std::shared_ptr<const detail::secure_buffer> secrets_;    // key i at bytes [32 i, 32 i + 32)
  std::unordered_map<std::uint32_t, std::uint32_t> index_;  // id -> position in infos_
  std::optional<time_point> end_sessions_before_;
  std::vector<key_tombstone> tombstones_;  // removed keys: ids never reused
};

/// A state's name: "pending", "active", "replaced", "expired", "revoked".
[[nodiscard]] COOKIESEAL_API std::string_view to_string(key_state s) noexcept;

struct keyring::rotation {
  keyring keys;                ///< the keyring after the rotation
  std::uint32_t new_key_id{};  ///< the key it added
};

/// A key id as the CLI, the JSON and logs show it: 8 lowercase hex digits ("f3909fbd").
[[nodiscard]] COOKIESEAL_API std::string key_id_hex(std::uint32_t id);

}  // namespace cookieseal
