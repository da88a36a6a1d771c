/// @file session.hpp
/// The session model: values, flash messages, constants and metadata.
/// No crypto, no I/O: a session is plain data that the codec seals.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/limits.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace cookieseal {

/// Deepest nesting of lists and maps a stored value may have (see value::depth()).
inline constexpr std::size_t max_value_depth = 32;

/**
 * A session value: null, bool, int64, double, string, bytes, list, map, or a
 * user object (a user-chosen type name with that type's cereal bytes; see
 * cookieseal/cereal.hpp).
 *
 * Strings and bytes are distinct kinds: get<std::string> never reads bytes.
 */
class COOKIESEAL_API value {
 public:
  /// The kinds a value can hold.
  enum class kind : std::uint8_t {
    null,     ///< no value
    boolean,  ///< bool
    integer,  ///< std::int64_t
    real,     ///< double
    string,   ///< std::string (any bytes; UTF-8 by convention)
    bytes,    ///< value::bytes
    list,     ///< value::list
    map,      ///< value::map, keys in ascending byte order
    object,   ///< value::object
  };

  using bytes = std::vector<std::byte>;                   ///< raw bytes
  using list = std::vector<value>;                        ///< an ordered list of values
  using map = std::map<std::string, value, std::less<>>;  ///< string keys, sorted

  /// A user type stored as its cereal bytes under a user-chosen type name.
  struct object {
    std::string type_name;  ///< names the C++ type; checked by get_object
    bytes data;             ///< the object's compact-archive bytes
    bool operator==(const object&) const = default;
  };

  value() noexcept = default;        ///< null
  value(std::nullptr_t) noexcept {}  // NOLINT: implicit by design
  /// Exactly bool: a pointer (&name, L"...") must not turn into `true`.
  template <class B>
  requires std::same_as<B, bool> value(B b)
  noexcept : v_(b) {}  // NOLINT
  /// Any integer type other than bool and char types becomes an int64.
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char> && !std::same_as<I, char8_t> &&
           !std::same_as<I, char16_t> && !std::same_as<I, char32_t> && !std::same_as<I, wchar_t>)
      value(I i)
  noexcept : v_(static_cast<std::int64_t>(i)) {}       // NOLINT
  value(double d) noexcept : v_(d) {}                  // NOLINT
  value(std::string s) noexcept : v_(std::move(s)) {}  // NOLINT
  value(std::string_view s) : v_(std::string(s)) {}    // NOLINT
  value(const char* s) : v_(std::string(s)) {}         // NOLINT
  /// UTF-8 text (u8"...") is text.
  value(const char8_t* s) : value(std::u8string_view(s)) {}  // NOLINT
  value(std::u8string_view s)                                // NOLINT
      : v_(std::string(reinterpret_cast<const char*>(s.data()), s.size())) {}
  /// Any other pointer (std::string*, const wchar_t*, char16_t*, ...) is refused
  /// at compile time instead of silently becoming a bool.
  template <class T>
  requires(!std::same_as<std::remove_cv_t<T>, char> && !std::same_as<std::remove_cv_t<T>, char8_t>)
      value(T*)
  = delete;
  value(bytes b) noexcept : v_(std::move(b)) {}   // NOLINT
  value(list l) noexcept : v_(std::move(l)) {}    // NOLINT
  value(map m) noexcept : v_(std::move(m)) {}     // NOLINT
  value(object o) noexcept : v_(std::move(o)) {}  // NOLINT

  /// Which kind of value this is.
  [[nodiscard]] kind type() const noexcept { return static_cast<kind>(v_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return type() == kind::null; }

  /**
   * A pointer to the held T, or nullptr when the value holds another kind.
   * T is one of bool, std::int64_t, double, std::string, bytes, list, map, object.
   */
  template <class T>
  [[nodiscard]] const T* get_if() const noexcept {
    return std::get_if<T>(&v_);
  }
  template <class T>
  [[nodiscard]] T* get_if() noexcept {
    return std::get_if<T>(&v_);
  }

  /**
   * The value converted to T, or nullopt when it holds another kind.
   * Integer types other than int64 read an integer value only when it fits.
   * Never throws on a wrong kind.
   */
  template <class T>
  [[nodiscard]] std::optional<T> as() const {
    static_assert(std::same_as<T, value> || std::integral<T> || std::same_as<T, double> ||
                      std::same_as<T, std::string> || std::same_as<T, bytes> ||
                      std::same_as<T, list> || std::same_as<T, map> || std::same_as<T, object>,
                  "cookieseal::value holds only bool, integers, double, std::string, "
                  "value::bytes, value::list, value::map and value::object: get<T>/as<T> "
                  "take one of those (use get_object<T> for your own cereal types)");
    if constexpr (std::same_as<T, value>) {
      return *this;
    } else if constexpr (std::integral<T> && !std::same_as<T, bool>) {
      const auto* i = std::get_if<std::int64_t>(&v_);
      if (!i || !std::in_range<T>(*i)) return std::nullopt;
      return static_cast<T>(*i);
    } else {
      const auto* p = std::get_if<T>(&v_);
      if (!p) return std::nullopt;
      return *p;
    }
  }

  /// Lists and maps nest: a scalar has depth 0, a container 1 + its deepest child.
  [[nodiscard]] std::size_t depth() const noexcept;

  bool operator==(const value&) const = default;

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, bytes, list, map, object>
      v_;
};

/// 128 random bits naming a session; changes on regenerate_id().
using session_id = std::array<std::byte, 16>;

/**
 * A session's own lifetime ("remember me" for 30 days, a browser session for a
 * plain login), sealed and authenticated with it. An unset field means "the
 * codec's" (codec_options). The codec's values are the default and the upper
 * bound: a session can shorten its lifetime, never lengthen it (see
 * effective_lifetime in codec.hpp).
 */
struct session_lifetime {
  /// Absolute lifetime from created_at; 0 = none, which counts only where the
  /// codec's max_age is 0 too. At most max_policy_duration.
  std::optional<std::chrono::seconds> max_age = std::nullopt;
  /// Idle timeout from the last seal; 0 = none, which counts only where the
  /// codec's idle_timeout is 0 too. At most max_policy_duration.
  std::optional<std::chrono::seconds> idle_timeout = std::nullopt;
  /// The cookie gets no Max-Age/Expires, so the browser drops it when it closes
  /// (Flask's non-permanent session, gorilla's MaxAge 0, Django's
  /// set_expiry(0)); the server-side expiry still holds.
  bool browser_session = false;

  /// Nothing set: the session follows its codec (and seals as it always did).
  [[nodiscard]] bool follows_codec() const noexcept {
    return !max_age && !idle_timeout && !browser_session;
  }
  bool operator==(const session_lifetime&) const = default;
};

namespace detail {
struct session_access;
}  // namespace detail

/**
 * One user's session: values, flash messages, constants, a subject, and
 * metadata (id, created_at, dirty flag).
 *
 * A new session gets a random id and created_at = now. Reads never throw on a
 * missing key or a wrong kind. Every change sets dirty(), so a server re-sends
 * the cookie only when something changed.
 *
 * Not thread-safe: one session belongs to one request at a time.
 */
class COOKIESEAL_API session {
 public:
  using flash_map = std::map<std::string, value::list, std::less<>>;  ///< key -> messages
  using const_iterator = value::map::const_iterator;

  /// A fresh session: random id, created_at = @p created_at, no subject.
  explicit session(time_point created_at = system_now());

  /**
   * A fresh session with constants fixed for its whole life (read-only
   * afterwards) and optionally a subject already set.
   */
  session(value::map constants, std::string subject, time_point created_at = system_now());

  /// Rebuilds a session from its parts exactly (used when opening a cookie). Not dirty.
  /// @throws std::invalid_argument for a lifetime set_lifetime() refuses.
  session(session_id id, time_point created_at, std::string subject, value::map values,
          value::map constants, flash_map flashes, session_lifetime lifetime = {});

  // --- values ---------------------------------------------------------------

  /// Sets @p key to @p v, replacing any earlier value.
  void set(std::string_view key, value v);

  /// The value at @p key, or nullptr.
  [[nodiscard]] const value* find(std::string_view key) const noexcept;

  /// True when @p key holds a value.
  [[nodiscard]] bool contains(std::string_view key) const noexcept;

  /**
   * The value at @p key as T, or nullopt when absent or of another kind
   * (see value::as). `get<std::string>` reads string values only.
   */
  template <class T>
  [[nodiscard]] std::optional<T> get(std::string_view key) const {
    const value* v = find(key);
    if (!v) return std::nullopt;
    return v->as<T>();
  }

  /// The value at @p key as T, or @p fallback.
  template <class T>
  [[nodiscard]] T get_or(std::string_view key, T fallback) const {
    auto v = get<T>(key);
    return v ? std::move(*v) : std::move(fallback);
  }
  /// get_or with a string literal fallback returns a std::string.
  [[nodiscard]] std::string get_or(std::string_view key, const char* fallback) const {
    return get_or<std::string>(key, std::string(fallback));
  }

  /// Removes @p key; returns whether it was there.
  bool erase(std::string_view key);

  /// Removes every value (not flashes, constants or the subject).
  void clear();

  /// Number of values.
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] bool empty() const noexcept { return values_.empty(); }

  /// Iterates the values in ascending key order.
  [[nodiscard]] const_iterator begin() const noexcept { return values_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return values_.end(); }
  [[nodiscard]] const value::map& values() const noexcept { return values_; }

  // --- flash messages -------------------------------------------------------

  /// Queues a flash message under @p key, to be read once.
  void flash(std::string_view key, value v);

  /// The messages under @p key, removed from the session (read once).
  [[nodiscard]] value::list take_flashes(std::string_view key);

  /// All queued flashes, without consuming them.
  [[nodiscard]] const flash_map& flashes() const noexcept { return flashes_; }

  // --- constants and subject ------------------------------------------------

  /// A constant attribute, or nullptr. Constants are set at creation only.
  [[nodiscard]] const value* constant(std::string_view key) const noexcept;
  [[nodiscard]] const value::map& constants() const noexcept { return constants_; }

  /// The subject (e.g. the user id), empty for an anonymous session.
  [[nodiscard]] const std::string& subject() const noexcept { return subject_; }

  /**
   * Fixes the subject at login, regenerates the id (session-fixation defence)
   * and restarts created_at at @p now: an authenticated session's absolute
   * lifetime, and revocation by subject ("log out everywhere before T"),
   * count from the login. Returns false, changing nothing, when a different
   * subject is already set: a session's subject never changes; log out by
   * destroying it.
   */
  bool login(std::string subject, time_point now = system_now());

  // --- metadata -------------------------------------------------------------

  [[nodiscard]] const session_id& id() const noexcept { return id_; }
  [[nodiscard]] time_point created_at() const noexcept { return created_at_; }

  /// The session's own lifetime; all unset (the codec's) unless set_lifetime() was called.
  [[nodiscard]] const session_lifetime& lifetime() const noexcept { return lifetime_; }
  /**
   * Gives the session its own lifetime, within the codec's bounds, from its
   * next seal on; marks it dirty. session_lifetime{} returns it to the codec's.
   * @throws std::invalid_argument when a duration is negative or longer than
   *         max_policy_duration.
   */
  void set_lifetime(session_lifetime l);

  /// Draws a new random id; call after a privilege change such as login.
  void regenerate_id();

  /// True when something changed since creation, opening, or mark_clean().
  [[nodiscard]] bool dirty() const noexcept { return dirty_; }
  /// Clears the dirty flag (after the cookie was sent).
  void mark_clean() noexcept { dirty_ = false; }

  /// Sessions compare equal when all their data and metadata are equal (not the dirty flag).
  [[nodiscard]] bool same_data(const session& other) const;

 private:
  friend struct detail::session_access;
  session_id id_{};
  time_point created_at_;
  // The overflow entry this session was opened from, so a re-seal can retire it.
  std::optional<std::array<std::byte, 32>> overflow_entry_;
  std::string subject_;
  value::map values_;
  value::map constants_;
  flash_map flashes_;
  session_lifetime lifetime_;
  bool dirty_ = false;
  // Created (or logged in) in this process, never opened from a cookie: the
  // codec may move created_at past a revocation cut-off of this very second.
  bool fresh_ = false;
};

/// The id as 32 lowercase hex digits (for logs and the CLI; not a secret).
[[nodiscard]] COOKIESEAL_API std::string to_hex(const session_id& id);

}  // namespace cookieseal
