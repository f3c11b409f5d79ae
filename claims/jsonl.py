"""Reading JSON Lines uploads and files: one object per line, each bad line named by its number."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple


class JsonLine(NamedTuple):
    """A non-blank line: its object, or why it is not one."""

    number: int
    row: dict[str, Any] | None
    error: str | None


def read_json_lines(lines: Iterable[str | bytes]) -> Iterator[JsonLine]:
    """Blank lines are skipped but counted. Bytes that are not UTF-8 refuse their line only; a caller
    that would rather keep such a line decodes it first (with replacement characters)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line.decode("utf-8") if isinstance(line, bytes) else line)
        except UnicodeDecodeError:
            yield JsonLine(number, None, "not UTF-8 text")
            continue
        except json.JSONDecodeError as error:
            yield JsonLine(number, None, f"not JSON ({error.msg})")
            continue
        if not isinstance(row, dict):
            yield JsonLine(number, None, "expected a JSON object")
            continue
        yield JsonLine(number, row, None)
