"""The C ABI (cookieseal/cookieseal.h) through ctypes: loading, prototypes,
and the one place where statuses become exceptions and C strings are freed."""
import ctypes
import ctypes.util
import os

from . import errors

ABI_VERSION = 1


def _load():
    # COOKIESEAL_LIBRARY: a build tree's libcookieseal-c.so.1; else the installed one.
    candidates = []
    if os.environ.get("COOKIESEAL_LIBRARY"):
        candidates.append(os.environ["COOKIESEAL_LIBRARY"])
    found = ctypes.util.find_library("cookieseal-c")
    if found:
        candidates.append(found)
    candidates.append("libcookieseal-c.so.%d" % ABI_VERSION)
    problems = []
    for name in candidates:
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            problems.append(f"{name}: {e}")
    raise ImportError(
        "cannot load libcookieseal-c (install cookieseal, or set COOKIESEAL_LIBRARY "
        "to the path of libcookieseal-c.so.1): " + "; ".join(problems))


lib = _load()
if lib.cookieseal_abi_version() < ABI_VERSION:
    raise ImportError(f"libcookieseal-c has ABI {lib.cookieseal_abi_version()}, need {ABI_VERSION}")


# void (*diagnostic)(void* context, const char* message, size_t message_len)
DiagnosticFunction = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(ctypes.c_char),
                                      ctypes.c_size_t)


class Options(ctypes.Structure):
    """struct cookieseal_options, ABI 1 (fields in header order)."""
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("keyring_path", ctypes.c_char_p), ("keyring_path_len", ctypes.c_size_t),
        ("keyring_text", ctypes.c_char_p), ("keyring_text_len", ctypes.c_size_t),
        ("cookie_name", ctypes.c_char_p), ("cookie_name_len", ctypes.c_size_t),
        ("purpose", ctypes.c_char_p), ("purpose_len", ctypes.c_size_t),
        ("max_age_seconds", ctypes.c_int64),
        ("idle_timeout_seconds", ctypes.c_int64),
        ("leeway_seconds", ctypes.c_int64),
        ("store", ctypes.c_char_p), ("store_len", ctypes.c_size_t),
        ("store_revocations", ctypes.c_int),
        ("path", ctypes.c_char_p), ("path_len", ctypes.c_size_t),
        ("domain", ctypes.c_char_p), ("domain_len", ctypes.c_size_t),
        ("secure", ctypes.c_int),
        ("http_only", ctypes.c_int),
        ("same_site", ctypes.c_int),
        ("partitioned", ctypes.c_int),
        ("browser_session", ctypes.c_int),
        ("reload_interval_ms", ctypes.c_uint32),
        # Added in 0.2; an older library ignores them (it reads only its own size).
        ("diagnostic", DiagnosticFunction),
        ("diagnostic_context", ctypes.c_void_p),
    ]

    def set_text(self, field, text):
        """Sets a pointer + length pair from str or bytes (kept alive by the caller)."""
        if text is None:
            return None
        data = text.encode() if isinstance(text, str) else bytes(text)
        setattr(self, field, data)
        setattr(self, field + "_len", len(data))
        return data


c_char_pp = ctypes.POINTER(ctypes.c_char_p)
_size_p = ctypes.POINTER(ctypes.c_size_t)
_status = ctypes.c_int
_str = ctypes.c_char_p
_size = ctypes.c_size_t
_handle = ctypes.c_void_p


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


version = _proto("cookieseal_version", _str)
status_name = _proto("cookieseal_status_name", _str, _status)
strerror = _proto("cookieseal_strerror", _str, _status)
free = _proto("cookieseal_free", None, ctypes.c_void_p)
options_init = _proto("cookieseal_options_init", None, ctypes.POINTER(Options))
manager_new = _proto("cookieseal_manager_new", _status, ctypes.POINTER(Options),
                     ctypes.POINTER(_handle), ctypes.POINTER(ctypes.c_void_p))
manager_free = _proto("cookieseal_manager_free", None, _handle)
manager_revoke_subject = _proto("cookieseal_manager_revoke_subject", _status, _handle, _str, _size)
seal = _proto("cookieseal_seal", _status, _handle, _str, _size, ctypes.POINTER(ctypes.c_void_p), _size_p)
open_ = _proto("cookieseal_open", _status, _handle, _str, _size, ctypes.POINTER(ctypes.c_void_p), _size_p)
request_new = _proto("cookieseal_request_new", _status, _handle, _str, _size, ctypes.POINTER(_handle))
request_free = _proto("cookieseal_request_free", None, _handle)
request_outcome = _proto("cookieseal_request_outcome", ctypes.c_int, _handle, ctypes.POINTER(_status))
request_is_new = _proto("cookieseal_request_is_new", ctypes.c_int, _handle)
request_session = _proto("cookieseal_request_session", _status, _handle,
                         ctypes.POINTER(ctypes.c_void_p), _size_p)
request_update = _proto("cookieseal_request_update", _status, _handle, _str, _size)
request_get = _proto("cookieseal_request_get", _status, _handle, _str, _size,
                     ctypes.POINTER(ctypes.c_void_p), _size_p)
request_set = _proto("cookieseal_request_set", _status, _handle, _str, _size, _str, _size)
request_erase = _proto("cookieseal_request_erase", _status, _handle, _str, _size)
request_flash = _proto("cookieseal_request_flash", _status, _handle, _str, _size, _str, _size)
request_take_flashes = _proto("cookieseal_request_take_flashes", _status, _handle, _str, _size,
                              ctypes.POINTER(ctypes.c_void_p), _size_p)
request_login = _proto("cookieseal_request_login", _status, _handle, _str, _size)
request_regenerate_id = _proto("cookieseal_request_regenerate_id", _status, _handle)
request_destroy = _proto("cookieseal_request_destroy", _status, _handle)
request_save = _proto("cookieseal_request_save", _status, _handle,
                      ctypes.POINTER(ctypes.c_void_p), _size_p)


def error_for(status, detail=None):
    """The exception named after non-zero @p status (its sentence unless @p detail)."""
    return errors.from_status(status, status_name(status).decode(),
                              detail or strerror(status).decode())


def check(status, detail=None):
    """Raises the exception named after @p status unless it is 0."""
    if status != 0:
        raise error_for(status, detail)


def call_for_text(fn, *args):
    """Calls fn(*args, &out, &len), returns the text and frees it with cookieseal_free."""
    out = ctypes.c_void_p()
    n = ctypes.c_size_t()
    check(fn(*args, ctypes.byref(out), ctypes.byref(n)))
    try:
        return ctypes.string_at(out, n.value).decode("utf-8")
    finally:
        free(out)


def take_text(ptr):
    """A library-allocated C string (or NULL) as str, freed."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        free(ptr)


def b(text):
    """str or bytes -> (bytes, length) for a pointer + length argument."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    return data, len(data)
