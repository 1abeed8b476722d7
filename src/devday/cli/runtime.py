"""What the CLI keeps between commands on this machine: a private folder, and how it names things.

The resident server's sockets (``resident``) and the kept help screens (``helpcache``) live in
``$XDG_RUNTIME_DIR/devday`` (else ``/tmp/devday-<uid>``), used only when no one else may open
it. Both are named by digests that include ``code_stamp()``, so that an upgrade or an edited
source file never meets what older code left.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def private_folder() -> Path | None:
    """The folder, made if need be; None when it is not this user's alone (or cannot be made)."""
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    folder = Path(base) / "devday" if base else Path("/tmp") / f"devday-{os.getuid()}"  # noqa: S108
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(found.st_mode) and found.st_mode & 0o077 == 0
    return folder if private and found.st_uid == os.getuid() else None


def code_stamp() -> tuple[int, int]:
    """The newest modification time and the number of devday's Python files."""
    import devday

    newest = count = 0
    pending = [os.path.dirname(devday.__file__)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                elif entry.name.endswith(".py"):
                    newest = max(newest, entry.stat().st_mtime_ns)
                    count += 1
    return newest, count


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
