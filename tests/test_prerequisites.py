"""`make test` says what the machine lacks before the suite starts (scripts/check_prerequisites.py)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(**environment):
    return subprocess.run(
        [sys.executable, "scripts/check_prerequisites.py"], cwd=ROOT, env={**os.environ, **environment},
        capture_output=True, text=True, timeout=60,
    )


def test_a_machine_with_everything_passes():
    result = run()

    assert result.returncode == 0, result.stderr


def test_every_missing_piece_is_named_with_what_provides_it():
    result = run(CHROMIUM_PATH="/nonexistent/chromium", REDIS_URL="redis://127.0.0.1:1/0", GATEHOUSE_SKIP_REDIS_TESTS="0")

    assert result.returncode == 1
    assert "Chromium at /nonexistent/chromium" in result.stderr and "apt-get install chromium" in result.stderr
    assert "Redis at 127.0.0.1:1" in result.stderr and "GATEHOUSE_SKIP_REDIS_TESTS=1" in result.stderr


def test_a_machine_without_npm_is_told_which_package_provides_it(tmp_path):
    # Only python and node on PATH: npm (the client package's tarball, the test peers) is missing.
    (tmp_path / "node").symlink_to(shutil.which("node"))
    result = run(PATH=str(tmp_path))

    assert result.returncode == 1
    assert "npm (" in result.stderr and "apt-get install npm" in result.stderr
