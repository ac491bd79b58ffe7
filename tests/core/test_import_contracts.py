"""The dependency direction of house-style.md is held by import-linter (pyproject.toml contracts)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["organizations", "core", "assets", "projects", "budgets", "reports"]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def run_linter(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=cwd, env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)


def test_the_code_keeps_every_contract():
    result = run_linter(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_a_reverse_import_breaks_the_build(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations", "*.txt", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "assets" / "reverse.py").write_text("from projects.models import Demand  # the catalogue reaching up\n")
    result = run_linter(tmp_path)
    assert result.returncode == 1
    assert "assets.reverse -> projects.models" in result.stdout
