/**
 * @file cookieseal.h
 * The C ABI of cookieseal: sealed session cookies for any language with a C
 * FFI (Python's ctypes, Go's cgo, ...). C11; implemented in C++ in lib/.
 *
 * Stability: this header only grows. Functions, struct fields and status values
 * are never removed or changed; new ones are added at the end. The options
 * struct begins with its own size, so a caller built against an older header
 * keeps working. The library's soname carries COOKIESEAL_ABI_VERSION.
 *
 * Rules:
 *  - Every call returns a cookieseal_status (COOKIESEAL_OK = 0) unless it
 *    cannot fail; no C++ exception ever crosses this boundary.
 *  - Strings are pointer + length (no NUL needed, embedded NULs are data).
 *  - What the library allocates for the caller (char** outputs) is
 *    NUL-terminated, and the caller frees it with cookieseal_free.
 *  - Session data crosses as JSON text (docs/FORMAT.md, "JSON"): values,
 *    constants, flashes, meta.
 *  - Threads: a cookieseal_manager is shared by every thread of a server (all
 *    its functions are thread-safe); a cookieseal_request belongs to one
 *    request, used by one thread at a time.
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

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI generation; the shared library is libcookieseal-c.so.1. */
#define COOKIESEAL_ABI_VERSION 1

/** Status codes: 1..11 are the library's errc values (stable), then the ABI's own. */
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
  COOKIESEAL_INVALID_ARGUMENT = 100,    /**< a null handle, bad JSON, a bad option, ... */
  COOKIESEAL_OUT_OF_MEMORY = 101,
  COOKIESEAL_NOT_FOUND = 102,     /**< (get) the session has no such key */
  COOKIESEAL_KEYRING_ERROR = 103, /**< the keyring file or text cannot be used */
  COOKIESEAL_INTERNAL_ERROR = 104 /**< anything else; the message says what */
} cookieseal_status;

/** What a request's cookie came to. Only a refused one is ever cleared. */
typedef enum cookieseal_outcome {
  COOKIESEAL_OPENED = 0,   /**< opened (or no cookie came: a fresh session) */
  COOKIESEAL_REFUSED = 1,  /**< the cookie itself is bad: a fresh session, the cookie cleared */
  COOKIESEAL_UNDECIDED = 2 /**< the server could not judge it: answer 503, change no cookie */
} cookieseal_outcome;

/** SameSite values for cookieseal_options.same_site. */
enum {
  COOKIESEAL_SAME_SITE_UNSET = 0, /**< no SameSite attribute */
  COOKIESEAL_SAME_SITE_STRICT = 1,
  COOKIESEAL_SAME_SITE_LAX = 2,
  COOKIESEAL_SAME_SITE_NONE = 3
};

/**
 * How a manager is made. Call cookieseal_options_init first: it sets `size`
 * and the defaults (the secure ones), then change what you need. Strings are
 * pointer + length; a NULL pointer keeps the default.
 */
typedef struct cookieseal_options {
  size_t size; /**< sizeof(cookieseal_options), set by cookieseal_options_init */

  /** A keyring file (watched: reloaded when it changes, and checked at once for a
   *  key id it lacks), or ... */
  const char* keyring_path;
  size_t keyring_path_len;
  /** ... the keyring file's text (e.g. from an environment variable), read-only. */
  const char* keyring_text;
  size_t keyring_text_len;

  const char* cookie_name; /**< default "__Host-session" */
  size_t cookie_name_len;
  const char* purpose; /**< default "" */
  size_t purpose_len;

  int64_t max_age_seconds;      /**< absolute lifetime; default 7 days; 0 = none */
  int64_t idle_timeout_seconds; /**< default 24 hours; 0 = none */
  int64_t leeway_seconds;       /**< clock skew; default 60 */

  /** Overflow and revocation store: a directory, or redis://host:port[/db] or
   *  unix:///socket; NULL = none (sessions over 4 KB fail with TOO_LARGE). */
  const char* store;
  size_t store_len;
  int store_revocations; /**< the store also answers revocation checks; default 1 */

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

  uint32_t reload_interval_ms; /**< keyring file poll interval; default 1000; 0 = no thread */

  /* Added in 0.2: a caller built against an older header passes a smaller
   * size, and these keep their defaults. */

  /** Hears why things fail, as they happen: why a request was undecided ("open:
   *  the revocation list could not answer"), what failed in the store ("cannot
   *  connect: Redis at 127.0.0.1:6379: Connection refused"), why a changed
   *  keyring file was refused. Never a password, a key or session data. Called
   *  on the thread of the request, or on the keyring thread for a reload; it
   *  must not call back into the manager. NULL (the default): none. */
  void (*diagnostic)(void* context, const char* message, size_t message_len);
  void* diagnostic_context; /**< passed to diagnostic as is */
} cookieseal_options;

typedef struct cookieseal_manager cookieseal_manager;
typedef struct cookieseal_request cookieseal_request;

/* --- library ------------------------------------------------------------- */

/** "0.1.0": the library's version. */
COOKIESEAL_C_API const char* cookieseal_version(void);
/** COOKIESEAL_ABI_VERSION of the library loaded (may be newer than the header). */
COOKIESEAL_C_API int cookieseal_abi_version(void);
/** A status's stable name, e.g. "expired"; "unknown" for others. Static storage. */
COOKIESEAL_C_API const char* cookieseal_status_name(cookieseal_status status);
/** One sentence saying what a status means. Static storage. */
COOKIESEAL_C_API const char* cookieseal_strerror(cookieseal_status status);
/** What an error of opening means for a request: undecided or refused. */
COOKIESEAL_C_API cookieseal_outcome cookieseal_outcome_of(cookieseal_status status);
/** Frees what the library returned through a char** (NULL is fine). */
COOKIESEAL_C_API void cookieseal_free(void* p);

/* --- manager: one per cookie kind, shared by all threads ----------------- */

/** Fills @p o with the defaults and its size. */
COOKIESEAL_C_API void cookieseal_options_init(cookieseal_options* o);

/**
 * Makes a manager: keyring (from the file, watched, or from text), policy,
 * store, cookie. On failure *out is NULL and, when @p error_message is not
 * NULL, it gets a sentence saying why (free it with cookieseal_free).
 * COOKIESEAL_KEYRING_ERROR, COOKIESEAL_INVALID_ARGUMENT, COOKIESEAL_STORE_UNAVAILABLE.
 */
COOKIESEAL_C_API cookieseal_status cookieseal_manager_new(const cookieseal_options* o,
                                                          cookieseal_manager** out,
                                                          char** error_message);
/** Stops the keyring watcher and frees the manager (NULL is fine). Free its requests first. */
COOKIESEAL_C_API void cookieseal_manager_free(cookieseal_manager* m);

/**
 * "Log out everywhere": every session of @p subject created up to now is
 * refused as revoked on every server sharing the store; one created after holds.
 * COOKIESEAL_STORE_UNAVAILABLE (also without a revocation store).
 */
COOKIESEAL_C_API cookieseal_status cookieseal_manager_revoke_subject(cookieseal_manager* m,
                                                                     const char* subject,
                                                                     size_t subject_len);

/** Seals a session given as JSON (the full shape: values, constants, flashes,
 *  subject) into a cookie value. */
COOKIESEAL_C_API cookieseal_status cookieseal_seal(cookieseal_manager* m, const char* json,
                                                   size_t json_len, char** cookie,
                                                   size_t* cookie_len);
/** Opens a cookie value into the session JSON (values, constants, flashes, meta). */
COOKIESEAL_C_API cookieseal_status cookieseal_open(cookieseal_manager* m, const char* cookie,
                                                   size_t cookie_len, char** json,
                                                   size_t* json_len);

/* --- request: one per HTTP request --------------------------------------- */

/**
 * Loads the session of a request from its Cookie header (the whole header
 * value; empty when there is none). Always makes a request (unless out of
 * memory or given bad arguments): check cookieseal_request_outcome.
 */
COOKIESEAL_C_API cookieseal_status cookieseal_request_new(cookieseal_manager* m,
                                                          const char* cookie_header,
                                                          size_t cookie_header_len,
                                                          cookieseal_request** out);
COOKIESEAL_C_API void cookieseal_request_free(cookieseal_request* r);

/** The request's outcome; *reason (if not NULL) gets the error, or COOKIESEAL_OK. */
COOKIESEAL_C_API cookieseal_outcome cookieseal_request_outcome(const cookieseal_request* r,
                                                               cookieseal_status* reason);
/** 1 when no cookie opened (a fresh session), else 0. */
COOKIESEAL_C_API int cookieseal_request_is_new(const cookieseal_request* r);

/** The whole session as JSON: values, constants, flashes, meta. */
COOKIESEAL_C_API cookieseal_status cookieseal_request_session(const cookieseal_request* r,
                                                              char** json, size_t* json_len);
/**
 * Replaces the session's values and/or flashes with those of a JSON object
 * {"values": {...}, "flashes": {"key": [...]}} (each member optional); the
 * session changes (and is re-sealed) only where they differ.
 */
COOKIESEAL_C_API cookieseal_status cookieseal_request_update(cookieseal_request* r,
                                                             const char* json, size_t json_len);
/** One value as JSON; COOKIESEAL_NOT_FOUND when the key is absent. */
COOKIESEAL_C_API cookieseal_status cookieseal_request_get(const cookieseal_request* r,
                                                          const char* key, size_t key_len,
                                                          char** json, size_t* json_len);
COOKIESEAL_C_API cookieseal_status cookieseal_request_set(cookieseal_request* r, const char* key,
                                                          size_t key_len, const char* json,
                                                          size_t json_len);
/** Removes a key; COOKIESEAL_NOT_FOUND when it was absent. */
COOKIESEAL_C_API cookieseal_status cookieseal_request_erase(cookieseal_request* r, const char* key,
                                                            size_t key_len);
/** Queues a flash message (a JSON value) under @p key, read once. */
COOKIESEAL_C_API cookieseal_status cookieseal_request_flash(cookieseal_request* r, const char* key,
                                                            size_t key_len, const char* json,
                                                            size_t json_len);
/** The flash messages under @p key as a JSON array, removed from the session. */
COOKIESEAL_C_API cookieseal_status cookieseal_request_take_flashes(cookieseal_request* r,
                                                                   const char* key, size_t key_len,
                                                                   char** json, size_t* json_len);
/** Fixes the subject, draws a new id, restarts created_at (fixation defence).
 *  COOKIESEAL_INVALID_ARGUMENT when another subject is set (destroy first). */
COOKIESEAL_C_API cookieseal_status cookieseal_request_login(cookieseal_request* r,
                                                            const char* subject,
                                                            size_t subject_len);
COOKIESEAL_C_API cookieseal_status cookieseal_request_regenerate_id(cookieseal_request* r);
/** Ends the session (save removes it server-side and clears the cookie); the
 *  request continues with a fresh, empty session (a flash set now survives). */
COOKIESEAL_C_API cookieseal_status cookieseal_request_destroy(cookieseal_request* r);

/**
 * The response headers as a JSON array of [name, value] pairs: Set-Cookie
 * (when the session changed, renewal is due, or a cookie is cleared),
 * Cache-Control: no-store with it, Vary: Cookie. An undecided request fails
 * with its reason and yields nothing: answer 503 and leave the cookie alone.
 */
COOKIESEAL_C_API cookieseal_status cookieseal_request_save(cookieseal_request* r, char** json,
                                                           size_t* json_len);

#ifdef __cplusplus
}
#endif

#endif /* COOKIESEAL_H */
