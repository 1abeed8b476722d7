"""Each domain's part of the stranger walk (tests/test_stranger.py), one module per domain.

A module here may define:
- ``BODIES``: ``{(METHOD, path template): valid body}`` for its endpoints that take an id and a
  body;
- ``OWN_SCOPE``: a set of ``(METHOD, path template)`` whose only path parameter is the caller's
  own scope (a date), checked by the module itself rather than by the walk;
- ``build(client, alice, ids) -> dict``: creates Alice's data of this domain (``ids`` holds
  what the core world and earlier modules made) and returns the new path parameter values;
- ``check_lists(client, mallory, ids)``: asserts that the domain's list endpoints show the
  stranger none of Alice's data.
Modules are found by name, so a new domain adds a file here and edits nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]
