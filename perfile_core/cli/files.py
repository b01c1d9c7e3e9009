"""Writing a file the operator named (`label --output`) without harming anything else.

The bytes go to a temporary file in the same folder, which then takes the name in one
step: `os.link` when nothing may be replaced (it fails if anything, a symlink included,
appeared there meanwhile) and `os.replace` with `--force` (it replaces the directory
entry, so a symlink is replaced, never written through). A reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from perfile_core.domain.errors import ValidationError


def write_new_file(path: Path, data: bytes, *, replace: bool, field: str = "output") -> None:
    """Write `data` to `path`; an existing regular file only with `replace`; never through a symlink."""
    folder = path.parent
    if not folder.is_dir():
        raise ValidationError(field, f"folder {folder} does not exist")
    _check_target(path, replace=replace, field=field)
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ValidationError(field, f"cannot write in folder {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would hide the label from others
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    except FileExistsError:
        raise ValidationError(field, f"{path} exists; add --force to replace it") from None
    except IsADirectoryError:
        raise ValidationError(field, f"{path} is a folder, not a file") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _check_target(path: Path, *, replace: bool, field: str) -> None:
    if path.is_symlink():
        raise ValidationError(field, f"{path} is a symbolic link; give the path of a real file")
    if path.exists() and not path.is_file():
        raise ValidationError(field, f"{path} is not a regular file")
    if path.exists() and not replace:
        raise ValidationError(field, f"{path} exists; add --force to replace it")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
