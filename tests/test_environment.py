"""Pins agree between pyproject.toml, environment.yml and requirements.lock; nothing is unpinned."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)$")


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    """Every direct dependency, the optional extras' too."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project.get("optional-dependencies", {}).values() for d in extra]
    pins = {}
    for dep in deps:
        m = PIN.match(dep.replace(" ", ""))
        assert m, f"pyproject.toml dependency {dep!r} is not pinned with =="
        pins[canon(m.group(1))] = m.group(2)
    return pins


def exact_pins(items: list[str], source: str) -> dict[str, str]:
    """name -> version for lines that must all be exact ``name==version`` pins."""
    pins = {}
    for item in items:
        m = PIN.match(item)
        assert m, f"{source} line {item!r} is not an exact pin"
        pins[canon(m.group(1))] = m.group(2)
    return pins


def environment_pip_lines() -> list[str]:
    lines = (REPO / "environment.yml").read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "- pip:")
    return [ln.strip()[2:].strip() for ln in lines[start + 1:] if ln.strip().startswith("- ")]


def lock_pins() -> dict[str, str]:
    lines = (REPO / "requirements.lock").read_text().splitlines()
    return exact_pins([ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")], "requirements.lock")


def test_environment_yml_installs_the_package_under_the_lock():
    """No second copy of the pins to drift: the package (with its test extra) under the lock's constraints."""
    assert environment_pip_lines() == ["-c requirements.lock", "-e .[test]"], \
        "environment.yml should only install `-e .[test]` with `-c requirements.lock` (pins live in pyproject.toml)"


def test_lock_agrees_with_direct_pins():
    lock = lock_pins()
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"requirements.lock pins {name}=={lock.get(name)}, pyproject says {version}"


def test_torch_is_the_cpu_pin():
    assert pyproject_pins()["torch"] == "2.13.0", "never ask for an unpinned or newer torch (it pulls a CUDA build)"


def test_installed_versions_match_pins():
    from importlib.metadata import version

    for name, pinned in pyproject_pins().items():
        installed = version(name).split("+")[0]
        assert installed == pinned, f"{name} installed {installed}, pinned {pinned}: run `make venv`"
