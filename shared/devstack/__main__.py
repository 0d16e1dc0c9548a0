"""`python -m shared.devstack`: broker, topics, keys, the four services, demo data."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from kafka.errors import KafkaError

from shared.broker import EmbeddedBroker
from shared.devstack.config import ServicePlan, plan_services, port_in_use, var_dir
from shared.devstack.keys import dev_keys
from shared.devstack.processes import (
    ServiceProcess,
    StartupAbortedError,
    child_env,
    start_service,
    stop_all,
    wait_ready,
)
from shared.devstack.replay import republish_retained_outboxes
from shared.events.topics import all_topic_names
from shared.messaging.kafka import ensure_topics

READY_TIMEOUT = float(os.environ.get("COCKPIT_READY_TIMEOUT", "120"))


def say(message: str) -> None:
    print(message, flush=True)


def state_path(var: Path) -> Path:
    return var / "devstack.json"


def write_state(var: Path, plans: list[ServicePlan], bootstrap: str, keys: dict[str, str]) -> Path:
    state = {
        "started_at": datetime.now(UTC).isoformat(),
        "pid": os.getpid(),
        "broker": bootstrap,
        "services": {
            p.name: {"url": p.url, "docs": f"{p.url}/docs", "metrics": f"{p.url}/metrics"}
            for p in plans
        },
        "api_keys": keys,
    }
    path = state_path(var)
    tmp = path.with_suffix(".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(state, indent=2) + "\n")
    tmp.replace(path)
    return path


def run_demo(state_file: Path, stop: threading.Event, command: list[str] | None = None) -> None:
    """The demo-data hook: runs `shared.demo` when installed, unless COCKPIT_DEMO=0. The
    stack runs on whatever becomes of it; a stop ends it (the next start loads the rest:
    what went in is skipped as duplicates)."""
    if command is None:
        if os.environ.get("COCKPIT_DEMO", "1") == "0":
            say("demo data: skipped (COCKPIT_DEMO=0)")
            return
        if importlib.util.find_spec("shared.demo") is None:
            say("demo data: no demo loader in this version; the stack starts empty")
            return
        command = [sys.executable, "-m", "shared.demo", "--devstack", str(state_file)]
    say("demo data: loading ... (the services answer meanwhile)")
    loader = subprocess.Popen(command)
    while loader.poll() is None and not stop.wait(0.5):
        pass
    if loader.poll() is None:
        loader.terminate()
        try:
            loader.wait(10)
        except subprocess.TimeoutExpired:
            loader.kill()
            loader.wait()
    if stop.is_set():
        say("demo data: loading stopped; the next start goes on with it")
    elif loader.returncode != 0:
        say(f"demo data: the loader ended with exit code {loader.returncode}; the stack runs on")
    else:
        say("demo data: loaded. Stop with Ctrl-C.")


def print_summary(
    plans: list[ServicePlan], bootstrap: str, keys: dict[str, str], state: Path
) -> None:
    say("")
    say("Kundencockpit is running.")
    for plan in plans:
        say(f"  {plan.name:<13} {plan.url}/docs   metrics {plan.url}/metrics")
    say(f"  broker        {bootstrap}")
    say(f"  admin key     {keys['admin']}")
    say(f"  all dev keys, URLs and the broker address: {state}")
    say("  logs: " + str(state.parent / "log"))
    say("Stop with Ctrl-C.")


def start_broker(var: Path, plans: list[ServicePlan]) -> tuple[EmbeddedBroker | None, str]:
    """The broker named by KAFKA_BOOTSTRAP_SERVERS, or an embedded one started here."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        say(f"broker: {bootstrap}")
        return None, bootstrap
    broker = EmbeddedBroker(log_file=var / "log" / "tansu.log")
    broker.start()
    say(f"broker: embedded Tansu on {broker.bootstrap_servers} (memory storage)")
    replayed = republish_retained_outboxes(plans)
    if replayed:
        say(f"outboxes: {replayed} retained events will be published again to the new broker")
    return broker, broker.bootstrap_servers


def watch(services: list[ServiceProcess], stop: threading.Event) -> int:
    """Run until stopped; a service that dies takes the stack down with its log tail."""
    while not stop.wait(1.0):
        for service in services:
            if service.process.poll() is not None:
                say(f"{service.plan.name} stopped unexpectedly:\n{service.tail()}")
                return 1
    say("stopping ...")
    return 0


def main() -> int:
    var = var_dir()
    var.mkdir(parents=True, exist_ok=True)
    plans = plan_services(var)
    busy = [p for p in plans if port_in_use(p.port)]
    if busy:
        for plan in busy:
            say(f"port {plan.port} for {plan.name} is in use; set {plan.name.upper()}_PORT")
        return 2
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    broker, bootstrap = start_broker(var, plans)
    services: list[ServiceProcess] = []
    try:
        partitions = int(os.environ.get("COCKPIT_TOPIC_PARTITIONS", "6"))
        created = ensure_topics(bootstrap, all_topic_names(), partitions=partitions)
        say(f"topics: {len(created)} created, {len(all_topic_names()) - len(created)} existed")
        keys = dev_keys(var)
        env = {
            **child_env(),
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "COCKPIT_API_KEYS_FILE": str(var / "api-keys.json"),
        }
        for plan in plans:
            services.append(start_service(plan, env, var / "log"))
        say("services: starting (migrations run first) ...")
        wait_ready(services, READY_TIMEOUT, say, stop)
        # The summary first: a script that waits for the state file then finds it printed.
        print_summary(plans, bootstrap, keys, state_path(var))
        state = write_state(var, plans, bootstrap, keys)
        run_demo(state, stop)
        return watch(services, stop)
    except StartupAbortedError:
        say("start-up interrupted")
        return 130
    except (RuntimeError, TimeoutError, KafkaError) as error:
        say(f"the stack did not start: {error!r}")
        return 1
    finally:
        stop_all(services)
        if broker is not None:
            broker.stop()
        say("stopped.")


if __name__ == "__main__":
    raise SystemExit(main())
