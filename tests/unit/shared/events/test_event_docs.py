"""The generated JSON Schemas, AsyncAPI document and catalog of shared.events.docs."""

import ast
import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, Field

from shared.events import REGISTRY, new_event
from shared.events.docs import generate, main
from shared.events.envelope import CloudEvent
from shared.events.inbound import INBOUND_PAYLOADS, InboundEvent
from shared.events.registry import EventRegistry, EventType
from shared.events.topics import ALL_TOPICS, CUSTOMERS, INBOUND, ORDERS

# AsyncAPI 3.0.0 restricts the keys of components (and we use the same ids for channels etc.).
COMPONENT_KEY = re.compile(r"^[\w.\-]+$")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and key in node, f"{ref} does not resolve"
        node = node[key]
    return node


def _load_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _load_asyncapi(out: Path) -> dict[str, Any]:
    data = yaml.safe_load((out / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _assert_schema_of(schema: dict[str, Any], model: type[BaseModel]) -> None:
    assert list(schema["properties"]) == list(model.model_fields)
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    assert schema.get("required", []) == required


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


class _NoData(BaseModel):
    pass


@pytest.fixture
def out(tmp_path: Path) -> Path:
    generate(tmp_path)
    return tmp_path


def test_every_registered_type_has_a_schema_file_with_the_events_dataschema(out: Path) -> None:
    assert REGISTRY.all()
    for event_type in REGISTRY.all():
        schema = _load_json(out / "schemas" / f"{event_type.name}.v{event_type.version}.json")
        event = new_event(
            source="/test",
            type=event_type.name,
            subject="c-1",
            data=_NoData(),
            version=event_type.version,
        )
        assert schema["$id"] == event.dataschema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == f"{event_type.name} v{event_type.version}"
        _assert_schema_of(schema, event_type.payload)
        for ref in _refs(schema):
            _resolve(schema, ref)


def test_envelope_and_inbound_schema_files(out: Path) -> None:
    cloudevent = _load_json(out / "schemas" / "cloudevent.json")
    assert cloudevent["$id"] == "urn:kundencockpit:schema:cloudevent"
    assert cloudevent["title"] == "CloudEvent"
    _assert_schema_of(cloudevent, CloudEvent)

    inbound_event = _load_json(out / "schemas" / "inbound-event.json")
    assert inbound_event["$id"] == "urn:kundencockpit:schema:inbound-event"
    assert inbound_event["additionalProperties"] is False
    _assert_schema_of(inbound_event, InboundEvent)

    assert INBOUND_PAYLOADS
    for name, model in INBOUND_PAYLOADS.items():
        schema = _load_json(out / "schemas" / "inbound" / f"{name}.json")
        assert schema["$id"] == f"urn:kundencockpit:schema:inbound:{name}"
        assert schema["title"] == f"{name} (inbound)"
        _assert_schema_of(schema, model)
        for ref in _refs(schema):
            _resolve(schema, ref)


def test_asyncapi_header_info_and_server(out: Path) -> None:
    doc = _load_asyncapi(out)
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == "Kundencockpit events"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", doc["info"]["version"])
    description = doc["info"]["description"]
    assert "CloudEvents 1.0" in description
    assert "keyed by customer id" in description
    assert "`<topic>.dlq`" in description
    for header in (
        "dlq.error",
        "dlq.original_topic",
        "dlq.original_partition",
        "dlq.original_offset",
        "dlq.consumer",
        "dlq.attempts",
    ):
        assert f"`{header}`" in description
    assert doc["servers"] == {
        "kafka": {
            "host": "localhost:9092",
            "protocol": "kafka",
            "description": "Local development broker.",
        }
    }


def test_a_channel_for_every_topic_and_every_dlq_topic(out: Path) -> None:
    channels = _load_asyncapi(out)["channels"]
    assert len(channels) == 2 * len(ALL_TOPICS)
    for topic in ALL_TOPICS:
        assert channels[topic.name]["address"] == topic.name
        assert channels[topic.name]["description"] == topic.description
        dlq = channels[topic.dlq]
        assert dlq["address"] == f"{topic.name}.dlq"
        assert list(dlq["messages"]) == ["dead-letter"]


def test_every_ref_resolves_inside_the_document(out: Path) -> None:
    doc = _load_asyncapi(out)
    refs = list(_refs(doc))
    assert len(refs) > 10
    for ref in refs:
        assert _resolve(doc, ref)
    for section in ("schemas", "messages"):
        for key in doc["components"][section]:
            assert COMPONENT_KEY.match(key), key


def test_registered_messages_wrap_their_payload_in_the_envelope(out: Path) -> None:
    doc = _load_asyncapi(out)
    for event_type in REGISTRY.all():
        name = f"{event_type.name}.v{event_type.version}"
        channel = doc["channels"][event_type.topic.name]
        message = _resolve(doc, channel["messages"][name]["$ref"])
        assert message["name"] == name
        assert message["summary"] == event_type.description
        assert message["contentType"] == "application/json"
        assert message["x-producer"] == event_type.producer
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        assert "customer id" in message["bindings"]["kafka"]["key"]["description"].lower()
        payload = message["payload"]
        assert list(payload["properties"]) == list(CloudEvent.model_fields)
        assert payload["properties"]["type"]["const"] == event_type.name
        assert payload["properties"]["dataversion"]["const"] == event_type.version
        data_ref = payload["properties"]["data"]["$ref"]
        assert data_ref.startswith("#/components/schemas/")
        _assert_schema_of(_resolve(doc, data_ref), event_type.payload)


def test_inbound_channel_carries_an_inbound_event_per_inbound_type(out: Path) -> None:
    doc = _load_asyncapi(out)
    messages = doc["channels"][INBOUND.name]["messages"]
    assert list(messages) == [f"inbound.{name}" for name in sorted(INBOUND_PAYLOADS)]
    for name, model in INBOUND_PAYLOADS.items():
        message = _resolve(doc, messages[f"inbound.{name}"]["$ref"])
        payload = message["payload"]
        assert list(payload["properties"]) == list(InboundEvent.model_fields)
        assert payload["properties"]["type"]["const"] == name
        assert payload["additionalProperties"] is False
        _assert_schema_of(_resolve(doc, payload["properties"]["data"]["$ref"]), model)


def test_send_operations_per_producer_point_into_their_channel(out: Path) -> None:
    doc = _load_asyncapi(out)
    operations = doc["operations"]
    for event_type in REGISTRY.all():
        operation = operations[f"{event_type.producer}.send.{event_type.topic.name}"]
        assert operation["action"] == "send"
        assert operation["channel"] == {"$ref": f"#/channels/{event_type.topic.name}"}
        name = f"{event_type.name}.v{event_type.version}"
        assert {"$ref": f"#/channels/{event_type.topic.name}/messages/{name}"} in operation[
            "messages"
        ]
    for operation in operations.values():
        channel_ref = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel_ref}/messages/")


def _dead_letter_header_keys() -> list[str]:
    """dlq.* headers the consumer loop writes, read from source so kafka is not imported."""
    spec = importlib.util.find_spec("shared.messaging.consumer")
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    function = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "_dead_letter"
    )
    return [
        str(key.value)
        for node in ast.walk(function)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant) and str(key.value).startswith("dlq.")
    ]


def test_dead_letter_headers_match_what_the_consumer_writes(out: Path) -> None:
    doc = _load_asyncapi(out)
    message = doc["components"]["messages"]["dead-letter"]
    headers = _resolve(doc, message["headers"]["$ref"])
    written = _dead_letter_header_keys()
    assert len(written) >= 6
    assert sorted(headers["properties"]) == sorted(written)
    assert sorted(headers["required"]) == sorted(written)


def test_readme_lists_every_type_and_topic(out: Path) -> None:
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "make docs" in readme
    assert "| Type | Version | Topic | Producer | Description |" in readme
    for t in REGISTRY.all():
        row = (
            f"| [{t.name}](schemas/{t.name}.v{t.version}.json) | {t.version} "
            f"| `{t.topic.name}` | {t.producer} | {t.description} |"
        )
        assert row in readme
    for topic in ALL_TOPICS:
        assert f"| `{topic.name}` | `{topic.dlq}` | {topic.description} |" in readme


def test_generating_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    written = generate(first)
    generate(second)
    before = _files(first)
    assert sorted(before) == sorted(str(p.relative_to(first)) for p in written)
    assert before == _files(second)
    generate(first)
    assert _files(first) == before


def _other_registry() -> EventRegistry:
    """Two versions of a type, two producers on one topic and two models named alike."""

    def first() -> type[BaseModel]:
        class Line(BaseModel):
            sku: str

        class OrderPlaced(BaseModel):
            lines: list[Line]

        return OrderPlaced

    def second() -> type[BaseModel]:
        class Line(BaseModel):
            sku: str
            quantity: int = Field(ge=1)

        class OrderPlaced(BaseModel):
            lines: list[Line]
            currency: str

        return OrderPlaced

    registry = EventRegistry()
    v1 = first()
    for version, payload, producer, topic in (
        (1, v1, "profiles", ORDERS),
        (2, second(), "profiles", ORDERS),
        (1, v1, "steering", CUSTOMERS),
    ):
        name = "order.placed" if topic is ORDERS else "order.mirrored"
        registry.register(EventType(name, version, payload, topic, producer, f"{name} {version}"))
    return registry


def test_versions_producers_and_name_clashes(tmp_path: Path) -> None:
    generate(tmp_path, registry=_other_registry(), inbound={})
    v1 = _load_json(tmp_path / "schemas" / "order.placed.v1.json")
    v2 = _load_json(tmp_path / "schemas" / "order.placed.v2.json")
    assert v1["$id"] == "urn:kundencockpit:schema:order.placed:v1"
    assert list(v2["properties"]) == ["lines", "currency"]

    doc = _load_asyncapi(tmp_path)
    for ref in _refs(doc):
        _resolve(doc, ref)
    schemas = doc["components"]["schemas"]
    line_schemas = [s for s in schemas.values() if s.get("title") == "Line"]
    assert sorted(len(s["properties"]) for s in line_schemas) == [1, 2]
    assert all(COMPONENT_KEY.match(key) for key in schemas)
    orders = doc["channels"][ORDERS.name]["messages"]
    assert list(orders) == ["order.placed.v1", "order.placed.v2"]
    assert "messages" not in doc["channels"][INBOUND.name]
    assert set(doc["operations"]) >= {
        f"profiles.send.{ORDERS.name}",
        f"steering.send.{CUSTOMERS.name}",
    }


def test_schema_files_of_unregistered_types_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / "schemas" / "order.cancelled.v1.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("kept", encoding="utf-8")
    generate(tmp_path)
    assert not stale.exists()
    assert notes.read_text(encoding="utf-8") == "kept"
    assert (tmp_path / "schemas" / "customer.registered.v1.json").exists()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 0
    assert str(tmp_path / "asyncapi.yaml") in capsys.readouterr().out
    assert _load_asyncapi(tmp_path)["asyncapi"] == "3.0.0"
    assert main(["--help"]) == 2
    assert main(["a", "b"]) == 2
