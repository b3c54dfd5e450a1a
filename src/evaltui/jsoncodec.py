"""JSON on the paths a run takes for every case (request bodies, result rows, answers, case-file
lines): the same text and values as json's own functions, without the work they redo on every
call. json.dumps makes a new encoder each call; json's decode matches whitespace before and after
the value even when there is none. Bottom layer: the standard library only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_JSON_SPACE = " \t\n\r"  # what json's decode skips around a value, and nothing else


def encoder(*, ensure_ascii: bool) -> Callable[[Any], str]:
    """`json.dumps(value, ensure_ascii=...)`, made once, for values that hold no container inside
    itself (what evaltui builds from texts and numbers): json's C encoder without its cycle check
    where this Python has one. A value nested too deep or inside itself goes to json's own
    encoder, which refuses it as json.dumps does."""
    plain = json.JSONEncoder(ensure_ascii=ensure_ascii)
    make = getattr(json.encoder, "c_make_encoder", None)  # None where json has no C speedups
    if make is None:
        return plain.encode
    quote = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    fast = make(None, plain.default, quote, None, ": ", ", ", False, False, True)

    def dumps(value: Any) -> str:
        try:
            return "".join(fast(value, 0))
        except RecursionError:
            return plain.encode(value)

    return dumps


def decoded(decoder: json.JSONDecoder, text: str) -> Any:
    """`decoder.decode(text)`: a text that is one object, then at most whitespace, is scanned once
    without decode's whitespace matches; any other text, and every error, is decode's own."""
    if text[:1] == "{":
        value, end = decoder.raw_decode(text)
        if end == len(text) or not text[end:].strip(_JSON_SPACE):
            return value
    return decoder.decode(text)
