"""A clone of this repository runs its tests alone: no code, test or script reads a path
outside it (the sample payloads live in tests/fixtures/contracts)."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Not scanned: tools' and runtime folders, data, prose and images.
SKIPPED_FOLDERS = {".git", ".venv", "venv", "var", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
SKIPPED_PATHS = {"tests/fixtures", "docs"}
SKIPPED_SUFFIXES = {".md", ".png", ".jpg", ".pdf", ".pyc"}
# The folders beside the repository that code once read from (the reference contracts).
OUTSIDE_NEEDLES = ("../shared", "shared/contracts", '"shared" / "contracts"')
PATH_CALLS = {"Path", "PurePath", "PurePosixPath", "open", "join", "chdir", "abspath", "realpath", "exists"}


def _code_files() -> Iterator[Path]:
    for folder, folders, files in os.walk(ROOT):
        here = Path(folder)
        folders[:] = [
            name
            for name in folders
            if name not in SKIPPED_FOLDERS and (here / name).relative_to(ROOT).as_posix() not in SKIPPED_PATHS
        ]
        for name in files:
            path = here / name
            if path.suffix not in SKIPPED_SUFFIXES and path != Path(__file__).resolve():
                yield path


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _goes_up(piece: str) -> bool:
    return piece == ".." or piece.startswith(("../", "..\\"))


def _climb(node: ast.AST) -> int | None:
    """How many folders up from this file an expression built on `__file__` points, or None."""
    if isinstance(node, ast.Name) and node.id == "__file__":
        return 0
    if isinstance(node, ast.Call):
        name = _called(node)
        if name in ("Path", "PurePath", "abspath", "realpath") and len(node.args) == 1:
            return _climb(node.args[0])
        if name == "dirname" and len(node.args) == 1:
            inner = _climb(node.args[0])
            return None if inner is None else inner + 1
        if name in ("resolve", "absolute") and isinstance(node.func, ast.Attribute):
            return _climb(node.func.value)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _climb(node.value)
        return None if inner is None else inner + 1
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, int)
    ):
        inner = _climb(node.value.value)
        return None if inner is None else inner + node.slice.value + 1
    return None


def _python_escapes(source: str, relative: PurePosixPath) -> list[str]:
    """Paths a Python file builds that leave the repository: `__file__` climbed past the root,
    or a `..` piece handed to a path call or joined with `/`."""
    root_level = len(relative.parts)  # tests/receiver/helpers.py: three folders up is the root
    problems = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        level = _climb(node)
        if level is not None and level > root_level:
            problems.append(f"line {node.lineno}: {level - root_level} folder(s) above the repository")
        pieces: list[ast.expr] = []
        if isinstance(node, ast.Call):
            pieces = list(node.args) if _called(node) in PATH_CALLS else []
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            pieces = [node.left, node.right]
        for piece in pieces:
            if isinstance(piece, ast.Constant) and isinstance(piece.value, str) and _goes_up(piece.value):
                problems.append(f"line {piece.lineno}: relative path {piece.value!r}")
    return problems


def _text_escapes(text: str) -> list[str]:
    needles = list(OUTSIDE_NEEDLES)
    if len(ROOT.parent.parts) > 2:  # /work/wt or /home/me/src, not / or /tmp: no false alarms
        needles.append(str(ROOT.parent) + os.sep)
    return [f"mentions {needle!r}" for needle in needles if needle in text]


def test_nothing_refers_to_a_path_outside_the_repository() -> None:
    problems = []
    for path in _code_files():
        relative = PurePosixPath(path.relative_to(ROOT).as_posix())
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        found = _text_escapes(text)
        if path.suffix == ".py":
            found += _python_escapes(text, relative)
        problems += [f"{relative}: {problem}" for problem in found]
    assert problems == []


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("tests/receiver/helpers.py", 'CONTRACTS = Path(__file__).resolve().parents[3] / "shared"'),
        ("tests/receiver/helpers.py", "ROOT = Path(__file__).parent.parent.parent.parent"),
        ("bench/x.py", "ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))"),
        ("tests/x.py", 'DATA = Path(__file__).parents[1] / ".." / "data"'),
        ("tests/x.py", 'DATA = Path("../shared-data/orders.json")'),
        ("tests/x.py", 'open("../secrets.txt")'),
    ],
)
def test_the_check_sees_paths_that_leave_the_repository(relative: str, source: str) -> None:
    assert _python_escapes(source, PurePosixPath(relative))


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("tests/receiver/helpers.py", "ROOT = Path(__file__).resolve().parents[2]"),
        ("tests/receiver/helpers.py", "HERE = Path(__file__).parent.parent.parent"),
        ("tests/x.py", 'CASES = [("../admin", "..%2Fadmin")]  # URL data, not a path'),
    ],
)
def test_the_check_allows_paths_inside_the_repository(relative: str, source: str) -> None:
    assert _python_escapes(source, PurePosixPath(relative)) == []


def test_the_text_check_sees_the_shared_contracts() -> None:
    assert _text_escapes('load(Path("/srv") / "shared" / "contracts")')
    assert _text_escapes("cat ../shared/contracts/README.md")
