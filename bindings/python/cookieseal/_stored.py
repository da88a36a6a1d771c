"""Session values as the cookie holds them (JSON kinds), for the framework
adapters that take a plain dict."""
import json
from typing import Any, Dict

from . import _values


def stored(values: Dict[str, Any]) -> Dict[str, Any]:
    """@values as the JSON the cookie holds, or TypeError naming the key that
    cannot be stored (the frameworks' own JSON serializers fail without the name)."""
    try:
        copied: Dict[str, Any] = _values.decode_map(json.loads(json.dumps(
            _values.encode_map(values))))
        return copied
    except (TypeError, ValueError) as e:
        for key, value in values.items():
            try:
                json.dumps(_values.encode(value))
            except (TypeError, ValueError) as cause:
                raise TypeError(f"session value {key!r} cannot be stored in a cookieseal "
                                f"session (JSON kinds and bytes only): {cause}") from cause
        raise TypeError(f"the session cannot be stored: {e}") from e
