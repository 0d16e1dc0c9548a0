"""API keys: hashed at rest, mapped to principals, rotated by rewriting the file."""

import json
import os
import time
from pathlib import Path

import pytest

from shared.api.auth import (
    DEPARTMENT_SCOPES,
    ApiKeyStore,
    Principal,
    dev_key_specs,
    hash_key,
    load_key_file,
    write_key_file,
)

SALES = Principal("sales", "sales", frozenset(DEPARTMENT_SCOPES["sales"]))
ADMIN = Principal("admin", "admin", frozenset({"admin"}))


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "api-keys.json"


def _bump_mtime(path: Path) -> None:
    """Make the change visible even where the file system's clock is coarse."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_key_file_stores_hashes_and_never_the_plain_keys(key_file: Path) -> None:
    plain = write_key_file(key_file, [SALES, ADMIN])

    text = key_file.read_text()
    for key in plain.values():
        assert key not in text
        assert hash_key(key) in text
    assert key_file.stat().st_mode & 0o077 == 0


def test_right_key_authenticates_as_its_principal_with_its_scopes(key_file: Path) -> None:
    plain = write_key_file(key_file, [SALES, ADMIN])

    principal = ApiKeyStore(key_file).authenticate(plain["sales"])

    assert principal == SALES
    assert principal.scopes == {
        "customers:read",
        "pii:read",
        "financials:read",
        "approve:sales",
        "strategy:write",
    }


@pytest.mark.parametrize("attempt", ["", "kc_sales_wrong", "sha256:" + "0" * 64])
def test_wrong_key_authenticates_nobody(key_file: Path, attempt: str) -> None:
    write_key_file(key_file, [SALES, ADMIN])

    assert ApiKeyStore(key_file).authenticate(attempt) is None


def test_missing_key_file_authenticates_nobody(key_file: Path) -> None:
    assert ApiKeyStore(key_file).authenticate("kc_anything") is None


def test_admin_scope_implies_every_scope() -> None:
    assert ADMIN.has("events:write")
    assert ADMIN.has("pii:read")
    assert ADMIN.has("approve:finance")


def test_department_principal_has_only_its_own_scopes() -> None:
    assert SALES.has("pii:read")
    assert not SALES.has("events:write")
    assert not SALES.has("approve:marketing")


def test_rewritten_key_file_is_picked_up_without_restart(key_file: Path) -> None:
    first = write_key_file(key_file, [SALES])
    store = ApiKeyStore(key_file)
    assert store.authenticate(first["sales"]) == SALES

    second = write_key_file(key_file, [SALES])
    _bump_mtime(key_file)

    assert store.authenticate(first["sales"]) is None
    assert store.authenticate(second["sales"]) == SALES


def test_key_removed_from_the_file_stops_working(key_file: Path) -> None:
    plain = write_key_file(key_file, [SALES, ADMIN])
    store = ApiKeyStore(key_file)
    assert store.authenticate(plain["admin"]) == ADMIN

    document = json.loads(key_file.read_text())
    document["keys"] = [k for k in document["keys"] if k["name"] != "admin"]
    key_file.write_text(json.dumps(document))
    _bump_mtime(key_file)

    assert store.authenticate(plain["admin"]) is None
    assert store.authenticate(plain["sales"]) == SALES


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "needs a 'keys' list"),
        ({"keys": {"name": "sales"}}, "needs a 'keys' list"),
        (
            {"keys": [{"name": "sales", "department": "sales", "key_hash": "plain-key"}]},
            "key_hash must be sha256",
        ),
        (
            {"keys": [{"name": "sales", "department": "sales", "key_hash": "md5:" + "0" * 32}]},
            "key_hash must be sha256",
        ),
    ],
)
def test_malformed_key_file_raises_a_clear_error(
    key_file: Path, document: object, message: str
) -> None:
    key_file.parent.mkdir(parents=True)
    key_file.write_text(json.dumps(document))

    with pytest.raises(ValueError, match=message):
        load_key_file(key_file)


def test_key_file_that_is_not_json_raises_a_value_error(key_file: Path) -> None:
    key_file.parent.mkdir(parents=True)
    key_file.write_text("keys: [sales]\n")

    with pytest.raises(ValueError, match="Expecting value"):
        load_key_file(key_file)


@pytest.mark.parametrize(
    "document",
    [
        {"keys": [{"name": "sales", "department": "sales"}]},
        [{"name": "sales", "department": "sales", "key_hash": "sha256:" + "0" * 64}],
    ],
    ids=["entry-without-key-hash", "top-level-list"],
)
def test_structurally_wrong_key_file_raises_a_value_error(key_file: Path, document: object) -> None:
    key_file.parent.mkdir(parents=True)
    key_file.write_text(json.dumps(document))

    with pytest.raises(ValueError, match="key"):
        load_key_file(key_file)


def test_broken_key_file_keeps_the_previous_keys_until_it_is_fixed(key_file: Path) -> None:
    plain = write_key_file(key_file, dev_key_specs())
    store = ApiKeyStore(key_file)
    assert store.authenticate(plain["sales"]) is not None
    key_file.write_text("{ half written")
    os.utime(key_file, (time.time() + 5, time.time() + 5))

    assert store.authenticate(plain["sales"]) is not None
    assert store.authenticate("kc_unknown") is None


def test_dev_keys_cover_admin_every_department_and_integration() -> None:
    principals = {p.name: p for p in dev_key_specs()}

    assert list(principals) == ["admin", "sales", "marketing", "service", "finance", "integration"]
    assert principals["admin"].scopes == {"admin"}
    for department in ("sales", "marketing", "service", "finance"):
        assert principals[department].department == department
        assert principals[department].scopes == set(DEPARTMENT_SCOPES[department])
        assert not principals[department].has("events:write")
    assert principals["integration"].scopes == {"events:write"}


def test_only_sales_and_service_may_read_personal_data() -> None:
    readers = {p.name for p in dev_key_specs() if p.has("pii:read")}

    assert readers == {"admin", "sales", "service"}
