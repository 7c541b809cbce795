"""User mistakes as short messages: one ``storesim: error: <key>: <problem>`` line each."""

from __future__ import annotations

import re
import sys
from typing import NoReturn

EXIT_USAGE = 2
_NOISE = re.compile(r"\s*(full_key|reference_type|object_type)[:=]")


def describe(error: BaseException) -> list[str]:
    """One line per problem, naming the key where the error names one."""
    from .config import ConfigError

    if isinstance(error, ConfigError):
        return str(error).splitlines()
    messages = []
    seen: BaseException | None = error
    while seen is not None:
        text = str(seen).strip()
        if text:
            messages.append(text)
        seen = seen.__cause__ or seen.__context__
    text = messages[-1] if messages else "invalid configuration"
    text = text.split("Config search path")[0]
    key = re.search(r"full_key:\s*(\S+)", "\n".join(messages))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _NOISE.match(line)]
    first = re.sub(r"\s+", " ", " ".join(lines) if lines else text)[:400]
    if key and key.group(1) not in first:
        first = f"{key.group(1)}: {first}"
    return [first]


def report_user_error(error: BaseException, program: str = "storesim") -> NoReturn:
    """Print ``error`` as one line per problem on stderr and exit with code 2."""
    for line in describe(error):
        print(f"{program}: error: {line}", file=sys.stderr)
    sys.exit(EXIT_USAGE)
