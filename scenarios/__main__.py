"""``python -m storesim.scenarios`` runs the ``storesim`` command."""

from .cli import main

main()
