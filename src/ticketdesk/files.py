"""Telling files apart by what they are, not by their names."""

from __future__ import annotations

import os


def file_identity(path: str) -> tuple[int, int] | None:
    """The device and inode of the file at `path`; None if there is none (or it cannot be
    looked at). A file moved, deleted or replaced since gets another answer, or None."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino
