"""The garbage collector tuning of serve and worker processes (run in a child process,
so that this test session's collector stays as it is)."""

import subprocess
import sys

PROBE = (
    "import gc, sys; from shared.collector import tune_collector; "
    "before = gc.get_threshold(); tune_collector(int(sys.argv[1])); "
    "print(before[0], gc.get_threshold()[0], gc.get_threshold()[1:] == before[1:], "
    "gc.get_freeze_count() > 0)"
)


def _probe(young: int) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(young)], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_startup_objects_are_frozen_and_young_collections_come_less_often() -> None:
    default, tuned, older_kept, frozen = _probe(50_000)
    assert int(default) < 50_000
    assert (tuned, older_kept, frozen) == ("50000", "True", "True")


def test_zero_leaves_the_collector_as_it_is() -> None:
    default, tuned, older_kept, frozen = _probe(0)
    assert (tuned, older_kept, frozen) == (default, "True", "False")
