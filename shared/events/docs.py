"""Generate JSON Schemas, an AsyncAPI document and an event catalog from the event contracts.

Run as `python -m shared.events.docs [OUTPUT_DIR]` (default `docs/`); `make docs` calls it.
"""

import copy
import importlib.metadata
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.events.catalog import REGISTRY
from shared.events.envelope import CloudEvent
from shared.events.inbound import INBOUND_PAYLOADS, InboundEvent
from shared.events.registry import EventRegistry, EventType
from shared.events.topics import ALL_TOPICS, INBOUND, Topic

Json = dict[str, Any]
InboundPayloads = Mapping[str, type[BaseModel]]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_URN = "urn:kundencockpit:schema"
COMPONENT_REF = "#/components/schemas/{model}"
INBOUND_PRODUCER = "source-systems"
DEAD_LETTER_MESSAGE = "dead-letter"
DEAD_LETTER_HEADERS = "DeadLetterHeaders"
KAFKA_BINDING_VERSION = "0.5.0"

# Mirrors what shared.messaging.consumer.ConsumerLoop._dead_letter writes.
DLQ_HEADERS: tuple[tuple[str, str], ...] = (
    ("dlq.error", "Why the message failed (exception type and message, at most 2000 chars)."),
    ("dlq.original_topic", "Topic the message was consumed from."),
    ("dlq.original_partition", "Partition of the original message (decimal)."),
    ("dlq.original_offset", "Offset of the original message (decimal)."),
    ("dlq.consumer", "Name of the consumer that gave up on the message."),
    ("dlq.attempts", "How many times handling was attempted (decimal)."),
    ("dlq.failed_at", "When the message was dead-lettered, RFC 3339 with offset."),
)


def message_id(event_type: EventType) -> str:
    """Name of the AsyncAPI message of a registered event type, e.g. `customer.registered.v1`."""
    return f"{event_type.name}.v{event_type.version}"


def inbound_message_id(type_name: str) -> str:
    """Name of the AsyncAPI message of an inbound event type."""
    return f"inbound.{type_name}"


def schema_id(event_type: EventType) -> str:
    """`$id` of a payload schema; equals the `dataschema` that `new_event` puts on events."""
    return f"{SCHEMA_URN}:{event_type.name}:v{event_type.version}"


def _standalone(model: type[BaseModel], schema_uri: str, title: str) -> Json:
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_uri,
        "title": title,
        **{k: v for k, v in model.model_json_schema().items() if k != "title"},
    }


def schema_files(registry: EventRegistry, inbound: InboundPayloads) -> dict[str, Json]:
    """Every standalone JSON Schema, keyed by its path relative to the output directory."""
    files: dict[str, Json] = {
        "schemas/cloudevent.json": _standalone(
            CloudEvent, f"{SCHEMA_URN}:cloudevent", "CloudEvent"
        ),
        "schemas/inbound-event.json": _standalone(
            InboundEvent, f"{SCHEMA_URN}:inbound-event", "InboundEvent"
        ),
    }
    for event_type in registry.all():
        files[f"schemas/{message_id(event_type)}.json"] = _standalone(
            event_type.payload,
            schema_id(event_type),
            f"{event_type.name} v{event_type.version}",
        )
    for type_name, model in sorted(inbound.items()):
        files[f"schemas/inbound/{type_name}.json"] = _standalone(
            model, f"{SCHEMA_URN}:inbound:{type_name}", f"{type_name} (inbound)"
        )
    return files


def _component_schemas(
    models: Sequence[type[BaseModel]],
) -> tuple[dict[type[BaseModel], Json], Json]:
    """Schemas of `models` and everything they use, with refs into components.schemas."""
    unique = list(dict.fromkeys(models))
    mode: JsonSchemaMode = "validation"
    # One generation pass for all models lets pydantic give colliding class names unique keys.
    refs, bundle = models_json_schema([(m, mode) for m in unique], ref_template=COMPONENT_REF)
    by_model = {model: refs[(model, mode)] for model in unique}
    return by_model, dict(bundle.get("$defs", {}))


def _dead_letter_headers() -> Json:
    return {
        "type": "object",
        "title": DEAD_LETTER_HEADERS,
        "description": "Kafka headers of a dead letter; the original headers are kept as well.",
        "properties": {name: {"type": "string", "description": text} for name, text in DLQ_HEADERS},
        "required": [name for name, _ in DLQ_HEADERS],
        "additionalProperties": {"type": "string"},
    }


def _enveloped(envelope: Json, payload_ref: Json, type_name: str, title: str) -> Json:
    """The envelope schema narrowed to one type, with `data` pointing at its payload schema."""
    schema = copy.deepcopy(envelope)
    schema["title"] = title
    schema["properties"]["type"] = {**schema["properties"]["type"], "const": type_name}
    schema["properties"]["data"] = dict(payload_ref)
    return schema


def _kafka_key(description: str) -> Json:
    return {
        "kafka": {
            "key": {"type": "string", "description": description},
            "bindingVersion": KAFKA_BINDING_VERSION,
        }
    }


def _event_message(event_type: EventType, envelope: Json, payload_ref: Json) -> Json:
    name = message_id(event_type)
    payload = _enveloped(envelope, payload_ref, event_type.name, f"{name} CloudEvent")
    payload["properties"]["dataversion"] = {
        **payload["properties"]["dataversion"],
        "const": event_type.version,
    }
    return {
        "name": name,
        "title": f"{event_type.name} v{event_type.version}",
        "summary": event_type.description,
        "contentType": "application/json",
        "payload": payload,
        "bindings": _kafka_key("Customer id (the event's subject)."),
        "x-producer": event_type.producer,
        "x-dataschema": schema_id(event_type),
    }


def _inbound_message(type_name: str, model: type[BaseModel], envelope: Json, ref: Json) -> Json:
    name = inbound_message_id(type_name)
    return {
        "name": name,
        "title": f"{type_name} (inbound)",
        "summary": (model.__doc__ or type_name).strip().splitlines()[0],
        "description": "An InboundEvent JSON object as a source system posts it; no CloudEvent.",
        "contentType": "application/json",
        "payload": _enveloped(envelope, ref, type_name, f"{name} InboundEvent"),
        "bindings": _kafka_key("Customer id as known to the sending system."),
        "x-producer": INBOUND_PRODUCER,
    }


def _dead_letter_message() -> Json:
    return {
        "name": DEAD_LETTER_MESSAGE,
        "title": "Dead letter",
        "summary": "A message a consumer could not handle after bounded retries.",
        "description": (
            "The original message value, key and headers, unchanged, plus the dlq.* headers. "
            "The value is whatever was consumed, so it may not even be JSON."
        ),
        "contentType": "application/octet-stream",
        "headers": {"$ref": COMPONENT_REF.format(model=DEAD_LETTER_HEADERS)},
        "payload": {"description": "The original message value, byte for byte."},
        "bindings": _kafka_key("Key of the original message (the customer id)."),
    }


def _messages(registry: EventRegistry, inbound: InboundPayloads) -> tuple[Json, Json]:
    """components.messages and components.schemas of the whole document."""
    payloads = [t.payload for t in registry.all()]
    inbound_models = [inbound[name] for name in sorted(inbound)]
    refs, schemas = _component_schemas([CloudEvent, InboundEvent, *payloads, *inbound_models])
    if DEAD_LETTER_HEADERS in schemas:
        raise ValueError(f"a model named {DEAD_LETTER_HEADERS} clashes with the DLQ headers")
    schemas[DEAD_LETTER_HEADERS] = _dead_letter_headers()
    envelope, inbound_envelope = schemas[CloudEvent.__name__], schemas[InboundEvent.__name__]
    messages: Json = {}
    for event_type in registry.all():
        messages[message_id(event_type)] = _event_message(
            event_type, envelope, refs[event_type.payload]
        )
    for name in sorted(inbound):
        messages[inbound_message_id(name)] = _inbound_message(
            name, inbound[name], inbound_envelope, refs[inbound[name]]
        )
    messages[DEAD_LETTER_MESSAGE] = _dead_letter_message()
    return messages, dict(sorted(schemas.items()))


def _channel_message_ids(
    topic: Topic, registry: EventRegistry, inbound: InboundPayloads
) -> list[str]:
    ids = [message_id(t) for t in registry.all() if t.topic.name == topic.name]
    if topic.name == INBOUND.name:
        ids += [inbound_message_id(name) for name in sorted(inbound)]
    return ids


def _message_refs(ids: Sequence[str]) -> Json:
    return {i: {"$ref": f"#/components/messages/{i}"} for i in ids}


def _channels(registry: EventRegistry, inbound: InboundPayloads) -> Json:
    channels: Json = {}
    for topic in ALL_TOPICS:
        channel: Json = {"address": topic.name, "description": topic.description}
        ids = _channel_message_ids(topic, registry, inbound)
        if ids:
            channel["messages"] = _message_refs(ids)
        channels[topic.name] = channel
    for topic in ALL_TOPICS:
        channels[topic.dlq] = {
            "address": topic.dlq,
            "description": f"Dead letters of {topic.name}, with the failure in dlq.* headers.",
            "messages": _message_refs([DEAD_LETTER_MESSAGE]),
        }
    return channels


def _producers_by_topic(
    registry: EventRegistry, inbound: InboundPayloads
) -> dict[tuple[str, str], list[str]]:
    """Message ids each (producer, topic) pair sends, in registry order."""
    sends: dict[tuple[str, str], list[str]] = {}
    for t in registry.all():
        sends.setdefault((t.producer, t.topic.name), []).append(message_id(t))
    if inbound:
        sends.setdefault((INBOUND_PRODUCER, INBOUND.name), []).extend(
            inbound_message_id(name) for name in sorted(inbound)
        )
    return dict(sorted(sends.items()))


def _send_operation(producer: str, channel: str, ids: Sequence[str], summary: str) -> Json:
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{channel}/messages/{i}"} for i in ids],
        "x-producer": producer,
    }


def _operations(registry: EventRegistry, inbound: InboundPayloads) -> Json:
    operations: Json = {}
    for (producer, channel), ids in _producers_by_topic(registry, inbound).items():
        operations[f"{producer}.send.{channel}"] = _send_operation(
            producer, channel, ids, f"{producer} publishes on {channel}."
        )
    for topic in ALL_TOPICS:
        operations[f"dead-letter.{topic.dlq}"] = _send_operation(
            "consumers",
            topic.dlq,
            [DEAD_LETTER_MESSAGE],
            f"Any consumer of {topic.name} dead-letters what it cannot handle.",
        )
    return operations


def _info_description() -> str:
    headers = "\n".join(f"- `{name}`: {text}" for name, text in DLQ_HEADERS)
    return (
        "Events exchanged by the Kundencockpit services over Kafka.\n\n"
        "- Envelope: CloudEvents 1.0 in JSON (structured mode); `data` holds the payload, "
        "`dataversion` its version, `dataschema` the `$id` of its JSON Schema.\n"
        "- Keys: every topic is keyed by customer id, so one customer's events stay in order.\n"
        f"- Inbound: `{INBOUND.name}` carries InboundEvent JSON objects from source systems, "
        "not CloudEvents.\n"
        "- Compatibility: new fields are optional; consumers ignore unknown fields; a "
        "breaking change is a new version of the type.\n"
        "- Dead letters: a message that still fails after bounded retries goes to "
        "`<topic>.dlq` with its original key, value and headers plus these headers:\n\n"
        f"{headers}\n\n"
        "Generated by `make docs` (`python -m shared.events.docs`); do not edit.\n"
    )


def project_version() -> str:
    """Version of the installed kundencockpit distribution."""
    return importlib.metadata.version("kundencockpit")


def asyncapi_document(registry: EventRegistry, inbound: InboundPayloads) -> Json:
    """The AsyncAPI 3.0.0 document of all topics, event types and inbound types."""
    messages, schemas = _messages(registry, inbound)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Kundencockpit events",
            "version": project_version(),
            "description": _info_description(),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "Local development broker.",
            }
        },
        "channels": _channels(registry, inbound),
        "operations": _operations(registry, inbound),
        "components": {"schemas": schemas, "messages": messages},
    }


class _Dumper(yaml.SafeDumper):
    """Block-style multi-line strings and no anchors, so the YAML stays readable."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(document: Json) -> str:
    """Serialise `document` as YAML, keeping the insertion order of keys."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _catalog_rows(registry: EventRegistry) -> list[str]:
    return [
        f"| [{t.name}](schemas/{message_id(t)}.json) | {t.version} | `{t.topic.name}` "
        f"| {t.producer} | {_cell(t.description)} |"
        for t in registry.all()
    ]


def _inbound_rows(inbound: InboundPayloads) -> list[str]:
    return [
        f"| [{name}](schemas/inbound/{name}.json) "
        f"| {_cell((inbound[name].__doc__ or '').strip().splitlines()[0])} |"
        for name in sorted(inbound)
    ]


def _topic_rows() -> list[str]:
    return [f"| `{t.name}` | `{t.dlq}` | {_cell(t.description)} |" for t in ALL_TOPICS]


def readme(registry: EventRegistry, inbound: InboundPayloads) -> str:
    """The markdown event catalog."""
    lines = [
        "# Event catalog",
        "",
        "Generated by `make docs` (`python -m shared.events.docs`) from `shared/events`; "
        "do not edit by hand.",
        "",
        "Events are CloudEvents 1.0 in JSON, keyed by customer id. The full contract is in "
        "[asyncapi.yaml](asyncapi.yaml); payload schemas are in [schemas/](schemas/), the "
        "envelope in [schemas/cloudevent.json](schemas/cloudevent.json).",
        "",
        "## Event types",
        "",
        "| Type | Version | Topic | Producer | Description |",
        "| --- | --- | --- | --- | --- |",
        *_catalog_rows(registry),
        "",
        "## Inbound events",
        "",
        f"Posted by source systems to profiles over HTTP or on `{INBOUND.name}` as "
        "[InboundEvent](schemas/inbound-event.json) objects (not CloudEvents).",
        "",
        "| Type | Description |",
        "| --- | --- |",
        *_inbound_rows(inbound),
        "",
        "## Topics",
        "",
        "Messages that fail after bounded retries go to the topic's dead-letter topic.",
        "",
        "| Topic | Dead-letter topic | Description |",
        "| --- | --- | --- |",
        *_topic_rows(),
    ]
    return "\n".join(lines) + "\n"


def _json_text(schema: Json) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def render(registry: EventRegistry, inbound: InboundPayloads) -> dict[str, str]:
    """Every generated file's text, keyed by its path relative to the output directory."""
    files = {path: _json_text(s) for path, s in schema_files(registry, inbound).items()}
    files["asyncapi.yaml"] = to_yaml(asyncapi_document(registry, inbound))
    files["README.md"] = readme(registry, inbound)
    return files


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unchanged files keep their mtime, so make and editors see no spurious change.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _remove_stale_schemas(output_dir: Path, keep: set[Path]) -> None:
    """Delete schema files of types that are no longer registered."""
    schema_dir = output_dir / "schemas"
    if schema_dir.is_dir():
        for path in sorted(schema_dir.rglob("*.json")):
            if path not in keep:
                path.unlink()


def generate(
    output_dir: Path,
    registry: EventRegistry = REGISTRY,
    inbound: InboundPayloads = INBOUND_PAYLOADS,
) -> list[Path]:
    """Write all generated files below `output_dir` and return their paths."""
    files = {output_dir / rel: text for rel, text in render(registry, inbound).items()}
    _remove_stale_schemas(output_dir, set(files))
    for path, text in files.items():
        _write(path, text)
    return sorted(files)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: `python -m shared.events.docs [OUTPUT_DIR]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python -m shared.events.docs [OUTPUT_DIR]", file=sys.stderr)
        return 2
    output_dir = Path(args[0] if args else "docs")
    for path in generate(output_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
