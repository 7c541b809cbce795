"""Map the top-level folders into one import package, ``storesim``.

``api/`` is ``storesim`` itself (``storesim.run``, ``storesim.sweep``, ``storesim.compare``);
``sim/`` becomes ``storesim.sim``, ``conf/`` becomes ``storesim.conf`` and so on.
``hydra_plugins/storesim_sweeper/`` is installed as it is, into Hydra's ``hydra_plugins``
namespace package (no ``__init__.py`` of ours at its top), where Hydra looks for plugins.
Subpackages are enumerated here because a static list in pyproject.toml silently
drops them from a regular (non-editable) install.
"""

from pathlib import Path

from setuptools import setup

FOLDERS = ("sim", "scenarios", "analysis", "conf")
HERE = Path(__file__).parent


def subpackages() -> dict[str, str]:
    """Return ``{import name: folder}`` for every folder holding an ``__init__.py``."""
    mapping = {"storesim": "api"}
    for folder in FOLDERS:
        for init in sorted((HERE / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(HERE)
            mapping[".".join(("storesim",) + rel.parts)] = rel.as_posix()
    for init in sorted((HERE / "hydra_plugins").glob("*/__init__.py")):
        rel = init.parent.relative_to(HERE)
        mapping[".".join(rel.parts)] = rel.as_posix()
    return mapping


PACKAGES = subpackages()

setup(
    packages=list(PACKAGES),
    package_dir=PACKAGES,
    package_data={"storesim.conf": ["*.yaml", "**/*.yaml"], "storesim.analysis.report": ["templates/*.html"]},
    include_package_data=False,
)
