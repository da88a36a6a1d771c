"""Session values to and from the library's JSON (docs/FORMAT.md, section 6).

bytes (and bytearray, memoryview) travel as {"$bytes": base64url}; a C++ user
object as {"$object": name, "$bytes": ...}, here an Object. A key that starts
with "$" in a map nested in a value gets one more "$", so that no dict key is
ever read as one of those tags; the session's own maps (values, constants,
flashes) keep their keys as they are.
"""
import base64
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Union

#: what one value of the library's JSON reads as: JSON kinds, bytes, Object
Value = Any
#: flashes: {key: [messages]}
Flashes = Dict[str, List[Value]]


@dataclass(frozen=True)
class Object:
    """A user object sealed by C++ (cookieseal/cereal.hpp): its type name and bytes."""
    type_name: str
    data: bytes


def _b64(data: Union[bytes, bytearray, memoryview]) -> str:
    return base64.urlsafe_b64encode(bytes(data)).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _is_tag(key: str) -> bool:
    return key.startswith("$") and not key.startswith("$$")


# Types that are the same in the library's JSON: returned as they are, before
# any isinstance() (most values of a session are these).
_AS_IS = frozenset((str, int, float, bool, type(None)))


def encode(value: Value) -> Any:
    """One value -> what json.dumps writes as the library's JSON."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list:
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {("$" + k if isinstance(k, str) and k.startswith("$") else k): encode(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": _b64(value)}
    if isinstance(value, Object):
        return {"$object": value.type_name, "$bytes": _b64(value.data)}
    return value


def decode(value: Any) -> Value:
    """One value as json.loads read it from the library -> Python."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list:
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if any(_is_tag(k) for k in value):
            if value.keys() == {"$bytes"}:
                return _unb64(value["$bytes"])
            if value.keys() == {"$object", "$bytes"}:
                return Object(value["$object"], _unb64(value["$bytes"]))
            raise ValueError(f"not a value of the library's JSON: {sorted(value)}")
        return {(k[1:] if k.startswith("$$") else k): decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def encode_map(values: Mapping[str, Value]) -> Dict[str, Any]:
    """The session's values or constants: keys as they are."""
    return {k: encode(v) for k, v in values.items()}


def decode_map(values: Mapping[str, Any]) -> Dict[str, Value]:
    """The library's values or constants -> Python (keys as they are)."""
    return {k: decode(v) for k, v in values.items()}


def encode_flashes(flashes: Mapping[str, List[Value]]) -> Dict[str, List[Any]]:
    """{key: [messages]} for the library."""
    return {k: [encode(m) for m in messages] for k, messages in flashes.items()}


def decode_flashes(flashes: Mapping[str, List[Any]]) -> Flashes:
    """The library's {key: [messages]} -> Python."""
    return {k: [decode(m) for m in messages] for k, messages in flashes.items()}


def encode_session(doc: Mapping[str, Any]) -> Dict[str, Any]:
    """{"values", "constants", "flashes", "subject"} (each optional) for the library."""
    out = dict(doc)
    for name in ("values", "constants"):
        if name in out:
            out[name] = encode_map(out[name])
    if "flashes" in out:
        out["flashes"] = encode_flashes(out["flashes"])
    return out


def decode_session(doc: Dict[str, Any]) -> Dict[str, Any]:
    """The library's {"values", "constants", "flashes", "meta"} -> Python values."""
    doc["values"] = decode_map(doc["values"])
    doc["constants"] = decode_map(doc["constants"])
    doc["flashes"] = decode_flashes(doc["flashes"])
    return doc
