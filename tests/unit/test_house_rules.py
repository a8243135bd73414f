"""House rules read from the source: routes never end a transaction themselves, every form
cleans its text through ``core.forms.Form``, and templates never decide on a status.

One transaction per request is ``core/transaction``'s job (tests/integration/
test_transactions.py proves what it stores); here we make sure no route works around it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "finsam_ansokan"
TEMPLATES = ROOT / "templates"

#: Routes modules not converted yet: their owners are converting them in parallel. Remove a
#: line when its module lands without commit()/rollback() (the test below says which).
NOT_CONVERTED_YET: set[str] = set()


def _routes_modules() -> list[Path]:
    return sorted({*PACKAGE.rglob("routes.py"), *PACKAGE.rglob("*_routes.py")})


def _transaction_calls(path: Path) -> list[str]:
    """``x.commit()`` / ``x.rollback()`` calls in a module, as ``line: source``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"}
    ]


def test_the_rule_finds_a_commit_in_a_route(tmp_path):
    sample = tmp_path / "routes.py"
    sample.write_text("def save():\n    services.save()\n    db.session.commit()\n")
    assert _transaction_calls(sample) == ["3: db.session.commit()"]


def test_the_routes_modules_are_found():
    names = {p.relative_to(PACKAGE).as_posix() for p in _routes_modules()}
    assert {"applications/routes.py", "applications/attachment_routes.py"} <= names
    assert names >= NOT_CONVERTED_YET


@pytest.mark.parametrize("path", _routes_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_route_commits_or_rolls_back_the_transaction_itself(path: Path):
    name = path.relative_to(PACKAGE).as_posix()
    calls = _transaction_calls(path)
    if name in NOT_CONVERTED_YET:
        assert calls, f"{name} no longer commits: remove it from NOT_CONVERTED_YET"
        return
    assert calls == [], (
        f"{name} ends the transaction itself; the request commits once after the handler "
        "(core/transaction): use refused(), refused_form() or let the DomainError propagate"
    )


#: ``x.status == 'utkast'``, ``status in ('a', 'b')``, ``event.kind != "x"`` …: a status or
#: kind compared with a literal. Routes pass flags decided by the policy and status modules.
STATUS_LITERAL = re.compile(r"\b(status|kind)\s*(==|!=|\bin\b|\bnot in\b)\s*[(\['\"]")


@pytest.mark.parametrize(
    "line",
    [
        "{% if application.status == 'utkast' %}",
        "{% if application.status in ('beviljad', 'avslagen') %}",
        "{% if event.kind in ['status_changed'] %}",
        '{% if report.kind != "slutrapport" %}',
        "{% if payment.status not in ('aterford',) %}",
    ],
)
def test_the_rule_finds_a_status_literal(line):
    assert STATUS_LITERAL.search(line)


def test_no_template_compares_a_status_or_kind_with_a_literal():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STATUS_LITERAL.search(line)
    ]
    assert found == [], "\n".join(found)


# --- every form cleans its text (core/forms.Form) ---------------------------------------------


def _flask_form_uses(path: Path) -> list[str]:
    """Classes built on ``FlaskForm`` and ``FlaskForm()`` instances, as ``line: source``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b) for b in node.bases]
            if any(b.split(".")[-1] == "FlaskForm" for b in bases):
                found.append(f"{node.lineno}: class {node.name}({', '.join(bases)})")
        elif isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "FlaskForm":
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_rule_finds_a_form_built_on_flask_form(tmp_path):
    sample = tmp_path / "forms.py"
    sample.write_text(
        "class A(FlaskForm):\n    pass\n\n\ndef f():\n    return flask_wtf.FlaskForm()\n"
    )
    assert _flask_form_uses(sample) == ["1: class A(FlaskForm)", "6: flask_wtf.FlaskForm()"]


def test_every_form_is_built_on_the_base_that_cleans_its_text():
    """A form on ``FlaskForm`` directly would let a NUL byte or a line break through."""
    found = [
        f"{path.relative_to(PACKAGE)}:{use}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() != "core/forms.py"
        for use in _flask_form_uses(path)
    ]
    assert found == [], "use finsam_ansokan.core.forms.Form:\n" + "\n".join(found)


def test_every_form_class_the_package_defines_inherits_the_base():
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import finsam_ansokan
    from finsam_ansokan.core.forms import Form

    for module in pkgutil.walk_packages(finsam_ansokan.__path__, "finsam_ansokan."):
        importlib.import_module(module.name)
    subclasses, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        subclasses.append(cls)
        pending.extend(cls.__subclasses__())
    ours = [c for c in subclasses if c.__module__.startswith("finsam_ansokan.")]
    assert len(ours) > 30
    assert [c.__qualname__ for c in ours if not issubclass(c, Form)] == []
