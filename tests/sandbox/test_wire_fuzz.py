"""Property-based tests of what a submission can put on the channel (Hypothesis).

The worker is untrusted: every byte it writes to the channel, and every value its functions
return, must end as a decoded value or as the submission's problem (`ProtocolError`, which the
client turns into `WorkerCrashed`; a check's `AssertionError`), never as another exception,
which the grader would report as its own failure.
"""

from __future__ import annotations

import io
import json
import mmap
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.sandbox import arguments, wire
from grader.suites import checks

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAX_FRAME = 1 << 20


def read_all(data: bytes, pieces: list[int]) -> list:
    """Feed `data` to the trusted side's reader in pieces; decode every complete frame."""
    buffer, values, at = wire.FrameBuffer(MAX_FRAME), [], 0
    for size in [*pieces, len(data)]:
        buffer.feed(data[at : at + size])
        at += size
        while (frame := buffer.pop()) is not None:
            header, blobs = frame
            values.append(wire.decode(header.get("value"), blobs, trusted_side=True))
    return values


@FUZZ
@given(st.binary(max_size=4096), st.lists(st.integers(0, 64), max_size=8))
def test_any_bytes_are_decoded_or_refused_as_a_protocol_error(data, pieces):
    try:
        read_all(data, pieces)
    except wire.ProtocolError:
        pass


# -- frames that are nearly right: a valid prefix and JSON header around hostile content -------

json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
tags = st.sampled_from(
    [
        "tuple",
        "list",
        "dict",
        "array",
        "scalar",
        "complex",
        "bigint",
        "foreign",
        "rng",
        "mapped",
        "?",
    ]
)
json_trees = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                ["$", "items", "blob", "v", "re", "im", "type", "description", "state"]
            ),
            inner,
            max_size=4,
        ),  # fmt: skip
        st.fixed_dictionaries(
            {"$": tags},
            optional={
                "items": st.lists(inner, max_size=3),
                "blob": st.integers(-2, 3),
                "v": inner,
                "re": inner,
                "im": inner,
                "type": inner,
                "description": inner,
            },
        ),  # fmt: skip
    ),
    max_leaves=20,
)

#: dtype descriptions a forged .npy header may name (as the header's source text), from ordinary
#: to absurd.
DESCRS = [repr(d) for d in ["<f8", "<i8", "|b1", "<c16", "|u1", "<U3", "|S0", "|V0", "|V8", "O",
                            "<M8[ns]", "<m8", "<f16", "\x00"]]  # fmt: skip
DESCRS += ["('<f8', (3,))", "('<f8', (0,))", "[('a', '<f8')]", "[('a', 'O')]", "[]", "1", "None",
           "{}", "[('a', '<f8', (2**40,))]"]  # fmt: skip
shapes = st.lists(
    st.one_of(st.integers(0, 4), st.integers(-3, 2**70), st.just(2**63 - 1)), max_size=70
).map(tuple)


@st.composite
def npy_blobs(draw) -> bytes:
    """A `.npy` blob whose header the submission wrote: any dtype text, shape and data."""
    descr = draw(st.sampled_from(DESCRS) | st.text(max_size=12).map(repr))
    shape = draw(shapes | st.sampled_from(["()", "(1,)", "'x'", "(1.5,)", "None"]))
    fortran = draw(st.sampled_from(["True", "False", "1", "'no'"]))
    text = f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}"
    if draw(st.booleans()):
        text = draw(st.text(max_size=200))
    head = text.encode("utf-8", "surrogatepass")
    version = draw(st.sampled_from([1, 2, 3]))
    size = struct.pack("<H" if version == 1 else "<I", len(head) % (1 << 16))
    data = draw(st.binary(max_size=64))
    return b"\x93NUMPY" + bytes([version, 0]) + size + head + data


@FUZZ
@given(npy_blobs())
@example(b"\x93NUMPY\x01\x00\x01\x00{")  # numpy's tokenizer: TokenError
@example(b"\x93NUMPY\x01\x00" + struct.pack("<H", 54)
         + b"{'descr': '<f8', 'fortran_order': False, 'shape': (2**62, 0), }")  # fmt: skip
def test_any_npy_header_is_loaded_or_refused(blob):
    try:
        array = wire.load_array(blob)
    except wire.ProtocolError:
        return
    assert type(array) is np.ndarray and not array.dtype.hasobject


@FUZZ
@given(json_trees, st.lists(npy_blobs() | st.binary(max_size=40), max_size=4))
def test_any_value_tree_is_decoded_or_refused(tree, blobs):
    frame = wire.pack({"ok": True, "value": tree}, blobs)
    try:
        read_all(frame, [])
    except wire.ProtocolError:
        pass


# -- arrays in a call's file (arguments.py): exact on the worker's side, any layout or dtype ----

layouts = st.sampled_from(["as is", "transposed", "every other row", "fortran"])


def laid_out(a: np.ndarray, layout: str) -> np.ndarray:
    if layout == "transposed":
        return a.T
    if layout == "every other row" and a.ndim:
        return a[::2]
    return np.asfortranarray(a) if layout == "fortran" else a


@FUZZ
@given(st.lists(st.tuples(hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0,
       min_side=0, max_side=4)), layouts), max_size=4), st.booleans())  # fmt: skip
def test_arrays_in_a_call_file_reach_the_worker_equal_and_their_changes_back(
    tmp_path_factory, drawn, twice
):
    arrays = [laid_out(a, layout) for a, layout in drawn]
    if twice and arrays:
        arrays.append(arrays[0])  # the same object again: one object in the worker too
    placed = arguments.Placed(tuple(arrays), {})
    tree, blobs = wire.encode((placed.args, placed.kwargs), untrusted=False)
    tree = json.loads(json.dumps(tree))  # as it crosses
    file = arguments.ArgumentFile(tmp_path_factory.mktemp("calls"), None)
    file.append(b"an earlier call's arguments")
    where = placed.request(file)
    buffer = None
    if where is not None:
        with open(where["path"], "r+b") as f:
            buffer = memoryview(mmap.mmap(f.fileno(), 0))[where["base"] :]
    args, _ = wire.decode(tree, blobs, trusted_side=False, mapped=buffer)
    assert placed.changed() == []
    for sent, got in zip(arrays, args, strict=True):
        assert type(got) is np.ndarray and got.dtype == sent.dtype
        assert got.shape == sent.shape and got.tobytes() == sent.tobytes()
    if twice and arrays:
        assert args[0] is args[-1]
    mapped = [i for i, node in enumerate(placed.args) if type(node) is wire.Mapped]
    assert mapped == [i for i, a in enumerate(arrays) if arguments.mappable(a)]
    if mapped:  # one bit of the first mapped argument, written where the worker writes
        buffer[placed.args[mapped[0]].offset] ^= 1
        assert args[mapped[0]].tobytes() != arrays[mapped[0]].tobytes()
    changed = placed.changed()
    file.close()
    same = [j for j in range(len(arrays)) if mapped and arrays[j] is arrays[mapped[0]]]
    assert changed == same


@FUZZ
@given(st.fixed_dictionaries({"$": st.just("mapped")}, optional={
    "offset": st.integers(-2, 2**65) | json_leaves, "shape": st.lists(st.integers(-1, 2**64),
    max_size=40) | json_leaves, "dtype": st.sampled_from(["<f8", "|b1", "O", "<U2", "[]", "x"])
    | json_leaves, "fortran": st.booleans() | json_leaves}))  # fmt: skip
@example({"$": "mapped", "offset": 200, "shape": [8], "dtype": "<f8", "fortran": False})
@example({"$": "mapped", "offset": 0, "shape": [0, 2**62], "dtype": "<f8", "fortran": True})
def test_any_mapped_node_is_an_array_on_the_buffer_or_refused(node):
    buffer = bytearray(256)
    try:
        array = wire.decode(node, [], trusted_side=False, mapped=buffer)
    except wire.ProtocolError:
        return
    assert type(array) is np.ndarray and array.dtype.kind in "biufc"
    assert array.size == 0 or np.shares_memory(array, np.frombuffer(buffer, np.uint8))


@FUZZ
@given(st.binary(max_size=512))
def test_the_blocking_reader_ends_or_refuses(data):
    stream = io.BytesIO(data)
    try:
        wire.read_frame(stream.read, MAX_FRAME)
    except (wire.ProtocolError, EOFError):
        pass


# -- whatever a student's function returns: encoded by the worker, decoded, then checked -------

arrays = hnp.arrays(
    dtype=hnp.scalar_dtypes() | hnp.byte_string_dtypes() | hnp.unicode_string_dtypes(),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
)
returned = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-(2**5000), 2**5000)
    | st.floats() | st.complex_numbers() | st.text(max_size=10) | arrays
    | arrays.map(lambda a: a[()] if a.ndim == 0 else a),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=6,
)  # fmt: skip

EXPECTED = {
    checks.Scalar: 0.5,
    checks.Array: np.ones((3, 1)),
    checks.Pair: (np.ones((2, 1)), 0.5),
}


@pytest.mark.parametrize("key", sorted(checks.RETURNS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=returned)
@example(value=2**2000)  # a Python int beyond any float (OverflowError in checks.scalar)
@example(value=(np.ones((2, 1)), -(2**4000)))
def test_any_returned_value_is_accepted_or_the_students_problem(key, value):
    tree, blobs = wire.encode(value, untrusted=True)
    frame = wire.pack({"value": tree}, blobs)
    (decoded,) = read_all(frame, [])
    spec = checks.RETURNS[key]
    expected = EXPECTED[type(spec)]
    if isinstance(spec, checks.Array) and spec.labels:
        expected = np.ones((3, 1), dtype=int)
    try:
        checks.result(*key, decoded, expected)
    except AssertionError:
        pass  # the submission's problem, said to the student
