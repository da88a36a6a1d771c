#include <cookieseal/codec.hpp>

#include "detail/codec_seam.hpp"
#include "detail/envelope.hpp"
#include "detail/keyring_access.hpp"
#include "detail/overflow.hpp"
#include "detail/session_access.hpp"
#include "detail/payload.hpp"
#include "detail/random.hpp"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace cookieseal {

namespace {

constexpr std::size_t max_binding_bytes = 255;  // one length byte each in the AD

void check_binding(std::string_view name, std::string_view purpose) {
  if (name.empty() || name.size() > max_binding_bytes)
    throw std::invalid_argument("cookieseal: cookie name must be 1..255 bytes");
  if (purpose.size() > max_binding_bytes)
    throw std::invalid_argument("cookieseal: purpose must be at most 255 bytes");
}

std::uint64_t to_unix(time_point t) noexcept {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, t.time_since_epoch().count()));
}

time_point from_unix(std::uint64_t s) noexcept {
  return time_point{std::chrono::seconds{static_cast<std::int64_t>(s)}};
}

// Whether @p deadline (+ leeway) has passed at @p now.
bool passed(time_point deadline, std::chrono::seconds leeway, time_point now) noexcept {
  return now > deadline + leeway;
}

// A stack buffer whose first `used` bytes are wiped when it goes out of scope.
template <std::size_t N>
struct wiped_array {
  unsigned char data[N];
  std::size_t used = 0;
  ~wiped_array() { sodium_memzero(data, used); }
};

constexpr std::size_t max_envelope_bytes = 3074;  // max_decoded_bytes(4096)

// No real cookie carries times past 2^62: refusing them keeps the arithmetic safe.
bool times_in_range(const detail::envelope_header& h) noexcept {
  constexpr std::uint64_t limit = std::uint64_t{1} << 62;
  return h.issued_at < limit && (h.expires_at == detail::never_expires || h.expires_at < limit);
}

}  // namespace

codec::codec(keyring keys, codec_options options)
    : codec(std::make_shared<const keyring>(std::move(keys)), std::move(options)) {}

codec::codec(std::shared_ptr<const keyring> keys, codec_options options)
    : options_(std::move(options)), keys_(std::move(keys)) {
  if (options_.max_cookie_bytes > browser_cookie_limit)
    throw std::invalid_argument("cookieseal: max_cookie_bytes cannot exceed 4096");
  if (options_.max_age.count() < 0 || options_.idle_timeout.count() < 0 ||
      options_.leeway.count() < 0)
    throw std::invalid_argument("cookieseal: durations cannot be negative");
  if (!keys_) throw std::invalid_argument("cookieseal: null keyring");
  detail::ensure_sodium();
}

time_point codec::now() const { return options_.clock ? options_.clock() : system_now(); }

session codec::new_session() const { return session(now()); }

void codec::set_keyring(std::shared_ptr<const keyring> keys) noexcept {
  if (!keys) return;
  std::lock_guard lock(keys_mutex_);
  keys_.swap(keys);
  // The old keyring (now in `keys`) is released after the lock, by the destructor.
}

std::shared_ptr<const keyring> codec::current_keyring() const noexcept {
  std::lock_guard lock(keys_mutex_);
  return keys_;
}

result<sealed> codec::seal(std::string_view name, const session& s,
                           std::string_view purpose) const {
  return detail::seal_with_nonce(*this, name, s, purpose, detail::random_nonce());
}

result<sealed> detail::seal_with_nonce(const codec& c, std::string_view name, const session& s,
                                       std::string_view purpose, const nonce& iv) {
  check_binding(name, purpose);
  const codec_options& opts = c.options();
  const time_point t = c.now();
  const auto keys = c.current_keyring();
  const key_info* key = keys->sealing_key(t);
  if (key == nullptr) return errc::unknown_key;
  if (auto esb = keys->end_sessions_before(); esb && s.created_at() < *esb) return errc::revoked;

  std::optional<time_point> expires;
  if (opts.max_age.count() > 0) expires = s.created_at() + opts.max_age;
  if (opts.idle_timeout.count() > 0) {
    const time_point idle_end = t + opts.idle_timeout;
    expires = expires ? std::min(*expires, idle_end) : idle_end;
  }
  if (expires && *expires <= t) return errc::expired;

  wiped_bytes plaintext;
  plaintext.reserve(1024);
  if (auto r = detail::encode_inline(s, plaintext); !r) return r.error();
  bool overflowed = false;
  if (name.size() + detail::sealed_size(plaintext.size()) > opts.max_cookie_bytes) {
    if (!opts.overflow_store) return errc::too_large;
    auto moved = detail::spill(*opts.overflow_store, plaintext, s, expires);
    if (!moved) return moved.error();
    if (name.size() + detail::sealed_size(moved->reference.size()) > opts.max_cookie_bytes) {
      // Even the reference does not fit (a very long subject or name): no cookie
      // will ever point at the entry, so it goes now rather than at its expiry.
      (void)opts.overflow_store->erase(moved->id);
      return errc::too_large;
    }
    plaintext = std::move(moved->reference);
    overflowed = true;
  }
  // The entry this session was opened from is replaced: let parallel requests
  // carrying the old cookie finish, then it goes.
  if (const auto& origin = detail::session_access::overflow_entry(s); origin && opts.overflow_store)
    (void)opts.overflow_store->expire_by(*origin, t + replaced_entry_grace);  // best effort

  detail::envelope_header h;
  h.key_id = key->id;
  h.issued_at = to_unix(t);
  h.expires_at = expires ? to_unix(*expires) : detail::never_expires;
  h.iv = iv;
  sealed out;
  out.cookie = detail::seal_envelope(detail::keyring_access::bytes_of(*keys, key), h, name,
                                     purpose, plaintext);
  out.key_id = key->id;
  out.issued_at = t;
  out.expires_at = expires;
  out.overflow = overflowed;
  return out;
}

result<opened> codec::open(std::string_view name, std::string_view cookie,
                           std::string_view purpose) const {
  check_binding(name, purpose);
  // Refuse oversized input before decoding anything.
  if (cookie.size() > options_.max_cookie_bytes - std::min(name.size(), options_.max_cookie_bytes))
    return errc::malformed;

  unsigned char raw[max_envelope_bytes];
  auto parsed = detail::parse_envelope(cookie, raw);
  if (!parsed) return parsed.error();
  const detail::envelope_header& h = parsed->header;
  if (!times_in_range(h)) return errc::malformed;

  const time_point t = now();
  const std::optional<time_point> header_expiry =
      h.expires_at == detail::never_expires ? std::nullopt
                                            : std::optional(from_unix(h.expires_at));
  if (header_expiry && passed(*header_expiry, options_.leeway, t)) return errc::expired;

  const auto keys = current_keyring();
  const auto key = detail::keyring_access::find(*keys, h.key_id);
  if (key.info == nullptr || (key.info->expires && *key.info->expires <= t))
    return errc::unknown_key;

  wiped_array<max_envelope_bytes> plaintext;
  plaintext.used = parsed->plaintext_bytes();
  if (!detail::open_envelope(key.bytes, *parsed, name, purpose, plaintext.data))
    return errc::authentication_failed;

  auto decoded = detail::decode_payload(
      std::as_bytes(std::span(plaintext.data, parsed->plaintext_bytes())));
  if (!decoded) return decoded.error();
  auto* inline_session = std::get_if<session>(&*decoded);
  bool overflowed = false;
  if (inline_session == nullptr) {
    auto& ref = std::get<detail::overflow_reference>(*decoded);
    if (!options_.overflow_store) {
      sodium_memzero(ref.entry_key.data(), ref.entry_key.size());
      return errc::store_unavailable;
    }
    auto fetched = detail::fetch(*options_.overflow_store, ref, t);
    if (!fetched) return fetched.error();
    decoded->emplace<session>(std::move(*fetched));
    inline_session = std::get_if<session>(&*decoded);
    overflowed = true;
  }

  const time_point issued = from_unix(h.issued_at);
  if (options_.max_age.count() > 0 &&
      passed(inline_session->created_at() + options_.max_age, options_.leeway, t))
    return errc::expired;
  if (options_.idle_timeout.count() > 0 &&
      passed(issued + options_.idle_timeout, options_.leeway, t))
    return errc::expired;
  if (auto esb = keys->end_sessions_before(); esb && inline_session->created_at() < *esb)
    return errc::revoked;
  if (auto r = check_revocation(*inline_session, t); !r) return r.error();

  opened out{std::move(*inline_session), {}};
  out.info.overflow = overflowed;
  out.info.key_id = h.key_id;
  out.info.issued_at = issued;
  out.info.expires_at = header_expiry;
  const key_info* sealing = keys->sealing_key(t);
  out.info.key_replaced = sealing == nullptr || sealing->id != h.key_id;
  if (options_.idle_timeout.count() > 0) {
    const double used = static_cast<double>((t - issued).count()) /
                        static_cast<double>(options_.idle_timeout.count());
    out.info.idle_used = std::clamp(used, 0.0, 1.0);
  }
  return out;
}

result<void> codec::check_revocation(const session& s, time_point now) const {
  if (!options_.revocation_store) return {};
  auto r = options_.revocation_store->is_revoked(s.id(), s.subject(), s.created_at(), now);
  if (!r) return errc::store_unavailable;
  if (*r) return errc::revoked;
  return {};
}

result<void> codec::destroy(const session& s, std::optional<time_point> until) const {
  const time_point t = now();
  if (const auto& origin = detail::session_access::overflow_entry(s); origin && options_.overflow_store)
    if (!options_.overflow_store->erase(*origin)) return errc::store_unavailable;
  if (options_.revocation_store) {
    // Copies of the cookie stay valid until they expire unless the id is revoked.
    const time_point end = until.value_or(
        options_.max_age.count() > 0 ? s.created_at() + options_.max_age + options_.leeway
                                     : t + std::chrono::hours(24 * 365));
    if (!options_.revocation_store->revoke_session(s.id(), end)) return errc::store_unavailable;
  }
  return {};
}

result<unverified_header> read_unverified_header(std::string_view cookie) {
  if (cookie.size() > browser_cookie_limit) return errc::malformed;
  unsigned char raw[max_envelope_bytes];
  auto parsed = detail::parse_envelope(cookie, raw);
  if (!parsed) return parsed.error();
  const detail::envelope_header& h = parsed->header;
  if (!times_in_range(h)) return errc::malformed;
  unverified_header out;
  out.version = detail::envelope_version;
  out.key_id = h.key_id;
  out.issued_at = from_unix(h.issued_at);
  if (h.expires_at != detail::never_expires) out.expires_at = from_unix(h.expires_at);
  return out;
}

}  // namespace cookieseal
