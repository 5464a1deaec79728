"""The wire format: what the worker sends is read only as data; malformed data is refused."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from grader.sandbox import wire
from grader.sandbox.errors import WorkerCrashed
from grader.sandbox.values import Foreign


def round_trip(value, *, untrusted: bool):
    tree, blobs = wire.encode(value, untrusted=untrusted)
    frame = wire.pack({"value": tree}, blobs)
    buffer = wire.FrameBuffer(1 << 20)
    for i in range(0, len(frame), 7):  # arriving in small pieces
        buffer.feed(frame[i : i + 7])
    header, blobs = buffer.pop()
    return wire.decode(header["value"], blobs, trusted_side=untrusted)


def test_npy_blobs_are_what_np_save_writes():
    a = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    saved = io.BytesIO()
    np.save(saved, a, allow_pickle=False)
    assert wire.dump_array(a) == saved.getvalue()
    back = wire.load_array(saved.getvalue())
    assert back.flags.f_contiguous and back.flags.writeable and np.array_equal(back, a)


def test_an_array_sent_twice_is_one_object_again():
    a = np.ones(3)
    x, y = round_trip((a, a), untrusted=False)
    assert x is y


def test_the_untrusted_side_sends_what_is_not_data_as_a_description():
    class Sneaky(float):
        def __eq__(self, other):
            return True

    value = round_trip([Sneaky(1.0), np.zeros(2).view(np.recarray), object()], untrusted=True)
    assert all(isinstance(v, Foreign) for v in value)


def test_the_trusted_side_refuses_to_send_what_is_not_data():
    with pytest.raises(TypeError):
        wire.encode(object(), untrusted=False)


@pytest.mark.parametrize(
    "blob",
    [
        b"not npy at all",
        b"\x93NUMPY\x01\x00" + struct.pack("<H", 8) + b"{'a': 1}",
        # an object array: np.load would need pickle
        b"\x93NUMPY\x01\x00"
        + struct.pack("<H", 60)
        + b"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }".ljust(59)
        + b"\n",
        # a header promising far more data than there is
        b"\x93NUMPY\x01\x00"
        + struct.pack("<H", 70)
        + b"{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000,), }".ljust(69)
        + b"\n",
    ],
    ids=["garbage", "bad-header", "object-dtype", "size-mismatch"],
)
def test_bad_npy_blobs_are_refused(blob):
    with pytest.raises(wire.ProtocolError):
        wire.load_array(blob)


@pytest.mark.parametrize(
    "tree",
    [
        {"$": "rng", "bit_generator": "PCG64", "state": {}},  # the grader never rebuilds objects
        # ...nor reads an array from a file the worker names: only the worker maps the grader's
        {"$": "mapped", "offset": 0, "shape": [1], "dtype": "<f8", "fortran": False},
        {"$": "array", "blob": 5},
        {"$": "eval", "code": "1+1"},
        [1, 2],
        {"$": "tuple", "items": "abc"},
        {"$": "dict", "items": [[{"$": "list", "items": []}, 1]]},
        {"$": "bigint", "v": "9" * 5000},
    ],
)
def test_malformed_trees_are_refused_by_the_grader(tree):
    with pytest.raises(wire.ProtocolError):
        wire.decode(tree, [], trusted_side=True)


def test_a_mapped_array_needs_the_calls_file_on_the_workers_side():
    node = {"$": "mapped", "offset": 0, "shape": [2], "dtype": "<f8", "fortran": False}
    with pytest.raises(wire.ProtocolError):
        wire.decode(node, [], trusted_side=False)  # no file was mapped for this call
    buffer = bytearray(16)
    array = wire.decode(node, [], trusted_side=False, mapped=buffer)
    array[1] = 1.0
    assert buffer[8:] == np.float64(1.0).tobytes()


def test_deep_nesting_is_refused():
    tree = None
    for _ in range(100):
        tree = {"$": "list", "items": [tree]}
    with pytest.raises(wire.ProtocolError):
        wire.decode(tree, [], trusted_side=True)


def test_an_oversized_frame_is_refused_before_it_is_read():
    buffer = wire.FrameBuffer(1000)
    buffer.feed(wire.PREFIX.pack(10**12, 10))
    with pytest.raises(wire.ProtocolError):
        buffer.pop()


def test_frames_whose_lengths_do_not_add_up_are_refused():
    head = json.dumps({"blobs": [100]}).encode()
    frame = wire.PREFIX.pack(len(head) + 3, len(head)) + head + b"abc"
    buffer = wire.FrameBuffer(1 << 20)
    buffer.feed(frame)
    with pytest.raises(wire.ProtocolError):
        buffer.pop()


FORGER = """
import json, os, struct, sys

def fd():
    return json.loads(sys.argv[1])["fds"]["response"]

def huge_frame():
    os.write(fd(), struct.pack(">QI", 10**12, 2))
    return 1

def forged_object():
    head = json.dumps({"ok": True, "value": {"$": "rng", "bit_generator": "PCG64", "state": {}},
                       "mutated": [], "rng": [], "blobs": []}).encode()
    os.write(fd(), struct.pack(">QI", len(head), len(head)) + head)
    return 1

def fine():
    return 2
"""


@pytest.mark.parametrize("function", ["huge_frame", "forged_object"])
def test_a_worker_that_forges_answers_is_treated_as_crashed(sandbox, function):
    box = sandbox(m=FORGER)
    with pytest.raises(WorkerCrashed):
        box.call("m", function)
    assert box.call("m", "fine").value == 2
