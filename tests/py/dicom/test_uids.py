"""New UIDs (dicomforge.dicom.uids.new_uid): valid, unique, and UUID-derived under 2.25."""

import os
import sys
import uuid

import pytest

from dicomforge.dicom.uids import is_uid, new_uid


def test_default_root_is_a_version_4_uuid():
    """Without a root: '2.25.' and the integer of a random UUID (PS3.5 B.2), as uuid4 gives."""
    uid = new_uid()
    assert uid.startswith("2.25.") and is_uid(uid)
    parsed = uuid.UUID(int=int(uid[5:]))
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_root_and_length():
    """Under a root: the root, then digits, never over 64 characters, always a valid UID."""
    root = "1.2.826.0.1.3680043.8.498."
    for _ in range(200):
        uid = new_uid(root)
        assert uid.startswith(root) and len(uid) <= 64 and is_uid(uid)
    long_root = "1." * 26 + "9."  # 54 characters: 10 digits left
    assert len(new_uid(long_root)) <= 64 and is_uid(new_uid(long_root))


def test_unique():
    """No repeats in a large batch, with and without a root."""
    assert len({new_uid() for _ in range(20000)}) == 20000
    assert len({new_uid("1.2.3.") for _ in range(20000)}) == 20000


@pytest.mark.skipif(sys.platform == "emscripten" or not hasattr(os, "fork"), reason="needs fork")
def test_fork_reseeds():
    """A forked child does not repeat its parent's UIDs (the generator is reseeded)."""
    new_uid()  # the parent's generator exists before the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, new_uid().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    assert child != new_uid() and is_uid(child)
