"""Files written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replaced_when_done(path: Path, *, mode: int = 0o644) -> Iterator[Path]:
    """A temporary file beside ``path`` to write to: it becomes ``path`` when the block ends, and
    is removed if the block fails. A reader never sees half a file, and a failed write leaves the
    file that was there. An OSError (no such folder, no permission, a full disk) goes to the caller.

    The temporary file is created readable by its owner alone; ``mode`` is what it gets before it
    replaces ``path`` (0644: results and reports are ordinary files).
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
