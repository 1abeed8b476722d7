"""The CLI's own settings file, ``<data_dir>/cli.json``: the local user and saved logins.

``user`` is the account the in-process CLI acts for (written by ``devday user create`` and
``devday use``); ``server`` is the devday the CLI talks to when none is named (written by
``devday login``); ``tokens`` maps each server to the API token ``login`` got from it. The file
holds secrets, so it is readable by its owner only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from devday.cli.client import CliError

FILENAME = "cli.json"


class CliConfig:
    """``cli.json``: the account local mode acts as, the server ``login`` saved, its tokens."""

    def __init__(
        self,
        path: Path,
        user: str | None = None,
        server: str | None = None,
        tokens: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.user = user
        self.server = server
        self.tokens: dict[str, str] = {} if tokens is None else tokens

    @classmethod
    def load(cls, path: Path) -> CliConfig:
        """The file at ``path``, or an empty config when there is none yet."""
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise CliError(f"cannot read {path}: {exc}; fix or delete it") from None
        if not isinstance(raw, dict):
            raise CliError(f"cannot read {path}: expected a JSON object; fix or delete it")
        tokens = raw.get("tokens")
        return cls(
            path,
            user=_str_or_none(raw.get("user")),
            server=_str_or_none(raw.get("server")),
            tokens={str(k): str(v) for k, v in tokens.items()} if isinstance(tokens, dict) else {},
        )

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"user": self.user, "server": self.server, "tokens": self.tokens}
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
        # Replace in one step, so that a crash never leaves half a file.
        temporary.replace(self.path)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
