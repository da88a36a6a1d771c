/* The C ABI from C: every function, every error path, every order of free and
 * use, the options sizes, and the message of every kind of failing call
 * (run under ASan and LSan in CI: every allocation the library hands out is
 * freed here with cookieseal_free, and nothing else is).
 * Usage: test_c_api (makes and removes its own scratch directory) */
#define _POSIX_C_SOURCE 200809L
#include <cookieseal/cookieseal.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int checks = 0, failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define S(literal) literal, sizeof(literal) - 1

static const char keyring_text[] =
    "cookieseal-keyring 1\n"
    "key 9f3a01c2 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z never "
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n";

/* What the diagnostic function heard, joined by '\n'. */
static char heard[4096];

static void hear(void* context, const char* message, size_t len) {
  CHECK(context == heard);
  size_t used = strlen(heard);
  if (used + len + 2 > sizeof heard) return;
  memcpy(heard + used, message, len);
  heard[used + len] = '\n';
  heard[used + len + 1] = '\0';
}

/* A codec with the diagnostic function above (and a store when not NULL), and
 * a manager of the default kind on it. */
static cookieseal_session_manager* manager_with(const char* store, cookieseal_codec** codec) {
  cookieseal_codec_options o;
  CHECK(cookieseal_codec_options_init(&o) == COOKIESEAL_OK);
  CHECK(o.diagnostic == NULL && o.diagnostic_context == NULL);
  o.diagnostic = hear;
  o.diagnostic_context = heard;
  o.keyring_text = keyring_text;
  o.keyring_text_len = strlen(keyring_text);
  if (store != NULL) {
    o.store = store;
    o.store_len = strlen(store);
  }
  char* why = NULL;
  *codec = NULL;
  CHECK(cookieseal_codec_new(&o, codec, &why) == COOKIESEAL_OK);
  CHECK(*codec != NULL && why == NULL);
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  cookieseal_session_manager* m = NULL;
  CHECK(cookieseal_session_manager_new(*codec, &so, &m, &why) == COOKIESEAL_OK);
  CHECK(m != NULL && why == NULL);
  return m;
}

/* Writes @p text to @p dir/@p name with mode 0600 and puts its path in
 * @p path; 0 when it could not. */
static int keyring_file_in(const char* dir, const char* name, const char* text, char* path,
                           size_t size) {
  snprintf(path, size, "%s/%s", dir, name);
  FILE* f = fopen(path, "w");
  CHECK(f != NULL);
  if (f == NULL) return 0;
  fputs(text, f);
  fclose(f);
  CHECK(chmod(path, 0600) == 0);
  return 1;
}

/* "__Host-session=VALUE" from the Set-Cookie in save()'s JSON; caller frees. */
static char* cookie_header_from(const char* headers) {
  const char* start = strstr(headers, "__Host-session=");
  if (start == NULL) return NULL;
  const char* end = strchr(start, ';');
  size_t n = (size_t)(end - start);
  char* out = malloc(n + 1);
  memcpy(out, start, n);
  out[n] = '\0';
  return out;
}

/* A Cookie header longer than the default limits (caller frees). */
static char* header_past_the_limits(void) {
  const size_t n = 20000;
  char* huge = malloc(n + 1);
  memset(huge, 'a', n);
  memcpy(huge, "pad=", 4);
  huge[n] = '\0';
  return huge;
}

/* A message was given and contains @p part; frees it. */
static int says(char* message, const char* part) {
  int ok = message != NULL && strstr(message, part) != NULL;
  if (!ok) fprintf(stderr, "  message %s lacks \"%s\"\n", message ? message : "(none)", part);
  cookieseal_free(message);
  return ok;
}

static void test_library(void) {
  CHECK(strcmp(cookieseal_version(), "0.1.0") == 0);
  CHECK(cookieseal_abi_version() == COOKIESEAL_ABI_VERSION);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_EXPIRED), "expired") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_KEY_NOT_LOADED), "key_not_loaded") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_HEADER_TRUNCATED), "header_truncated") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_CONFIG_ERROR), "config_error") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_CLOSED), "closed") == 0);
  CHECK(strcmp(cookieseal_status_name((cookieseal_status)999), "unknown") == 0);
  for (int s = 0; s <= 12; ++s) CHECK(strlen(cookieseal_strerror((cookieseal_status)s)) > 5);
  for (int s = 100; s <= 107; ++s) CHECK(strlen(cookieseal_strerror((cookieseal_status)s)) > 5);
  CHECK(cookieseal_outcome_of(COOKIESEAL_OK) == COOKIESEAL_OPENED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_STORE_UNAVAILABLE) == COOKIESEAL_UNDECIDED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_KEY_NOT_LOADED) == COOKIESEAL_UNDECIDED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_HEADER_TRUNCATED) == COOKIESEAL_UNDECIDED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_REVOKED) == COOKIESEAL_REFUSED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_AMBIGUOUS) == COOKIESEAL_REFUSED);
  cookieseal_free(NULL);
  cookieseal_codec_free(NULL);
  cookieseal_session_manager_free(NULL);
  cookieseal_request_free(NULL);
  CHECK(cookieseal_request_error_message(NULL) == NULL);
}

/* The options' sizes: init writes nothing past the caller's size; a size that
 * ends inside a field is refused; a larger struct (a newer header) is accepted
 * only while what this library does not know is zero. */
static void test_option_sizes(void) {
  struct {
    cookieseal_codec_options o;
    unsigned char guard[32];
  } padded;
  memset(&padded, 0xA5, sizeof padded);
  CHECK(cookieseal_codec_options_init(&padded.o) == COOKIESEAL_OK);
  CHECK(padded.o.size == sizeof padded.o);
  for (size_t i = 0; i < sizeof padded.guard; ++i) CHECK(padded.guard[i] == 0xA5);
  CHECK(padded.o.max_age_seconds == 7 * 24 * 3600 && padded.o.store_revocations == 1);
  CHECK(padded.o.reload_interval_ms == 1000);

  /* A size that ends inside a field: refused, and nothing written. */
  memset(&padded, 0xA5, sizeof padded);
  CHECK(cookieseal_codec_options_init_sized(&padded.o, offsetof(cookieseal_codec_options, store) +
                                                           3) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(((unsigned char*)&padded.o)[0] == 0xA5);
  CHECK(cookieseal_codec_options_init_sized(NULL, sizeof padded.o) == COOKIESEAL_INVALID_ARGUMENT);

  /* A newer caller's larger struct: the library fills what it knows, zeroes the rest. */
  memset(&padded, 0xA5, sizeof padded);
  CHECK(cookieseal_codec_options_init_sized(&padded.o, sizeof padded) == COOKIESEAL_OK);
  CHECK(padded.o.size == sizeof padded);
  for (size_t i = 0; i < sizeof padded.guard; ++i) CHECK(padded.guard[i] == 0);
  padded.o.keyring_text = keyring_text;
  padded.o.keyring_text_len = strlen(keyring_text);
  cookieseal_codec* c = NULL;
  char* why = NULL;
  CHECK(cookieseal_codec_new(&padded.o, &c, &why) == COOKIESEAL_OK);
  CHECK(c != NULL && why == NULL);
  cookieseal_codec_free(c);
  padded.guard[7] = 1; /* an option this library does not know */
  CHECK(cookieseal_codec_new(&padded.o, &c, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK(says(why, "newer than libcookieseal-c"));
  /* An odd size given to _new. */
  padded.o.size = offsetof(cookieseal_codec_options, leeway_seconds) + 1;
  CHECK(cookieseal_codec_new(&padded.o, &c, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "not the end of a published layout"));
  padded.o.size = 0;
  CHECK(cookieseal_codec_new(&padded.o, &c, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "cookieseal_codec_options.size is 0"));

  struct {
    cookieseal_session_options o;
    unsigned char guard[16];
  } session;
  memset(&session, 0x5A, sizeof session);
  CHECK(cookieseal_session_options_init(&session.o) == COOKIESEAL_OK);
  for (size_t i = 0; i < sizeof session.guard; ++i) CHECK(session.guard[i] == 0x5A);
  CHECK(session.o.secure == 1 && session.o.http_only == 1 &&
        session.o.same_site == COOKIESEAL_SAME_SITE_LAX && session.o.cookie_name == NULL);
  CHECK(cookieseal_session_options_init_sized(&session.o, 7) == COOKIESEAL_INVALID_ARGUMENT);
}

/* Every kind of failing call hands back the library's sentence. */
static void test_codec_and_manager_errors(const char* dir) {
  cookieseal_codec_options o;
  CHECK(cookieseal_codec_options_init(&o) == COOKIESEAL_OK);
  cookieseal_codec* c = (cookieseal_codec*)&o; /* must be reset to NULL on failure */
  char* why = NULL;

  CHECK(cookieseal_codec_new(NULL, &c, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK(says(why, "no cookieseal_codec_options"));
  CHECK(cookieseal_codec_new(&o, NULL, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_codec_new(&o, &c, &why) == COOKIESEAL_INVALID_ARGUMENT); /* no keyring */
  CHECK(says(why, "keyring"));

  char missing[512];
  snprintf(missing, sizeof missing, "%s/no-such-keyring", dir);
  o.keyring_path = missing;
  o.keyring_path_len = strlen(missing);
  CHECK(cookieseal_codec_new(&o, &c, &why) == COOKIESEAL_KEYRING_ERROR);
  CHECK(says(why, "no-such-keyring"));
  o.keyring_path = NULL;
  o.keyring_path_len = 0;

  cookieseal_codec_options bad = o;
  bad.keyring_text = "cookieseal-keyring 1\nkey nonsense\n";
  bad.keyring_text_len = strlen(bad.keyring_text);
  CHECK(cookieseal_codec_new(&bad, &c, &why) == COOKIESEAL_KEYRING_ERROR);
  CHECK(why != NULL && strstr(why, "AAECAw") == NULL); /* never key text in a message */
  cookieseal_free(why);

  o.keyring_text = keyring_text;
  o.keyring_text_len = strlen(keyring_text);
  bad = o;
  bad.max_age_seconds = -1;
  CHECK(cookieseal_codec_new(&bad, &c, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "max_age_seconds must be 0..100 years"));
  /* Configuration that can never work is not an outage. */
  bad = o;
  bad.store = "rediss://example:6379";
  bad.store_len = strlen(bad.store);
  CHECK(cookieseal_codec_new(&bad, &c, &why) == COOKIESEAL_CONFIG_ERROR);
  CHECK(why != NULL && (strstr(why, "TLS") != NULL || strstr(why, "no Redis support") != NULL));
  cookieseal_free(why);
  char file[600];
  snprintf(file, sizeof file, "%s/a-file", dir);
  FILE* f = fopen(file, "w");
  CHECK(f != NULL);
  if (f != NULL) fclose(f);
  bad.store = file; /* a file where a store directory should be */
  bad.store_len = strlen(file);
  CHECK(cookieseal_codec_new(&bad, &c, &why) == COOKIESEAL_CONFIG_ERROR);
  CHECK(says(why, "a-file"));
  CHECK(cookieseal_outcome_of(COOKIESEAL_CONFIG_ERROR) != COOKIESEAL_UNDECIDED);
  CHECK(c == NULL);

  /* The manager's own errors. */
  CHECK(cookieseal_codec_new(&o, &c, NULL) == COOKIESEAL_OK);
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  cookieseal_session_manager* m = (cookieseal_session_manager*)&so;
  cookieseal_session_options sbad = so;
  sbad.same_site = 42;
  CHECK(cookieseal_session_manager_new(c, &sbad, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(m == NULL);
  CHECK(says(why, "same_site"));
  sbad = so;
  sbad.secure = 0; /* a __Host- cookie needs Secure */
  CHECK(cookieseal_session_manager_new(c, &sbad, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "__Host-"));
  char long_name[300];
  memset(long_name, 'n', sizeof long_name);
  sbad = so;
  sbad.cookie_name = long_name;
  sbad.cookie_name_len = sizeof long_name;
  CHECK(cookieseal_session_manager_new(c, &sbad, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "1..255 bytes"));
  CHECK(cookieseal_session_manager_new(NULL, &so, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "NULL codec"));
  /* Data errors keep their sentence too. */
  CHECK(cookieseal_session_manager_new(c, &so, &m, NULL) == COOKIESEAL_OK);
  char* out = NULL;
  size_t len = 0;
  CHECK(cookieseal_open(m, S("garbage!"), &out, &len, &why) == COOKIESEAL_MALFORMED);
  CHECK(says(why, "not valid base64url"));
  CHECK(cookieseal_seal(
            m,
            S("{\"values\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"),
            &out, &len, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(why != NULL);
  cookieseal_free(why);
  CHECK(cookieseal_seal(m, S("{\"nope\":1}"), &out, &len, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "nope"));
  CHECK(cookieseal_codec_revoke_subject(c, S("bob"), &why) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(says(why, "store"));
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

/* The settings JSON of @p m equals @p want exactly (members in the library's order). */
static int settings_are(cookieseal_session_manager* m, const char* want) {
  char *json = NULL, *why = NULL;
  size_t len = 0;
  int ok = cookieseal_session_manager_settings(m, &json, &len, &why) == COOKIESEAL_OK &&
           json != NULL && why == NULL && len == strlen(json) && strcmp(json, want) == 0;
  if (!ok) fprintf(stderr, "  settings %s, not %s\n", json ? json : "(none)", want);
  cookieseal_free(json);
  cookieseal_free(why);
  return ok;
}

/* A manager's effective settings: the library's defaults, every option set,
 * the usual misuse, CLOSED after its codec's free (ABI 1.1). */
static void test_manager_settings(void) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  if (m == NULL) return;
  CHECK(settings_are(m,
                     "{\"browser_session\":false,\"domain\":null,\"http_only\":true,"
                     "\"idle_timeout\":86400,\"max_age\":604800,\"name\":\"__Host-session\","
                     "\"partitioned\":false,\"path\":\"/\",\"purpose\":null,"
                     "\"same_site\":\"Lax\",\"secure\":true}"));

  /* Every option set, on a codec with its own lifetimes (idle timeout off). */
  cookieseal_codec_options o;
  CHECK(cookieseal_codec_options_init(&o) == COOKIESEAL_OK);
  o.keyring_text = keyring_text;
  o.keyring_text_len = strlen(keyring_text);
  o.max_age_seconds = 3600;
  o.idle_timeout_seconds = 0;
  cookieseal_codec* c2 = NULL;
  CHECK(cookieseal_codec_new(&o, &c2, NULL) == COOKIESEAL_OK);
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  so.cookie_name = "app";
  so.cookie_name_len = 3;
  so.purpose = "login";
  so.purpose_len = 5;
  so.path = "/app";
  so.path_len = 4;
  so.domain = "example.com";
  so.domain_len = 11;
  so.http_only = 0;
  so.same_site = COOKIESEAL_SAME_SITE_NONE;
  so.partitioned = 1;
  so.browser_session = 1;
  cookieseal_session_manager* all = NULL;
  CHECK(cookieseal_session_manager_new(c2, &so, &all, NULL) == COOKIESEAL_OK);
  CHECK(settings_are(all,
                     "{\"browser_session\":true,\"domain\":\"example.com\",\"http_only\":false,"
                     "\"idle_timeout\":null,\"max_age\":3600,\"name\":\"app\","
                     "\"partitioned\":true,\"path\":\"/app\",\"purpose\":\"login\","
                     "\"same_site\":\"None\",\"secure\":true}"));
  cookieseal_session_manager_free(all);
  so.same_site = COOKIESEAL_SAME_SITE_STRICT;
  so.partitioned = 0;
  CHECK(cookieseal_session_manager_new(c2, &so, &all, NULL) == COOKIESEAL_OK);
  CHECK(settings_are(all,
                     "{\"browser_session\":true,\"domain\":\"example.com\",\"http_only\":false,"
                     "\"idle_timeout\":null,\"max_age\":3600,\"name\":\"app\","
                     "\"partitioned\":false,\"path\":\"/app\",\"purpose\":\"login\","
                     "\"same_site\":\"Strict\",\"secure\":true}"));
  cookieseal_session_manager_free(all);
  so.same_site = COOKIESEAL_SAME_SITE_UNSET;
  so.path = "";
  so.path_len = 0;
  CHECK(cookieseal_session_manager_new(c2, &so, &all, NULL) == COOKIESEAL_OK);
  CHECK(settings_are(all,
                     "{\"browser_session\":true,\"domain\":\"example.com\",\"http_only\":false,"
                     "\"idle_timeout\":null,\"max_age\":3600,\"name\":\"app\","
                     "\"partitioned\":false,\"path\":\"\",\"purpose\":\"login\","
                     "\"same_site\":null,\"secure\":true}"));

  /* Misuse, then CLOSED once its codec was freed (a freed manager's handle is gone). */
  char *json = (char*)&o, *why = NULL;
  size_t len = 0;
  CHECK(cookieseal_session_manager_settings(NULL, &json, &len, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "NULL session manager"));
  CHECK(cookieseal_session_manager_settings(m, NULL, &len, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "NULL output"));
  CHECK(cookieseal_session_manager_settings(m, &json, NULL, NULL) == COOKIESEAL_OK);
  cookieseal_free(json);
  cookieseal_codec_free(c2);
  json = NULL;
  CHECK(cookieseal_session_manager_settings(all, &json, &len, &why) == COOKIESEAL_CLOSED);
  CHECK(json == NULL && says(why, "codec was freed"));
  cookieseal_session_manager_free(all);

  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

/* A failed call on a request leaves its sentence on the request. */
static void test_request_messages(void) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  if (m == NULL) return;
  cookieseal_request* r = NULL;
  CHECK(cookieseal_request_new(m, "", 0, &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_error_message(r) == NULL);
  CHECK(cookieseal_request_set(r, S("k"), S("{nope")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(cookieseal_request_error_message(r), "JSON"));
  char deep[80];
  memset(deep, '[', 40);
  memset(deep + 40, ']', 40);
  CHECK(cookieseal_request_set(r, "k", 1, deep, sizeof deep) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(cookieseal_request_error_message(r), "32"));
  CHECK(cookieseal_request_update(r, S("{\"other\":1}")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(cookieseal_request_error_message(r), "\"flashes\" and \"lifetime\""));
  char* json = NULL;
  CHECK(cookieseal_request_get(r, S("absent"), &json, NULL) == COOKIESEAL_NOT_FOUND);
  CHECK(says(cookieseal_request_error_message(r), "no value under that key"));
  CHECK(cookieseal_request_login(r, S("alice")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_login(r, S("bob")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(cookieseal_request_error_message(r), "another subject"));
  cookieseal_request_free(r);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

/* Every cookieseal_request_* call on @p r answers CLOSED, its message on @p r
 * saying @p which was freed; the getters of what is known still answer.
 * @p other is a manager handle not freed (its codec may be). */
static void request_calls_closed(cookieseal_request* r, cookieseal_session_manager* other,
                                 const char* which) {
  char* json = NULL;
  size_t len = 0;
  CHECK(cookieseal_request_session_json(r, &json, &len) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_update(r, S("{\"values\":{}}")) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_get(r, S("n"), &json, &len) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_set(r, S("n"), S("2")) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_erase(r, S("n")) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_flash(r, S("f"), S("1")) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_take_flashes(r, S("f"), &json, &len) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_login(r, S("a")) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_regenerate_id(r) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_destroy(r) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  CHECK(cookieseal_request_save_with(r, other, &json, &len) == COOKIESEAL_CLOSED);
  CHECK(says(cookieseal_request_error_message(r), which));
  char* why = NULL;
  cookieseal_request* one[1] = {r};
  CHECK(cookieseal_requests_save(one, 1, &json, &len, &why) == COOKIESEAL_CLOSED);
  CHECK(says(why, which));
  CHECK(says(cookieseal_request_error_message(r), which));
  /* What is already known. */
  cookieseal_status reason = COOKIESEAL_INTERNAL_ERROR;
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_OPENED && reason == COOKIESEAL_OK);
  CHECK(cookieseal_request_is_new(r) == 1);
}

/* Handles freed in every order: never a crash, CLOSED with a message after. */
static void test_free_orders(const char* dir) {
  char store[512];
  snprintf(store, sizeof store, "%s/order-store", dir);
  char* json = NULL;
  size_t len = 0;
  char* why = NULL;
  for (int order = 0; order < 6; ++order) {
    cookieseal_codec* c = NULL;
    cookieseal_session_manager* m = manager_with(store, &c);
    if (m == NULL) return;
    cookieseal_request* r = NULL;
    CHECK(cookieseal_request_new(m, "", 0, &r, NULL) == COOKIESEAL_OK);
    CHECK(cookieseal_request_set(r, S("n"), S("1")) == COOKIESEAL_OK);
    switch (order) {
      case 0: /* codec, then manager, then the request is used and freed */
        cookieseal_codec_free(c);
        request_calls_closed(r, m, "codec was freed");
        CHECK(cookieseal_seal(m, S("{}"), &json, &len, &why) == COOKIESEAL_CLOSED);
        CHECK(says(why, "codec was freed"));
        {
          cookieseal_request* later = NULL;
          CHECK(cookieseal_request_new(m, "", 0, &later, &why) == COOKIESEAL_CLOSED);
          CHECK(later == NULL);
          CHECK(says(why, "codec was freed"));
        }
        cookieseal_session_manager_free(m);
        break;
      case 1: /* manager first: its request answers CLOSED, the codec goes on */
        cookieseal_session_manager_free(m);
        CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_CLOSED);
        CHECK(says(cookieseal_request_error_message(r), "session manager was freed"));
        CHECK(cookieseal_codec_revoke_subject(c, S("alice"), NULL) == COOKIESEAL_OK);
        cookieseal_request_free(r);
        r = NULL;
        cookieseal_codec_free(c);
        break;
      case 2: /* the request last of all, after both: every call but the getters is CLOSED */
      {
        cookieseal_session_manager* other = NULL;
        cookieseal_session_options so;
        CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
        CHECK(cookieseal_session_manager_new(c, &so, &other, NULL) == COOKIESEAL_OK);
        cookieseal_session_manager_free(m);
        request_calls_closed(r, other, "session manager was freed");
        cookieseal_codec_free(c);
        request_calls_closed(r, other, "session manager was freed");
        cookieseal_session_manager_free(other);
      } break;
      case 3: /* the usual order */
        CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
        cookieseal_free(json);
        cookieseal_request_free(r);
        r = NULL;
        cookieseal_session_manager_free(m);
        cookieseal_codec_free(c);
        break;
      case 4: /* codec first, manager last */
        cookieseal_codec_free(c);
        cookieseal_request_free(r);
        r = NULL;
        CHECK(cookieseal_open(m, S("x"), &json, &len, &why) == COOKIESEAL_CLOSED);
        cookieseal_free(why);
        cookieseal_session_manager_free(m);
        break;
      default: /* a manager made on a freed codec's handle is refused */
        cookieseal_codec_free(c);
        cookieseal_request_free(r);
        r = NULL;
        cookieseal_session_manager_free(m);
        break;
    }
    cookieseal_request_free(r);
  }
}

/* Several cookies of one request saved together; one undecided: none is sent. */
static void test_requests_save(const char* dir) {
  char store[512];
  snprintf(store, sizeof store, "%s/registry-store", dir);
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* auth = manager_with(store, &c);
  if (auth == NULL) return;
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  so.cookie_name = "prefs";
  so.cookie_name_len = 5;
  so.browser_session = 1;
  cookieseal_session_manager* prefs = NULL;
  CHECK(cookieseal_session_manager_new(c, &so, &prefs, NULL) == COOKIESEAL_OK);

  cookieseal_request* both[2] = {NULL, NULL};
  CHECK(cookieseal_request_new(auth, "", 0, &both[0], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_new(prefs, "", 0, &both[1], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_set(both[0], S("user"), S("\"alice\"")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_set(both[1], S("theme"), S("\"dark\"")) == COOKIESEAL_OK);
  char *json = NULL, *why = NULL;
  size_t len = 0;
  CHECK(cookieseal_requests_save(both, 2, &json, &len, &why) == COOKIESEAL_OK);
  CHECK(json != NULL && strstr(json, "__Host-session=") != NULL && strstr(json, "prefs=") != NULL);
  CHECK(strstr(strstr(json, "prefs="), "Max-Age") == NULL); /* a browser-session cookie */
  /* One Vary and one Cache-Control for the whole response. */
  CHECK(strstr(strstr(json, "\"Vary\"") + 1, "\"Vary\"") == NULL);
  CHECK(strstr(strstr(json, "Cache-Control") + 1, "Cache-Control") == NULL);
  char line[2048] = "";
  const char* a = strstr(json, "__Host-session=");
  const char* p = strstr(json, "prefs=");
  size_t na = (size_t)(strchr(a, ';') - a), np = (size_t)(strchr(p, ';') - p);
  if (na + np + 2 < sizeof line) {
    memcpy(line, a, na);
    /* Two Cookie lines, joined by '\n' as HTTP/2 sends them. */
    line[na] = '\n';
    memcpy(line + na + 1, p, np);
    line[na + 1 + np] = '\0';
  }
  cookieseal_free(json);
  cookieseal_request_free(both[0]);
  cookieseal_request_free(both[1]);
  CHECK(cookieseal_request_new(auth, line, strlen(line), &both[0], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_new(prefs, line, strlen(line), &both[1], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_is_new(both[0]) == 0 && cookieseal_request_is_new(both[1]) == 0);
  CHECK(cookieseal_request_set(both[1], S("theme"), S("\"light\"")) == COOKIESEAL_OK);
  cookieseal_request_free(both[0]);

  /* save_with: the session under another kind's attributes, same name only. */
  {
    cookieseal_session_options narrow;
    CHECK(cookieseal_session_options_init(&narrow) == COOKIESEAL_OK);
    narrow.cookie_name = "prefs";
    narrow.cookie_name_len = 5;
    narrow.path = "/app";
    narrow.path_len = 4;
    narrow.same_site = COOKIESEAL_SAME_SITE_STRICT;
    cookieseal_session_manager* at_app = NULL;
    CHECK(cookieseal_session_manager_new(c, &narrow, &at_app, NULL) == COOKIESEAL_OK);
    char* out = NULL;
    CHECK(cookieseal_request_save_with(both[1], at_app, &out, &len) == COOKIESEAL_OK);
    CHECK(out != NULL && strstr(out, "Path=/app") != NULL &&
          strstr(out, "SameSite=Strict") != NULL);
    cookieseal_free(out);
    CHECK(cookieseal_request_set(both[1], S("theme"), S("\"dark\"")) == COOKIESEAL_OK);
    CHECK(cookieseal_request_save_with(both[1], auth, &out, &len) == COOKIESEAL_INVALID_ARGUMENT);
    CHECK(says(cookieseal_request_error_message(both[1]), "same codec, cookie name and purpose"));
    cookieseal_session_manager_free(at_app);
  }

  /* The auth cookie cannot be judged (its store moved): nothing for either. */
  char moved[600];
  snprintf(moved, sizeof moved, "%s/registry-moved", dir);
  CHECK(rename(store, moved) == 0);
  CHECK(cookieseal_request_new(auth, line, strlen(line), &both[0], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(both[0], NULL) == COOKIESEAL_UNDECIDED);
  json = NULL;
  CHECK(cookieseal_requests_save(both, 2, &json, &len, &why) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(json == NULL);
  CHECK(says(why, "store"));
  CHECK(says(cookieseal_request_error_message(both[0]), "store"));
  CHECK(rename(moved, store) == 0);
  CHECK(cookieseal_requests_save(NULL, 0, &json, &len, NULL) == COOKIESEAL_OK);
  CHECK(json != NULL && strcmp(json, "[[\"Vary\",\"Cookie\"]]") == 0);
  cookieseal_free(json);
  cookieseal_request_free(both[0]);
  cookieseal_request_free(both[1]);

  /* A Cookie header cut at its limits is undecided, in its own status. */
  char* huge = header_past_the_limits();
  cookieseal_request* r = NULL;
  CHECK(cookieseal_request_new(auth, huge, strlen(huge), &r, NULL) == COOKIESEAL_OK);
  cookieseal_status reason = COOKIESEAL_OK;
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_UNDECIDED);
  CHECK(reason == COOKIESEAL_HEADER_TRUNCATED);
  CHECK(cookieseal_outcome_of(reason) == COOKIESEAL_UNDECIDED);
  cookieseal_request_free(r);
  free(huge);
  cookieseal_session_manager_free(prefs);
  cookieseal_session_manager_free(auth);
  cookieseal_codec_free(c);
}

/* A failure in cookieseal_requests_save, whatever its kind, changes no request
 * and leaves its message on the request it concerns. */
static void test_requests_save_all_or_nothing(void) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* auth = manager_with(NULL, &c); /* no store */
  if (auth == NULL) return;
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  so.cookie_name = "prefs";
  so.cookie_name_len = 5;
  cookieseal_session_manager* prefs = NULL;
  CHECK(cookieseal_session_manager_new(c, &so, &prefs, NULL) == COOKIESEAL_OK);

  /* A session with a cookie, to be destroyed. */
  cookieseal_request* first = NULL;
  CHECK(cookieseal_request_new(auth, "", 0, &first, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_set(first, S("user"), S("\"alice\"")) == COOKIESEAL_OK);
  char *json = NULL, *why = NULL;
  size_t len = 0;
  CHECK(cookieseal_request_save(first, &json, &len) == COOKIESEAL_OK);
  char* cookie = json != NULL ? cookie_header_from(json) : NULL;
  cookieseal_free(json);
  cookieseal_request_free(first);
  if (cookie == NULL) return;

  cookieseal_request* both[2] = {NULL, NULL};
  CHECK(cookieseal_request_new(auth, cookie, strlen(cookie), &both[0], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_is_new(both[0]) == 0);
  CHECK(cookieseal_request_destroy(both[0]) == COOKIESEAL_OK);
  CHECK(cookieseal_request_flash(both[0], S("notice"), S("\"bye\"")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_new(prefs, "", 0, &both[1], NULL) == COOKIESEAL_OK);
  char big[6000];
  memset(big, 'x', sizeof big);
  big[0] = big[sizeof big - 1] = '"';
  CHECK(cookieseal_request_set(both[1], "big", 3, big, sizeof big) == COOKIESEAL_OK);

  json = NULL;
  CHECK(cookieseal_requests_save(both, 2, &json, &len, &why) == COOKIESEAL_TOO_LARGE);
  CHECK(json == NULL);
  CHECK(says(why, "cookie size limit"));
  CHECK(says(cookieseal_request_error_message(both[1]), "cookie size limit"));
  CHECK(cookieseal_request_error_message(both[0]) == NULL); /* not its failure */

  /* Nothing changed: saved again once the cause is fixed, everything is sent. */
  CHECK(cookieseal_request_set(both[1], S("big"), S("\"small\"")) == COOKIESEAL_OK);
  CHECK(cookieseal_requests_save(both, 2, &json, &len, &why) == COOKIESEAL_OK);
  CHECK(json != NULL && strstr(json, "__Host-session=") != NULL && strstr(json, "prefs=") != NULL);
  char* again = json != NULL ? cookie_header_from(json) : NULL;
  cookieseal_free(json);
  cookieseal_request_free(both[0]);
  cookieseal_request_free(both[1]);
  /* The old cookie's session was ended; the new one carries the flash. */
  cookieseal_request* r = NULL;
  if (again != NULL) {
    CHECK(cookieseal_request_new(auth, again, strlen(again), &r, NULL) == COOKIESEAL_OK);
    CHECK(cookieseal_request_get(r, S("user"), &json, &len) == COOKIESEAL_NOT_FOUND);
    CHECK(cookieseal_request_take_flashes(r, S("notice"), &json, &len) == COOKIESEAL_OK);
    CHECK(json != NULL && strcmp(json, "[\"bye\"]") == 0);
    cookieseal_free(json);
    cookieseal_request_free(r);
  }
  free(again);

  /* A closed request in the list: its status and message, nothing for the other. */
  CHECK(cookieseal_request_new(auth, "", 0, &both[0], NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_set(both[0], S("n"), S("1")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_new(prefs, "", 0, &both[1], NULL) == COOKIESEAL_OK);
  cookieseal_session_manager_free(prefs);
  json = NULL;
  CHECK(cookieseal_requests_save(both, 2, &json, &len, &why) == COOKIESEAL_CLOSED);
  CHECK(json == NULL && says(why, "session manager was freed"));
  CHECK(says(cookieseal_request_error_message(both[1]), "session manager was freed"));
  CHECK(cookieseal_request_save(both[0], &json, &len) == COOKIESEAL_OK);
  CHECK(json != NULL && strstr(json, "__Host-session=") != NULL); /* still to be sent */
  cookieseal_free(json);
  cookieseal_request_free(both[0]);
  cookieseal_request_free(both[1]);
  free(cookie);
  cookieseal_session_manager_free(auth);
  cookieseal_codec_free(c);
}

static void test_request_flow(const char* dir) {
  char store[512];
  snprintf(store, sizeof store, "%s/store", dir);
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(store, &c);
  if (m == NULL) return;
  cookieseal_request* r = NULL;
  char* json = NULL;
  size_t len = 0;
  cookieseal_status reason = COOKIESEAL_INTERNAL_ERROR;

  CHECK(cookieseal_request_new(NULL, "", 0, &r, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_new(m, NULL, 5, &r, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_new(m, NULL, 0, NULL, NULL) == COOKIESEAL_INVALID_ARGUMENT);

  /* A fresh session: set, get, erase, flash, login, save. */
  CHECK(cookieseal_request_new(m, S("theme=dark"), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_OPENED);
  CHECK(reason == COOKIESEAL_OK);
  CHECK(cookieseal_request_is_new(r) == 1);
  CHECK(cookieseal_request_set(r, S("visits"), S("1")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_set(r, S("tmp"), S("{\"$bytes\":\"AAEC\"}")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_set(r, S("bad"), S("{nope")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_set(r, NULL, 3, S("1")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_get(r, S("visits"), &json, &len) == COOKIESEAL_OK);
  CHECK(len == 1 && strcmp(json, "1") == 0);
  cookieseal_free(json);
  json = NULL;
  CHECK(cookieseal_request_get(r, S("absent"), &json, &len) == COOKIESEAL_NOT_FOUND);
  CHECK(json == NULL);
  CHECK(cookieseal_request_get(r, S("visits"), NULL, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_erase(r, S("tmp")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_erase(r, S("tmp")) == COOKIESEAL_NOT_FOUND);
  CHECK(cookieseal_request_flash(r, S("notice"), S("\"Welcome\"")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_flash(r, S("notice"), S("[")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_login(r, S("alice")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_login(r, S("mallory")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_login(r, "", 0) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_regenerate_id(r) == COOKIESEAL_OK);
  CHECK(cookieseal_request_session_json(r, &json, &len) == COOKIESEAL_OK);
  CHECK(strstr(json, "\"subject\":\"alice\"") != NULL);
  CHECK(strstr(json, "\"visits\":1") != NULL);
  CHECK(strstr(json, "\"notice\":[\"Welcome\"]") != NULL);
  CHECK(strstr(json, "\"key_id\":null") != NULL); /* not from a cookie */
  cookieseal_free(json);
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
  CHECK(strstr(json, "[\"Set-Cookie\",\"__Host-session=") != NULL);
  CHECK(strstr(json, "[\"Cache-Control\",\"no-store\"]") != NULL);
  CHECK(strstr(json, "[\"Vary\",\"Cookie\"]") != NULL);
  char* cookie = cookie_header_from(json);
  cookieseal_free(json);
  cookieseal_request_free(r);
  CHECK(cookie != NULL);
  if (cookie == NULL) {
    cookieseal_session_manager_free(m);
    cookieseal_codec_free(c);
    return;
  }

  /* The next request opens it; update replaces values and flashes. */
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED);
  CHECK(cookieseal_request_is_new(r) == 0);
  CHECK(cookieseal_request_take_flashes(r, S("notice"), &json, &len) == COOKIESEAL_OK);
  CHECK(strcmp(json, "[\"Welcome\"]") == 0);
  cookieseal_free(json);
  CHECK(cookieseal_request_update(r, S("{\"values\":{\"visits\":2,\"cart\":[1,2]},"
                                       "\"flashes\":{\"info\":[\"x\"]}}")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_update(r, S("{\"other\":1}")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_update(r, S("[1]")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_update(r, S("{\"values\":{\"visits\":9},\"flashes\":5}")) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_session_json(r, &json, NULL) == COOKIESEAL_OK);
  CHECK(strstr(json, "\"visits\":2") != NULL); /* the bad update changed nothing */
  CHECK(strstr(json, "\"info\":[\"x\"]") != NULL);
  CHECK(strstr(json, "\"key_id\":\"9f3a01c2\"") != NULL);
  cookieseal_free(json);

  /* Log out everywhere, then destroy with a flash: a new cookie, not a deletion. */
  CHECK(cookieseal_codec_revoke_subject(c, S("alice"), NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_codec_revoke_subject(c, "", 0, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_destroy(r) == COOKIESEAL_OK);
  CHECK(cookieseal_request_flash(r, S("notice"), S("\"Logged out\"")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
  CHECK(strstr(json, "Max-Age=0") == NULL && strstr(json, "__Host-session=") != NULL);
  cookieseal_free(json);
  cookieseal_request_free(r);

  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_REFUSED);
  CHECK(reason == COOKIESEAL_REVOKED);
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
  CHECK(strstr(json, "Max-Age=0") != NULL); /* a refused cookie is cleared */
  cookieseal_free(json);
  cookieseal_request_free(r);

  /* Undecided: the store directory moved away. Nothing is sent. */
  char moved[600];
  snprintf(moved, sizeof moved, "%s/moved", dir);
  CHECK(rename(store, moved) == 0);
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_UNDECIDED);
  CHECK(reason == COOKIESEAL_STORE_UNAVAILABLE);
  json = NULL;
  CHECK(cookieseal_request_set(r, S("visits"), S("5")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(json == NULL);
  cookieseal_request_free(r);
  CHECK(rename(moved, store) == 0);
  /* The diagnostic function heard why: the store's cause and the codec's step. */
  CHECK(strstr(heard, "the store directory is missing") != NULL);
  CHECK(strstr(heard, "open: the revocation list could not answer") != NULL);

  /* A garbage cookie is refused with its reason. */
  CHECK(cookieseal_request_new(m, S("__Host-session=garbage!"), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_REFUSED);
  CHECK(reason == COOKIESEAL_MALFORMED);
  cookieseal_request_free(r);

  /* NULL requests. */
  CHECK(cookieseal_request_outcome(NULL, &reason) == COOKIESEAL_UNDECIDED);
  CHECK(reason == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_is_new(NULL) == 1);
  CHECK(cookieseal_request_session_json(NULL, &json, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_update(NULL, S("{}")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_get(NULL, S("k"), &json, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_set(NULL, S("k"), S("1")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_erase(NULL, S("k")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_flash(NULL, S("k"), S("1")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_take_flashes(NULL, S("k"), &json, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_login(NULL, S("a")) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_regenerate_id(NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_destroy(NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_save(NULL, &json, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_codec_revoke_subject(NULL, S("a"), NULL) == COOKIESEAL_INVALID_ARGUMENT);
  free(cookie);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

/* A codec freed on its own keyring thread (a garbage collector running there,
 * inside the diagnostic callback) must neither join itself nor touch freed
 * memory. */
static cookieseal_codec* volatile freed_on_watcher = NULL;
static volatile int freed_done = 0;

static void free_from_callback(void* context, const char* message, size_t len) {
  (void)context;
  if (len >= 22 && memcmp(message, "keyring reload refused", 22) == 0 && freed_on_watcher) {
    cookieseal_codec* c = freed_on_watcher;
    freed_on_watcher = NULL;
    cookieseal_codec_free(c);
    freed_done = 1;
  }
}

static void test_free_on_the_keyring_thread(const char* dir) {
  char path[512];
  if (!keyring_file_in(dir, "keyring-self-free", keyring_text, path, sizeof path)) return;
  cookieseal_codec_options o;
  CHECK(cookieseal_codec_options_init(&o) == COOKIESEAL_OK);
  o.keyring_path = path;
  o.keyring_path_len = strlen(path);
  o.reload_interval_ms = 10;
  o.diagnostic = free_from_callback;
  cookieseal_codec* c = NULL;
  CHECK(cookieseal_codec_new(&o, &c, NULL) == COOKIESEAL_OK);
  if (c == NULL) return;
  freed_on_watcher = c;
  FILE* f = fopen(path, "w"); /* a changed file that fails to load: the thread reports it */
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("cookieseal-keyring 1\nkey nonsense\n", f);
    fclose(f);
  }
  for (int i = 0; i < 500 && !freed_done; ++i) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  CHECK(freed_done == 1);
  struct timespec settle = {0, 50 * 1000 * 1000}; /* the detached thread ends by itself */
  nanosleep(&settle, NULL);
}

/* A lifetime per session through the C ABI: set by update, sealed, read back. */
static void test_session_lifetime(void) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  if (m == NULL) return;
  cookieseal_request* r = NULL;
  char* json = NULL;
  size_t len = 0;
  CHECK(cookieseal_request_new(m, "", 0, &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_update(r, S("{\"lifetime\":{\"idle_timeout\":3600}}")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_update(r, S("{\"lifetime\":{\"idle_timeout\":-1}}")) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(cookieseal_request_error_message(r), "idle_timeout"));
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
  CHECK(json != NULL && strstr(json, "Max-Age=3600") != NULL);
  char* cookie = json != NULL ? cookie_header_from(json) : NULL;
  cookieseal_free(json);
  cookieseal_request_free(r);
  if (cookie == NULL) {
    cookieseal_session_manager_free(m);
    cookieseal_codec_free(c);
    return;
  }
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_session_json(r, &json, &len) == COOKIESEAL_OK);
  CHECK(json != NULL && strstr(json,
                               "\"lifetime\":{\"max_age\":null,\"idle_timeout\":3600,"
                               "\"browser_session\":false}") != NULL);
  cookieseal_free(json);
  /* The same lifetime again re-seals (a refresh); a browser session drops Max-Age. */
  CHECK(cookieseal_request_update(r, S("{\"lifetime\":{\"browser_session\":true}}")) ==
        COOKIESEAL_OK);
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
  CHECK(json != NULL && strstr(json, "__Host-session=") != NULL && strstr(json, "Max-Age") == NULL);
  cookieseal_free(json);
  cookieseal_request_free(r);
  free(cookie);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

static void test_seal_open(void) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  if (m == NULL) return;
  char *cookie = NULL, *json = NULL;
  size_t cookie_len = 0, len = 0;
  CHECK(cookieseal_seal(m,
                        S("{\"values\":{\"n\":1},\"subject\":\"bob\",\"flashes\":{\"f\":[true]}}"),
                        &cookie, &cookie_len, NULL) == COOKIESEAL_OK);
  CHECK(cookie_len == strlen(cookie) && cookie_len > 82);
  CHECK(cookieseal_open(m, cookie, cookie_len, &json, &len, NULL) == COOKIESEAL_OK);
  CHECK(strstr(json, "\"n\":1") && strstr(json, "\"subject\":\"bob\"") &&
        strstr(json, "\"f\":[true]"));
  cookieseal_free(json);
  json = NULL;
  cookie[cookie_len / 2] = cookie[cookie_len / 2] == 'A' ? 'B' : 'A';
  CHECK(cookieseal_open(m, cookie, cookie_len, &json, &len, NULL) ==
        COOKIESEAL_AUTHENTICATION_FAILED);
  CHECK(json == NULL);
  cookieseal_free(cookie);
  CHECK(cookieseal_open(m, S("garbage!"), &json, &len, NULL) == COOKIESEAL_MALFORMED);
  CHECK(cookieseal_seal(m, S("{\"values\":{\"big\":\""), &cookie, &len, NULL) ==
        COOKIESEAL_INVALID_ARGUMENT);
  /* Too large without a store. */
  size_t n = 6000;
  char* big = malloc(n + 32);
  strcpy(big, "{\"values\":{\"b\":\"");
  memset(big + strlen(big), 'x', n);
  strcpy(big + 16 + n, "\"}}");
  char* why = NULL;
  CHECK(cookieseal_seal(m, big, strlen(big), &cookie, &len, &why) == COOKIESEAL_TOO_LARGE);
  CHECK(says(why, "exceed the cookie size limit"));
  free(big);
  CHECK(cookieseal_seal(NULL, S("{}"), &cookie, &len, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_open(NULL, S("x"), &json, &len, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_seal(m, S("{}"), NULL, NULL, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  /* Without a revocation store, log out everywhere cannot be recorded, and the
   * diagnostic function hears why. */
  heard[0] = '\0';
  CHECK(cookieseal_codec_revoke_subject(c, S("bob"), NULL) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(strstr(heard, "revoke_subject: this codec has no revocation list") != NULL);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

static void test_keyring_file(const char* dir) {
  char path[512];
  if (!keyring_file_in(dir, "keyring", keyring_text, path, sizeof path)) return;
  cookieseal_codec_options o;
  CHECK(cookieseal_codec_options_init(&o) == COOKIESEAL_OK);
  o.keyring_path = path;
  o.keyring_path_len = strlen(path);
  o.reload_interval_ms = 50; /* the watcher thread runs, and stops with the codec */
  cookieseal_codec* c = NULL;
  CHECK(cookieseal_codec_new(&o, &c, NULL) == COOKIESEAL_OK);
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  cookieseal_session_manager* m = NULL;
  CHECK(cookieseal_session_manager_new(c, &so, &m, NULL) == COOKIESEAL_OK);
  char* cookie = NULL;
  size_t len = 0;
  CHECK(cookieseal_seal(m, S("{}"), &cookie, &len, NULL) == COOKIESEAL_OK);
  cookieseal_free(cookie);
  cookieseal_codec_free(c); /* stops the watcher; the manager goes on answering CLOSED */
  CHECK(cookieseal_seal(m, S("{}"), &cookie, &len, NULL) == COOKIESEAL_CLOSED);
  cookieseal_session_manager_free(m);

  CHECK(chmod(path, 0644) == 0); /* a readable keyring file is refused, and why */
  char* why = NULL;
  CHECK(cookieseal_codec_new(&o, &c, &why) == COOKIESEAL_KEYRING_ERROR);
  CHECK(says(why, "chmod 600"));
}

/* The 1.2 calls for an event loop: what needs no store and no keyring file
 * runs at once; what needs either answers WOULD_BLOCK, changes and logs
 * nothing, and the blocking call then does it. */
static cookieseal_request* load_nonblocking(cookieseal_session_manager* m, const char* header,
                                            cookieseal_status expect) {
  cookieseal_request* r = (cookieseal_request*)&checks; /* must be reset */
  char* why = (char*)&checks;
  CHECK(cookieseal_request_new_nonblocking(m, header, strlen(header), &r, &why) == expect);
  CHECK((expect == COOKIESEAL_OK) == (r != NULL) && why == NULL);
  return r;
}

static char* save_nonblocking(cookieseal_request* r, cookieseal_status expect) {
  char* headers = (char*)&checks;
  size_t n = 0;
  CHECK(cookieseal_request_save_nonblocking(r, &headers, &n) == expect);
  CHECK((expect == COOKIESEAL_OK) == (headers != NULL));
  return headers;
}

static void test_nonblocking(const char* dir) {
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_WOULD_BLOCK), "would_block") == 0);
  CHECK(strstr(cookieseal_strerror(COOKIESEAL_WOULD_BLOCK), "blocking is fine") != NULL);
  CHECK(cookieseal_outcome_of(COOKIESEAL_WOULD_BLOCK) == COOKIESEAL_UNDECIDED);

  /* No store: everything runs at once. */
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  cookieseal_request* r = load_nonblocking(m, "", COOKIESEAL_OK);
  CHECK(cookieseal_request_set(r, S("visits"), S("1")) == COOKIESEAL_OK);
  char* headers = save_nonblocking(r, COOKIESEAL_OK);
  char* cookie = cookie_header_from(headers);
  cookieseal_free(headers);
  cookieseal_request_free(r);
  r = load_nonblocking(m, cookie, COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED && !cookieseal_request_is_new(r));
  cookieseal_request_free(r);
  free(cookie);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);

  /* A file store with revocation checks. */
  char store[512];
  snprintf(store, sizeof store, "%s/nonblocking-store", dir);
  heard[0] = '\0';
  m = manager_with(store, &c);
  r = load_nonblocking(m, "", COOKIESEAL_OK); /* no cookie: nothing to look up */
  CHECK(cookieseal_request_set(r, S("visits"), S("1")) == COOKIESEAL_OK);
  headers = save_nonblocking(r, COOKIESEAL_OK); /* inline, no subject: no store call */
  cookie = cookie_header_from(headers);
  cookieseal_free(headers);
  CHECK(cookieseal_request_login(r, S("alice")) == COOKIESEAL_OK);
  CHECK(save_nonblocking(r, COOKIESEAL_WOULD_BLOCK) == NULL); /* a login asks the list */
  char* json = NULL;
  size_t n = 0;
  CHECK(cookieseal_request_save(r, &json, &n) == COOKIESEAL_OK && strstr(json, "Set-Cookie"));
  cookieseal_free(json);
  cookieseal_request_free(r);
  CHECK(load_nonblocking(m, cookie, COOKIESEAL_WOULD_BLOCK) == NULL); /* a revocation check */
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED);
  cookieseal_request_free(r);
  free(cookie);

  /* Too big for a cookie: the save that would spill gives way, the request
   * still dirty; the blocking save spills it. */
  char big[6000];
  big[0] = '"';
  memset(big + 1, 'x', sizeof big - 3);
  big[sizeof big - 2] = '"';
  big[sizeof big - 1] = '\0';
  r = load_nonblocking(m, "", COOKIESEAL_OK);
  CHECK(cookieseal_request_set(r, S("cart"), S(big)) == COOKIESEAL_OK);
  CHECK(save_nonblocking(r, COOKIESEAL_WOULD_BLOCK) == NULL);
  CHECK(cookieseal_request_save(r, &json, &n) == COOKIESEAL_OK && strstr(json, "Set-Cookie"));
  cookie = cookie_header_from(json);
  cookieseal_free(json);
  cookieseal_request_free(r);
  /* Overflowed, then small again: the old entry's expiry is a store call
   * too, so the save gives way and the blocking one still sends the cookie. */
  CHECK(load_nonblocking(m, cookie, COOKIESEAL_WOULD_BLOCK) == NULL);
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED);
  CHECK(cookieseal_request_set(r, S("cart"), S("\"small\"")) == COOKIESEAL_OK);
  CHECK(save_nonblocking(r, COOKIESEAL_WOULD_BLOCK) == NULL);
  CHECK(cookieseal_request_save(r, &json, &n) == COOKIESEAL_OK && strstr(json, "Set-Cookie"));
  cookieseal_free(json);
  CHECK(cookieseal_request_destroy(r) == COOKIESEAL_OK);
  CHECK(save_nonblocking(r, COOKIESEAL_WOULD_BLOCK) == NULL); /* the end is recorded */
  CHECK(cookieseal_request_save(r, &json, &n) == COOKIESEAL_OK);
  cookieseal_free(json);
  cookieseal_request_free(r);
  free(cookie);
  CHECK(heard[0] == '\0'); /* no attempt that gave way was logged as an outage */
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);

  /* A keyring file: a key this server has not loaded is looked up in the
   * file, which a nonblocking load leaves to the blocking one. */
  char path[512];
  if (!keyring_file_in(dir, "nonblocking-keyring",
                       "cookieseal-keyring 1\n"
                       "key 51d0e7aa 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z never "
                       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
                       path, sizeof path))
    return;
  cookieseal_codec_options o;
  CHECK(cookieseal_codec_options_init(&o) == COOKIESEAL_OK);
  o.keyring_path = path;
  o.keyring_path_len = strlen(path);
  o.diagnostic = hear;
  o.diagnostic_context = heard;
  cookieseal_codec* filed = NULL;
  CHECK(cookieseal_codec_new(&o, &filed, NULL) == COOKIESEAL_OK);
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  cookieseal_session_manager* fm = NULL;
  CHECK(cookieseal_session_manager_new(filed, &so, &fm, NULL) == COOKIESEAL_OK);
  /* The same keyring with a store: a cookie that refers to an entry there. */
  o.store = store;
  o.store_len = strlen(store);
  cookieseal_codec* spilling = NULL;
  CHECK(cookieseal_codec_new(&o, &spilling, NULL) == COOKIESEAL_OK);
  cookieseal_session_manager* sm = NULL;
  CHECK(cookieseal_session_manager_new(spilling, &so, &sm, NULL) == COOKIESEAL_OK);
  char session[6100];
  snprintf(session, sizeof session, "{\"values\":{\"cart\":%s}}", big);
  char* reference = NULL;
  CHECK(cookieseal_seal(sm, session, strlen(session), &reference, &n, NULL) == COOKIESEAL_OK);
  m = manager_with(NULL, &c); /* key 9f3a01c2, which the file does not have */
  CHECK(cookieseal_seal(m, S("{}"), &json, &n, NULL) == COOKIESEAL_OK);
  char header[1024];
  snprintf(header, sizeof header, "__Host-session=%s; __Host-session=%s",
           reference ? reference : "", json);
  cookieseal_free(json);
  cookieseal_free(reference);
  heard[0] = '\0';
  CHECK(load_nonblocking(fm, header, COOKIESEAL_WOULD_BLOCK) == NULL);
  CHECK(heard[0] == '\0'); /* what it heard before it gave way waits for the blocking call */
  CHECK(cookieseal_request_new(fm, header, strlen(header), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) != COOKIESEAL_OPENED);
  const char* said = strstr(heard, "no overflow store");
  CHECK(said != NULL && strstr(said + 1, "no overflow store") == NULL); /* said once */
  cookieseal_request_free(r);
  cookieseal_session_manager_free(sm);
  cookieseal_codec_free(spilling);
  cookieseal_session_manager_free(fm);
  cookieseal_codec_free(filed);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

/* The Set-Cookie line of save()'s JSON with its value cut out (from '=' to
 * ';'), so that two seals of the same kind compare equal; caller frees. */
static char* set_cookie_without_value(const char* headers) {
  const char* start = strstr(headers, "\"Set-Cookie\",\"");
  if (start == NULL) return NULL;
  start += strlen("\"Set-Cookie\",\"");
  const char* eq = strchr(start, '=');
  const char* semi = strchr(start, ';');
  const char* end = strchr(start, '"');
  size_t head = (size_t)(eq + 1 - start), tail = (size_t)(end - semi);
  char* out = malloc(head + tail + 1);
  memcpy(out, start, head);
  memcpy(out + head, semi, tail);
  out[head + tail] = '\0';
  return out;
}

static void test_save_new(const char* dir) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  const char update[] =
      "{\"values\":{\"visits\":1},\"flashes\":{\"_flash\":[\"hi\"]},"
      "\"lifetime\":{\"idle_timeout\":3600}}";

  /* What a fresh request, its update and save_with send, in one call. */
  cookieseal_request* r = NULL;
  CHECK(cookieseal_request_new(m, "", 0, &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_update(r, S(update)) == COOKIESEAL_OK);
  char* by_request = NULL;
  size_t n = 0;
  CHECK(cookieseal_request_save_with(r, m, &by_request, &n) == COOKIESEAL_OK);
  cookieseal_request_free(r);
  char id[COOKIESEAL_SESSION_ID_HEX_SIZE] = "unset";
  char* headers = NULL;
  char* why = NULL;
  CHECK(cookieseal_session_manager_save_new(m, S(update), id, &headers, &n, &why) == COOKIESEAL_OK);
  CHECK(why == NULL && headers != NULL && n == strlen(headers));
  CHECK(strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32);
  char* a = set_cookie_without_value(by_request);
  char* b = set_cookie_without_value(headers);
  CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
  CHECK(strstr(b, "Max-Age=3600") != NULL);
  free(a);
  free(b);
  CHECK(strstr(headers, "[\"Cache-Control\",\"no-store\"]") != NULL);
  CHECK(strstr(headers, "[\"Vary\",\"Cookie\"]") != NULL);
  cookieseal_free(by_request);

  /* The cookie opens as that session: its id, values, flashes, lifetime. */
  char* cookie = cookie_header_from(headers);
  cookieseal_free(headers);
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED);
  char* json = NULL;
  CHECK(cookieseal_request_session_json(r, &json, &n) == COOKIESEAL_OK);
  char want[64];
  snprintf(want, sizeof want, "\"id\":\"%s\"", id);
  CHECK(strstr(json, want) != NULL && strstr(json, "\"visits\":1") != NULL);
  CHECK(strstr(json, "\"_flash\":[\"hi\"]") != NULL && strstr(json, "\"idle_timeout\":3600"));
  cookieseal_free(json);
  cookieseal_request_free(r);
  free(cookie);

  /* No id wanted; an empty session is sealed too. */
  CHECK(cookieseal_session_manager_save_new(m, S("{}"), NULL, &headers, NULL, NULL) ==
        COOKIESEAL_OK);
  CHECK(strstr(headers, "Set-Cookie") != NULL);
  cookieseal_free(headers);

  /* Bad input: a clear error, nothing out. */
  headers = NULL;
  CHECK(cookieseal_session_manager_save_new(m, S("{\"values\":[1]}"), id, &headers, &n, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(headers == NULL && id[0] == '\0' && says(why, "values"));
  CHECK(cookieseal_session_manager_save_new(NULL, S("{}"), id, &headers, &n, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "session manager"));
  CHECK(cookieseal_session_manager_save_new(m, NULL, 0, id, &headers, &n, NULL) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_session_manager_save_new(m, S("{}"), id, NULL, &n, NULL) ==
        COOKIESEAL_INVALID_ARGUMENT);
  cookieseal_codec_free(c);
  CHECK(cookieseal_session_manager_save_new(m, S("{}"), id, &headers, &n, &why) ==
        COOKIESEAL_CLOSED);
  CHECK(says(why, "codec was freed"));
  cookieseal_session_manager_free(m);

  /* Too big for a cookie: into the overflow store, and back. */
  char store[512];
  snprintf(store, sizeof store, "%s/save-new-store", dir);
  m = manager_with(store, &c);
  char big[6100];
  int used = snprintf(big, sizeof big, "{\"values\":{\"cart\":\"");
  memset(big + used, 'x', 6000);
  snprintf(big + used + 6000, sizeof big - (size_t)used - 6000, "\"}}");
  CHECK(cookieseal_session_manager_save_new(m, big, strlen(big), id, &headers, &n, NULL) ==
        COOKIESEAL_OK);
  cookie = cookie_header_from(headers);
  cookieseal_free(headers);
  CHECK(cookie != NULL && strlen(cookie) < 400);
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED);
  CHECK(cookieseal_request_get(r, S("cart"), &json, &n) == COOKIESEAL_OK && n == 6002);
  cookieseal_free(json);
  cookieseal_request_free(r);
  free(cookie);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

/* What cookieseal_session_manager_open_header makes of @p header is what a
 * request makes of it: its outcome, reason and (when a cookie opened) session
 * JSON byte for byte. */
static void check_open_header_as_request(cookieseal_session_manager* m, const char* header,
                                         cookieseal_outcome want) {
  cookieseal_request* r = NULL;
  CHECK(cookieseal_request_new(m, header, strlen(header), &r, NULL) == COOKIESEAL_OK);
  cookieseal_status by_request = COOKIESEAL_INTERNAL_ERROR;
  const cookieseal_outcome o = cookieseal_request_outcome(r, &by_request);
  char* json_by_request = NULL;
  if (!cookieseal_request_is_new(r))
    CHECK(cookieseal_request_session_json(r, &json_by_request, NULL) == COOKIESEAL_OK);
  cookieseal_request_free(r);

  cookieseal_outcome outcome = COOKIESEAL_UNDECIDED;
  cookieseal_status reason = COOKIESEAL_INTERNAL_ERROR;
  char* json = (char*)&checks; /* must be reset */
  size_t n = 7;
  char* why = NULL;
  CHECK(cookieseal_session_manager_open_header(m, header, strlen(header), &outcome, &reason, &json,
                                               &n, &why) == COOKIESEAL_OK);
  CHECK(why == NULL);
  CHECK(outcome == o && outcome == want && reason == by_request);
  if (json_by_request == NULL) {
    CHECK(json == NULL && n == 0);
  } else {
    CHECK(json != NULL && n == strlen(json) && strcmp(json, json_by_request) == 0);
  }
  cookieseal_free(json);
  cookieseal_free(json_by_request);
}

/* A manager of @p codec whose cookie is named "sid" (a name a sibling
 * subdomain can plant). */
static cookieseal_session_manager* plantable_manager(cookieseal_codec* codec) {
  cookieseal_session_options so;
  CHECK(cookieseal_session_options_init(&so) == COOKIESEAL_OK);
  so.cookie_name = "sid";
  so.cookie_name_len = 3;
  cookieseal_session_manager* m = NULL;
  CHECK(cookieseal_session_manager_new(codec, &so, &m, NULL) == COOKIESEAL_OK);
  return m;
}

/* A new session of @p m holding @p values_json, as "name=value" (caller frees). */
static char* cookie_of(cookieseal_session_manager* m, const char* name, const char* update) {
  char* headers = NULL;
  CHECK(cookieseal_session_manager_save_new(m, update, strlen(update), NULL, &headers, NULL,
                                            NULL) == COOKIESEAL_OK);
  if (headers == NULL) return NULL;
  char prefix[64];
  snprintf(prefix, sizeof prefix, "\"Set-Cookie\",\"%s=", name);
  const char* start = strstr(headers, prefix);
  char* out = NULL;
  if (start != NULL) {
    start += strlen("\"Set-Cookie\",\"");
    size_t len = strcspn(start, ";");
    out = malloc(len + 1);
    memcpy(out, start, len);
    out[len] = '\0';
  }
  cookieseal_free(headers);
  return out;
}

static void test_open_header(const char* dir) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  char* cookie = cookie_of(m, "__Host-session", "{\"values\":{\"visits\":1}}");
  char* other = cookie_of(m, "__Host-session", "{\"values\":{\"visits\":2}}");
  char header[4096];

  /* Every kind of header, as a request reads it. */
  check_open_header_as_request(m, "", COOKIESEAL_OPENED);
  check_open_header_as_request(m, "theme=dark; lang=en", COOKIESEAL_OPENED); /* none of ours */
  check_open_header_as_request(m, cookie, COOKIESEAL_OPENED);
  snprintf(header, sizeof header, "theme=dark; %s", cookie);
  check_open_header_as_request(m, header, COOKIESEAL_OPENED);
  snprintf(header, sizeof header, "theme=dark\n%s", cookie); /* two lines (HTTP/2) */
  check_open_header_as_request(m, header, COOKIESEAL_OPENED);
  check_open_header_as_request(m, "__Host-session=AAAA", COOKIESEAL_REFUSED);
  snprintf(header, sizeof header, "__Host-session=AAAA; %s", cookie); /* the good one stands */
  check_open_header_as_request(m, header, COOKIESEAL_OPENED);
  snprintf(header, sizeof header, "%s; %s", cookie, other); /* __Host-: the first */
  check_open_header_as_request(m, header, COOKIESEAL_OPENED);

  /* Under a name that can be planted: two sessions are ambiguous, two copies
   * of one are one. */
  cookieseal_session_manager* sid = plantable_manager(c);
  char* a = cookie_of(sid, "sid", "{\"values\":{\"visits\":1}}");
  char* b = cookie_of(sid, "sid", "{\"values\":{\"visits\":2}}");
  snprintf(header, sizeof header, "%s; %s", a, b);
  check_open_header_as_request(sid, header, COOKIESEAL_REFUSED);
  snprintf(header, sizeof header, "%s; %s", a, a);
  check_open_header_as_request(sid, header, COOKIESEAL_OPENED);
  free(a);
  free(b);

  /* A header cut at its limits is undecided. */
  char* huge = header_past_the_limits();
  check_open_header_as_request(m, huge, COOKIESEAL_UNDECIDED);
  free(huge);

  /* Bad arguments: a clear error, nothing out. */
  cookieseal_outcome outcome = COOKIESEAL_OPENED;
  char* json = NULL;
  char* why = NULL;
  size_t n = 0;
  CHECK(cookieseal_session_manager_open_header(NULL, S(""), &outcome, NULL, &json, NULL, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "session manager") && json == NULL);
  CHECK(cookieseal_session_manager_open_header(m, S(""), NULL, NULL, &json, NULL, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "outcome"));
  CHECK(cookieseal_session_manager_open_header(m, S(""), &outcome, NULL, NULL, NULL, NULL) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_session_manager_open_header(m, NULL, 3, &outcome, NULL, &json, NULL, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "NULL Cookie header"));
  /* No reason nor length wanted. */
  CHECK(cookieseal_session_manager_open_header(m, cookie, strlen(cookie), &outcome, NULL, &json,
                                               NULL, NULL) == COOKIESEAL_OK);
  CHECK(outcome == COOKIESEAL_OPENED && json != NULL && strstr(json, "\"visits\":1") != NULL);
  cookieseal_free(json);
  json = NULL;
  /* Nonblocking, no store: as the blocking call. */
  CHECK(cookieseal_session_manager_open_header_nonblocking(m, cookie, strlen(cookie), &outcome,
                                                           NULL, &json, &n, NULL) == COOKIESEAL_OK);
  CHECK(outcome == COOKIESEAL_OPENED && json != NULL && n == strlen(json));
  cookieseal_free(json);
  json = NULL;
  cookieseal_session_manager_free(sid);
  cookieseal_codec_free(c); /* m answers CLOSED now */
  CHECK(cookieseal_session_manager_open_header(m, cookie, strlen(cookie), &outcome, NULL, &json,
                                               NULL, &why) == COOKIESEAL_CLOSED);
  CHECK(says(why, "codec was freed") && json == NULL);
  cookieseal_session_manager_free(m);
  free(cookie);
  free(other);

  /* With a store every open asks its revocation list: the nonblocking open
   * gives way, says nothing and gives nothing; the blocking one opens. */
  char store[512];
  snprintf(store, sizeof store, "%s/open-header-store", dir);
  m = manager_with(store, &c);
  cookie = cookie_of(m, "__Host-session", "{\"values\":{\"visits\":3}}");
  heard[0] = '\0';
  cookieseal_status reason = COOKIESEAL_INTERNAL_ERROR;
  json = (char*)&checks;
  n = 7;
  why = (char*)&checks;
  CHECK(cookieseal_session_manager_open_header_nonblocking(m, cookie, strlen(cookie), &outcome,
                                                           &reason, &json, &n,
                                                           &why) == COOKIESEAL_WOULD_BLOCK);
  CHECK(json == NULL && n == 0 && why == NULL && heard[0] == '\0');
  CHECK(outcome == COOKIESEAL_UNDECIDED && reason == COOKIESEAL_WOULD_BLOCK);
  check_open_header_as_request(m, cookie, COOKIESEAL_OPENED);
  /* The store gone: undecided, as a request. */
  char moved[600];
  snprintf(moved, sizeof moved, "%s-moved", store);
  CHECK(rename(store, moved) == 0);
  check_open_header_as_request(m, cookie, COOKIESEAL_UNDECIDED);
  CHECK(rename(moved, store) == 0);
  free(cookie);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

static void test_save_header(const char* dir) {
  cookieseal_codec* c = NULL;
  cookieseal_session_manager* m = manager_with(NULL, &c);
  char* cookie = cookie_of(m, "__Host-session", "{\"values\":{\"visits\":1}}");
  const char update[] =
      "{\"values\":{\"visits\":2},\"flashes\":{\"_flash\":[\"saved\"]},"
      "\"lifetime\":{\"idle_timeout\":3600}}";

  /* What a request of the header, its update and save_with send, in one call. */
  cookieseal_request* r = NULL;
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r, NULL) == COOKIESEAL_OK);
  char* json = NULL;
  CHECK(cookieseal_request_session_json(r, &json, NULL) == COOKIESEAL_OK);
  char opened_id[64];
  const char* at = json != NULL ? strstr(json, "\"id\":\"") : NULL;
  CHECK(at != NULL);
  snprintf(opened_id, sizeof opened_id, "%.32s", at != NULL ? at + 6 : "");
  cookieseal_free(json);
  CHECK(cookieseal_request_update(r, S(update)) == COOKIESEAL_OK);
  char* by_request = NULL;
  size_t n = 0;
  CHECK(cookieseal_request_save_with(r, m, &by_request, &n) == COOKIESEAL_OK);
  cookieseal_request_free(r);
  char id[COOKIESEAL_SESSION_ID_HEX_SIZE] = "unset";
  char* headers = NULL;
  char* why = NULL;
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie), S(update), id, &headers,
                                               &n, &why) == COOKIESEAL_OK);
  CHECK(why == NULL && headers != NULL && n == strlen(headers));
  CHECK(strcmp(id, opened_id) == 0); /* the same session */
  char* x = set_cookie_without_value(by_request);
  char* y = set_cookie_without_value(headers);
  CHECK(x != NULL && y != NULL && strcmp(x, y) == 0 && strstr(y, "Max-Age=3600") != NULL);
  free(x);
  free(y);
  CHECK(strstr(headers, "[\"Cache-Control\",\"no-store\"]") != NULL);
  cookieseal_free(by_request);
  char* saved = cookie_header_from(headers);
  cookieseal_free(headers);
  CHECK(cookieseal_request_new(m, saved, strlen(saved), &r, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_request_session_json(r, &json, NULL) == COOKIESEAL_OK);
  CHECK(strstr(json, "\"visits\":2") != NULL && strstr(json, "\"_flash\":[\"saved\"]") != NULL);
  CHECK(strstr(json, opened_id) != NULL && strstr(json, "\"idle_timeout\":3600") != NULL);
  cookieseal_free(json);
  cookieseal_request_free(r);
  free(saved);

  /* Several Cookie lines; no id wanted; an update that changes nothing sends
   * no cookie, as a request's save. */
  char header[4096];
  snprintf(header, sizeof header, "theme=dark\n%s", cookie);
  CHECK(cookieseal_session_manager_save_header(m, header, strlen(header), S("{}"), NULL, &headers,
                                               NULL, NULL) == COOKIESEAL_OK);
  CHECK(headers != NULL && strcmp(headers, "[[\"Vary\",\"Cookie\"]]") == 0);
  cookieseal_free(headers);
  CHECK(cookieseal_session_manager_save_header(m, header, strlen(header), S("{\"values\":{}}"), id,
                                               &headers, NULL, NULL) == COOKIESEAL_OK);
  CHECK(strcmp(id, opened_id) == 0 && strstr(headers, "Set-Cookie") != NULL);
  cookieseal_free(headers);

  /* No cookie of the name: a new session, as save_new; nothing to seal, no id. */
  CHECK(cookieseal_session_manager_save_header(m, S("theme=dark"), S(update), id, &headers, &n,
                                               NULL) == COOKIESEAL_OK);
  CHECK(strlen(id) == 32 && strcmp(id, opened_id) != 0 && strstr(headers, "Set-Cookie") != NULL);
  cookieseal_free(headers);
  CHECK(cookieseal_session_manager_save_header(m, S("theme=dark"), S("{}"), id, &headers, &n,
                                               NULL) == COOKIESEAL_OK);
  CHECK(id[0] == '\0' && strstr(headers, "Set-Cookie") == NULL);
  cookieseal_free(headers);

  /* Refused or undecided: nothing saved, the reason. */
  headers = NULL;
  CHECK(cookieseal_session_manager_save_header(m, S("__Host-session=AAAA"), S(update), id, &headers,
                                               &n, &why) == COOKIESEAL_MALFORMED);
  CHECK(headers == NULL && id[0] == '\0' && says(why, "nothing was saved"));
  char* huge = header_past_the_limits();
  CHECK(cookieseal_session_manager_save_header(m, huge, strlen(huge), S(update), id, &headers, &n,
                                               &why) == COOKIESEAL_HEADER_TRUNCATED);
  CHECK(headers == NULL && id[0] == '\0');
  cookieseal_free(why);
  free(huge);

  /* A bad update changes nothing; bad arguments. */
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie), S("{\"values\":[1]}"), id,
                                               &headers, &n, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(headers == NULL && id[0] == '\0' && says(why, "values"));
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie), S("{\"meta\":{}}"), id,
                                               &headers, &n, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "only"));
  CHECK(cookieseal_session_manager_save_header(NULL, S(""), S("{}"), id, &headers, &n, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "session manager"));
  CHECK(cookieseal_session_manager_save_header(m, S(""), NULL, 0, id, &headers, &n, NULL) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_session_manager_save_header(m, S(""), S("{}"), id, NULL, &n, NULL) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_session_manager_save_header(m, NULL, 2, S("{}"), id, &headers, &n, &why) ==
        COOKIESEAL_INVALID_ARGUMENT);
  CHECK(says(why, "NULL Cookie header"));
  cookieseal_codec_free(c);
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie), S("{}"), id, &headers, &n,
                                               &why) == COOKIESEAL_CLOSED);
  CHECK(says(why, "codec was freed"));
  cookieseal_session_manager_free(m);
  free(cookie);

  /* Too big for a cookie: into the overflow store; saved again, read back. */
  char store[512];
  snprintf(store, sizeof store, "%s/save-header-store", dir);
  m = manager_with(store, &c);
  cookie = cookie_of(m, "__Host-session", "{\"values\":{\"visits\":1}}");
  char large[6100];
  int used = snprintf(large, sizeof large, "{\"values\":{\"cart\":\"");
  memset(large + used, 'x', 6000);
  snprintf(large + used + 6000, sizeof large - (size_t)used - 6000, "\"}}");
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie), large, strlen(large), id,
                                               &headers, &n, NULL) == COOKIESEAL_OK);
  free(cookie);
  cookie = cookie_header_from(headers);
  cookieseal_free(headers);
  CHECK(cookie != NULL && strlen(cookie) < 400);
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie),
                                               S("{\"lifetime\":{\"idle_timeout\":600}}"), id,
                                               &headers, &n, NULL) == COOKIESEAL_OK);
  char* again = cookie_header_from(headers); /* a lifetime given re-seals */
  cookieseal_free(headers);
  CHECK(again != NULL);
  if (again != NULL) {
    CHECK(cookieseal_request_new(m, again, strlen(again), &r, NULL) == COOKIESEAL_OK);
    CHECK(cookieseal_request_outcome(r, NULL) == COOKIESEAL_OPENED);
    CHECK(cookieseal_request_get(r, S("cart"), &json, &n) == COOKIESEAL_OK && n == 6002);
    cookieseal_free(json);
    cookieseal_request_free(r);
    free(again);
  }
  /* The store gone: undecided, nothing saved. */
  char moved[600];
  snprintf(moved, sizeof moved, "%s-moved", store);
  CHECK(rename(store, moved) == 0);
  headers = NULL;
  CHECK(cookieseal_session_manager_save_header(m, cookie, strlen(cookie), S("{}"), id, &headers, &n,
                                               &why) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(headers == NULL && says(why, "store"));
  CHECK(rename(moved, store) == 0);
  free(cookie);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
}

int main(void) {
  char dir[] = "/tmp/cookieseal-c-test-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  test_library();
  test_option_sizes();
  test_codec_and_manager_errors(dir);
  test_request_messages();
  test_manager_settings();
  test_request_flow(dir);
  test_free_orders(dir);
  test_requests_save(dir);
  test_requests_save_all_or_nothing();
  test_seal_open();
  test_session_lifetime();
  test_keyring_file(dir);
  test_free_on_the_keyring_thread(dir);
  test_nonblocking(dir);
  test_save_new(dir);
  test_open_header(dir);
  test_save_header(dir);
  char rm[128];
  snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
  if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", dir);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
