"""Calibrating a store from its own data: a till log (and door counts) become a scenario.

``read_inputs`` checks the files, ``calibrate`` estimates every parameter with a
confidence interval, ``preset`` turns the estimates into a ``conf/``-style experiment,
``replay`` compares that store's simulated days with the data, ``figures`` draws the fits.
``storesim-calibrate`` (``scenarios/calibrate_cli.py``) runs them in that order, and
composes and simulates the preset for the replay.
"""
