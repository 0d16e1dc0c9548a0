"""Deployment files hang together: compose, Dockerfile, Prometheus config and alert rules.

Docker is not needed: the files are parsed and cross-checked, so a renamed service, port or
path breaks a test here instead of a deployment.
"""

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
PROMETHEUS_FILE = ROOT / "deploy" / "prometheus" / "prometheus.yml"
ALERTS_FILE = ROOT / "deploy" / "prometheus" / "alerts.yml"
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"

SERVICES = {"profiles": 8001, "segmentation": 8002, "experience": 8003, "steering": 8004}
WORKER_PORT_OFFSET = 100
METRIC_SUFFIXES = (
    "outbox_pending",
    "outbox_oldest_age_seconds",
    "dlq_messages_total",
    "consumer_lag",
    "http_requests_total",
)
KNOWN_METRICS = {f"{name}_{suffix}" for name in SERVICES for suffix in METRIC_SUFFIXES}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def prometheus() -> dict[str, Any]:
    return yaml.safe_load(PROMETHEUS_FILE.read_text())


@pytest.fixture(scope="module")
def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS_FILE.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def _volume_mounts(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) for short and long volume syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            parts = volume.split(":")
            source, target = parts[0], parts[1]
            read_only = len(parts) > 2 and "ro" in parts[2].split(",")
        else:
            source, target = volume.get("source", ""), volume["target"]
            read_only = bool(volume.get("read_only", False))
        mounts.append((source, target, read_only))
    return mounts


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends.items()}


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


# docker-compose.yml


def test_compose_file_follows_the_compose_spec_without_a_version_key(
    compose: dict[str, Any],
) -> None:
    assert "version" not in compose
    assert compose["services"]


def test_every_file_the_compose_file_mounts_exists(services: dict[str, dict[str, Any]]) -> None:
    mounted = [
        (name, source)
        for name, service in services.items()
        for source, _, _ in _volume_mounts(service)
        if source.startswith("./")
    ]
    assert mounted, "expected bind mounts of repository files"
    missing = [
        (name, source) for name, source in mounted if not (COMPOSE_FILE.parent / source).exists()
    ]
    assert missing == []


def test_every_named_volume_a_service_uses_is_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for source, _, _ in _volume_mounts(service):
            if source and not source.startswith(("./", "/", "~")):
                assert source in declared, f"{name} mounts undeclared volume {source}"


def test_every_dockerfile_the_compose_file_builds_exists(
    services: dict[str, dict[str, Any]],
) -> None:
    built = {name: service["build"] for name, service in services.items() if "build" in service}
    assert built, "expected services built from the project's Dockerfile"
    for name, build in built.items():
        context = COMPOSE_FILE.parent / (build if isinstance(build, str) else build["context"])
        dockerfile = "Dockerfile" if isinstance(build, str) else build["dockerfile"]
        assert (context / dockerfile).is_file(), f"{name}: {context / dockerfile} missing"


def test_every_service_depended_on_exists(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency in _depends_on(service):
            assert dependency in services, f"{name} depends on unknown service {dependency}"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_an_api_that_migrates_first_and_a_worker(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert _command(services[f"{name}-api"]) == [
        "python",
        "-m",
        f"services.{name}",
        "serve",
        "--migrate",
    ]
    assert _command(services[f"{name}-worker"]) == ["python", "-m", f"services.{name}", "worker"]


@pytest.mark.parametrize("name", SERVICES)
def test_each_api_binds_all_interfaces_and_publishes_its_port(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    api = services[f"{name}-api"]
    env = _environment(api)
    prefix = name.upper()
    port = SERVICES[name]
    assert env[f"{prefix}_HOST"] == "0.0.0.0"
    assert env[f"{prefix}_PORT"] == str(port)
    assert f"{port}:{port}" in [str(mapping) for mapping in api.get("ports", [])]
    assert str(port) in json.dumps(api["healthcheck"]["test"])


@pytest.mark.parametrize("role", ["api", "worker"])
@pytest.mark.parametrize("name", SERVICES)
def test_each_process_runs_in_production_against_its_own_postgres_database(
    services: dict[str, dict[str, Any]], name: str, role: str
) -> None:
    env = _environment(services[f"{name}-{role}"])
    url = env[f"{name.upper()}_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    assert url.endswith(f"@postgres:5432/{name}")
    assert "${POSTGRES_PASSWORD" in url, "the password must come from the environment"
    assert env["COCKPIT_ENV"] == "production"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["COCKPIT_API_KEYS_FILE"] == "/keys/api-keys.json"


@pytest.mark.parametrize("role", ["api", "worker"])
@pytest.mark.parametrize("name", SERVICES)
def test_each_process_reads_the_api_keys_volume_read_only(
    services: dict[str, dict[str, Any]], name: str, role: str
) -> None:
    assert ("api-keys", "/keys", True) in _volume_mounts(services[f"{name}-{role}"])


def test_the_key_file_is_created_once_into_the_shared_volume(
    services: dict[str, dict[str, Any]],
) -> None:
    init = services["init-keys"]
    assert _command(init) == [
        "python",
        "-m",
        "shared.api.keys",
        "init",
        "--file",
        "/keys/api-keys.json",
    ]
    assert ("api-keys", "/keys", False) in _volume_mounts(init)
    assert init.get("restart") in (None, "no")


@pytest.mark.parametrize("name", SERVICES)
def test_each_api_waits_for_database_broker_and_key_file(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert _depends_on(services[f"{name}-api"]) == {
        "postgres": "service_healthy",
        "kafka": "service_healthy",
        "init-keys": "service_completed_successfully",
    }


@pytest.mark.parametrize("name", SERVICES)
def test_each_worker_waits_for_its_api_to_have_migrated(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert _depends_on(services[f"{name}-worker"]) == {f"{name}-api": "service_healthy"}
    assert "readyz" in json.dumps(services[f"{name}-api"]["healthcheck"]["test"])


def test_services_that_others_wait_for_have_healthchecks(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        for dependency, condition in _depends_on(service).items():
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}"


def test_kafka_runs_single_node_kraft_without_topic_auto_creation(
    services: dict[str, dict[str, Any]],
) -> None:
    kafka = services["kafka"]
    env = _environment(kafka)
    assert kafka["image"] == "apache/kafka:3.9.0"
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_LISTENERS"] == "PLAINTEXT://:9092,CONTROLLER://:9093"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "1"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_postgres_refuses_to_start_without_a_password(
    services: dict[str, dict[str, Any]],
) -> None:
    password = _environment(services["postgres"])["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")


def test_postgres_creates_one_database_per_service(services: dict[str, dict[str, Any]]) -> None:
    mounts = {target: source for source, target, _ in _volume_mounts(services["postgres"])}
    assert mounts["/docker-entrypoint-initdb.d/init.sql"] == "./deploy/postgres/init.sql"
    created = set(re.findall(r"CREATE DATABASE (\w+)", INIT_SQL.read_text(), re.IGNORECASE))
    assert created == set(SERVICES)


# Prometheus


def test_prometheus_scrapes_every_api_and_worker_by_compose_name_and_port(
    prometheus: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    scraped = {
        target: group["labels"]["service"]
        for job in prometheus["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    expected = {}
    for name, port in SERVICES.items():
        expected[f"{name}-api:{port}"] = name
        expected[f"{name}-worker:{port + WORKER_PORT_OFFSET}"] = name
    assert scraped == expected
    for target in scraped:
        assert target.split(":")[0] in services


def test_prometheus_loads_the_alert_rules_mounted_beside_its_config(
    prometheus: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    mounts = {target: source for source, target, _ in _volume_mounts(services["prometheus"])}
    config_target = next(t for t, s in mounts.items() if s == "./deploy/prometheus/prometheus.yml")
    config_dir = Path(config_target).parent
    for rule_file in prometheus["rule_files"]:
        mounted = mounts[str(config_dir / rule_file)]
        assert (COMPOSE_FILE.parent / mounted).resolve() == ALERTS_FILE


def test_every_alert_rule_is_complete_and_watches_a_known_metric(
    alert_rules: list[dict[str, Any]],
) -> None:
    assert alert_rules
    for rule in alert_rules:
        assert rule.get("alert"), rule
        expr = rule.get("expr")
        assert expr, rule
        names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
        assert names & (KNOWN_METRICS | {"up"}), f"{rule['alert']} watches no known metric"
        if "for" in rule:
            assert re.fullmatch(r"\d+[smhd]", rule["for"]), rule["for"]
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_alert_names_are_unique(alert_rules: list[dict[str, Any]]) -> None:
    names = [rule["alert"] for rule in alert_rules]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("suffix", METRIC_SUFFIXES)
@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_alerted_on_each_of_its_health_metrics(
    alert_rules: list[dict[str, Any]], name: str, suffix: str
) -> None:
    metric = f"{name}_{suffix}"
    assert any(re.search(rf"\b{metric}\b", rule["expr"]) for rule in alert_rules)


def test_a_target_that_cannot_be_scraped_raises_an_alert(
    alert_rules: list[dict[str, Any]],
) -> None:
    down = [rule for rule in alert_rules if rule["expr"].strip() == "up == 0"]
    assert len(down) == 1
    assert down[0]["for"] == "2m"


# Dockerfile


def test_every_file_the_dockerfile_copies_exists() -> None:
    sources = []
    for keyword, arguments in _dockerfile_instructions():
        if keyword not in {"COPY", "ADD"}:
            continue
        words = arguments.split()
        if any(word.startswith("--from=") for word in words):
            continue
        sources += [word for word in words[:-1] if not word.startswith("--")]
    assert {"pyproject.toml", "constraints.txt", "shared/", "services/"} <= set(sources)
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []


def test_the_image_installs_the_project_within_the_pinned_constraints() -> None:
    runs = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "RUN"]
    assert "pip install --no-cache-dir -c constraints.txt ." in runs


def test_the_image_runs_as_a_non_root_user() -> None:
    users = [arguments for keyword, arguments in _dockerfile_instructions() if keyword == "USER"]
    assert users, "the image must switch away from root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_image_starts_on_python_3_11_slim_and_prints_usage_by_default() -> None:
    instructions = _dockerfile_instructions()
    bases = [arguments.split()[0] for keyword, arguments in instructions if keyword == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)
    cmd = json.loads(next(arguments for keyword, arguments in instructions if keyword == "CMD"))
    assert "usage" in " ".join(cmd)
