"""Checks on where a command will write, made before any work, so a bad path is one line of
error at once and not a traceback after training."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional


def unwritable_folder(folder: Path) -> Optional[str]:
    """Why files cannot be written in `folder` (made if missing), or None when they can."""
    if folder.exists() and not folder.is_dir():
        return "it is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as error:
        return error.strerror or str(error)
