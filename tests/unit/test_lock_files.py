"""Installs are reproducible: `make install` and CI install requirements/*.lock (exact
versions with hashes), never pyproject.toml's open ranges. A dependency added to
pyproject.toml without `make lock` fails here, before it fails an install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(lock: str) -> dict[str, list[Version]]:
    """Every pinned package of a lock file (a package may be pinned per Python version)."""
    pins: dict[str, list[Version]] = {}
    for line in (LOCKS / lock).read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            pins.setdefault(canonicalize_name(match[1]), []).append(Version(match[2]))
    return pins


def _requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("base.lock", ()), ("dev.lock", ("dev",)), ("bench.lock", ("bench",))],
)
def test_every_dependency_is_pinned_in_the_lock_within_its_range(lock, extras):
    pins = _pins(lock)
    for requirement in _requirements(*extras):
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements/{lock}: run `make lock`"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{requirement.name}=={version} in {lock} is outside {requirement}: `make lock`"
            )


def test_every_pin_has_a_hash():
    for lock in ("base.lock", "dev.lock", "bench.lock", "build.lock"):
        text = (LOCKS / lock).read_text(encoding="utf-8")
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        for entry in entries:
            if PIN.match(entry):
                assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def test_the_venv_gets_a_current_setuptools_and_the_build_agrees():
    (setuptools,) = _pins("build.lock")["setuptools"]
    required = next(
        Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")
    )
    assert required.specifier.contains(setuptools)
    assert setuptools >= Version("78.1.1")  # the last install-time CVE fixed (path traversal)
