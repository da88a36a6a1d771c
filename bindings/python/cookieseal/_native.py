"""The C ABI (cookieseal/cookieseal.h) through ctypes: loading, prototypes,
and the one place where statuses become exceptions and C strings are freed."""
import ctypes
import ctypes.util
import os
from typing import Any, Callable, List, Optional, Tuple, Type, TypeVar, Union

from . import errors

#: text for a pointer + length argument
Text = Union[str, bytes, bytearray]

ABI_VERSION = 1


def _load() -> ctypes.CDLL:
    # COOKIESEAL_LIBRARY (a build tree's libcookieseal-c.so.1, for development);
    # else the copy pip installed beside this file; else the system's.
    candidates: List[str] = []
    if os.environ.get("COOKIESEAL_LIBRARY"):
        candidates.append(os.environ["COOKIESEAL_LIBRARY"])
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_libcookieseal_c.so")
    if os.path.exists(bundled):
        candidates.append(bundled)
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
# Within ABI 1, what this binding calls is there (a 1.x library's number is
# the same: the loader way is to test for the newest symbol).
if not hasattr(lib, "cookieseal_session_manager_settings"):
    raise ImportError("libcookieseal-c is older than ABI 1.1 (no "
                      "cookieseal_session_manager_settings): install a newer one")


# void (*diagnostic)(void* context, const char* message, size_t message_len)
DiagnosticFunction = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(ctypes.c_char),
                                      ctypes.c_size_t)


class _Sized(ctypes.Structure):
    """An options struct of the C ABI: initialised by the library with our sizeof."""

    def set_text(self, field: str, text: Optional[Text]) -> Optional[bytes]:
        """Sets a pointer + length pair from str or bytes (kept alive by the caller)."""
        if text is None:
            return None
        data = text.encode() if isinstance(text, str) else bytes(text)
        setattr(self, field, data)
        setattr(self, field + "_len", len(data))
        return data


    def set_secret(self, field: str, text: Optional[Text]) -> Optional[ctypes.Array[ctypes.c_char]]:
        """Sets a pointer + length pair to a copy of secret text (str, bytes or
        bytearray) in a buffer of ours, returned (or None for None): the caller
        keeps it alive through the call, then wipe()s it on every path."""
        if text is None:
            return None
        buffer = secret_buffer(text)
        setattr(self, field, ctypes.cast(buffer, ctypes.c_char_p))
        setattr(self, field + "_len", len(buffer))
        return buffer


def secret_buffer(text: Text) -> ctypes.Array[ctypes.c_char]:
    """A mutable C copy of str, bytes or bytearray, for wipe() after use. A str
    and the bytes its encoding makes are immutable: Python cannot wipe them
    (docs/SECURITY.md); a bytearray is copied without such an intermediate."""
    if isinstance(text, str):
        text = text.encode()
    elif not isinstance(text, (bytes, bytearray)):
        text = bytes(text)
    n = len(text)
    buffer = ctypes.create_string_buffer(n)
    if n:
        ctypes.memmove(buffer, text if isinstance(text, bytes) else
                       (ctypes.c_char * n).from_buffer(text), n)
    return buffer


def wipe(buffer: ctypes.Array[ctypes.c_char]) -> None:
    """Zeroes a ctypes buffer (secret_buffer's)."""
    ctypes.memset(buffer, 0, ctypes.sizeof(buffer))


class CodecOptions(_Sized):
    """struct cookieseal_codec_options, ABI 1.0 (fields in header order)."""
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("keyring_path", ctypes.c_char_p), ("keyring_path_len", ctypes.c_size_t),
        ("keyring_text", ctypes.c_char_p), ("keyring_text_len", ctypes.c_size_t),
        ("store", ctypes.c_char_p), ("store_len", ctypes.c_size_t),
        ("store_revocations", ctypes.c_int),
        ("max_age_seconds", ctypes.c_int64),
        ("idle_timeout_seconds", ctypes.c_int64),
        ("leeway_seconds", ctypes.c_int64),
        ("reload_interval_ms", ctypes.c_uint32),
        ("diagnostic", DiagnosticFunction),
        ("diagnostic_context", ctypes.c_void_p),
    ]


class SessionOptions(_Sized):
    """struct cookieseal_session_options, ABI 1.0 (fields in header order)."""
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("cookie_name", ctypes.c_char_p), ("cookie_name_len", ctypes.c_size_t),
        ("purpose", ctypes.c_char_p), ("purpose_len", ctypes.c_size_t),
        ("path", ctypes.c_char_p), ("path_len", ctypes.c_size_t),
        ("domain", ctypes.c_char_p), ("domain_len", ctypes.c_size_t),
        ("secure", ctypes.c_int),
        ("http_only", ctypes.c_int),
        ("same_site", ctypes.c_int),
        ("partitioned", ctypes.c_int),
        ("browser_session", ctypes.c_int),
    ]


_size_p = ctypes.POINTER(ctypes.c_size_t)
_status = ctypes.c_int
_str = ctypes.c_char_p
_size = ctypes.c_size_t
_handle = ctypes.c_void_p


def _proto(name: str, restype: Any, *argtypes: Any) -> Callable[..., Any]:
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    typed: Callable[..., Any] = f
    return typed


_out = ctypes.POINTER(ctypes.c_void_p)  # char** / handle** outputs
version = _proto("cookieseal_version", _str)
status_name = _proto("cookieseal_status_name", _str, _status)
strerror = _proto("cookieseal_strerror", _str, _status)
outcome_of = _proto("cookieseal_outcome_of", ctypes.c_int, _status)
free = _proto("cookieseal_free", None, ctypes.c_void_p)
codec_options_init = _proto("cookieseal_codec_options_init_sized", _status,
                            ctypes.POINTER(CodecOptions), _size)
session_options_init = _proto("cookieseal_session_options_init_sized", _status,
                              ctypes.POINTER(SessionOptions), _size)
codec_new = _proto("cookieseal_codec_new", _status, ctypes.POINTER(CodecOptions), _out, _out)
codec_free = _proto("cookieseal_codec_free", None, _handle)
codec_revoke_subject = _proto("cookieseal_codec_revoke_subject", _status, _handle, _str, _size,
                              _out)
session_manager_new = _proto("cookieseal_session_manager_new", _status, _handle,
                             ctypes.POINTER(SessionOptions), _out, _out)
session_manager_free = _proto("cookieseal_session_manager_free", None, _handle)
session_manager_settings = _proto("cookieseal_session_manager_settings", _status, _handle, _out,
                                  _size_p, _out)
seal = _proto("cookieseal_seal", _status, _handle, _str, _size, _out, _size_p, _out)
open_ = _proto("cookieseal_open", _status, _handle, _str, _size, _out, _size_p, _out)
request_new = _proto("cookieseal_request_new", _status, _handle, _str, _size, _out, _out)
request_free = _proto("cookieseal_request_free", None, _handle)
request_error_message = _proto("cookieseal_request_error_message", ctypes.c_void_p, _handle)
request_outcome = _proto("cookieseal_request_outcome", ctypes.c_int, _handle, ctypes.POINTER(_status))
request_is_new = _proto("cookieseal_request_is_new", ctypes.c_int, _handle)
request_session_json = _proto("cookieseal_request_session_json", _status, _handle, _out, _size_p)
request_update = _proto("cookieseal_request_update", _status, _handle, _str, _size)
request_get = _proto("cookieseal_request_get", _status, _handle, _str, _size, _out, _size_p)
request_set = _proto("cookieseal_request_set", _status, _handle, _str, _size, _str, _size)
request_erase = _proto("cookieseal_request_erase", _status, _handle, _str, _size)
request_flash = _proto("cookieseal_request_flash", _status, _handle, _str, _size, _str, _size)
request_take_flashes = _proto("cookieseal_request_take_flashes", _status, _handle, _str, _size,
                              _out, _size_p)
request_login = _proto("cookieseal_request_login", _status, _handle, _str, _size)
request_regenerate_id = _proto("cookieseal_request_regenerate_id", _status, _handle)
request_destroy = _proto("cookieseal_request_destroy", _status, _handle)
request_save = _proto("cookieseal_request_save", _status, _handle, _out, _size_p)
# ABI 1.2: never waiting on the store or the keyring file (for an event loop).
request_new_nonblocking = _proto("cookieseal_request_new_nonblocking", _status, _handle, _str,
                                 _size, _out, _out)
request_save_nonblocking = _proto("cookieseal_request_save_nonblocking", _status, _handle, _out,
                                  _size_p)
requests_save = _proto("cookieseal_requests_save", _status, ctypes.POINTER(ctypes.c_void_p), _size,
                       _out, _size_p, _out)


errors._outcome_of = outcome_of


def _c_text(p: Optional[bytes]) -> str:
    """A static C string of the library's (a name, a sentence) as str."""
    return p.decode() if p is not None else ""


_Options = TypeVar("_Options", bound=_Sized)


def init_options(cls: Type[_Options], init: Callable[..., int]) -> _Options:
    """A fresh options struct, its size and defaults set by the library."""
    o = cls()
    check(init(ctypes.byref(o), ctypes.sizeof(o)))
    return o


def error_for(status: int, detail: Optional[str] = None) -> errors.Error:
    """The exception named after non-zero @p status (its sentence unless @p detail)."""
    return errors.from_status(status, _c_text(status_name(status)),
                              detail or _c_text(strerror(status)))


def check(status: int, detail: Optional[str] = None) -> None:
    """Raises the exception named after @p status unless it is 0."""
    if status != 0:
        raise error_for(status, detail)


def check_request(status: int, handle: ctypes.c_void_p) -> None:
    """check() for a call on a request: the message is the one left on it."""
    if status != 0:
        raise error_for(status, take_text(request_error_message(handle)))


def call_request(fn: Callable[..., int], handle: ctypes.c_void_p, *args: Any) -> None:
    """Calls fn(handle, *args) on a request; raises with the message left on it."""
    check_request(fn(handle, *args), handle)


def call_shared(fn: Callable[..., int], *args: Any) -> None:
    """Calls fn(*args, &message) on a shared handle; raises with the library's message."""
    why = ctypes.c_void_p()
    status = fn(*args, ctypes.byref(why))
    check(status, take_text(why.value))


def text_shared(fn: Callable[..., int], *args: Any) -> str:
    """Calls fn(*args, &out, &len, &message); returns the text, freed."""
    out, n, why = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_void_p()
    check(fn(*args, ctypes.byref(out), ctypes.byref(n), ctypes.byref(why)), take_text(why.value))
    try:
        return ctypes.string_at(out, n.value).decode("utf-8")
    finally:
        free(out)


def text_request(fn: Callable[..., int], handle: ctypes.c_void_p, *args: Any) -> str:
    """Calls fn(handle, *args, &out, &len) on a request; returns the text, freed."""
    out, n = ctypes.c_void_p(), ctypes.c_size_t()
    check_request(fn(handle, *args, ctypes.byref(out), ctypes.byref(n)), handle)
    try:
        return ctypes.string_at(out, n.value).decode("utf-8")
    finally:
        free(out)


def take_text(ptr: Optional[int]) -> Optional[str]:
    """A library-allocated C string (or NULL) as str, freed."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        free(ptr)


def b(text: Text) -> Tuple[bytes, int]:
    """str or bytes -> (bytes, length) for a pointer + length argument."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    return data, len(data)
