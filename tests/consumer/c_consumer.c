/* A C program built against the installed cookieseal/cookieseal.h and
   libcookieseal-c (pkg-config cookieseal-c, or CMake's cookieseal::c): the
   library it loads is the one it was built for (version and ABI), and it seals
   and opens one session.
   Usage: c_consumer EXPECTED_VERSION */
#include <cookieseal/cookieseal.h>

#include <stdio.h>
#include <string.h>

static const char keys[] =
    "cookieseal-keyring 1\n"
    "key 9f3a01c2 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z never "
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n";

/* Seals {"n":1} and opens it again through a codec and a session manager. */
static int round_trip(void) {
  cookieseal_codec_options o;
  if (cookieseal_codec_options_init(&o) != COOKIESEAL_OK) return 0;
  o.keyring_text = keys;
  o.keyring_text_len = strlen(keys);
  cookieseal_codec* c = NULL;
  if (cookieseal_codec_new(&o, &c, NULL) != COOKIESEAL_OK) return 0;
  cookieseal_session_options so;
  cookieseal_session_manager* m = NULL;
  if (cookieseal_session_options_init(&so) != COOKIESEAL_OK ||
      cookieseal_session_manager_new(c, &so, &m, NULL) != COOKIESEAL_OK) {
    cookieseal_codec_free(c);
    return 0;
  }
  char *cookie = NULL, *json = NULL;
  size_t n = 0;
  const char in[] = "{\"values\":{\"n\":1}}";
  int ok = cookieseal_seal(m, in, strlen(in), &cookie, &n, NULL) == COOKIESEAL_OK &&
           cookieseal_open(m, cookie, n, &json, NULL, NULL) == COOKIESEAL_OK &&
           strstr(json, "\"n\":1") != NULL;
  cookieseal_free(cookie);
  cookieseal_free(json);
  cookieseal_session_manager_free(m);
  cookieseal_codec_free(c);
  return ok;
}

int main(int argc, char** argv) {
  const char* version = cookieseal_version();
  int abi = cookieseal_abi_version();
  int ok = argc == 2 && version != NULL && strcmp(version, argv[1]) == 0 &&
           abi == COOKIESEAL_ABI_VERSION && round_trip();
  printf("C consumer: libcookieseal-c %s, ABI %d (header %d, want %s): %s\n",
         version ? version : "(null)", abi, COOKIESEAL_ABI_VERSION, argc == 2 ? argv[1] : "?",
         ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
