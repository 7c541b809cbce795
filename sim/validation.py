"""The one check of a scenario's parameters: every problem at once, one ``key: problem`` line each.

:func:`problems` runs, in this order, each step only on values the steps before found fine:

1. ``ScenarioParams.problems`` (``sim/params/``): every key's range (the one walker), then the
   relations between keys, each group's ``problems(p, ...)``;
2. what only the staff built from the plan shows: the hiring profile acts on the staff and
   the temporary cashiers fit the lanes (``sim/hiring.py``), the cross-training policy has
   somebody to send and names real employees (``sim/roster.py``).

So the imports run one way: this module uses the parameters, the roster and hiring; they never
import it, and the parameters import neither.

A run checks once. The application checks when it reads a config (``scenarios.config``) and the
runner when it is given parameters (``scenarios.runner.run_scenario``, for callers from
Python); values already found fine are remembered as their text, so the runner does not check
them again, and any changed value is checked anew. The model itself (``Store``,
``run_replication``) takes checked parameters and does not check them.
"""

from __future__ import annotations

import dataclasses
from collections import deque

from .checks import Problems
from .hiring import hiring_problems
from .params import ScenarioParams
from .roster import roster_problems

_FOUND_FINE: deque[str] = deque(maxlen=64)
"""The texts of the latest parameter values found without a problem (a sweep's jobs, a plan's
candidates: a few dozen at a time)."""


def problems(params: ScenarioParams) -> list[str]:
    """Every problem with ``params`` (a ``ScenarioParams``, or an app config built on it, whose
    own keys are left to it), one ``key: message`` line each; ``[]`` if there is none."""
    text = _text(params)
    if text in _FOUND_FINE:
        return []
    # Named rather than params.problems(): an app config's own problems() calls this function.
    p = Problems(ScenarioParams.problems(params))
    if not p:
        hiring_problems(params, p)
        roster_problems(params, p)
    if not p:
        _FOUND_FINE.append(text)
    return list(p)


def check(params: ScenarioParams) -> None:
    """Raise ValueError listing every problem with ``params`` (see :func:`problems`), if there are any."""
    found = problems(params)
    if found:
        raise ValueError("\n".join(found))


def _text(params: ScenarioParams) -> str:
    """The scenario's values as text: equal texts are equal settings (``repr`` tells 1, 1.0 and True apart)."""
    return repr([getattr(params, f.name) for f in dataclasses.fields(ScenarioParams)])
