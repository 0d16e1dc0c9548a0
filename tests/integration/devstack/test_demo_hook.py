"""The demo-data hook of the stack: the stack runs on whatever becomes of the loader, and a
stop ends the loader with it."""

import sys
import threading
import time
from pathlib import Path

import pytest

from shared.devstack.__main__ import run_demo

pytestmark = pytest.mark.integration


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_stop_ends_a_loader_still_at_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()

    run_demo(tmp_path / "devstack.json", stop, _python("import time; time.sleep(60)"))

    assert time.monotonic() - started < 15
    assert "loading stopped" in capsys.readouterr().out


def test_a_failing_loader_leaves_the_stack_running_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_demo(tmp_path / "devstack.json", threading.Event(), _python("raise SystemExit(3)"))
    run_demo(tmp_path / "devstack.json", threading.Event(), _python("pass"))

    out = capsys.readouterr().out
    assert "the loader ended with exit code 3; the stack runs on" in out
    assert "demo data: loaded" in out
