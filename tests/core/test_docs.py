"""The README keeps up with the code: every CLI command and every setting is documented."""

from __future__ import annotations

import argparse

from perfile_core.cli import build_parser
from perfile_core.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text()


def _commands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def test_every_cli_command_is_in_the_readme():
    missing = [name for name in _commands() if f"`{name}" not in README]
    assert not missing, f"document these commands in README.md: {missing}"


def test_every_setting_is_in_the_readme():
    names = [f"PERFILE_{name.upper()}" for name in Settings.model_fields]
    missing = [name for name in names if name not in README]
    assert not missing, f"document these settings in README.md: {missing}"


def test_readme_has_exactly_the_two_setup_commands():
    setup = README.split("## Set up on a fresh machine", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in setup.splitlines()]
    assert [command for command in commands if command] == ["make run", "make test"]
