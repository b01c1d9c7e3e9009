"""Secrets at rest: webhook secrets, courier API keys and credentials are stored as Fernet tokens.

The keys come from `PERFILE_SECRET_KEY` (comma-separated Fernet keys, the first encrypts, all
decrypt: MultiFernet, so a new key can be put in front while the old one still reads). Without it
(local mode) a key file under `var/` is generated on first use, readable by its owner only.
Decrypted values are memoised per token: a rotation writes a new token, which is decrypted once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from perfile_core.config import Settings
from perfile_core.domain.errors import SecretKeyError

__all__ = ["SecretBox", "SecretKeyError", "box_for", "new_key"]


class SecretBox:
    """Encrypts with the first key, decrypts with any; `rotate` re-encrypts with the first."""

    def __init__(self, keys: Sequence[str], *, reload: Callable[[], list[str]] | None = None) -> None:
        """`reload`: where the keys came from (the key file), read again when a token does not decrypt,
        so a process outlives a key rotation done by another one."""
        self._keys = list(keys)
        self._fernet = _multi(self._keys)
        self._reload = reload
        self._lock = threading.Lock()
        self._opened: dict[str, str] = {}

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, token: str) -> str:
        """The plain value of a stored token (decrypted once per token and process)."""
        plain = self._opened.get(token)
        if plain is not None:
            return plain
        try:
            plain = self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            if not self._reloaded():
                raise SecretKeyError(
                    "a stored secret cannot be decrypted with the configured key(s); "
                    "is PERFILE_SECRET_KEY (or the key file) the one it was written with?"
                ) from None
            return self.open(token)
        with self._lock:
            if len(self._opened) > 10_000:  # one entry per stored secret; rotations must not grow it forever
                self._opened.clear()
            self._opened[token] = plain
        return plain

    def open_optional(self, token: str | None) -> str | None:
        return self.open(token) if token else None

    def seal_optional(self, plain: str | None) -> str | None:
        return self.seal(plain) if plain else None

    def rotate(self, token: str) -> str:
        """The same value encrypted with the first key (MultiFernet.rotate)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretKeyError("a stored secret cannot be decrypted with the configured key(s)") from None

    def _reloaded(self) -> bool:
        """True when the key source now holds other keys (and they are in use from now on)."""
        keys = self._reload() if self._reload else self._keys
        if keys == self._keys:
            return False
        with self._lock:
            self._fernet, self._keys = _multi(keys), list(keys)
        return True


def _multi(keys: Sequence[str]) -> MultiFernet:
    if not keys:
        raise SecretKeyError("no secret key is configured")
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except ValueError:
        raise SecretKeyError("a secret key is not a Fernet key (32 url-safe base64-encoded bytes)") from None


def new_key() -> str:
    return Fernet.generate_key().decode()


def configured_keys(settings: Settings) -> list[str]:
    """The keys from the environment, or the local key file's (created on first use)."""
    if settings.secret_key.get_secret_value().strip():
        return [key for key in settings.secret_key.get_secret_value().split(",") if key.strip()]
    return read_key_file(Path(settings.secret_key_file))


def read_key_file(path: Path) -> list[str]:
    """Keys in the file, one a line; a missing file is created with one new key, mode 0600."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
            write_key_file(path, [new_key()], replace=False)
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def write_key_file(path: Path, keys: Sequence[str], *, replace: bool = True) -> None:
    """Written beside the file (0600 from the start) and moved into place, so it is never seen half
    written; with `replace=False` an existing file is kept (FileExistsError)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(f"{key}\n" for key in keys))
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(partial, path)
        else:
            os.link(partial, path)  # fails if the file exists: never overwrites a key in use
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


_boxes: dict[tuple[str, str], SecretBox] = {}
_boxes_lock = threading.Lock()


def box_for(settings: Settings) -> SecretBox:
    """One box per process and key configuration (its memo of opened tokens is shared)."""
    cache_key = (settings.secret_key.get_secret_value(), str(settings.secret_key_file))
    with _boxes_lock:
        box = _boxes.get(cache_key)
        if box is None:
            from_file = not settings.secret_key.get_secret_value().strip()
            reload = (lambda: read_key_file(Path(settings.secret_key_file))) if from_file else None
            box = _boxes[cache_key] = SecretBox(configured_keys(settings), reload=reload)
        return box
