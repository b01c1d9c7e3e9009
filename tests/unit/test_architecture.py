"""Layers point inward: the core never imports a UI framework, the domain only the standard library.

Modules are found on disk when the test runs, so modules added later are covered too.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import perfile_core

CORE = Path(perfile_core.__file__).resolve().parent
DOMAIN = CORE / "domain"
FORBIDDEN = frozenset({"streamlit", "flask"})
IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path, core: Path = CORE) -> str:
    parts = path.relative_to(core.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, core: Path = CORE) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, at any depth.

    Relative imports are resolved against the file's package; each name a `from` import takes
    counts as a possible submodule; importlib.import_module("x") and __import__("x") with a
    literal name count too.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, core).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            # `from perfile_core import services` imports a module by its last name.
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args:
            func, first = node.func, node.args[0]
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in IMPORT_FUNCTIONS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def top_level(module: str) -> str:
    return module.split(".")[0]


def forbidden_imports(paths: list[Path], core: Path = CORE) -> list[str]:
    return [
        f"{path.relative_to(core.parent)}:{line} imports {module}"
        for path in paths
        for line, module in imported_modules(path, core)
        if top_level(module) in FORBIDDEN
    ]


def non_stdlib_domain_imports(paths: list[Path], core: Path = CORE) -> list[str]:
    allowed = sys.stdlib_module_names
    return [
        f"{path.relative_to(core.parent)}:{line} imports {module}"
        for path in paths
        for line, module in imported_modules(path, core)
        if top_level(module) not in allowed
        and module != "perfile_core.domain"
        and not module.startswith("perfile_core.domain.")
    ]


# -- the scanners find what is there, and flag what they should ----------------------------------


def test_the_scan_sees_the_core() -> None:
    names = {module_name(p) for p in python_files(CORE)}
    assert {
        "perfile_core",
        "perfile_core.domain",
        "perfile_core.domain.status",
        "perfile_core.domain.order",
        "perfile_core.domain.courier_mappings",
        "perfile_core.domain.tracking_numbers",
    } <= names
    assert any(name.startswith("perfile_core.services.") for name in names)


@pytest.mark.parametrize(
    "source",
    [
        "import streamlit as st",
        "import flask",
        "from flask import Flask",
        "from streamlit.testing.v1 import AppTest",
        "def page():\n    import streamlit\n",
        "import importlib\nimportlib.import_module('flask')",
        "__import__('streamlit.runtime')",
    ],
)
def test_forbidden_import_detector_catches(source: str, tmp_path: Path) -> None:
    fake_core = tmp_path / "perfile_core"
    (fake_core / "ui").mkdir(parents=True)
    bad = fake_core / "ui" / "page.py"
    bad.write_text(source)
    assert forbidden_imports([bad], fake_core) != []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("import sqlalchemy", True),
        ("from pydantic import BaseModel", True),
        ("from perfile_core.db import tables", True),
        ("from perfile_core.services import orders", True),
        ("from .. import config", True),  # perfile_core.config
        ("from ..db.tables import orders", True),
        ("import perfile_core", True),
        ("from __future__ import annotations\nimport re, datetime\nfrom enum import StrEnum", False),
        ("from perfile_core.domain.status import Status", False),
        ("from perfile_core.domain import errors", False),
        ("from . import status", False),
        ("from .status import Status", False),
    ],
)
def test_domain_import_detector(source: str, flagged: bool, tmp_path: Path) -> None:
    fake_domain = tmp_path / "perfile_core" / "domain"
    fake_domain.mkdir(parents=True)
    module = fake_domain / "rule.py"
    module.write_text(source)
    assert bool(non_stdlib_domain_imports([module], tmp_path / "perfile_core")) is flagged


# -- the rules ----------------------------------------------------------------------------------------


def test_core_source_never_imports_streamlit_or_flask() -> None:
    assert forbidden_imports(python_files(CORE)) == []


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    files = python_files(DOMAIN)
    assert len(files) >= 6
    assert non_stdlib_domain_imports(files) == []


_IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys, traceback
    import perfile_core

    # walk_packages skips folders without __init__.py, so the test also names what is on disk.
    names = [info.name for info in pkgutil.walk_packages(perfile_core.__path__, "perfile_core.")]
    imported, failed = [], {}
    for name in dict.fromkeys([*names, *sys.argv[1:]]):
        if name.rsplit(".", 1)[-1] == "__main__":
            continue  # importing it would run the CLI
        try:
            importlib.import_module(name)
            imported.append(name)
        except Exception:
            failed[name] = traceback.format_exc(limit=3)
    print(json.dumps({
        "imported": imported,
        "failed": failed,
        "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("streamlit", "flask")),
    }))
    """
)


def import_everything(core: Path) -> dict[str, Any]:
    """Import every module of `core` in a fresh interpreter; report what loaded."""
    on_disk = sorted({module_name(p, core) for p in python_files(core)})
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING, *on_disk],
        cwd=core.parent,
        env={**os.environ, "PYTHONPATH": str(core.parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}, "\n".join(report["failed"].values())
    assert set(report["imported"]) >= set(on_disk) - {"perfile_core", f"{core.name}.__main__"}
    return report


def test_importing_every_core_module_loads_neither_streamlit_nor_flask() -> None:
    report = import_everything(CORE)
    assert {"perfile_core.domain.status", "perfile_core.cli", "perfile_core.db.tables"} <= set(report["imported"])
    assert report["loaded"] == []


def test_the_import_check_sees_a_ui_import(tmp_path: Path) -> None:
    # A stand-in package with a nested module (no __init__.py in its folder) that imports a
    # stand-in flask: the check must import it and see flask loaded.
    fake_core = tmp_path / "perfile_core"
    (fake_core / "couriers").mkdir(parents=True)
    (fake_core / "__init__.py").write_text("")
    (fake_core / "couriers" / "web.py").write_text("import flask\n")
    (tmp_path / "flask.py").write_text("")
    report = import_everything(fake_core)
    assert "perfile_core.couriers.web" in report["imported"]
    assert report["loaded"] == ["flask"]


ADAPTER_PACKAGES = ("couriers", "notify", "labels", "webshops")
INWARD = ("perfile_core.services", "perfile_core.db")


def inward_imports(paths: list[Path], core: Path = CORE) -> list[str]:
    """Imports of services or the database layer, relative ones resolved."""
    return [
        f"{path.relative_to(core.parent)}:{line} imports {module}"
        for path in paths
        for line, module in imported_modules(path, core)
        if any(module == package or module.startswith(f"{package}.") for package in INWARD)
    ]


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("from perfile_core.services import orders", True),
        ("import perfile_core.db.tables", True),
        ("from ...services.tracking import record_event", True),  # perfile_core.services.tracking
        ("from ... import db", True),
        ("def later():\n    from perfile_core.db.engine import make_engine\n", True),
        ("from perfile_core.domain.status import Status", False),
        ("from ..formats import common", False),  # perfile_core.couriers.formats
        ("from .client import BringClient", False),
    ],
)
def test_inward_import_detector(source: str, flagged: bool, tmp_path: Path) -> None:
    fake_core = tmp_path / "perfile_core"
    module = fake_core / "couriers" / "bring" / "parsers.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)
    assert bool(inward_imports([module], fake_core)) is flagged


@pytest.mark.parametrize("package", ADAPTER_PACKAGES)
def test_adapters_do_not_reach_into_services_or_the_database(package: str) -> None:
    """Couriers, e-mail, labels and webshop parsers are called by services, never the reverse."""
    files = python_files(CORE / package)
    assert files
    assert inward_imports(files) == []


# -- the dashboard shows data as text ---------------------------------------------------------------

ROOT = CORE.parent
DASHBOARD_FILES = [ROOT / "app.py", *python_files(ROOT / "pages"), *python_files(ROOT / "ui")]
# Element calls whose text Streamlit renders as Markdown (on st, a column, the sidebar, ...).
MARKDOWN_CALLS = frozenset(
    {"markdown", "caption", "write", "info", "warning", "error", "success", "toast", "title", "header", "subheader"}
)
# ui/safe_text.py escapes data; status_badge builds fixed markup from domain constants.
ESCAPING_CALLS = frozenset({"md", "md_link", "status_badge"})


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def unescaped_parts(node: ast.expr) -> list[ast.expr]:
    """The parts of a Markdown body that may carry data without passing through `md`.

    Allowed: literals, local names (built from escaped parts where they are made), escaping
    calls, formatted numbers and dates (`{n:,}`), and `"sep".join(...)` of allowed parts.
    """
    if isinstance(node, ast.Constant | ast.Name):
        return []
    if isinstance(node, ast.JoinedStr):
        return [part for value in node.values for part in unescaped_parts(value)]
    if isinstance(node, ast.FormattedValue):
        return [] if node.format_spec is not None else unescaped_parts(node.value)
    if isinstance(node, ast.BinOp):
        return unescaped_parts(node.left) + unescaped_parts(node.right)
    if isinstance(node, ast.BoolOp):
        return [part for value in node.values for part in unescaped_parts(value)]
    if isinstance(node, ast.Call):
        if _called_name(node) in ESCAPING_CALLS:
            return []
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant):
            items = node.args[0] if node.args else None
            if isinstance(items, ast.GeneratorExp | ast.ListComp):
                return unescaped_parts(items.elt)
            return [] if isinstance(items, ast.Name) else [node]
    return [node]


def repository_file(args: list[ast.expr]) -> bool:
    """`st.html(Path(...) / "name.css")`: a file of the repository (a style sheet), never data."""
    node = args[0] if args else None
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant):
        node = node.left
    while isinstance(node, ast.Attribute) and node.attr == "parent":
        node = node.value
    fixed = (ast.Constant, ast.Name)
    return (
        isinstance(node, ast.Call)
        and _called_name(node) == "Path"
        and all(isinstance(arg, fixed) and getattr(arg, "id", "__file__") == "__file__" for arg in node.args)
    )


def markup_problems(path: Path) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        where = f"{path.name}:{node.lineno}"
        problems += [f"{where} passes unsafe_allow_html" for kw in node.keywords if kw.arg == "unsafe_allow_html"]
        name = _called_name(node)
        if name == "html" and isinstance(node.func, ast.Attribute) and not repository_file(node.args):
            problems.append(f"{where} calls .html()")
        if name in MARKDOWN_CALLS and isinstance(node.func, ast.Attribute) and node.args:
            problems += [
                f"{where} {name}() shows {ast.unparse(part)} unescaped" for part in unescaped_parts(node.args[0])
            ]
    return problems


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("st.markdown(text, unsafe_allow_html=True)", True),
        ("st.markdown('<b>fixed</b>', unsafe_allow_html=False)", True),  # no reason to name it at all
        ("st.html(body)", True),
        ("st.html(Path(text))", True),  # a file named by data
        ("st.html(Path('ui/page.css'))", False),  # a file of the repository
        ("st.html(Path(__file__).parent / 'ui' / 'page.css')", False),
        ("st.html(Path(__file__).parent / name)", True),
        ("st.write(order.customer_name)", True),
        ("st.warning(exc.detail)", True),
        ("col.markdown(f'**{order.order_number}** · {md(order.customer_name)}')", True),
        ("st.caption('Now ' + order.tracking_number)", True),
        ("st.toast(f'{STATUS[order.status]}')", True),
        ("st.markdown(' · '.join(e.title for e in entries))", True),
        ("st.markdown(md(order.customer_name))", False),
        ("st.caption(f'{total:,} orders, {when:%d %b}, {md(name)}')", False),
        ("st.markdown(f'### {md(number)} {status_badge(order)}')", False),
        ("st.markdown('  \\n'.join(md(part) for part in parts) or '—')", False),
        ("st.markdown(text)", False),
        ("st.text(order.customer_name)", False),  # st.text never parses Markdown
    ],
)
def test_markup_detector(source: str, flagged: bool, tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(source)
    assert bool(markup_problems(page)) is flagged


def test_dashboard_never_renders_data_as_markdown_or_html() -> None:
    assert len(DASHBOARD_FILES) >= 10
    assert [problem for path in DASHBOARD_FILES for problem in markup_problems(path)] == []


def test_every_page_passes_the_gate_before_anything_else() -> None:
    """A page may run without app.py (the first runs of a process, while pages/ sits beside it): each
    one's first statement after its imports is ui.page_gate.enter_page()."""
    import ast

    for page in sorted((ROOT / "pages").glob("*.py")):
        body = [n for n in ast.parse(page.read_text()).body if not isinstance(n, ast.Import | ast.ImportFrom)]
        body = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]  # docstring
        first = body[0]
        assert (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Call)
            and getattr(first.value.func, "id", None) == "enter_page"
        ), f"{page.name}: enter_page() must come first"
