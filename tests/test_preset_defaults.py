"""Presets state only what differs: no YAML file under ``conf/`` sets a key to the value it would
have anyway, so a default is written once, in ``sim/params/`` (or ``scenarios/schema.py``), and
changing it needs no second edit.

The rule, for each file: a key it sets repeats a default when the composed config has the same
value for that key with and without the file's settings. "Without" means the file reduced to its
``# @package`` line and its ``defaults`` list, composed with the same selection (the file's own
group option, ``experiment=<name>``, or the file as the primary config). So the comparison is
against the value the key would have without this preset, not against the Python default alone:

- a group option may override a value that ``config.yaml`` or a group earlier in the defaults
  list sets (``_self_`` comes first in ``config.yaml``), and that is not a repeat even when it
  equals the Python default; setting what ``config.yaml`` already sets is one;
- an experiment's keys are compared with its own ``defaults`` overrides in force
  (``experiment=cross_training`` selects ``staffing: lean``), since those stay when its keys go;
- values are compared as composed and typed (``3`` and ``3.0`` for a float key are the same) and
  unresolved, so an interpolation (``store.lanes: ${most:${staffing.cashiers}}``) is never a
  repeat of the number it happens to give.

The ``hydra`` node is Hydra's and ``conf/hydra/`` configures its launcher; neither is checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from storesim.scenarios.config import register_schema

CONF = Path(__file__).resolve().parent.parent / "conf"
PRESETS = sorted(path.relative_to(CONF).as_posix() for path in CONF.rglob("*.yaml")
                 if not path.relative_to(CONF).as_posix().startswith("hydra/"))


def _selection(preset: str) -> tuple[str, list[str]]:
    """The primary config and the overrides that load ``preset``."""
    path = Path(preset)
    if path.parent == Path("."):
        return path.stem, []
    return "config", [f"{path.parent.as_posix()}={path.stem}"]


def _package(preset: str, text: str) -> list[str]:
    """Where the file's keys land: the root for ``_global_`` and primary configs, else its group."""
    path = Path(preset)
    if "# @package _global_" in text or path.parent == Path("."):
        return []
    return list(path.parent.parts)


def _leaves(node: object, key: list[str]) -> list[list[str]]:
    """The key paths of every value a YAML mapping sets (a list is one value)."""
    if not isinstance(node, dict):
        return [key]
    return [leaf for name, value in node.items() for leaf in _leaves(value, [*key, str(name)])]


def _composed(conf: Path, preset: str) -> dict:
    config_name, overrides = _selection(preset)
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        return OmegaConf.to_container(compose(config_name=config_name, overrides=overrides), resolve=False)


def _at(tree: object, key: list[str]) -> object:
    for part in key:
        tree = tree[part]
    return tree


def repeated_defaults(conf: Path, preset: str, scratch: Path) -> list[str]:
    """The keys ``preset`` (a path under ``conf``) sets to the value they have without it."""
    text = (conf / preset).read_text()
    body = yaml.safe_load(text) or {}
    settings = {name: value for name, value in body.items() if name not in ("defaults", "hydra")}
    if not settings:
        return []
    bare = scratch / "conf"
    shutil.copytree(conf, bare)
    header = "# @package _global_\n" if "# @package _global_" in text else ""
    kept = {"defaults": body["defaults"]} if "defaults" in body else {}
    (bare / preset).write_text(header + (yaml.safe_dump(kept) if kept else ""))
    register_schema()
    with_it, without = _composed(conf, preset), _composed(bare, preset)
    prefix = _package(preset, text)
    keys = [[*prefix, *leaf] for leaf in _leaves(settings, [])]
    return [".".join(key) for key in keys if _at(with_it, key) == _at(without, key)]


@pytest.mark.parametrize("preset", PRESETS)
def test_a_preset_sets_no_key_to_the_value_it_has_without_it(preset, tmp_path):
    assert repeated_defaults(CONF, preset, tmp_path) == [], (
        f"conf/{preset} repeats these defaults; drop them from the file")


def test_a_repeat_is_caught_and_an_override_of_another_layer_is_not(tmp_path):
    """The rule catches a default written again, and spares a value that overrides another
    layer even though it equals the Python default."""
    conf = tmp_path / "conf"
    shutil.copytree(CONF, conf)
    threshold = conf / "policy" / "cross_training" / "threshold.yaml"
    threshold.write_text(threshold.read_text() + "walk_min: 2.0\nopen_at: 4\n")
    assert repeated_defaults(conf, "policy/cross_training/threshold.yaml", tmp_path / "a") == [
        "policy.cross_training.walk_min"]
    config = conf / "config.yaml"
    config.write_text(config.read_text().replace("output:\n", "policy:\n  cross_training:\n    walk_min: 5.0\noutput:\n"))
    assert repeated_defaults(conf, "policy/cross_training/threshold.yaml", tmp_path / "b") == []
