"""Fast JSON (orjson) with the standard library's exact results: the only module that imports orjson."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# orjson reads integers past 64 bits as floats; the standard library keeps them exact.
_LONG_DIGITS = re.compile(r"\d{19}")
_LONG_DIGITS_BYTES = re.compile(rb"\d{19}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def loads(text: str | bytes) -> Any:
    """Strict JSON: NaN, Infinity and numbers beyond a float are errors (ValueError), as the standard has it.

    orjson reads the common case; anything it refuses or would read differently goes to the
    standard library, whose error message names the problem.

    Example:
        >>> loads('{"a": [1, 2.5, "x"]}'), loads("123456789012345678901234567890")
        ({'a': [1, 2.5, 'x']}, 123456789012345678901234567890)
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:
        # Only a float can be an integer orjson rounded; most records hold none, so the
        # text is searched (slow, a character at a time) only then.
        if not _holds_float(value) or not (_LONG_DIGITS if isinstance(text, str) else _LONG_DIGITS_BYTES).search(text):
            return value
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)


def _holds_float(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return kind is float
    for v in value:
        kind = type(v)
        if kind is str or kind is int or kind is bool or v is None:
            continue
        if kind is float or _holds_float(v):
            return True
    return False


def dumps_exact(value: Any) -> bytes | None:
    """Compact JSON bytes that `loads_exact` reads back equal, or None for a value orjson refuses.

    Example:
        >>> loads_exact(dumps_exact({"a": [1, 2.5]})), dumps_exact(2 ** 70)
        ({'a': [1, 2.5]}, None)
    """
    try:
        return orjson.dumps(value)
    except TypeError:  # a lone surrogate, an integer past 64 bits
        return None


def loads_exact(data: bytes) -> Any:
    """Read what `dumps_exact` wrote: orjson alone, as it reads back every value it writes.

    Example:
        >>> loads_exact(b'{"n": 18446744073709551615}')
        {'n': 18446744073709551615}
    """
    return orjson.loads(data)


def dumps_bytes(value: Any) -> bytes:
    """Compact JSON bytes that `loads` gives back equal (for temporary files, not for output).

    Example:
        >>> loads(dumps_bytes({"a": "\\ud800", "n": 2 ** 70})) == {"a": "\\ud800", "n": 2 ** 70}
        True
    """
    try:
        return orjson.dumps(value)
    except TypeError:  # a lone surrogate, an integer past 64 bits
        return json.dumps(value).encode("ascii")


SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate: not Unicode text


def has_lone_surrogate(text: str) -> bool:
    """True when the string holds a lone surrogate (read from a `\\ud800` escape): not Unicode text.

    Example:
        >>> has_lone_surrogate("caf\u00e9"), has_lone_surrogate("a" + chr(0xD800))
        (False, True)
    """
    if text.isascii():  # a flag CPython keeps on every string: free
        return False
    try:
        text.encode("utf-8")  # C speed, where the regex steps a character at a time
    except UnicodeEncodeError:
        return True
    return False


_COMPACT = (",", ":")


def dumps_line_bytes(value: Any) -> bytes:
    """`dumps_line` and a newline, as UTF-8 bytes.

    Example:
        >>> dumps_line_bytes({"a": "café"}) == '{"a":"café"}\\n'.encode("utf-8")
        True
    """
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (dumps_line(value) + "\n").encode("utf-8")


def dumps_line(value: Any) -> str:
    """One compact JSON line (UTF-8 text, not escaped), what dedupe writes.

    A value orjson refuses (a lone surrogate, an integer past 64 bits, a key that is not a
    string) is written by the standard library in the same compact form; a lone surrogate
    stays the `\\ud800` escape it was read from.

    Example:
        >>> dumps_line({"a": "café", "n": [1, 2.5]})
        '{"a":"café","n":[1,2.5]}'
        >>> dumps_line({"s": chr(0xD800), 1: 2})
        '{"s":"\\\\ud800","1":2}'
    """
    try:
        return orjson.dumps(value, default=str).decode("utf-8")
    except TypeError:
        line = json.dumps(value, ensure_ascii=False, default=str, separators=_COMPACT)
        return json.dumps(value, default=str, separators=_COMPACT) if has_lone_surrogate(line) else line
