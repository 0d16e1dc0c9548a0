"""Starting, watching and stopping the service processes of the dev stack."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from shared.broker import parent_death_signal
from shared.devstack.config import ServicePlan


@dataclass
class ServiceProcess:
    plan: ServicePlan
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_service(plan: ServicePlan, env: dict[str, str], log_dir: Path) -> ServiceProcess:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{plan.name}.log"
    log = log_path.open("ab")
    prefix = plan.name.upper()
    service_env = {
        **env,
        f"{prefix}_PORT": str(plan.port),
        f"{prefix}_DATABASE_URL": plan.database_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", f"services.{plan.name}", "all", "--migrate"],
        env=service_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=parent_death_signal(),  # noqa: PLW1509 - only a libc call
    )
    return ServiceProcess(plan, process, log_path, log)


class StartupAbortedError(RuntimeError):
    pass


def wait_ready(
    services: list[ServiceProcess],
    timeout: float,
    report: Callable[[str], None],
    stop: threading.Event,
) -> None:
    """Wait for every /readyz; raise with the log tail of a service that died or hung."""
    pending = {s.plan.name: s for s in services}
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while pending:
            if stop.is_set():
                raise StartupAbortedError("stopped while starting")
            for name, service in list(pending.items()):
                if service.process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{service.tail()}")
                try:
                    ready = client.get(f"{service.plan.url}/readyz").status_code == 200
                except httpx.HTTPError:
                    ready = False
                if ready:
                    del pending[name]
                    report(f"  {name} ready on {service.plan.url}")
            if time.monotonic() > deadline:
                names = ", ".join(pending)
                tails = "\n".join(pending[n].tail() for n in pending)
                raise TimeoutError(f"not ready after {timeout:.0f}s: {names}\n{tails}")
            time.sleep(0.25)


def stop_all(services: list[ServiceProcess], timeout: float = 15.0) -> None:
    for service in services:
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for service in services:
        remaining = max(0.1, deadline - time.monotonic())
        try:
            service.process.wait(remaining)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()
        service.log.close()


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
