"""storesim's sweeper for Hydra (``hydra/sweeper: storesim``); see ``storesim_sweeper.py``."""
