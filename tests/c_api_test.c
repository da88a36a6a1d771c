/* The C ABI from C: every function, every error path, and the ownership rules
 * (run under ASan and LSan in CI: every allocation the library hands out is
 * freed here with cookieseal_free, and nothing else is).
 * Usage: test_c_api (makes and removes its own scratch directory) */
#define _POSIX_C_SOURCE 200809L
#include <cookieseal/cookieseal.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static cookieseal_manager* manager_with(const char* store) {
  cookieseal_options o;
  cookieseal_options_init(&o);
  CHECK(o.diagnostic == NULL && o.diagnostic_context == NULL);
  o.diagnostic = hear;
  o.diagnostic_context = heard;
  o.keyring_text = keyring_text;
  o.keyring_text_len = strlen(keyring_text);
  if (store != NULL) {
    o.store = store;
    o.store_len = strlen(store);
  }
  cookieseal_manager* m = NULL;
  char* why = NULL;
  cookieseal_status st = cookieseal_manager_new(&o, &m, &why);
  CHECK(st == COOKIESEAL_OK);
  CHECK(m != NULL);
  CHECK(why == NULL);
  return m;
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

static void test_library(void) {
  CHECK(strcmp(cookieseal_version(), "0.1.0") == 0);
  CHECK(cookieseal_abi_version() == COOKIESEAL_ABI_VERSION);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_EXPIRED), "expired") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_KEY_NOT_LOADED), "key_not_loaded") == 0);
  CHECK(strcmp(cookieseal_status_name(COOKIESEAL_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(cookieseal_status_name((cookieseal_status)999), "unknown") == 0);
  for (int s = 0; s <= 11; ++s) CHECK(strlen(cookieseal_strerror((cookieseal_status)s)) > 5);
  for (int s = 100; s <= 104; ++s) CHECK(strlen(cookieseal_strerror((cookieseal_status)s)) > 5);
  CHECK(cookieseal_outcome_of(COOKIESEAL_OK) == COOKIESEAL_OPENED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_STORE_UNAVAILABLE) == COOKIESEAL_UNDECIDED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_KEY_NOT_LOADED) == COOKIESEAL_UNDECIDED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_REVOKED) == COOKIESEAL_REFUSED);
  CHECK(cookieseal_outcome_of(COOKIESEAL_AMBIGUOUS) == COOKIESEAL_REFUSED);
  cookieseal_free(NULL);
  cookieseal_manager_free(NULL);
  cookieseal_request_free(NULL);
  cookieseal_options_init(NULL);
}

static void test_manager_errors(const char* dir) {
  cookieseal_options o;
  cookieseal_options_init(&o);
  CHECK(o.size == sizeof o && o.secure == 1 && o.max_age_seconds == 7 * 24 * 3600);
  cookieseal_manager* m = (cookieseal_manager*)&o; /* must be reset to NULL on failure */
  char* why = NULL;

  CHECK(cookieseal_manager_new(NULL, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(m == NULL);
  CHECK(why != NULL);
  cookieseal_free(why);
  CHECK(cookieseal_manager_new(&o, NULL, NULL) == COOKIESEAL_INVALID_ARGUMENT);

  /* neither keyring: a message says what is wrong */
  CHECK(cookieseal_manager_new(&o, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(why != NULL && strstr(why, "keyring") != NULL);
  cookieseal_free(why);

  char missing[512];
  snprintf(missing, sizeof missing, "%s/no-such-keyring", dir);
  o.keyring_path = missing;
  o.keyring_path_len = strlen(missing);
  CHECK(cookieseal_manager_new(&o, &m, &why) == COOKIESEAL_KEYRING_ERROR);
  CHECK(why != NULL && strstr(why, "no-such-keyring") != NULL);
  cookieseal_free(why);

  o.keyring_text = keyring_text; /* both */
  o.keyring_text_len = strlen(keyring_text);
  CHECK(cookieseal_manager_new(&o, &m, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  o.keyring_path = NULL;
  o.keyring_path_len = 0;

  cookieseal_options bad = o;
  bad.keyring_text = "cookieseal-keyring 1\nkey nonsense\n";
  bad.keyring_text_len = strlen(bad.keyring_text);
  CHECK(cookieseal_manager_new(&bad, &m, &why) == COOKIESEAL_KEYRING_ERROR);
  CHECK(why != NULL && strstr(why, "AAECAw") == NULL); /* never key text in a message */
  cookieseal_free(why);

  bad = o;
  bad.size = offsetof(cookieseal_options, reload_interval_ms);
  CHECK(cookieseal_manager_new(&bad, &m, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  /* A caller built against the first header (no diagnostic fields) still works:
   * what lies past its size is never read. Here a diagnostic function lies past
   * it, and a failure the codec reports (no revocation list) must not reach it. */
  bad = o;
  bad.size = offsetof(cookieseal_options, diagnostic);
  bad.diagnostic = hear;
  bad.diagnostic_context = heard;
  heard[0] = '\0';
  CHECK(cookieseal_manager_new(&bad, &m, NULL) == COOKIESEAL_OK);
  CHECK(m != NULL);
  CHECK(cookieseal_manager_revoke_subject(m, "bob", 3) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(heard[0] == '\0');
  cookieseal_manager_free(m);
  m = NULL;
  /* The same with the whole struct: the function hears it. */
  bad.size = sizeof bad;
  CHECK(cookieseal_manager_new(&bad, &m, NULL) == COOKIESEAL_OK);
  CHECK(cookieseal_manager_revoke_subject(m, "bob", 3) == COOKIESEAL_STORE_UNAVAILABLE);
  CHECK(strstr(heard, "revoke_subject: this codec has no revocation list") != NULL);
  cookieseal_manager_free(m);
  m = NULL;
  bad = o;
  bad.same_site = 42;
  CHECK(cookieseal_manager_new(&bad, &m, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  bad = o;
  bad.max_age_seconds = -1;
  CHECK(cookieseal_manager_new(&bad, &m, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  bad = o;
  bad.secure = 0; /* a __Host- cookie needs Secure */
  CHECK(cookieseal_manager_new(&bad, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(why != NULL && strstr(why, "__Host-") != NULL);
  cookieseal_free(why);
  bad = o;
  bad.store = "rediss://example:6379";
  bad.store_len = strlen(bad.store);
  CHECK(cookieseal_manager_new(&bad, &m, &why) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(why != NULL && (strstr(why, "TLS") != NULL || strstr(why, "no Redis support") != NULL));
  cookieseal_free(why);
  CHECK(m == NULL);
}

static void test_request_flow(const char* dir) {
  char store[512];
  snprintf(store, sizeof store, "%s/store", dir);
  cookieseal_manager* m = manager_with(store);
  if (m == NULL) return;
  cookieseal_request* r = NULL;
  char* json = NULL;
  size_t len = 0;
  cookieseal_status reason = COOKIESEAL_INTERNAL_ERROR;

  CHECK(cookieseal_request_new(NULL, "", 0, &r) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_new(m, NULL, 5, &r) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_new(m, NULL, 0, NULL) == COOKIESEAL_INVALID_ARGUMENT);

  /* A fresh session: set, get, erase, flash, login, save. */
  CHECK(cookieseal_request_new(m, S("theme=dark"), &r) == COOKIESEAL_OK);
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
  CHECK(cookieseal_request_session(r, &json, &len) == COOKIESEAL_OK);
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
    cookieseal_manager_free(m);
    return;
  }

  /* The next request opens it; update replaces values and flashes. */
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r) == COOKIESEAL_OK);
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
  CHECK(cookieseal_request_session(r, &json, NULL) == COOKIESEAL_OK);
  CHECK(strstr(json, "\"visits\":2") != NULL); /* the bad update changed nothing */
  CHECK(strstr(json, "\"info\":[\"x\"]") != NULL);
  CHECK(strstr(json, "\"key_id\":\"9f3a01c2\"") != NULL);
  cookieseal_free(json);

  /* Log out everywhere, then destroy with a flash: a new cookie, not a deletion. */
  CHECK(cookieseal_manager_revoke_subject(m, S("alice")) == COOKIESEAL_OK);
  CHECK(cookieseal_manager_revoke_subject(m, "", 0) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_destroy(r) == COOKIESEAL_OK);
  CHECK(cookieseal_request_flash(r, S("notice"), S("\"Logged out\"")) == COOKIESEAL_OK);
  CHECK(cookieseal_request_save(r, &json, &len) == COOKIESEAL_OK);
  CHECK(strstr(json, "Max-Age=0") == NULL && strstr(json, "__Host-session=") != NULL);
  cookieseal_free(json);
  cookieseal_request_free(r);

  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r) == COOKIESEAL_OK);
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
  CHECK(cookieseal_request_new(m, cookie, strlen(cookie), &r) == COOKIESEAL_OK);
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
  CHECK(cookieseal_request_new(m, S("__Host-session=garbage!"), &r) == COOKIESEAL_OK);
  CHECK(cookieseal_request_outcome(r, &reason) == COOKIESEAL_REFUSED);
  CHECK(reason == COOKIESEAL_MALFORMED);
  cookieseal_request_free(r);

  /* NULL requests. */
  CHECK(cookieseal_request_outcome(NULL, &reason) == COOKIESEAL_UNDECIDED);
  CHECK(reason == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_request_is_new(NULL) == 1);
  CHECK(cookieseal_request_session(NULL, &json, &len) == COOKIESEAL_INVALID_ARGUMENT);
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
  CHECK(cookieseal_manager_revoke_subject(NULL, S("a")) == COOKIESEAL_INVALID_ARGUMENT);
  free(cookie);
  cookieseal_manager_free(m);
}

static void test_seal_open(void) {
  cookieseal_manager* m = manager_with(NULL);
  if (m == NULL) return;
  char *cookie = NULL, *json = NULL;
  size_t cookie_len = 0, len = 0;
  CHECK(cookieseal_seal(m,
                        S("{\"values\":{\"n\":1},\"subject\":\"bob\",\"flashes\":{\"f\":[true]}}"),
                        &cookie, &cookie_len) == COOKIESEAL_OK);
  CHECK(cookie_len == strlen(cookie) && cookie_len > 82);
  CHECK(cookieseal_open(m, cookie, cookie_len, &json, &len) == COOKIESEAL_OK);
  CHECK(strstr(json, "\"n\":1") && strstr(json, "\"subject\":\"bob\"") &&
        strstr(json, "\"f\":[true]"));
  cookieseal_free(json);
  json = NULL;
  cookie[cookie_len / 2] = cookie[cookie_len / 2] == 'A' ? 'B' : 'A';
  CHECK(cookieseal_open(m, cookie, cookie_len, &json, &len) == COOKIESEAL_AUTHENTICATION_FAILED);
  CHECK(json == NULL);
  cookieseal_free(cookie);
  CHECK(cookieseal_open(m, S("garbage!"), &json, &len) == COOKIESEAL_MALFORMED);
  CHECK(cookieseal_seal(m, S("{\"nope\":1}"), &cookie, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_seal(m, S("{\"values\":{\"big\":\""), &cookie, &len) ==
        COOKIESEAL_INVALID_ARGUMENT);
  /* Too large without a store. */
  size_t n = 6000;
  char* big = malloc(n + 32);
  strcpy(big, "{\"values\":{\"b\":\"");
  memset(big + strlen(big), 'x', n);
  strcpy(big + 16 + n, "\"}}");
  CHECK(cookieseal_seal(m, big, strlen(big), &cookie, &len) == COOKIESEAL_TOO_LARGE);
  free(big);
  CHECK(cookieseal_seal(NULL, S("{}"), &cookie, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_open(NULL, S("x"), &json, &len) == COOKIESEAL_INVALID_ARGUMENT);
  CHECK(cookieseal_seal(m, S("{}"), NULL, NULL) == COOKIESEAL_INVALID_ARGUMENT);
  /* Without a revocation store, log out everywhere cannot be recorded. */
  CHECK(cookieseal_manager_revoke_subject(m, S("bob")) == COOKIESEAL_STORE_UNAVAILABLE);
  cookieseal_manager_free(m);
}

static void test_keyring_file(const char* dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/keyring", dir);
  FILE* f = fopen(path, "w");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs(keyring_text, f);
  fclose(f);
  CHECK(chmod(path, 0600) == 0);
  cookieseal_options o;
  cookieseal_options_init(&o);
  o.keyring_path = path;
  o.keyring_path_len = strlen(path);
  o.reload_interval_ms = 50; /* the watcher thread runs, and stops with the manager */
  cookieseal_manager* m = NULL;
  CHECK(cookieseal_manager_new(&o, &m, NULL) == COOKIESEAL_OK);
  char* cookie = NULL;
  size_t len = 0;
  CHECK(cookieseal_seal(m, S("{}"), &cookie, &len) == COOKIESEAL_OK);
  cookieseal_free(cookie);
  cookieseal_manager_free(m);

  CHECK(chmod(path, 0644) == 0); /* a readable keyring file is refused, and why */
  char* why = NULL;
  CHECK(cookieseal_manager_new(&o, &m, &why) == COOKIESEAL_KEYRING_ERROR);
  CHECK(why != NULL && strstr(why, "chmod 600") != NULL);
  cookieseal_free(why);
}

int main(void) {
  char dir[] = "/tmp/cookieseal-c-test-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  test_library();
  test_manager_errors(dir);
  test_request_flow(dir);
  test_seal_open();
  test_keyring_file(dir);
  char rm[128];
  snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
  if (system(rm) != 0) fprintf(stderr, "could not remove %s\n", dir);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
