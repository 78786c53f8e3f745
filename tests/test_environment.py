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
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for dep in deps:
        m = PIN.match(dep.replace(" ", ""))
        assert m, f"pyproject.toml dependency {dep!r} is not pinned with =="
        pins[canon(m.group(1))] = m.group(2)
    return pins


def environment_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "environment.yml").read_text().splitlines():
        item = line.strip()
        if item.startswith("- ") and "==" in item:
            m = PIN.match(item[2:].strip())
            assert m, f"environment.yml line {line!r} is not an exact pin"
            pins[canon(m.group(1))] = m.group(2)
    return pins


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            m = PIN.match(line.strip())
            assert m, f"requirements.lock line {line!r} is not an exact pin"
            pins[canon(m.group(1))] = m.group(2)
    return pins


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins(), "environment.yml and pyproject.toml pins drifted"


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
