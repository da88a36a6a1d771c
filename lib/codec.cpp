#include <cookieseal/codec.hpp>

#include "detail/codec_seam.hpp"
#include "detail/envelope.hpp"
#include "detail/io_gate.hpp"
#include "detail/json_writer.hpp"
#include "detail/keyring_access.hpp"
#include "detail/misuse.hpp"
#include "detail/overflow.hpp"
#include "detail/payload.hpp"
#include "detail/payload_json.hpp"
#include "detail/random.hpp"
#include "detail/session_access.hpp"
#include "detail/watcher_link.hpp"
#include "detail/wire_numbers.hpp"

#include <cookieseal/keyring_watcher.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace cookieseal {

namespace {

using detail::check_binding;

// Tells the codec's diagnostic function why, and returns @p e.
errc because(const codec_options& o, errc e, std::string_view why) {
  detail::call_diagnostic(o.diagnostic, why);  // inside a nonblocking call, held (io_gate)
  return e;
}

// Whether @p deadline (+ leeway) has passed at @p now.
bool passed(time_point deadline, std::chrono::seconds leeway, time_point now) noexcept {
  return now > deadline + leeway;
}

// One duration of effective_lifetime: the session's own bounded by the codec's (0 = no bound).
std::chrono::seconds bounded(std::optional<std::chrono::seconds> own,
                             std::chrono::seconds codec) noexcept {
  if (!own) return codec;
  if (codec.count() == 0) return *own;
  if (own->count() == 0) return codec;
  return std::min(*own, codec);
}

// A stack buffer whose first `used` bytes are wiped when it goes out of scope.
template <std::size_t N>
struct wiped_array {
  unsigned char data[N];
  std::size_t used = 0;
  ~wiped_array() { sodium_memzero(data, used); }
};

constexpr std::size_t max_envelope_bytes = 3074;  // max_decoded_bytes(4096)

bool times_in_range(const detail::envelope_header& h) noexcept {
  constexpr std::uint64_t limit = detail::max_input_seconds;
  return h.issued_at < limit && (h.expires_at == detail::unix_never || h.expires_at < limit);
}

}  // namespace

codec::codec(keyring keys, codec_options options)
    : codec(std::make_shared<const keyring>(std::move(keys)), std::move(options)) {}

codec::codec(std::shared_ptr<const keyring> keys, codec_options options)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      link_(std::make_shared<detail::watcher_link>(*this)) {
  if (options_.max_cookie_bytes > browser_cookie_limit)
    detail::throw_misuse("max_cookie_bytes cannot exceed 4096");
  if (options_.max_age.count() < 0 || options_.idle_timeout.count() < 0 ||
      options_.leeway.count() < 0)
    detail::throw_misuse("durations cannot be negative");
  if (options_.max_age > max_policy_duration || options_.idle_timeout > max_policy_duration ||
      options_.leeway > max_policy_duration)
    detail::throw_misuse("max_age, idle_timeout and leeway are at most 100 years");
  if (options_.replaced_entry_grace.count() < 0 ||
      options_.replaced_entry_grace > max_policy_duration)
    detail::throw_misuse("replaced_entry_grace must be 0..100 years");
  if (!keys_) detail::throw_misuse("null keyring");
  detail::ensure_sodium();
}

codec::~codec() { link_->cut_target(); }

void detail::watcher_link::deliver(std::shared_ptr<const keyring> keys) {
  std::lock_guard lock(mutex_);
  if (target_ != nullptr) target_->set_keyring(std::move(keys));
}

session_lifetime effective_lifetime(const codec_options& o, const session_lifetime& l) noexcept {
  return {bounded(l.max_age, o.max_age), bounded(l.idle_timeout, o.idle_timeout),
          l.browser_session};
}

time_point revocation_end(const codec_options& o, time_point created_before,
                          const session_lifetime& l) noexcept {
  const std::chrono::seconds max_age = bounded(l.max_age, o.max_age);
  if (max_age.count() == 0) return revocation_forever;
  // Sessions created before the cut-off open at most until created_at + max_age +
  // leeway inclusive; the record must still be there in that last second.
  return std::min(revocation_forever,
                  created_before + max_age + o.leeway + std::chrono::seconds{1});
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

namespace {

// What the seal needs of a session besides its inline record (which the
// encoder writes, given the created_at settled): a session's, or the C ABI's
// session JSON's (detail::seal_json).
struct record_meta {
  bool fresh;  // created or logged in during this request
  time_point created_at;
  const session_id& id;
  std::string_view subject;
  const session_lifetime& lifetime;
  const std::optional<entry_id>& origin;  // the overflow entry it was opened from
};

// The created_at @p m is sealed with at @p t: its own, or for a session created
// in this request, moved past a revocation cut-off of this second.
// errc::revoked, errc::store_unavailable.
result<time_point> created_at_to_seal(const codec& c, const record_meta& m, const keyring& keys,
                                      time_point t) {
  time_point created = m.created_at;
  const auto esb = keys.end_sessions_before();
  if (!m.fresh) {
    if (esb && created < *esb) return errc::revoked;
    return created;
  }
  // A session created or logged in during this request, in the very second of
  // a cut-off (revocation_cutoff: created_at + 1 s), came after the revocation:
  // it moves to the cut-off. Anything older stays refused.
  const time_point own = created;
  if (esb && created < *esb) {
    if (*esb != own + std::chrono::seconds{1}) return errc::revoked;
    created = *esb;
  }
  const auto& revocations = c.options().revocation_store;
  if (revocations && !m.subject.empty()) {
    // The subject's cut-off, which a second "log out everywhere" in one second
    // moved past the sessions sealed with the first (revocation_list).
    auto at = revocations->fresh_created_at(m.id, m.subject, own, t);
    if (!at) return because(c.options(), at.error(), "seal: the revocation list could not answer");
    if (!*at) return errc::revoked;
    // Many calls in one second move it ahead of the clock: past what open
    // accepts (check_policy), the login waits for the clock.
    if (**at > t + c.options().leeway + std::chrono::seconds{1}) return errc::revoked;
    created = std::max(created, **at);
  }
  return created;
}

// Seals the record of @p m, written by @p encode(created_at, plaintext) ->
// result<void>, with the sealing key of the keyring in force.
template <class Encode>
result<sealed> seal_record(const codec& c, std::string_view name, const record_meta& m,
                           std::string_view purpose, const detail::nonce& iv, Encode&& encode) {
  check_binding(name, purpose);
  const time_point t = c.now();
  const auto keys = c.current_keyring();
  const key_info* key = keys->sealing_key(t);
  if (key == nullptr) return errc::unknown_key;
  const auto created = created_at_to_seal(c, m, *keys, t);
  if (!created) return created.error();

  const codec_options& opts = c.options();
  const session_lifetime life = effective_lifetime(opts, m.lifetime);
  std::optional<time_point> expires;
  if (life.max_age->count() > 0) expires = *created + *life.max_age;
  if (life.idle_timeout->count() > 0) {
    const time_point idle_end = t + *life.idle_timeout;
    expires = expires ? std::min(*expires, idle_end) : idle_end;
  }
  if (expires && *expires <= t) return errc::expired;

  detail::wiped_bytes plaintext;
  plaintext.reserve(1024);
  if (auto r = encode(*created, plaintext); !r) return r.error();
  bool overflowed = false;
  if (name.size() + detail::sealed_size(plaintext.size()) > opts.max_cookie_bytes) {
    if (!opts.overflow_store) return errc::too_large;
    auto moved =
        detail::spill(*opts.overflow_store, plaintext, *created, m.subject, m.lifetime, expires);
    if (!moved && moved.error() == errc::store_unavailable)
      return because(opts, moved.error(), "seal: the overflow store could not take the session");
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
  if (m.origin && opts.overflow_store)
    (void)opts.overflow_store->expire_by(*m.origin, t + opts.replaced_entry_grace);  // best effort

  detail::envelope_header h;
  h.key_id = key->id;
  h.issued_at = detail::unix_seconds(t);
  h.expires_at = detail::unix_seconds_or_never(expires);
  h.iv = iv;
  sealed out;
  out.cookie = detail::seal_envelope(detail::keyring_access::bytes_of(*keys, key), h, name, purpose,
                                     plaintext);
  out.key_id = key->id;
  out.issued_at = t;
  out.expires_at = expires;
  out.overflow = overflowed;
  out.browser_session = m.lifetime.browser_session;
  return out;
}

}  // namespace

result<sealed> detail::seal_with_nonce(const codec& c, std::string_view name, const session& s,
                                       std::string_view purpose, const nonce& iv) {
  const record_meta m{
      session_access::fresh(s),         s.created_at(), s.id(), s.subject(), s.lifetime(),
      session_access::overflow_entry(s)};
  return seal_record(c, name, m, purpose, iv, [&](time_point created, wiped_bytes& out) {
    if (created == s.created_at()) return encode_inline(s, out);
    session moved(s);  // created_at moved to a cut-off
    session_access::set_created_at(moved, created);
    return encode_inline(moved, out);
  });
}

result<sealed> detail::seal_json(const codec& c, std::string_view name, std::string_view json,
                                 std::string_view purpose, session_id* id_out) {
  // As session_from_json(json, true, c.now()) then c.seal(name, s, purpose).
  const time_point now = c.now();
  const json_session js = session_maps_from_json(json);
  // The id and the nonce in one draw: one getrandom call, not two.
  session_id id;
  nonce iv;
  std::array<std::byte, sizeof id + sizeof iv> drawn;
  random_fill(drawn);
  std::memcpy(id.data(), drawn.data(), sizeof id);
  std::memcpy(iv.data(), drawn.data() + sizeof id, sizeof iv);
  static const std::optional<entry_id> no_origin;
  const record_meta m{true, now, id, js.subject, js.lifetime, no_origin};
  auto sealed = seal_record(c, name, m, purpose, iv,
                            [&](time_point created, wiped_bytes& out) -> result<void> {
                              encode_inline_head(js.lifetime, id, created, js.subject, out);
                              out.insert(out.end(), js.maps.begin(), js.maps.end());
                              return {};
                            });
  if (sealed && id_out != nullptr) *id_out = id;
  return sealed;
}

namespace {

// Open reads the inline record as a session (codec::open) or as the JSON of
// its maps (detail::open_json): the same steps, the same refusals.
template <class Record>
using payload_variant = std::variant<Record, detail::overflow_reference>;

template <class Record>
result<payload_variant<Record>> decode_as(std::span<const std::byte> plaintext) {
  if constexpr (std::is_same_v<Record, session>)
    return detail::decode_payload(plaintext);
  else
    return detail::decode_payload_json(plaintext);
}

// Wipes the entry key of an overflow reference however open() ends. The
// payload is never moved while it holds one: the key has one home.
template <class Record>
struct entry_key_wiper {
  payload_variant<Record>& p;
  ~entry_key_wiper() {
    if (auto* r = std::get_if<detail::overflow_reference>(&p))
      sodium_memzero(r->entry_key.data(), r->entry_key.size());
  }
};

template <class Record>
time_point created_at_of(const payload_variant<Record>& p) {
  if (const auto* s = std::get_if<Record>(&p)) return s->created_at();
  return std::get<detail::overflow_reference>(p).created_at;
}

template <class Record>
const session_lifetime& lifetime_of(const payload_variant<Record>& p) {
  if (const auto* s = std::get_if<Record>(&p)) return s->lifetime();
  return std::get<detail::overflow_reference>(p).lifetime;
}

// Step 1: authenticate and decrypt under @p key, and decode the plaintext.
template <class Record>
result<payload_variant<Record>> authenticate(const unsigned char* key,
                                             const detail::parsed_envelope& e,
                                             std::string_view name, std::string_view purpose) {
  wiped_array<max_envelope_bytes> plaintext;
  plaintext.used = e.plaintext_bytes();
  if (!detail::open_envelope(key, e, name, purpose, plaintext.data))
    return errc::authentication_failed;
  return decode_as<Record>(std::as_bytes(std::span(plaintext.data, e.plaintext_bytes())));
}

// The session of an overflow entry: its record must agree with the reference.
template <class Record>
result<Record> fetch(entry_store& st, detail::overflow_reference& ref, time_point t) {
  detail::wiped_bytes plaintext;
  if (auto r = detail::fetch_entry(st, ref, t, plaintext); !r) return r.error();
  auto decoded = decode_as<Record>(plaintext);
  if (!decoded) return decoded.error();
  auto* s = std::get_if<Record>(&*decoded);
  if (s == nullptr || !detail::agrees(*s, ref)) return errc::invalid_payload;
  if constexpr (std::is_same_v<Record, session>)
    detail::session_access::set_overflow_entry(*s, ref.entry_id);
  return std::move(*s);
}

// Step 3: the session itself, in place; fetched from the overflow store when
// the cookie holds a reference (whose entry key fetch_entry() wipes).
template <class Record>
result<Record*> resolve_overflow(payload_variant<Record>& p, const codec_options& o, time_point t) {
  if (auto* s = std::get_if<Record>(&p)) return s;
  if (!o.overflow_store)
    return because(o, errc::store_unavailable,
                   "open: the cookie refers to an overflow entry and this codec has no "
                   "overflow store");
  auto s = fetch<Record>(*o.overflow_store, std::get<detail::overflow_reference>(p), t);
  if (!s && s.error() == errc::store_unavailable)
    return because(o, s.error(), "open: the overflow store could not be read");
  if (!s) return s.error();
  return &p.template emplace<Record>(std::move(*s));
}

}  // namespace

// The steps of open, for either reading of the inline record.
struct detail::codec_access {
  template <class Record>
  struct opened_as {
    Record record;
    open_info info;
  };

  template <class Record>
  static result<opened_as<Record>> open(const codec& c, std::string_view name,
                                        std::string_view cookie, std::string_view purpose) {
    const codec_options& options = c.options_;
    check_binding(name, purpose);
    // Refuse oversized input before decoding anything.
    if (cookie.size() > options.max_cookie_bytes - std::min(name.size(), options.max_cookie_bytes))
      return errc::malformed;

    unsigned char raw[max_envelope_bytes];
    auto parsed = detail::parse_envelope(cookie, raw);
    if (!parsed) return parsed.error();
    const detail::envelope_header& h = parsed->header;
    if (!times_in_range(h)) return errc::malformed;

    const time_point t = c.now();
    const std::optional<time_point> header_expiry =
        detail::from_unix_seconds_or_never(h.expires_at);
    if (header_expiry && passed(*header_expiry, options.leeway, t)) return errc::expired;
    const time_point issued = detail::from_unix_seconds(h.issued_at);
    auto keys = c.keyring_with(h.key_id, issued, t);
    if (!keys) return keys.error();

    auto decoded = authenticate<Record>(detail::keyring_access::find(**keys, h.key_id).bytes,
                                        *parsed, name, purpose);
    if (!decoded) return decoded.error();
    const entry_key_wiper<Record> wiper{*decoded};

    // Step 2, the policy, first: an expired or ended session is refused even
    // while the overflow store is unreachable (a reference repeats created_at and
    // the lifetime).
    const session_lifetime life = effective_lifetime(options, lifetime_of<Record>(*decoded));
    if (auto r = c.check_policy(created_at_of<Record>(*decoded), issued, life, **keys, t); !r)
      return r.error();

    const bool overflowed = std::holds_alternative<detail::overflow_reference>(*decoded);
    auto s = resolve_overflow<Record>(*decoded, options, t);
    if (!s) return s.error();
    if (auto r = c.check_revocation((*s)->id(), (*s)->subject(), (*s)->created_at(), t); !r)
      return r.error();

    // Step 4: what the caller learns besides the session.
    opened_as<Record> out{std::move(**s), {}};
    out.info.overflow = overflowed;
    out.info.key_id = h.key_id;
    out.info.issued_at = issued;
    out.info.expires_at = header_expiry;
    const key_info* sealing = (*keys)->sealing_key(t);
    out.info.key_replaced = sealing == nullptr || sealing->id != h.key_id;
    if (life.idle_timeout->count() > 0) {
      const double used = static_cast<double>((t - issued).count()) /
                          static_cast<double>(life.idle_timeout->count());
      out.info.idle_used = std::clamp(used, 0.0, 1.0);
    }
    return out;
  }
};

result<opened> codec::open(std::string_view name, std::string_view cookie,
                           std::string_view purpose) const {
  auto r = detail::codec_access::open<session>(*this, name, cookie, purpose);
  if (!r) return r.error();
  return opened{std::move(r->record), r->info};
}

result<detail::opened_json> detail::open_record_json(const codec& c, std::string_view name,
                                                     std::string_view cookie,
                                                     std::string_view purpose) {
  auto r = codec_access::open<json_record>(c, name, cookie, purpose);
  if (!r) return r.error();
  return opened_json{std::move(r->record), r->info};
}

std::string detail::session_json_of(opened_json&& o) {
  const json_record& rec = o.record;
  std::string out = std::move(o.record.maps);
  append_session_tail(out, rec.lifetime(), rec.id(), rec.subject(), rec.created_at(), &o.info);
  return out;
}

result<std::string> detail::open_json(const codec& c, std::string_view name,
                                      std::string_view cookie, std::string_view purpose) {
  auto r = open_record_json(c, name, cookie, purpose);
  if (!r) return r.error();
  return session_json_of(std::move(*r));
}

// @p lifetime is effective (both durations set).
result<void> codec::check_policy(time_point created, time_point issued,
                                 const session_lifetime& lifetime, const keyring& keys,
                                 time_point t) const {
  if (lifetime.max_age->count() > 0 && passed(created + *lifetime.max_age, options_.leeway, t))
    return errc::expired;
  if (lifetime.idle_timeout->count() > 0 &&
      passed(issued + *lifetime.idle_timeout, options_.leeway, t))
    return errc::expired;
  // Cookies from the future: one sealed by a fast clock would outlive max_age
  // and escape every cut-off. One more second covers whole-second rounding
  // (a session created in a cut-off's second is moved to the next second).
  const auto future_leeway = options_.leeway + std::chrono::seconds{1};
  if (issued > t + future_leeway || created > issued + future_leeway) return errc::invalid_payload;
  if (auto esb = keys.end_sessions_before(); esb && created < *esb) return errc::revoked;
  return {};
}

result<std::shared_ptr<const keyring>> codec::keyring_with(std::uint32_t key_id, time_point issued,
                                                           time_point t) const {
  // A key that is present but past its expiry, or removed (a tombstone), is
  // truly dropped: refused without a look at the file.
  auto lookup = [&](const std::shared_ptr<const keyring>& k) -> std::optional<errc> {
    const auto found = detail::keyring_access::find(*k, key_id);
    if (found.info == nullptr)
      return k->find_tombstone(key_id) ? errc::unknown_key : errc::key_not_loaded;
    if (found.info->expired_at(t)) return errc::unknown_key;
    return std::nullopt;
  };
  auto keys = current_keyring();
  auto missing = lookup(keys);
  if (!missing) return keys;
  if (*missing == errc::unknown_key) return errc::unknown_key;

  // Not in the keyring in force: another server may have sealed with a key
  // added a moment ago. Ask the watcher to check the file now, then decide.
  keyring_check check;
  bool gave_way = false;
  if (!link_->with_source([&](keyring_watcher& w) {
        // A call that must not block (no_io_scope) gives way: it is made
        // again where reading the file is fine.
        if (detail::io_refused())
          gave_way = true;
        else
          check = w.check_for_missing_key();
      }))
    return errc::unknown_key;  // a keyring without a file: it is all there is
  if (gave_way) return errc::key_not_loaded;
  keys = current_keyring();
  missing = lookup(keys);
  if (!missing) return keys;
  if (*missing == errc::unknown_key) return errc::unknown_key;
  // The file confirms the key is gone when it loads and was read now, or read
  // after the cookie was sealed (with the leeway for clock skew).
  const bool confirmed =
      check.file_ok && (check.checked_now || issued + options_.leeway < check.verified_at);
  if (confirmed) return errc::unknown_key;
  return because(options_, errc::key_not_loaded,
                 "open: key " + key_id_hex(key_id) + " is not loaded here and " +
                     (check.file_ok ? std::string("the keyring file, checked under a second ago, "
                                                  "was read before this cookie was sealed")
                                    : "the keyring file fails to load: " + check.file_error));
}

result<void> codec::check_revocation(const session_id& id, std::string_view subject,
                                     time_point created, time_point now) const {
  if (!options_.revocation_store) return {};
  auto r = options_.revocation_store->is_revoked(id, subject, created, now);
  if (!r) return because(options_, r.error(), "open: the revocation list could not answer");
  if (*r) return errc::revoked;
  return {};
}

result<void> codec::destroy(const session& s, std::optional<time_point> until) const {
  const time_point t = now();
  if (const auto& origin = detail::session_access::overflow_entry(s);
      origin && options_.overflow_store)
    if (!options_.overflow_store->erase(*origin))
      return because(options_, errc::store_unavailable,
                     "destroy: the overflow store could not erase the entry");
  if (options_.revocation_store) {
    // Copies of the cookie stay valid until they expire unless the id is
    // revoked: keep the record past the session's last valid second.
    const time_point end = until.value_or(
        revocation_end(options_, s.created_at() + std::chrono::seconds{1}, s.lifetime()));
    if (!options_.revocation_store->revoke_session(s.id(), std::max(end, t)))
      return because(options_, errc::store_unavailable,
                     "destroy: the revocation list could not record the session");
  }
  return {};
}

result<void> codec::revoke_subject(std::string_view subject) const {
  if (subject.empty()) detail::throw_misuse("revoke_subject needs a subject");
  if (!options_.revocation_store)
    return because(options_, errc::store_unavailable,
                   "revoke_subject: this codec has no revocation list");
  const time_point before = revocation_cutoff(now());
  if (!options_.revocation_store->revoke_subject(subject, before, revocation_end(options_, before)))
    return because(options_, errc::store_unavailable,
                   "revoke_subject: the revocation list could not record it");
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
  out.issued_at = detail::from_unix_seconds(h.issued_at);
  out.expires_at = detail::from_unix_seconds_or_never(h.expires_at);
  return out;
}

}  // namespace cookieseal
