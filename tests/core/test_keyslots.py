"""Key slots (§8.2) and the atomic writer under them: real Argon2id and AES-GCM, no mocked crypto."""

from __future__ import annotations

import base64
import errno
import json
import math
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from cpassess.atomic import write_atomic
from cpassess.keyslots import (
    RECOVERY_ALPHABET,
    UNLOCK_REFUSED_MESSAGE,
    AttemptLimiter,
    KdfParams,
    SlotFile,
    SlotFileError,
    WrongPassword,
    _associated_data,
    _derive_key,
    _encode_secrets,
    _unb64,
    calibrate,
    generate_recovery_code,
    normalise_recovery_code,
)
from cpassess.storage import DiskFull
from cpassess.storage.faults import DISK_FULL_MESSAGE

# The minimum memory the product allows, with one pass so the suite stays quick.
PARAMS = KdfParams(time_cost=1, memory_kib=65536, parallelism=1)
ALICE_PASSWORD = "correct horse battery staple"
BOB_PASSWORD = "Siobhán's long passphrase"
CANARY_PASSWORD = "CANARY-7f3e-Pässwörd"


def team_secrets() -> dict[str, bytes]:
    return {"database_key": os.urandom(32), "signing_key": os.urandom(138), "authority_key": os.urandom(138)}


@pytest.fixture
def slot_path(tmp_path: Path) -> Path:
    return tmp_path / "team.db.keys"


@pytest.fixture
def two_users(slot_path: Path) -> tuple[SlotFile, dict[str, bytes], dict[str, bytes]]:
    slots = SlotFile.create(slot_path, "db-0001")
    alice, bob = team_secrets(), team_secrets()
    slots.add("alice", ALICE_PASSWORD, alice, PARAMS)
    slots.add("bob", BOB_PASSWORD, bob, PARAMS)
    return slots, alice, bob


def tamper(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def alice_slot(document: dict[str, Any]) -> dict[str, Any]:
    return next(slot for slot in document["slots"] if slot["username"] == "alice")


def assert_plain_sentence(message: str) -> None:
    assert message[:1].isupper()
    assert message.endswith(".")
    assert "Traceback" not in message
    assert "Error(" not in message


# --- round trips -----------------------------------------------------------------------------------------


def test_secrets_round_trip_through_a_reopened_file(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    _, alice, bob = two_users
    reopened = SlotFile.open(slot_path)
    assert reopened.database_id == "db-0001"
    assert reopened.usernames() == ["alice", "bob"]
    assert reopened.has_slot("alice")
    assert not reopened.has_slot("carol")
    assert reopened.unlock("alice", ALICE_PASSWORD) == alice
    assert reopened.unlock("bob", BOB_PASSWORD) == bob


def test_file_format_is_as_documented(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    document = json.loads(slot_path.read_text(encoding="utf-8"))
    assert document["format"] == "cpassess-keyslots"
    assert document["version"] == 1
    slot = alice_slot(document)
    assert slot["kind"] == "password"
    assert slot["kdf"]["algorithm"] == "argon2id"
    assert slot["kdf"]["memory_kib"] == 65536
    assert len(base64.b64decode(slot["kdf"]["salt"])) == 16
    assert len(base64.b64decode(slot["nonce"])) == 12
    assert slot["kdf"]["salt"] != json.loads(slot_path.read_text())["slots"][1]["kdf"]["salt"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_slot_file_is_private_to_its_owner(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    assert stat.S_IMODE(slot_path.stat().st_mode) == 0o600


def test_passwords_are_compared_after_unicode_normalisation(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    secrets = team_secrets()
    slots.add("zoe", "Zo\u00eb", secrets, PARAMS)
    assert slots.unlock("zoe", "Zoe\u0308") == secrets


# --- wrong passwords -------------------------------------------------------------------------------------


def test_wrong_password_is_refused_and_leaves_the_file_untouched(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    before = slot_path.read_bytes()
    modified = slot_path.stat().st_mtime_ns
    with pytest.raises(WrongPassword) as refused:
        SlotFile.open(slot_path).unlock("alice", "not the password")
    assert str(refused.value) == "The username or password is not right."
    assert slot_path.read_bytes() == before
    assert slot_path.stat().st_mtime_ns == modified


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    before = slot_path.read_bytes()
    with pytest.raises(WrongPassword) as refused:
        two_users[0].unlock("mallory", ALICE_PASSWORD)
    assert str(refused.value) == UNLOCK_REFUSED_MESSAGE
    assert slot_path.read_bytes() == before


def test_another_users_password_does_not_open_a_slot(
    two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]],
) -> None:
    with pytest.raises(WrongPassword):
        two_users[0].unlock("alice", BOB_PASSWORD)


# --- changing the slots ----------------------------------------------------------------------------------


def test_password_change_rewraps_one_slot_only(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    slots, alice, bob = two_users
    bob_before = json.loads(slot_path.read_text())["slots"][1]
    slots.replace("alice", "a brand new passphrase", alice, PARAMS)

    reopened = SlotFile.open(slot_path)
    with pytest.raises(WrongPassword):
        reopened.unlock("alice", ALICE_PASSWORD)
    assert reopened.unlock("alice", "a brand new passphrase") == alice
    assert json.loads(slot_path.read_text())["slots"][1] == bob_before
    assert reopened.unlock("bob", BOB_PASSWORD) == bob


def test_duplicate_user_is_refused(two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]) -> None:
    with pytest.raises(SlotFileError):
        two_users[0].add("alice", "another password", team_secrets(), PARAMS)


def test_replace_and_remove_need_an_existing_slot(
    two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]],
) -> None:
    slots = two_users[0]
    with pytest.raises(SlotFileError):
        slots.replace("carol", "whatever", team_secrets(), PARAMS)
    with pytest.raises(SlotFileError):
        slots.remove("carol")


def test_remove_drops_a_slot_but_never_the_last_one(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    slots = two_users[0]
    slots.remove("bob")
    assert SlotFile.open(slot_path).usernames() == ["alice"]
    with pytest.raises(SlotFileError):
        slots.remove("alice")
    assert SlotFile.open(slot_path).usernames() == ["alice"]


def test_create_refuses_an_existing_file(slot_path: Path) -> None:
    slot_path.write_bytes(b"precious")
    with pytest.raises(SlotFileError) as refused:
        SlotFile.create(slot_path, "db-0001")
    assert_plain_sentence(str(refused.value))
    assert slot_path.read_bytes() == b"precious"


@pytest.mark.parametrize(
    "secrets",
    [{}, {"Database-Key": b"x" * 32}, {"database_key": b""}, {"database_key": "not bytes"}],
    ids=["empty", "bad-name", "empty-value", "text-value"],
)
def test_malformed_secrets_are_refused(slot_path: Path, secrets: dict[str, Any]) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    with pytest.raises(ValueError):
        slots.add("alice", ALICE_PASSWORD, secrets, PARAMS)
    assert SlotFile.open(slot_path).usernames() == []


# --- recovery --------------------------------------------------------------------------------------------


def test_recovery_code_opens_the_recovery_slot_however_it_is_typed(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    secrets = team_secrets()
    code = generate_recovery_code()
    slots.set_recovery(code, secrets, PARAMS)
    assert slots.has_recovery()
    assert slots.usernames() == []

    reopened = SlotFile.open(slot_path)
    assert reopened.unlock_recovery(code) == secrets
    assert reopened.unlock_recovery(code.lower().replace("-", " ")) == secrets
    assert reopened.unlock_recovery(code.replace("-", "")) == secrets


def test_wrong_recovery_code_is_refused(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    slots.set_recovery(generate_recovery_code(), team_secrets(), PARAMS)
    before = slot_path.read_bytes()
    with pytest.raises(WrongPassword):
        slots.unlock_recovery(generate_recovery_code())
    with pytest.raises(WrongPassword):
        slots.unlock_recovery("not a code")
    assert slot_path.read_bytes() == before


def test_setting_recovery_again_replaces_the_old_code(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    old_code, new_code = generate_recovery_code(), generate_recovery_code()
    slots.set_recovery(old_code, team_secrets(), PARAMS)
    secrets = team_secrets()
    slots.set_recovery(new_code, secrets, PARAMS)
    reopened = SlotFile.open(slot_path)
    assert reopened.unlock_recovery(new_code) == secrets
    with pytest.raises(WrongPassword):
        reopened.unlock_recovery(old_code)


def test_recovery_without_a_recovery_slot_says_so(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    with pytest.raises(SlotFileError) as refused:
        slots.unlock_recovery(generate_recovery_code())
    assert_plain_sentence(str(refused.value))


def test_recovery_codes_carry_at_least_120_bits_and_read_aloud_well() -> None:
    codes = {generate_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        symbols = code.replace("-", "")
        assert len(symbols) * math.log2(len(RECOVERY_ALPHABET)) >= 120
        assert not set(symbols) & set("0O1IL")
        assert all(len(group) == 4 for group in code.split("-"))
        assert normalise_recovery_code(code) == code


@given(
    code_seed=st.integers(min_value=0),
    lower=st.booleans(),
    separator=st.sampled_from(["", " ", "-", "  ", " - "]),
)
def test_normalisation_accepts_case_spaces_and_missing_dashes(
    code_seed: int, lower: bool, separator: str
) -> None:
    symbols = "".join(RECOVERY_ALPHABET[(code_seed >> (5 * i)) % len(RECOVERY_ALPHABET)] for i in range(28))
    canonical = "-".join(symbols[i : i + 4] for i in range(0, 28, 4))
    typed = separator.join(symbols[i : i + 4] for i in range(0, 28, 4))
    typed = typed.lower() if lower else typed
    assert normalise_recovery_code(f"  {typed} ") == canonical


@pytest.mark.parametrize("text", ["", "ABCD", "0000-0000-0000-0000-0000-0000-0000", "ABCD-" * 8])
def test_normalisation_rejects_what_cannot_be_a_code(text: str) -> None:
    with pytest.raises(ValueError):
        normalise_recovery_code(text)


# --- tampering -------------------------------------------------------------------------------------------


def flip_ciphertext_byte(document: dict[str, Any]) -> None:
    slot = alice_slot(document)
    raw = bytearray(base64.b64decode(slot["ciphertext"]))
    raw[5] ^= 0x01
    slot["ciphertext"] = base64.b64encode(bytes(raw)).decode()


def change_salt(document: dict[str, Any]) -> None:
    alice_slot(document)["kdf"]["salt"] = base64.b64encode(os.urandom(16)).decode()


def change_nonce(document: dict[str, Any]) -> None:
    alice_slot(document)["nonce"] = base64.b64encode(os.urandom(12)).decode()


def raise_time_cost(document: dict[str, Any]) -> None:
    alice_slot(document)["kdf"]["time_cost"] = 2


def swap_usernames(document: dict[str, Any]) -> None:
    first, second = document["slots"]
    first["username"], second["username"] = second["username"], first["username"]


def change_database_id(document: dict[str, Any]) -> None:
    document["database_id"] = "db-9999"


def change_created(document: dict[str, Any]) -> None:
    alice_slot(document)["created"] = "2020-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    "change",
    [
        flip_ciphertext_byte,
        change_salt,
        change_nonce,
        raise_time_cost,
        swap_usernames,
        change_database_id,
        change_created,
    ],
)
def test_a_tampered_slot_does_not_open(
    slot_path: Path,
    two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]],
    change: Callable[[dict[str, Any]], None],
) -> None:
    tamper(slot_path, change)
    # AES-GCM cannot tell tampering from a wrong password, so the honest answer is "not right".
    with pytest.raises(WrongPassword):
        SlotFile.open(slot_path).unlock("alice", ALICE_PASSWORD)


def test_lowering_kdf_memory_within_the_allowed_range_fails_authentication(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    slots.add(
        "alice", ALICE_PASSWORD, team_secrets(), KdfParams(time_cost=1, memory_kib=131072, parallelism=1)
    )
    tamper(slot_path, lambda document: alice_slot(document)["kdf"].update(memory_kib=65536))
    with pytest.raises(WrongPassword):
        SlotFile.open(slot_path).unlock("alice", ALICE_PASSWORD)


def test_lowering_kdf_memory_below_the_minimum_is_reported_as_damage(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    tamper(slot_path, lambda document: alice_slot(document)["kdf"].update(memory_kib=8))
    with pytest.raises(SlotFileError) as damaged:
        SlotFile.open(slot_path)
    assert "altered or damaged" in str(damaged.value)
    assert_plain_sentence(str(damaged.value))


# --- unusable files --------------------------------------------------------------------------------------


def valid_file_bytes(path: Path) -> bytes:
    slots = SlotFile.create(path, "db-0001")
    slots.add("alice", ALICE_PASSWORD, team_secrets(), PARAMS)
    return path.read_bytes()


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda good: b"{not json",
        lambda good: good[: len(good) // 2],
        lambda good: b"",
        lambda good: os.urandom(64),
        lambda good: json.dumps({"format": "something-else", "version": 1}).encode(),
        lambda good: json.dumps([1, 2, 3]).encode(),
        lambda good: good.replace(b'"version": 1', b'"version": 2'),
        lambda good: good.replace(b'"nonce"', b'"nonse"'),
        lambda good: good.replace(b'"argon2id"', b'"scrypt"'),
        lambda good: good.replace(b'"password"', b'"fingerprint"'),
    ],
    ids=["json", "truncated", "empty", "binary", "format", "not-object", "newer", "field", "kdf", "kind"],
)
def test_unusable_files_raise_slot_file_error_with_a_sentence(
    slot_path: Path, corrupt: Callable[[bytes], bytes]
) -> None:
    slot_path.write_bytes(corrupt(valid_file_bytes(slot_path)))
    with pytest.raises(SlotFileError) as unusable:
        SlotFile.open(slot_path)
    assert_plain_sentence(str(unusable.value))


def test_missing_file_raises_slot_file_error_with_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(SlotFileError) as missing:
        SlotFile.open(tmp_path / "nowhere.db.keys")
    assert_plain_sentence(str(missing.value))


def test_duplicated_user_slot_is_reported_as_damage(slot_path: Path) -> None:
    valid_file_bytes(slot_path)
    tamper(slot_path, lambda document: document["slots"].append(dict(document["slots"][0])))
    with pytest.raises(SlotFileError, match="altered or damaged"):
        SlotFile.open(slot_path)


# --- parameters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "parallelism"),
    [(1, 65535, 1), (1, 4096, 1), (0, 65536, 1), (1, 65536, 0), (True, 65536, 1), (1, 2**40, 1)],
)
def test_weak_or_absurd_kdf_params_are_refused(time_cost: int, memory_kib: int, parallelism: int) -> None:
    with pytest.raises(ValueError):
        KdfParams(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)


def test_calibrate_returns_usable_params_quickly() -> None:
    params = calibrate(target_seconds=0.05)
    assert params.memory_kib >= 65536
    assert 1 <= params.time_cost <= 10
    assert params.parallelism == 1


# --- atomic writes ---------------------------------------------------------------------------------------


def leftovers(directory: Path, keep: str) -> list[str]:
    return sorted(entry.name for entry in directory.iterdir() if entry.name != keep)


def test_write_atomic_replaces_the_content(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path, "state.json") == []


def test_full_disk_leaves_the_original_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"original")

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"replacement")
    assert target.read_bytes() == b"original"
    assert leftovers(tmp_path, "state.json") == []


def test_failed_rename_leaves_the_original_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"original")

    def refuse(source: object, destination: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_atomic(target, b"replacement")
    assert target.read_bytes() == b"original"
    assert leftovers(tmp_path, "state.json") == []


def test_full_disk_during_a_slot_change_keeps_the_old_slots(
    slot_path: Path,
    two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slots, alice, _ = two_users
    before = slot_path.read_bytes()

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DiskFull) as failed:
        slots.replace("alice", "a brand new passphrase", alice, PARAMS)
    assert str(failed.value) == DISK_FULL_MESSAGE  # the same line as a full disk anywhere else
    monkeypatch.undo()

    assert slot_path.read_bytes() == before
    assert slots.unlock("alice", ALICE_PASSWORD) == alice
    assert leftovers(slot_path.parent, slot_path.name) == []


# --- no leaks --------------------------------------------------------------------------------------------


def encodings(secret: bytes) -> list[bytes]:
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        base64.b64encode(secret).rstrip(b"="),
    ]


def test_slot_file_holds_neither_the_database_key_nor_the_password(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    secrets = team_secrets()
    slots.add("alice", CANARY_PASSWORD, secrets, PARAMS)
    content = slot_path.read_bytes()
    for secret in (
        secrets["database_key"],
        CANARY_PASSWORD.encode("utf-8"),
        CANARY_PASSWORD.encode("utf-16-le"),
    ):
        for encoded in encodings(secret):
            assert encoded not in content
    assert b"CANARY" not in content.upper()


# --- attempt limiter -------------------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fail_times(limiter: AttemptLimiter, count: int) -> None:
    for _ in range(count):
        limiter.before_attempt()
        limiter.failed()


def test_delays_grow_after_three_failures_and_are_capped(tmp_path: Path) -> None:
    fake = FakeTime()
    limiter = AttemptLimiter(tmp_path / "attempts.json", sleep=fake.sleep, clock=fake.clock)
    fail_times(limiter, 3)
    assert fake.sleeps == []
    fail_times(limiter, 8)
    assert fake.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    limiter.before_attempt()
    assert fake.sleeps[-1] == 30.0


def test_time_already_waited_counts_towards_the_delay(tmp_path: Path) -> None:
    fake = FakeTime()
    limiter = AttemptLimiter(tmp_path / "attempts.json", sleep=fake.sleep, clock=fake.clock)
    fail_times(limiter, 6)
    fake.sleeps.clear()
    fake.now += 3.0
    limiter.before_attempt()
    assert fake.sleeps == [pytest.approx(1.0)]


def test_success_resets_and_old_failures_are_forgotten(tmp_path: Path) -> None:
    fake = FakeTime()
    limiter = AttemptLimiter(tmp_path / "attempts.json", sleep=fake.sleep, clock=fake.clock)
    fail_times(limiter, 5)
    limiter.succeeded()
    assert limiter.delay_seconds() == 0.0
    fail_times(limiter, 5)
    fake.now += 2 * 3600
    assert limiter.delay_seconds() == 0.0


def test_failures_survive_a_restart(tmp_path: Path) -> None:
    fake = FakeTime()
    state = tmp_path / "attempts.json"
    fail_times(AttemptLimiter(state, sleep=fake.sleep, clock=fake.clock), 5)
    assert AttemptLimiter(state, sleep=fake.sleep, clock=fake.clock).delay_seconds() > 0


def test_limiter_state_is_not_the_slot_file(
    tmp_path: Path, slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    fake = FakeTime()
    before = slot_path.read_bytes()
    fail_times(AttemptLimiter(tmp_path / "attempts.json", sleep=fake.sleep, clock=fake.clock), 5)
    assert slot_path.read_bytes() == before
    assert b"alice" not in (tmp_path / "attempts.json").read_bytes()


def test_unwritable_or_corrupt_state_never_blocks_unlocking(tmp_path: Path) -> None:
    fake = FakeTime()
    unwritable = AttemptLimiter(
        tmp_path / "missing-folder" / "attempts.json", sleep=fake.sleep, clock=fake.clock
    )
    fail_times(unwritable, 5)
    assert unwritable.delay_seconds() > 0  # still counted in memory
    unwritable.succeeded()

    corrupt_path = tmp_path / "attempts.json"
    corrupt_path.write_bytes(b"\x00garbage")
    corrupt = AttemptLimiter(corrupt_path, sleep=fake.sleep, clock=fake.clock)
    corrupt.before_attempt()
    corrupt.failed()
    corrupt.succeeded()


# --- the database key sealed to each slot's public key, and re-keying (§8.7) ------------------------------------


def test_the_database_key_is_sealed_to_the_slot_not_wrapped_with_the_password(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    slot = alice_slot(json.loads(slot_path.read_text(encoding="utf-8")))

    assert len(base64.b64decode(slot["public_key"])) == 32
    assert set(slot["sealed_key"]) == {"ephemeral", "nonce", "ciphertext"}
    assert len(base64.b64decode(slot["sealed_key"]["ciphertext"])) == 32 + 16


def test_a_re_key_seals_the_new_key_to_every_remaining_slot_without_their_passwords(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    slots, alice, bob = two_users
    old_copy = slot_path.read_bytes()
    slots.set_recovery(code := generate_recovery_code(), {"database_key": alice["database_key"]}, PARAMS)
    new_key = os.urandom(32)

    slots.begin_rekey(new_key, remove="bob")
    during = SlotFile.open(slot_path)
    assert during.rekey_pending() and during.usernames() == ["alice"]
    assert during.unlock("alice", ALICE_PASSWORD)["pending_database_key"] == new_key
    assert during.unlock("alice", ALICE_PASSWORD)["database_key"] == alice["database_key"]

    slots.finish_rekey()
    after = SlotFile.open(slot_path)
    assert not after.rekey_pending()
    assert after.unlock("alice", ALICE_PASSWORD) == {**alice, "database_key": new_key}
    assert after.unlock_recovery(code) == {"database_key": new_key}
    with pytest.raises(WrongPassword):
        after.unlock("bob", BOB_PASSWORD)
    slot_path.write_bytes(old_copy)  # bob's old copy of the file still opens only the old key
    assert SlotFile.open(slot_path).unlock("bob", BOB_PASSWORD)["database_key"] == bob["database_key"] != new_key


def test_a_password_change_during_a_re_key_keeps_both_keys(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    slots, alice, _ = two_users
    new_key = os.urandom(32)
    slots.begin_rekey(new_key)
    secrets = slots.unlock("alice", ALICE_PASSWORD)

    slots.replace("alice", "a different long password", secrets, PARAMS)

    assert SlotFile.open(slot_path).unlock("alice", "a different long password") == {
        **alice, "pending_database_key": new_key}


def test_a_swapped_sealed_key_is_reported_as_damage(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    def swap(document: dict[str, Any]) -> None:
        alice, bob = document["slots"]
        alice["sealed_key"] = bob["sealed_key"]

    tamper(slot_path, swap)

    with pytest.raises(SlotFileError, match="altered or damaged"):
        SlotFile.open(slot_path).unlock("alice", ALICE_PASSWORD)
    assert SlotFile.open(slot_path).unlock("bob", BOB_PASSWORD)


def test_a_swapped_public_key_does_not_open(
    slot_path: Path, two_users: tuple[SlotFile, dict[str, bytes], dict[str, bytes]]
) -> None:
    def swap(document: dict[str, Any]) -> None:
        alice, bob = document["slots"]
        alice["public_key"], alice["sealed_key"] = bob["public_key"], bob["sealed_key"]

    tamper(slot_path, swap)

    with pytest.raises(WrongPassword):
        SlotFile.open(slot_path).unlock("alice", ALICE_PASSWORD)


def test_a_slot_from_before_sealing_opens_but_blocks_a_re_key_until_its_password_changes(slot_path: Path) -> None:
    slots = SlotFile.create(slot_path, "db-0001")
    secrets = team_secrets()
    slots.add("alice", ALICE_PASSWORD, secrets, PARAMS)
    slots.add("bob", BOB_PASSWORD, team_secrets(), PARAMS)

    def legacy(document: dict[str, Any]) -> None:  # as written by cpassess before sealing: key among the secrets
        slot = alice_slot(document)
        del slot["public_key"], slot["sealed_key"]

    tamper(slot_path, legacy)
    document = json.loads(slot_path.read_text(encoding="utf-8"))
    slot = alice_slot(document)
    salt, nonce = _unb64(slot["kdf"]["salt"], "salt"), _unb64(slot["nonce"], "nonce")
    associated = _associated_data("db-0001", kind="password", username="alice", params=PARAMS, salt=salt,
                                  created=slot["created"], public_key=None)
    slot["ciphertext"] = base64.b64encode(AESGCM(bytes(_derive_key(ALICE_PASSWORD, salt, PARAMS))).encrypt(
        nonce, _encode_secrets(secrets), associated)).decode("ascii")
    slot_path.write_text(json.dumps(document), encoding="utf-8")

    old = SlotFile.open(slot_path)
    assert old.unlock("alice", ALICE_PASSWORD) == secrets
    with pytest.raises(SlotFileError, match="older cpassess"):
        old.begin_rekey(os.urandom(32), remove="bob")
    old.replace("alice", ALICE_PASSWORD, old.unlock("alice", ALICE_PASSWORD), PARAMS)
    old.begin_rekey(os.urandom(32), remove="bob")
    assert SlotFile.open(slot_path).usernames() == ["alice"]
