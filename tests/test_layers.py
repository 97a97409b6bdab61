"""The layer contract of pyproject.toml ([tool.importlinter]) holds, and
really catches an import that breaks it."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")  # the venv's entry point


def lint_imports(directory: Path) -> subprocess.CompletedProcess:
    """import-linter run on the `zcweb` package and pyproject.toml in `directory`."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"], cwd=directory,
                          capture_output=True, text=True, timeout=120)


def contract_names() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return [c["name"] for c in tomllib.load(f)["tool"]["importlinter"]["contracts"]]


def test_the_code_keeps_every_layer_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in contract_names():
        assert f"{name} KEPT" in result.stdout


def test_each_contract_catches_an_import_that_breaks_it(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    package = shutil.copytree(ROOT / "zcweb", tmp_path / "zcweb", ignore=shutil.ignore_patterns("__pycache__"))
    with open(package / "roster" / "idcard.py", "a") as f:
        f.write("import flask\n")  # the domain reaching for the web framework
    (package / "intake" / "stray.py").write_text("from ..views import render\n")  # a service reaching up to a view
    with open(package / "roster" / "schema.py", "a") as f:
        f.write("from . import template\n")  # template already imports schema: a circle
    with open(package / "intake" / "corrections.py", "a") as f:
        f.write("from . import confirm\n")  # the confirm builds on corrections: a circle again

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    for name in contract_names():
        assert f"{name} BROKEN" in result.stdout, result.stdout
    assert "zcweb.roster.idcard -> flask" in result.stdout
    assert "zcweb.intake.stray -> zcweb.views" in result.stdout
    assert "zcweb.intake.corrections -> zcweb.intake.confirm" in result.stdout
    assert "No cycles are allowed in zcweb.roster." in result.stdout
    assert ".schema -> .template" in result.stdout


def private_borrowings(package: Path) -> list[str]:
    """Every place a module of `package` takes another module's private
    name: `from .x import _name`, or `x._name` where x is a module of the
    package imported by name."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        here = here.removesuffix(".__init__")
        tree = ast.parse(path.read_text(), str(path))
        modules = set()  # local names bound to modules of the package
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(package.name)):
                base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here if node.level else ""
                source = ".".join(filter(None, (base, node.module)))
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{module}: from {source} import {alias.name}")
                    target = package.parent.joinpath(*f"{source}.{alias.name}".split("."))
                    if target.with_suffix(".py").exists() or (target / "__init__.py").exists():
                        modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                found.append(f"{module}: {node.value.id}.{node.attr}")
    return found


def test_no_module_takes_another_modules_private_name(tmp_path):
    assert private_borrowings(ROOT / "zcweb") == []
    package = shutil.copytree(ROOT / "zcweb", tmp_path / "zcweb", ignore=shutil.ignore_patterns("__pycache__"))
    with open(package / "review" / "recheck.py", "a") as f:
        f.write("from ..intake.outcomes import _planted\nfrom ..intake import confirm\nconfirm._planted()\n")
    assert private_borrowings(package) == ["zcweb.review.recheck: from zcweb.intake.outcomes import _planted",
                                           "zcweb.review.recheck: confirm._planted"]


def test_the_package_top_holds_the_frame_only_and_no_module_is_long():
    top = sorted(p.stem for p in (ROOT / "zcweb").glob("*.py"))
    assert len(top) <= 10, top
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "zcweb").rglob("*.py")
            if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 600}
    assert long == {}
