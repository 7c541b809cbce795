"""The layers, as the imports show them: ``sim`` (the model) imports nothing of ours outside
``sim``; ``analysis`` imports at most ``sim``, never the application (``scenarios``, the
``storesim`` API) nor Hydra or OmegaConf; ``scenarios`` and the API use both.

Every import of every module counts: at the top, inside functions, under ``TYPE_CHECKING``,
relative ones (resolved against the module's package) and ``importlib.import_module`` with a
literal name. A second check imports every analysis module in a fresh interpreter with the
application, Hydra and OmegaConf made unimportable.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "storesim"
FOLDERS = {"sim": "sim", "analysis": "analysis", "scenarios": "scenarios", "conf": "conf", "api": ""}
"""Folder -> its package below ``storesim`` (``api/`` is ``storesim`` itself; see setup.py)."""
SIM_LIBRARIES = {"numpy", "simpy"}
"""The libraries the model may use besides the standard library."""
ALLOWED_LAYERS = {"sim": {"sim"}, "analysis": {"sim", "analysis"}}
"""Which of our layers each restricted layer may import (``api`` is ``storesim`` itself)."""
APPLICATION_LIBRARIES = {"hydra", "hydra_plugins", "omegaconf"}
"""Libraries only the application may use: configs are composed there."""


def module_name(path: Path) -> str:
    """``analysis/report/runs.py`` -> ``storesim.analysis.report.runs``; ``api/results.py``
    -> ``storesim.results``; a package's ``__init__.py`` is the package."""
    rel = path.relative_to(ROOT)
    prefix = FOLDERS[rel.parts[0]]
    parts = [PACKAGE, *([prefix] if prefix else []), *rel.parts[1:-1]]
    if rel.stem != "__init__":
        parts.append(rel.stem)
    return ".".join(parts)


def imported_names(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, the code of ``module``.

    ``from X import a, b`` gives X, X.a and X.b (a and b may be modules); relative imports
    are resolved against the module's package.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in \
                ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and not node.args[0].value.startswith("."):
            found.append((node.lineno, node.args[0].value))
    return found


def layer_of(name: str) -> str | None:
    """Our layer that ``name`` belongs to (``sim``, ``analysis``, ``scenarios``, ``conf`` or
    ``api``); None for a library. ``storesim`` alone (``from storesim import sim``) is no
    layer: what it imports is judged by the names that follow it."""
    parts = name.split(".")
    if parts[0] != PACKAGE or len(parts) == 1:
        return None
    return parts[1] if parts[1] in FOLDERS and parts[1] != "api" else "api"


def violations(layer: str) -> list[str]:
    """``path:line imports NAME`` for every import of ``layer``'s modules that breaks its rule."""
    allowed = ALLOWED_LAYERS[layer]
    stdlib = set(sys.stdlib_module_names)
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        module = module_name(path)
        for line, name in imported_names(path.read_text(), module, path.name == "__init__.py"):
            ours = layer_of(name)
            top = name.split(".")[0]
            if ours is not None:
                bad = ours not in allowed
            elif top == PACKAGE:
                bad = False
            elif layer == "sim":
                bad = top not in stdlib and top not in SIM_LIBRARIES
            else:
                bad = top in APPLICATION_LIBRARIES
            if bad:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return found


def test_the_scanner_resolves_every_kind_of_import():
    source = textwrap.dedent("""
        from __future__ import annotations
        import numpy as np
        from ..stats import t_interval
        from ... import scenarios
        from . import registry
        if TYPE_CHECKING:
            from ...scenarios.runner import ScenarioResult
        def later():
            import hydra
            from omegaconf import OmegaConf
            importlib.import_module("storesim.api_level")
    """)
    names = {name for _, name in imported_names(source, "storesim.analysis.demos.runs")}
    assert {"numpy", "storesim.analysis.stats", "storesim.analysis.stats.t_interval", "storesim.scenarios",
            "storesim.analysis.demos.registry", "storesim.scenarios.runner", "hydra", "omegaconf",
            "storesim.api_level"} <= names
    assert {layer_of(n) for n in names} == {None, "analysis", "scenarios", "api"}
    assert imported_names("from . import run_folder", "storesim.analysis", is_package=True) == \
        [(1, "storesim.analysis"), (1, "storesim.analysis.run_folder")]


def test_module_names_follow_the_package_layout():
    assert module_name(ROOT / "analysis" / "report" / "runs.py") == "storesim.analysis.report.runs"
    assert module_name(ROOT / "sim" / "__init__.py") == "storesim.sim"
    assert module_name(ROOT / "api" / "results.py") == "storesim.results"


@pytest.mark.parametrize("layer", sorted(ALLOWED_LAYERS))
def test_a_layer_imports_only_what_lies_below_it(layer):
    assert violations(layer) == []


def test_the_model_uses_only_its_own_libraries():
    """Every library ``sim`` imports besides the standard library is one it is allowed."""
    stdlib = set(sys.stdlib_module_names)
    libraries = {name.split(".")[0] for path in (ROOT / "sim").rglob("*.py")
                 for _, name in imported_names(path.read_text(), module_name(path), path.name == "__init__.py")}
    assert libraries - stdlib - {PACKAGE} == SIM_LIBRARIES  # no other, and no stale entry in the list


BLOCKED = ("hydra", "hydra_plugins", "omegaconf", "storesim.scenarios")

IMPORT_EVERY_ANALYSIS_MODULE = f"""
import importlib, importlib.abc, pkgutil, sys

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in {BLOCKED!r}):
            raise ImportError(f"{{name}} is blocked: analysis must not need it")
        return None

sys.meta_path.insert(0, Blocked())
import storesim.analysis
names = [m.name for m in pkgutil.walk_packages(storesim.analysis.__path__, "storesim.analysis.")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_every_analysis_module_imports_without_the_application_hydra_or_omegaconf():
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERY_ANALYSIS_MODULE], capture_output=True, text=True,
                          timeout=120, cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.strip())
    assert count == len(list((ROOT / "analysis").rglob("*.py"))) - 1  # every module but analysis/__init__.py
