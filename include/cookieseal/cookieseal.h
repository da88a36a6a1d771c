/**
 * @file cookieseal.h
 * The C ABI of cookieseal, 1.1: sealed session cookies for any language with a
 * C FFI (Python's ctypes, Go's cgo, Node's N-API, ...). C11; implemented in C++
 * in lib/.
 *
 * Stability: from 1.0 on this header only grows. Functions, struct fields and
 * status values are never removed or changed; new ones are added at the end.
 * The options structs begin with their size, set by the init macros from the
 * caller's own sizeof, so a caller built against an older header keeps
 * working. The shared library is libcookieseal-c.so.1 (COOKIESEAL_ABI_VERSION).
 * A function added after 1.0 says "Added in ABI 1.N" and carries the symbol
 * version COOKIESEAL_C_1.N, so a program that calls it refuses to start on an
 * older libcookieseal-c.so.1 (the loader names the missing version) instead of
 * failing at the call; a runtime loader (ctypes, dlsym) tests for the symbol.
 *
 * Three handles, one per thing (the same names in C++, Python, Go, JavaScript):
 *  - cookieseal_codec: what a server shares: the keyring (and its watcher
 *    thread), the overflow/revocation store (and its connection pool), the
 *    policy's bounds. One per process.
 *  - cookieseal_session_manager: one kind of session cookie on a codec (name,
 *    purpose, lifetime, attributes). Cheap; as many as the server has names.
 *  - cookieseal_request: one request's session of one kind.
 *
 * Rules:
 *  - Ownership cannot crash. Each handle keeps alive what it uses (a request
 *    its manager's state, a manager its codec's), so handles may be freed in
 *    any order, from any thread. A call on a handle whose codec or manager was
 *    freed returns COOKIESEAL_CLOSED (and says so), never undefined behaviour;
 *    a call already running finishes normally. For a request that is every
 *    cookieseal_request_* call, also those that touch only the request (get,
 *    set, update, session_json, ...), and cookieseal_requests_save; its message
 *    (cookieseal_request_error_message) says whether the manager or the codec
 *    was freed. Only cookieseal_request_free and the getters of what is
 *    already known (cookieseal_request_error_message, _outcome, _is_new) still
 *    answer as before.
 *  - Every call returns a cookieseal_status (COOKIESEAL_OK = 0) unless it
 *    cannot fail; no C++ exception ever crosses this boundary. Statuses 1..12
 *    are the library's error values; cookieseal_outcome_of() says which of
 *    them leave a request undecided (the one home of that rule).
 *  - Every failure keeps its cause: calls on a codec or manager (shared by
 *    threads) take a `char** error_message` out-parameter (NULL: not wanted);
 *    a failed call on a request leaves its message on that request
 *    (cookieseal_request_error_message), which belongs to one caller at a time
 *    — never a thread-local "last error".
 *  - Strings are pointer + length (no NUL needed, embedded NULs are data).
 *  - What the library allocates for the caller (char** outputs) is
 *    NUL-terminated, and the caller frees it with cookieseal_free.
 *  - Session data crosses as JSON text (docs/FORMAT.md, "JSON").
 *  - Threads: codecs and managers are shared by every thread of a server; a
 *    request is used by one thread at a time.
 *  - Defaults live in the library: a field left as the init macro set it keeps
 *    the library's default.
 */
#ifndef COOKIESEAL_H
#define COOKIESEAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(COOKIESEAL_STATIC)
#define COOKIESEAL_C_API
#elif defined(__GNUC__)
#define COOKIESEAL_C_API __attribute__((visibility("default")))
#else
#define COOKIESEAL_C_API
#endif

/* A status must be looked at (libsodium's warn_unused_result). */
#if defined(__GNUC__)
#define COOKIESEAL_MUST_CHECK __attribute__((warn_unused_result))
#else
#define COOKIESEAL_MUST_CHECK
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI generation; the shared library is libcookieseal-c.so.1. It changes
 *  only with an incompatible ABI, which this line never has: additions keep it. */
#define COOKIESEAL_ABI_VERSION 1
/** What this header declares within the generation: 1.4 (additions only; the
 *  symbol version COOKIESEAL_C_1.<minor> of each addition is what a loader checks). */
#define COOKIESEAL_ABI_MINOR 4

/** Status codes: 1..12 are the library's errc values (stable), then the ABI's own. */
typedef enum cookieseal_status {
  COOKIESEAL_OK = 0,
  COOKIESEAL_MALFORMED = 1,             /**< not base64url, too short, trailing junk, too long */
  COOKIESEAL_UNSUPPORTED_VERSION = 2,   /**< the format version is not 1 */
  COOKIESEAL_UNKNOWN_KEY = 3,           /**< no usable key with that id (refused) */
  COOKIESEAL_AUTHENTICATION_FAILED = 4, /**< tampered, wrong name/purpose, wrong key */
  COOKIESEAL_EXPIRED = 5,               /**< past its expiry or the policy's max_age/idle */
  COOKIESEAL_INVALID_PAYLOAD = 6,       /**< authenticated, but the data breaks a rule */
  COOKIESEAL_TOO_LARGE = 7,             /**< the cookie would exceed the limit, no store */
  COOKIESEAL_STORE_UNAVAILABLE = 8,     /**< the store cannot answer (undecided) */
  COOKIESEAL_REVOKED = 9,               /**< the session, its subject or all before a time ended */
  COOKIESEAL_KEY_NOT_LOADED = 10,       /**< a key not loaded yet here (undecided) */
  COOKIESEAL_AMBIGUOUS = 11,            /**< cookies of the name open to different sessions */
  COOKIESEAL_HEADER_TRUNCATED = 12,     /**< the Cookie header was cut at its limits (undecided) */
  COOKIESEAL_INVALID_ARGUMENT = 100,    /**< misuse: a null handle, bad JSON, a bad option value */
  COOKIESEAL_OUT_OF_MEMORY = 101,
  COOKIESEAL_NOT_FOUND = 102,      /**< (get, erase) the session has no such key */
  COOKIESEAL_KEYRING_ERROR = 103,  /**< the keyring file or text cannot be used */
  COOKIESEAL_INTERNAL_ERROR = 104, /**< anything else; the message says what */
  COOKIESEAL_CONFIG_ERROR = 105,   /**< configuration that can never work: a store directory
                                        that cannot be used, a bad store URL (not an outage) */
  COOKIESEAL_CLOSED = 106,         /**< the codec or manager behind this handle was freed */
  COOKIESEAL_WOULD_BLOCK = 107     /**< (1.2, the _nonblocking calls) it needs the store or the
                                        keyring file: make the blocking call on a worker thread */
} cookieseal_status;

/** What a request's cookie came to. Only a refused one is ever cleared. */
typedef enum cookieseal_outcome {
  COOKIESEAL_OPENED = 0,   /**< opened (or no cookie came: a fresh session) */
  COOKIESEAL_REFUSED = 1,  /**< the cookie itself is bad: a fresh session, the cookie cleared */
  COOKIESEAL_UNDECIDED = 2 /**< the server could not judge it: answer 503, change no cookie */
} cookieseal_outcome;

/** SameSite values for cookieseal_session_options.same_site. */
enum {
  COOKIESEAL_SAME_SITE_UNSET = 0, /**< no SameSite attribute */
  COOKIESEAL_SAME_SITE_STRICT = 1,
  COOKIESEAL_SAME_SITE_LAX = 2,
  COOKIESEAL_SAME_SITE_NONE = 3
};

/**
 * How a codec is made. Initialise with cookieseal_codec_options_init(&o): it
 * records the caller's sizeof and sets the library's defaults; then change what
 * you need. Strings are pointer + length; NULL keeps the default.
 */
typedef struct cookieseal_codec_options {
  size_t size; /**< the caller's sizeof, set by cookieseal_codec_options_init */

  /** A keyring file (watched: reloaded when it changes, and checked at once for a
   *  key id it lacks), or ... */
  const char* keyring_path;
  size_t keyring_path_len;
  /** ... the keyring file's text (e.g. from an environment variable), read-only.
   *  The library keeps no copy of this buffer past the call. */
  const char* keyring_text;
  size_t keyring_text_len;

  /** Overflow and revocation store: a directory, or redis://host:port[/db] or
   *  unix:///socket; NULL = none (sessions over 4 KB fail with TOO_LARGE). */
  const char* store;
  size_t store_len;
  int store_revocations; /**< the store also answers revocation checks; default 1 */

  /* The policy: every session manager's lifetime is at most these. */
  int64_t max_age_seconds;      /**< absolute lifetime; default 7 days; 0 = none */
  int64_t idle_timeout_seconds; /**< default 24 hours; 0 = none */
  int64_t leeway_seconds;       /**< clock skew; default 60 */

  uint32_t reload_interval_ms; /**< keyring file poll interval; default 1000; 0 = no thread */

  /** Hears why things fail, as they happen: why a request was undecided ("open:
   *  the revocation list could not answer"), what failed in the store ("cannot
   *  connect: Redis at 127.0.0.1:6379: Connection refused"), why a changed
   *  keyring file was refused. Never a password, a key or session data. Called
   *  on the thread of the request, or on the keyring thread for a reload; it
   *  must not call back into the library. NULL (the default): none. */
  void (*diagnostic)(void* context, const char* message, size_t message_len);
  void* diagnostic_context; /**< passed to diagnostic as is */
} cookieseal_codec_options;

/**
 * One kind of session cookie. Initialise with cookieseal_session_options_init.
 */
typedef struct cookieseal_session_options {
  size_t size; /**< the caller's sizeof, set by cookieseal_session_options_init */

  const char* cookie_name; /**< NULL: the library's default, "__Host-session" */
  size_t cookie_name_len;
  const char* purpose; /**< bound into the seal as well; default none */
  size_t purpose_len;

  /* Cookie attributes; the defaults are HttpOnly; Secure; SameSite=Lax; Path=/ */
  const char* path;
  size_t path_len;
  const char* domain;
  size_t domain_len;
  int secure;
  int http_only;
  int same_site; /**< a COOKIESEAL_SAME_SITE_* value */
  int partitioned;
  int browser_session; /**< no Max-Age/Expires: the cookie ends with the browser */
} cookieseal_session_options;

typedef struct cookieseal_codec cookieseal_codec;
typedef struct cookieseal_session_manager cookieseal_session_manager;
typedef struct cookieseal_request cookieseal_request;

/* --- library ------------------------------------------------------------- */

/** "0.1.0": the library's version. */
COOKIESEAL_C_API const char* cookieseal_version(void);
/** COOKIESEAL_ABI_VERSION of the library loaded (may be newer than the header);
 *  the same for every 1.x library: test for an addition's symbol instead. */
COOKIESEAL_C_API int cookieseal_abi_version(void);
/** A status's stable name, e.g. "expired"; "unknown" for others. Static storage. */
COOKIESEAL_C_API const char* cookieseal_status_name(cookieseal_status status);
/** One sentence saying what a status means. Static storage. */
COOKIESEAL_C_API const char* cookieseal_strerror(cookieseal_status status);
/** What an error of opening means for a request: undecided or refused (OK: opened;
 *  WOULD_BLOCK: undecided, nothing was judged yet). */
COOKIESEAL_C_API cookieseal_outcome cookieseal_outcome_of(cookieseal_status status);
/** Frees what the library returned through a char** (NULL is fine). */
COOKIESEAL_C_API void cookieseal_free(void* p);

/**
 * Options structs and their sizes. The macros pass the caller's sizeof, and the
 * library never writes past it. A size that is not the end of a published
 * layout is refused (INVALID_ARGUMENT, with a message); a larger one, from a
 * newer header, is accepted only while every byte the library does not know is
 * zero (so no option it cannot honour is silently dropped).
 */
#define cookieseal_codec_options_init(o) cookieseal_codec_options_init_sized((o), sizeof *(o))
#define cookieseal_session_options_init(o) cookieseal_session_options_init_sized((o), sizeof *(o))
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_codec_options_init_sized(cookieseal_codec_options* o, size_t size);
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_session_options_init_sized(cookieseal_session_options* o, size_t size);

/* --- codec: what a server shares ----------------------------------------- */

/**
 * Makes a codec: keyring (from the file, watched, or from text), policy, store.
 * On failure *out is NULL and *error_message (when not NULL) says why.
 * KEYRING_ERROR, CONFIG_ERROR (a store that can never work), INVALID_ARGUMENT.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_codec_new(
    const cookieseal_codec_options* o, cookieseal_codec** out, char** error_message);
/**
 * Releases the caller's codec (NULL is fine): stops the keyring watcher (from
 * any thread, the keyring thread itself too). Its managers and requests then
 * answer CLOSED; their memory goes with their own free.
 */
COOKIESEAL_C_API void cookieseal_codec_free(cookieseal_codec* c);

/**
 * "Log out everywhere": every session of @p subject created up to now is
 * refused as revoked on every server sharing the store; one created after holds.
 * STORE_UNAVAILABLE (also without a revocation store), CLOSED.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_codec_revoke_subject(
    cookieseal_codec* c, const char* subject, size_t subject_len, char** error_message);

/* --- session manager: one kind of cookie --------------------------------- */

/** Makes a session manager on @p codec (which it keeps alive). */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_session_manager_new(cookieseal_codec* codec, const cookieseal_session_options* o,
                               cookieseal_session_manager** out, char** error_message);
/** Releases the caller's manager (NULL is fine); its requests then answer CLOSED
 *  (every call but free and the getters, see "Rules" above). */
COOKIESEAL_C_API void cookieseal_session_manager_free(cookieseal_session_manager* m);

/**
 * The manager's effective settings, the library's defaults filled in, as one
 * JSON object (a binding reads them here instead of restating the defaults):
 * {"name": string, "purpose": string|null, "path": string, "domain":
 * string|null, "secure": bool, "http_only": bool, "same_site":
 * "Strict"|"Lax"|"None"|null, "partitioned": bool, "browser_session": bool,
 * "max_age": seconds (the codec's absolute lifetime; 0 = none),
 * "idle_timeout": seconds|null (null: no idle timeout)}. null means the
 * attribute is not sent (no purpose is bound); an empty "path" sends no Path.
 * INVALID_ARGUMENT for a NULL @p m or @p json, CLOSED once the manager or its
 * codec was freed. Added in ABI 1.1.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_session_manager_settings(
    cookieseal_session_manager* m, char** json, size_t* json_len, char** error_message);

/** Seals a session given as JSON (the full shape: values, constants, flashes,
 *  subject, lifetime) into a cookie value of this kind. */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_seal(cookieseal_session_manager* m, const char* json, size_t json_len, char** cookie,
                size_t* cookie_len, char** error_message);
/** Opens a cookie value of this kind into the session JSON (values, constants,
 *  flashes, meta). */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_open(cookieseal_session_manager* m, const char* cookie, size_t cookie_len, char** json,
                size_t* json_len, char** error_message);

/* --- request: one request's session of one kind -------------------------- */

/**
 * Loads the session of a request from its Cookie header: the whole value, or
 * several Cookie lines (HTTP/2 sends one per cookie) joined by '\n' — never by
 * ", " (which would merge two cookies into one). Empty when there is none.
 * Always makes a request (unless out of memory, misused or CLOSED): check
 * cookieseal_request_outcome.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_new(cookieseal_session_manager* m, const char* cookie_header,
                       size_t cookie_header_len, cookieseal_request** out, char** error_message);
COOKIESEAL_C_API void cookieseal_request_free(cookieseal_request* r);

/** The message of the last failed call on @p r, or NULL when it had none
 *  (free it with cookieseal_free). Each failing call replaces it. */
COOKIESEAL_C_API char* cookieseal_request_error_message(const cookieseal_request* r);

/** The request's outcome; *reason (if not NULL) gets the error, or COOKIESEAL_OK. */
COOKIESEAL_C_API cookieseal_outcome cookieseal_request_outcome(const cookieseal_request* r,
                                                               cookieseal_status* reason);
/** 1 when no cookie opened (a fresh session), else 0. */
COOKIESEAL_C_API int cookieseal_request_is_new(const cookieseal_request* r);

/** The whole session as JSON: values, constants, flashes, meta. */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_session_json(cookieseal_request* r, char** json, size_t* json_len);
/**
 * Replaces the session's values and/or flashes with those of a JSON object
 * {"values": {...}, "flashes": {"key": [...]}, "lifetime": {...}} (each member
 * optional); values and flashes change (and are re-sealed) only where they
 * differ. "lifetime" ({"max_age": seconds, "idle_timeout": seconds,
 * "browser_session": bool}, each optional, null = the codec's) gives the
 * session its own lifetime within the codec's bounds, and is re-sealed even
 * when unchanged (a refresh). A bad update changes nothing.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_update(cookieseal_request* r, const char* json, size_t json_len);
/** One value as JSON; NOT_FOUND when the key is absent. */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_request_get(
    cookieseal_request* r, const char* key, size_t key_len, char** json, size_t* json_len);
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_request_set(
    cookieseal_request* r, const char* key, size_t key_len, const char* json, size_t json_len);
/** Removes a key; NOT_FOUND when it was absent. */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_erase(cookieseal_request* r, const char* key, size_t key_len);
/** Queues a flash message (a JSON value) under @p key, read once. */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_request_flash(
    cookieseal_request* r, const char* key, size_t key_len, const char* json, size_t json_len);
/** The flash messages under @p key as a JSON array, removed from the session. */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_request_take_flashes(
    cookieseal_request* r, const char* key, size_t key_len, char** json, size_t* json_len);
/** Fixes the subject, draws a new id, restarts created_at (fixation defence).
 *  INVALID_ARGUMENT when another subject is set (destroy or clear first). */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_login(cookieseal_request* r, const char* subject, size_t subject_len);
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_regenerate_id(cookieseal_request* r);
/** Ends the session (save removes it server-side and clears the cookie); the
 *  request continues with a fresh, empty session: no values, no subject, no
 *  unread flashes (a flash set after this survives). */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_destroy(cookieseal_request* r);

/**
 * The response headers as a JSON array of [name, value] pairs: Set-Cookie
 * (when the session changed, renewal is due, or a cookie is cleared),
 * Cache-Control: no-store with it (it replaces the app's Cache-Control, never
 * a second line), Vary: Cookie. An undecided request fails with its reason
 * and yields nothing: answer 503 and leave the cookie alone. A failed save
 * changes nothing in the request (as cookieseal_requests_save).
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_save(cookieseal_request* r, char** json, size_t* json_len);

/**
 * cookieseal_request_save with the cookie attributes of @p m (its Path, Domain,
 * Secure, ..., browser session): for a framework whose sessions choose their
 * own attributes (gorilla's session.Options). @p m must be made on the same
 * codec with the same cookie name and purpose as the request's manager, else
 * INVALID_ARGUMENT.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_request_save_with(
    cookieseal_request* r, cookieseal_session_manager* m, char** json, size_t* json_len);

/**
 * Several cookies of one HTTP request saved together (a "prefs" and an "auth"
 * cookie, or every gorilla session name): the headers of all @p n requests as
 * one JSON array. All or nothing: if any of them is undecided, fails (too
 * large, the store, ...) or is CLOSED, the status of the first that does, its
 * message on that request and in *error_message, nothing to send, and no
 * request changed (each still dirty, still to be destroyed): answer 503, or
 * save again. What the store was already told stays (an overflow entry of a
 * cookie never sent expires unread; a session ended server-side is ended
 * again, harmlessly, by the next save).
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_requests_save(cookieseal_request* const* requests, size_t n, char** json,
                         size_t* json_len, char** error_message);

/* --- 1.2: calls for an event loop ------------------------------------------ */

/**
 * cookieseal_request_new, but never waiting on the store or the keyring file:
 * for an event loop (Node.js), where most requests (no cookie yet, inline
 * sessions without revocation checks) need neither and load on the loop
 * itself. Where loading needs one of them (an overflowed session, a
 * revocation check, a key this server has not loaded yet), it returns
 * COOKIESEAL_WOULD_BLOCK with no request and no message, having changed and
 * logged nothing: call cookieseal_request_new on a thread that may block.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_request_new_nonblocking(
    cookieseal_session_manager* m, const char* cookie_header, size_t cookie_header_len,
    cookieseal_request** out, char** error_message);

/**
 * cookieseal_request_save, but never waiting on the store: COOKIESEAL_WOULD_BLOCK
 * when the save needs it (a session that overflows or was overflowed, a login
 * with revocation checks, a destroyed session), nothing sent, the request
 * unchanged and nothing logged: call cookieseal_request_save on a thread that
 * may block. Every other result is cookieseal_request_save's.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_request_save_nonblocking(cookieseal_request* r, char** json, size_t* json_len);

/* --- 1.3: a new session saved in one call ---------------------------------- */

/** Room for a session id in lowercase hex and its NUL. */
#define COOKIESEAL_SESSION_ID_HEX_SIZE 33

/**
 * A new session made and saved in one call, for a framework whose sessions
 * hold their own values until they are saved (gorilla's), when the request
 * came without a cookie of this kind, with no request to make or free. For
 * values, flashes and a lifetime the headers are those that
 * cookieseal_request_new of an empty Cookie header, cookieseal_request_update
 * and cookieseal_request_save_with(@p m) give; a subject is sealed as
 * cookieseal_request_login seals it (its revocation checks); constants can
 * only be given here. @p json has cookieseal_seal's shape (values, constants,
 * flashes, subject, lifetime; each optional). The session is sealed even when
 * empty. *headers_json gets the headers as cookieseal_request_save writes
 * them, @p id the new session's id: 32 lowercase hex digits and a NUL (the
 * empty string when the call fails). A session too large for a cookie goes to
 * the overflow store (STORE_UNAVAILABLE, undecided, when it cannot take it:
 * answer 503). To change and save the same session again in the same HTTP
 * request, save (ABI 1.4: cookieseal_session_manager_save_header) or load a
 * request from the Set-Cookie's name=value. INVALID_ARGUMENT
 * for a NULL @p m, @p json or @p headers_json (@p id, @p headers_json_len and
 * @p error_message may be NULL); CLOSED once the manager or its codec was
 * freed. Added in ABI 1.3.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_session_manager_save_new(
    cookieseal_session_manager* m, const char* json, size_t json_len,
    char id[COOKIESEAL_SESSION_ID_HEX_SIZE], char** headers_json, size_t* headers_json_len,
    char** error_message);

/* --- 1.4: a Cookie header opened, and its session saved, in one call each -- */

/**
 * The session a request's Cookie header holds, opened with no request to make
 * or free, for a framework whose sessions hold their own values (gorilla's):
 * the cookies cookieseal_request_new would try, chosen by its rules (every
 * cookie of @p m's name, ambiguity, the three outcomes). *outcome and *reason
 * get what cookieseal_request_outcome would give; *json the session JSON as
 * cookieseal_request_session_json writes it when a cookie opened, NULL (and
 * *json_len 0) when none did: no cookie of the name came (OPENED, a new
 * session: save it with cookieseal_session_manager_save_new), it was refused
 * (a cookieseal_request saves the deletion that clears it), or the request is
 * undecided (answer 503). OK for every outcome; INVALID_ARGUMENT
 * for a NULL @p m, @p outcome or @p json, or a NULL header with a length
 * (@p reason, @p json_len and @p error_message may be NULL); CLOSED once the
 * manager or its codec was freed. Added in ABI 1.4.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_session_manager_open_header(
    cookieseal_session_manager* m, const char* cookie_header, size_t cookie_header_len,
    cookieseal_outcome* outcome, cookieseal_status* reason, char** json, size_t* json_len,
    char** error_message);

/**
 * cookieseal_session_manager_open_header, but never waiting on the store or
 * the keyring file: COOKIESEAL_WOULD_BLOCK when the open needs them (a
 * revocation check, an overflowed session, a key not loaded yet), with *json
 * NULL, *outcome UNDECIDED, *reason WOULD_BLOCK and nothing logged: open it
 * on a thread that may block (with a cookieseal_request when it will be
 * saved, so that the store is asked once). Added in ABI 1.4.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status
cookieseal_session_manager_open_header_nonblocking(cookieseal_session_manager* m,
                                                   const char* cookie_header,
                                                   size_t cookie_header_len,
                                                   cookieseal_outcome* outcome,
                                                   cookieseal_status* reason, char** json,
                                                   size_t* json_len, char** error_message);

/**
 * The session of a Cookie header changed and saved in one call, with no
 * request to make or free: the headers and id are those that
 * cookieseal_request_new(@p m, @p cookie_header), cookieseal_request_update
 * (@p json, its shape) and cookieseal_request_save_with(@p m) give, for a
 * framework that read the session with cookieseal_session_manager_open_header
 * and saves the values it holds; a Set-Cookie, as there, only when the
 * session changed (a lifetime given always re-seals), its renewal is due or
 * its key was replaced. No cookie of the name: a new session. A header whose session is undecided
 * or refused saves nothing: the call fails with the reason (undecided: answer 503; refused: the
 * values were read from a session that no longer opens, revoked, expired or its key removed, and
 * are not carried into a new one). Its cookie is opened again, store calls included (a revocation
 * check, an overflowed session read back): with a store, a session read and saved through one
 * cookieseal_request asks the store once. *headers_json gets the headers as cookieseal_request_save
 * writes them, @p id the session's id (32 lowercase hex digits and a NUL; the empty string when the
 * call fails, and for a new session nothing sealed). NULL rules as
 * cookieseal_session_manager_save_new's, and a NULL header with a length is
 * INVALID_ARGUMENT. Added in ABI 1.4.
 */
COOKIESEAL_C_API COOKIESEAL_MUST_CHECK cookieseal_status cookieseal_session_manager_save_header(
    cookieseal_session_manager* m, const char* cookie_header, size_t cookie_header_len,
    const char* json, size_t json_len, char id[COOKIESEAL_SESSION_ID_HEX_SIZE], char** headers_json,
    size_t* headers_json_len, char** error_message);

#ifdef __cplusplus
}
#endif

#endif /* COOKIESEAL_H */
