"""What the launcher starts and where: services, ports, databases, the var folder."""

import os
import socket
from dataclasses import dataclass
from pathlib import Path

SERVICES: tuple[tuple[str, int], ...] = (
    ("profiles", 8001),
    ("segmentation", 8002),
    ("experience", 8003),
    ("steering", 8004),
)


@dataclass(frozen=True)
class ServicePlan:
    name: str
    port: int
    database_url: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def var_dir() -> Path:
    return Path(os.environ.get("COCKPIT_VAR_DIR", "var")).resolve()


def plan_services(var: Path) -> list[ServicePlan]:
    plans = []
    for name, default_port in SERVICES:
        prefix = name.upper()
        port = int(os.environ.get(f"{prefix}_PORT", default_port))
        url = os.environ.get(f"{prefix}_DATABASE_URL", f"sqlite:///{var / f'{name}.db'}")
        plans.append(ServicePlan(name=name, port=port, database_url=url))
    return plans


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
