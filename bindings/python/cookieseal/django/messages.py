"""django.contrib.messages kept as the session's flashes, where Flask's flash(),
the C++ shop and Go servers read and write them:

    MESSAGE_STORAGE = "cookieseal.django.messages.FlashStorage"

A message is filed under its extra_tags (Flask's category), or else its level's
tag ("success", "error", ...); one filed under a level's tag comes back at that
level, any other at INFO with the key as its extra_tags. Text only; they come
back grouped by key, in key order (each key's in the order added).
"""
from typing import Any, Dict, List, Tuple

from django.contrib.messages import constants
from django.contrib.messages.storage.base import BaseStorage, Message
from django.contrib.messages.utils import get_level_tags


def _key(message: Message) -> str:
    return str(message.extra_tags or message.level_tag or "message")


def _message(key: str, text: Any) -> Message:
    levels = {tag: level for level, tag in get_level_tags().items()}
    if key in levels:
        return Message(levels[key], str(text))
    return Message(constants.INFO, str(text), extra_tags=key)


class FlashStorage(BaseStorage):  # type: ignore[misc]
    """Messages as cookieseal flashes (needs cookieseal.django's session)."""

    def _get(self, *args: Any, **kwargs: Any) -> Tuple[List[Message], bool]:
        flashes = self.request.session.flashes
        return [_message(key, text) for key, texts in flashes.items() for text in texts], True

    def _store(self, messages: List[Message], response: Any, *args: Any,
               **kwargs: Any) -> List[Message]:
        grouped: Dict[str, List[str]] = {}
        for m in messages:
            grouped.setdefault(_key(m), []).append(str(m.message))
        self.request.session.set_flashes(grouped)
        return []
