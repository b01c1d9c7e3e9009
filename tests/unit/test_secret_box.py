"""The box stored secrets are sealed in: Fernet round trip, key rotation, the local key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from perfile_core.config import Settings
from perfile_core.db.secret_box import SecretBox, box_for, new_key, read_key_file, write_key_file
from perfile_core.domain.errors import SecretKeyError

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_a_sealed_secret_opens_to_itself_and_is_not_plain():
    box = SecretBox([new_key()])
    token = box.seal(SECRET)
    assert SECRET not in token and token != box.seal(SECRET)  # random IV: never the same token twice
    assert box.open(token) == SECRET
    assert box.open_optional(None) is None and box.seal_optional("") is None


def test_another_key_cannot_open_it_and_says_which_setting_to_check():
    token = SecretBox([new_key()]).seal(SECRET)
    with pytest.raises(SecretKeyError, match="PERFILE_SECRET_KEY") as error:
        SecretBox([new_key()]).open(token)
    assert SECRET not in str(error.value)


def test_rotation_re_encrypts_with_the_first_key_so_the_old_one_can_go():
    old, new = new_key(), new_key()
    token = SecretBox([old]).seal(SECRET)
    rotated = SecretBox([new, old]).rotate(token)
    assert SecretBox([new]).open(rotated) == SECRET
    with pytest.raises(SecretKeyError):
        SecretBox([old]).open(rotated)


def test_a_malformed_key_is_refused_without_showing_it():
    with pytest.raises(SecretKeyError, match="not a Fernet key") as error:
        SecretBox(["not-a-key"])
    assert "not-a-key" not in str(error.value)


def test_local_mode_generates_a_key_file_readable_by_its_owner_only(tmp_path: Path):
    path = tmp_path / "var" / "secret.key"
    settings = Settings(secret_key="", secret_key_file=path)
    box = box_for(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = read_key_file(path)
    assert len(keys) == 1 and SecretBox(keys).open(box.seal(SECRET)) == SECRET
    assert read_key_file(path) == keys  # created once, then kept


def test_a_process_re_reads_the_key_file_after_another_rotated_the_key(tmp_path: Path):
    path = tmp_path / "secret.key"
    running = box_for(Settings(secret_key="", secret_key_file=path))
    newer = new_key()
    write_key_file(path, [newer])  # what `secrets rotate-key` leaves behind
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert running.open(SecretBox([newer]).seal(SECRET)) == SECRET


def test_keys_from_the_environment_are_a_list_and_the_first_encrypts(tmp_path: Path):
    first, second = new_key(), new_key()
    box = box_for(Settings(secret_key=f"{first}, {second}", secret_key_file=tmp_path / "unused.key"))
    assert SecretBox([first]).open(box.seal(SECRET)) == SECRET
    assert box.open(SecretBox([second]).seal(SECRET)) == SECRET
    assert not (tmp_path / "unused.key").exists()
