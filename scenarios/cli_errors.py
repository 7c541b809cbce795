"""User mistakes as short messages: one ``storesim: error: <key>: <problem>`` line each."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

EXIT_USAGE = 2
_NOISE = re.compile(r"\s*(full_key|reference_type|object_type)[:=]")


def describe(error: BaseException) -> list[str]:
    """One line per problem, naming the key where the error names one."""
    from .config import ConfigError

    if isinstance(error, ConfigError):
        return str(error).splitlines()
    chain = _chain(error)
    in_file = config_file_problem(chain)
    if in_file is not None:
        return [in_file]
    return [_one_line(chain)]


def _one_line(chain: list[BaseException]) -> str:
    """The problem of an error chain of Hydra's or OmegaConf's, as one line."""
    known = _known_error(chain)
    if known is not None:
        return known
    messages = [text for text in (str(e).strip() for e in chain) if text and text != "None"]
    text = messages[-1] if messages else "invalid configuration"
    text = text.split("Config search path")[0]
    key = re.search(r"full_key:\s*(\S+)", "\n".join(messages))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _NOISE.match(line)]
    first = re.sub(r"\s+", " ", " ".join(lines) if lines else text)[:400]
    if key and key.group(1) not in first:
        first = f"{key.group(1)}: {first}"
    return first


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    return chain


_TYPE_NAMES = {"int": "an integer", "Integer": "an integer", "float": "a number", "Float": "a number",
               "bool": "true or false", "str": "a text", "string": "a text"}


def _known_error(chain: list[BaseException]) -> str | None:
    """``key: problem`` for Hydra's and OmegaConf's common errors, in storesim's words."""
    from hydra.errors import MissingConfigException, OverrideParseException

    for error in chain:
        if isinstance(error, MissingConfigException) and error.options is not None and error.missing_cfg_file:
            group, _, option = error.missing_cfg_file.rpartition("/")
            if group == "hydra/sweeper" and option == "optuna":  # set by the tuning presets
                return ("hydra/sweeper: the tuning presets (experiment=tune_*) need Optuna's sweeper, which is "
                        'not installed; pip install "storesim[tune]" (from a checkout: pip install -e ".[tune]")')
            if group:
                return f"{group}: must be one of {', '.join(sorted(error.options))}, got {option!r}"
        if isinstance(error, OverrideParseException):
            return f"{error.override}: not a valid override ({error.message.splitlines()[0]}); write key=value"
    override = next((m.group(1) for e in chain for m in [_OVERRIDE.search(str(e))] if m), None)
    node = next((e for e in chain if getattr(e, "msg", None) and hasattr(e, "full_key")), None)
    if node is None:
        return None
    full_key = str(node.full_key or node.key or "")
    if override and not full_key.startswith(override.lstrip("+~")):  # a key inside a list of settings
        inner = getattr(node.object_type, "__name__", "")
        full_key = f"{override}: {inner}.{full_key}" if full_key and inner else override
    first = str(node.msg).strip().splitlines()[0]
    value = getattr(node, "value", None)
    unknown = re.match(r"Key '([^']+)' not in '(\w+)'", first)
    if unknown:
        return f"{full_key}: unknown key{_allowed(node.object_type, unknown.group(1))}"
    if "is not Optional" in first:
        return f"{full_key}: must not be null"
    if "is not a ListConfig, list or tuple" in first:
        return f"{full_key}: must be a list [...], got {value!r}"
    wanted = re.search(r"could not be converted to (\w+)|is not a (valid) bool|Cannot convert .* to (string)"
                       r"|is not a subclass of (\w+)", first)
    if wanted:
        name = next(g for g in wanted.groups() if g)
        name = "bool" if name == "valid" else name
        return (f"{full_key}: must be {_TYPE_NAMES.get(name, f'a group of settings ({name})')}, got {value!r}"
                f"{_preset_hint(full_key, value)}")
    return f"{full_key}: {first}" if full_key else first


def _preset_hint(full_key: str, value: object) -> str:
    """``; to choose the preset, write GROUP=VALUE`` when ``full_key=value`` names a preset
    of the config group ``full_key`` with dots for slashes (``policy.empowerment=empowered``)."""
    group = full_key.replace(".", "/")
    if not isinstance(value, str) or not (Path(__file__).parent.parent / "conf" / group / f"{value}.yaml").is_file():
        return ""
    return f"; to choose the preset, write {group}={value}"


_OVERRIDE = re.compile(r"(?:Could not override|Error merging override) '?([\w.\[\]/+~-]+?)(?:'|=)")


def _allowed(object_type: object, key: str) -> str:
    """``; allowed: ...`` with the keys of ``object_type``, and the closest one to ``key``."""
    import dataclasses
    import difflib

    if not dataclasses.is_dataclass(object_type):
        return ""
    names = [f.name for f in dataclasses.fields(object_type)]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{hint}; allowed: {', '.join(names)}"


# --- mistakes in a config file (a preset of --config-dir, or the project's own) ---------------

def config_file_problem(chain: list[BaseException]) -> str | None:
    """``FILE[, line N]: problem`` for an error Hydra met reading or merging a config file.

    Hydra lets a YAML syntax error, a duplicate key or non-UTF-8 bytes escape as the parser's
    own exception, and reports a merge error without the file; the file is found in the
    frames of Hydra's reader (``full_path``) or composer (``default`` and ``loaded``).
    """
    for error in chain:
        for frame in _frames(error):
            names = frame.f_locals
            if frame.f_code.co_name == "load_config" and isinstance(names.get("full_path"), str):
                return _unreadable(names["full_path"], chain)
            if frame.f_code.co_name == "_compose_config_from_defaults_list" and "loaded" in names:
                return _unmergeable(names["default"], names["loaded"], chain)
    return None


def _frames(error: BaseException):
    trace = error.__traceback__
    while trace is not None:
        yield trace.tb_frame
        trace = trace.tb_next


def _unreadable(path: str, chain: list[BaseException]) -> str | None:
    """A file the YAML reader refused: where, and why."""
    import yaml

    for error in chain:
        if isinstance(error, UnicodeDecodeError):
            line = _line_of_byte(path, error.start)
            return (f"{path}{line}: not UTF-8 text (byte 0x{error.object[error.start]:02x}); "
                    "save the file with UTF-8 encoding")
        if isinstance(error, yaml.YAMLError):
            mark = getattr(error, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            problem = str(getattr(error, "problem", None) or error).strip()
            if problem.startswith("found duplicate key"):
                problem = f"duplicate key {problem.removeprefix('found duplicate key').strip()!r}"
            else:
                problem = f"not valid YAML: {problem}"
            return f"{path}{where}: {problem}"
    return None


def _line_of_byte(path: str, offset: int) -> str:
    try:
        with open(path, "rb") as handle:
            lines = handle.read(offset).count(b"\n") + 1
    except OSError:
        return ""
    return f", line {lines}"


def _unmergeable(default: object, loaded: object, chain: list[BaseException]) -> str:
    """A file whose settings do not fit the config: a list, a preset without its package
    header, or a key or value the schema refuses."""
    from omegaconf import ListConfig, OmegaConf

    config_path = str(getattr(default, "config_path", ""))
    source = str(getattr(loaded, "path", "")).removeprefix("file://")
    path = f"{source}/{config_path}.yaml" if source else f"{config_path}.yaml"
    content = getattr(loaded, "config", None)
    package = str(getattr(default, "package", "") or "")
    if package and not isinstance(content, ListConfig):  # placed under its package, e.g. staffing
        content = OmegaConf.select(content, package, default=content)
    if isinstance(content, ListConfig):
        return f"{path}: must hold settings (key: value lines), not a list"
    header = getattr(loaded, "header", None) or {}
    group = config_path.rpartition("/")[0]
    if group == "experiment" and not header.get("package"):
        return (f"{path}: its settings would land under 'experiment', which holds none; "
                "add '# @package _global_' as its first line")
    rest = [e for e in chain if type(e).__name__ != "ConfigCompositionException"]
    return f"{path}: {_one_line(rest) if rest else chain[-1]}"


def report_user_error(error: BaseException, program: str = "storesim") -> NoReturn:
    """Print ``error`` as one line per problem on stderr and exit with code 2."""
    for line in describe(error):
        print(f"{program}: error: {line}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def folder_problem(error: OSError) -> str:
    """What is wrong with an output folder that cannot be made or written, in a few words."""
    import errno

    where = f"{error.filename}: " if error.filename else ""
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{where}a file is in the way of this folder"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}cannot write there ({error.strerror})"
    return f"{where}{error.strerror or error}"


def report_write_error(error: OSError, program: str = "storesim") -> NoReturn:
    """A file or folder that could not be written (a full disk, a read-only folder): one line, exit 1."""
    print(f"{program}: error: {folder_problem(error)}; nothing half-written is left: free space, or choose "
          "another folder, and run it again", file=sys.stderr)
    sys.exit(1)


def exit_quietly_on_broken_pipe() -> NoReturn:
    """Whoever read our output stopped reading (``storesim ... | head``): end without a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's final flush of stdout must not fail again
    sys.exit(1)


def quiet_on_broken_pipe(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` (a console entry point) ending quietly, without a traceback, when whoever reads
    its output stops reading (``storesim-demo --list | head``)."""

    @functools.wraps(command)
    def run(*args, **kwargs) -> None:
        try:
            command(*args, **kwargs)
        except BrokenPipeError:
            exit_quietly_on_broken_pipe()

    return run
