"""One settings object (issue 16 part 5): read once from the environment, handed to nbgrader as config."""
from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from tradeoffs.instructor.course_config import course_config
from tradeoffs.paths import REPO_ROOT
from tradeoffs.settings import SandboxLimits, Settings, active, use


def test_defaults_and_every_variable():
    assert Settings.from_env({}) == Settings()
    s = Settings.from_env({"TRADEOFFS_ROOT": "/r", "TRADEOFFS_GRADING_DIR": "/g", "TRADEOFFS_SCALE": "CI",
                           "TRADEOFFS_DEVICE": "cpu", "TRADEOFFS_SANDBOX": "off", "TRADEOFFS_CELL_TIMEOUT": "30",
                           "TRADEOFFS_KERNEL_MEMORY_MB": "2500", "TRADEOFFS_SANDBOX_DISK_MB": "64"})
    assert (s.root, s.data_dir, s.results_dir, s.grading_dir) == (Path("/r"), Path("/r/data"), Path("/r/results"),
                                                                  Path("/g"))
    assert (s.scale, s.device, s.sandbox) == ("ci", "cpu", False)
    assert s.limits == SandboxLimits(cell_timeout_s=30, memory_mb=2500, tmp_mb=64, file_mb=64)
    assert s.gradebook_url == "sqlite:////g/gradebook.db"
    assert s.kernel_variables() == {"TRADEOFFS_SCALE": "ci", "TRADEOFFS_DEVICE": "cpu"}


@pytest.mark.parametrize("env, message", [
    ({"TRADEOFFS_CELL_TIMEOUT": "2min"}, r"TRADEOFFS_CELL_TIMEOUT='2min' is not a whole number"),
    ({"TRADEOFFS_KERNEL_MEMORY_MB": "-5"}, r"must be positive"),
    ({"TRADEOFFS_SCALE": "huge"}, r"Unknown scale 'huge'. Choose one of ci, grade, laptop, full"),
    ({"TRADEOFFS_DEVICE": "tpu"}, r"Unknown device 'tpu'"),
])
def test_a_bad_value_says_what_to_set(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_a_throw_away_class_moves_the_gradebook_with_it(tmp_path):
    s = Settings(explicit_gradebook_url="postgresql://db/course").grading_in(tmp_path)
    assert s.grading_dir == tmp_path and s.gradebook_url == f"sqlite:///{tmp_path}/gradebook.db"


def test_use_makes_settings_active_and_restores(tmp_path):
    inner = Settings().grading_in(tmp_path)
    with use(inner):
        assert active() is inner
    assert active() == Settings.from_env()


def test_nbgrader_gets_the_settings_as_config(tmp_path):
    s = Settings(scale="ci", sandbox=False, limits=SandboxLimits(cell_timeout_s=45)).grading_in(tmp_path)
    c = course_config(s)
    assert c.CourseDirectory.root == str(tmp_path)
    assert c.CourseDirectory.db_url == s.gradebook_url
    assert c.Execute.timeout == 45
    assert c.SandboxedKernelManager.sandboxed is False
    assert c.SandboxedKernelManager.limits == s.limits
    assert c.SandboxedKernelManager.course_variables == {"TRADEOFFS_SCALE": "ci", "TRADEOFFS_DEVICE": "auto"}


def test_the_kernel_manager_reads_its_traits_from_the_config():
    from tradeoffs.instructor.sandbox import SandboxedKernelManager

    s = Settings(sandbox=False, limits=SandboxLimits(memory_mb=1234))
    km = SandboxedKernelManager(config=course_config(s))
    assert km.sandboxed is False and km.limits.memory_mb == 1234


def test_the_config_file_for_nbgrader_by_hand_is_the_same_config(monkeypatch, tmp_path):
    monkeypatch.setenv("TRADEOFFS_GRADING_DIR", str(tmp_path))
    monkeypatch.setenv("TRADEOFFS_CELL_TIMEOUT", "77")
    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT / "grading")).load_config()
    built = course_config(Settings.from_env())
    for section, key in [("CourseDirectory", "root"), ("CourseDirectory", "db_url"), ("Execute", "timeout"),
                         ("CourseDirectory", "ignore"), ("Autograde", "autograde_preprocessors")]:
        assert loaded[section][key] == built[section][key], (section, key)
    assert loaded.Execute.timeout == 77
