"""The wire between the grader and its worker: frames of one JSON header plus `.npy` blobs.

Only data crosses. A frame is `>QI` (payload length, header length), the UTF-8 JSON header, then
the blobs whose lengths the header lists under `"blobs"`. Values travel as a JSON tree whose
special nodes are tagged `{"$": tag, ...}`; arrays and NumPy scalars are `.npy` blobs read back
with NumPy's own header parser and no pickle (object dtypes are refused).

An array argument of a call may instead be `mapped`: the grader puts it in a file of the
worker's folder (`grader/sandbox/arguments.py`) and the node says where in that file it lies; the
worker decodes it as an array on the file's memory, so that the grader reads back what the call
did to it.

Both sides load this module, so it imports only the standard library and NumPy: the worker loads
it by file path, never through the `grader` package.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.lib.format as npy_format

PREFIX = struct.Struct(">QI")
#: What a portable worker writes to its output after a request's output, with the request's
#: nonce (`sync`), so that the grader knows when all of that output is in (portable.py).
SYNC_MARKER = b"\0gd-sync:%s\0"
MAX_HEADER_BYTES = 4 << 20
MAX_DEPTH = 32
MAX_NODES = 100_000
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class ProtocolError(Exception):
    """A frame or a value that does not follow the wire format."""


@dataclass(frozen=True)
class Foreign:
    """A value that could not cross as data: its type and a description, never the object."""

    type_name: str
    description: str

    def __str__(self) -> str:
        return f"{self.description} (type {self.type_name})"


@dataclass(frozen=True, eq=False)
class Mapped:
    """An array argument that crosses in the call's file, not in the frame (the grader's side):
    `nbytes` bytes at `offset`, of `shape` and `dtype` (its `.str`), in Fortran order or C's."""

    offset: int
    shape: tuple[int, ...]
    dtype: str
    fortran: bool


# --- frames ------------------------------------------------------------------------------------


def pack(header: dict, blobs: list[bytes] = ()) -> bytes:
    """One frame: the header (gets a `blobs` list of lengths) followed by the blobs."""
    header = {**header, "blobs": [len(b) for b in blobs]}
    head = json.dumps(header, separators=(",", ":")).encode()
    body = b"".join(blobs)
    return PREFIX.pack(len(head) + len(body), len(head)) + head + body


def unpack(payload: bytes | bytearray | memoryview, head_len: int) -> tuple[dict, list[bytes]]:
    """Split a frame's payload (after the prefix) into its header and blobs, checking sizes."""
    if head_len > min(len(payload), MAX_HEADER_BYTES):
        raise ProtocolError("frame header larger than the frame")
    try:
        header = json.loads(bytes(payload[:head_len]))
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"frame header is not JSON: {e}") from None
    if not isinstance(header, dict) or not isinstance(header.get("blobs"), list):
        raise ProtocolError("frame header is not an object with a blob list")
    lengths = header["blobs"]
    if not all(type(n) is int and n >= 0 for n in lengths) or (
        head_len + sum(lengths) != len(payload)
    ):
        raise ProtocolError("frame blob lengths do not add up")
    view, blobs, at = memoryview(payload), [], head_len
    for n in lengths:
        blobs.append(bytes(view[at : at + n]))
        at += n
    return header, blobs


class FrameBuffer:
    """Incremental frame reader for bytes arriving in arbitrary pieces (the trusted side)."""

    def __init__(self, max_frame: int) -> None:
        self._data = bytearray()
        self._max = max_frame

    def feed(self, data: bytes) -> None:
        self._data += data

    def wanted(self) -> int:
        """How many bytes to read next: the rest of the current frame, at least 64 KiB."""
        if len(self._data) < PREFIX.size:
            return 1 << 16
        total, _ = PREFIX.unpack_from(self._data)
        return max(1 << 16, min(PREFIX.size + total - len(self._data), self._max))

    def pop(self) -> tuple[dict, list[bytes]] | None:
        """The next complete frame, or None while it is incomplete."""
        if len(self._data) < PREFIX.size:
            return None
        total, head_len = PREFIX.unpack_from(self._data)
        if total > self._max:
            raise ProtocolError(f"frame of {total} bytes exceeds the {self._max}-byte limit")
        end = PREFIX.size + total
        if len(self._data) < end:
            return None
        frame = unpack(memoryview(self._data)[PREFIX.size : end], head_len)
        del self._data[:end]
        return frame


def read_frame(fd_read: Callable[[int], bytes], max_frame: int) -> tuple[dict, list[bytes]]:
    """Read one frame with a blocking `read(n)` (the worker side); EOFError at end of stream."""

    def exactly(n: int) -> bytes:
        parts, left = [], n
        while left:
            chunk = fd_read(min(left, 1 << 20))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    total, head_len = PREFIX.unpack(exactly(PREFIX.size))
    if total > max_frame:
        raise ProtocolError(f"frame of {total} bytes exceeds the {max_frame}-byte limit")
    return unpack(exactly(total), head_len)


# --- .npy blobs --------------------------------------------------------------------------------


_DUMPED: dict[tuple, bytes] = {}


def dump_array(a: np.ndarray) -> bytes:
    """The bytes `np.save(..., allow_pickle=False)` writes; the header is memoised per shape."""
    fortran = a.flags.f_contiguous and not a.flags.c_contiguous
    key = (a.dtype, a.shape, fortran)
    head = _DUMPED.get(key)
    if head is None:
        buf = io.BytesIO()
        npy_format.write_array_header_1_0(buf, npy_format.header_data_from_array_1_0(a))
        head = buf.getvalue()
        if len(_DUMPED) < 512:
            _DUMPED[key] = head
    return head + a.tobytes(order="F" if fortran else "C")


_HEADERS: dict[bytes, tuple[tuple[int, ...], bool, np.dtype]] = {}


def load_array(blob: bytes) -> np.ndarray:
    """A fresh, writable exact ndarray from `.npy` bytes, without pickle and with sizes checked.

    Same format and rules as `np.load(..., allow_pickle=False)`; the parsed header is memoised
    because the same few shapes repeat on every call and parsing it is most of np.load's cost.
    """
    if blob[:6] != b"\x93NUMPY" or len(blob) < 10:
        raise ProtocolError("blob is not .npy data")
    size_of_len = {1: 2, 2: 4}.get(blob[6])
    if size_of_len is None:
        raise ProtocolError(f".npy version {blob[6]} is not accepted")
    start = 8 + size_of_len
    head_len = int.from_bytes(blob[8:start], "little")
    key = blob[: start + head_len]
    parsed = _HEADERS.get(key)
    if parsed is None:
        fp = io.BytesIO(key)
        try:
            version = npy_format.read_magic(fp)
            read = (
                npy_format.read_array_header_1_0
                if version == (1, 0)
                else npy_format.read_array_header_2_0
            )
            shape, fortran, dtype = read(fp)
        except Exception as e:  # NumPy's parser on the sender's bytes: ValueError, SyntaxError,
            # tokenize.TokenError, MemoryError... each is malformed data, not the grader's bug
            raise ProtocolError(f"bad .npy header: {type(e).__name__}: {e}"[:300]) from None
        if dtype.hasobject:
            raise ProtocolError("object arrays are refused (they would need pickle)")
        if len(_HEADERS) < 512:
            _HEADERS[key] = parsed = (shape, fortran, dtype)
        else:
            parsed = (shape, fortran, dtype)
    shape, fortran, dtype = parsed
    data = memoryview(blob)[start + head_len :]
    count = 1
    for n in shape:
        if n < 0:
            raise ProtocolError("negative dimension in .npy header")
        count *= n
    if count * dtype.itemsize != len(data):
        raise ProtocolError(".npy data length does not match its header")
    # The header is the sender's word: a shape NumPy cannot make (more than 64 dimensions, a
    # size beyond the address space), a subarray dtype, an empty dtype of a huge shape are
    # refused as malformed data, not left to fail as the grader's error.
    try:
        if dtype.itemsize == 0 or dtype.subdtype is not None:
            raise ValueError(f"dtype {dtype} is not accepted")
        flat = np.frombuffer(data, dtype=dtype, count=count)
        if fortran:
            return flat.reshape(shape[::-1]).T.copy(order="F")
        return flat.reshape(shape).copy()
    except (ValueError, TypeError, MemoryError, OverflowError) as e:
        raise ProtocolError(f"bad .npy array: {e}"[:300]) from None


# --- values ------------------------------------------------------------------------------------

#: NumPy's number and bool scalar types. timedelta64 subclasses signedinteger but is no number
#: the decoder accepts: it crosses as a `foreign` description instead.
_NUMPY_SCALARS = frozenset(
    t
    for t in np.sctypeDict.values()
    if issubclass(t, (np.number, np.bool_)) and not issubclass(t, np.timedelta64)
)
_FOREIGN_ARRAY = "an ndarray {} of shape {} and dtype {}"


def type_name(obj: object) -> str:
    """`module.Qualname` of the real type, without running any code of the object."""
    t = type(obj)
    module = type.__dict__["__module__"].__get__(t)
    qualname = type.__dict__["__qualname__"].__get__(t)
    name = qualname if module in (None, "builtins") else f"{module}.{qualname}"
    return str(name)[:200]


class Encoder:
    """Turn a value into a JSON tree plus blobs.

    `untrusted=True` (the worker, encoding what student code returned) never runs code of the
    value: only exact data types cross, containers are read through their base-class methods,
    and everything else becomes a `foreign` node. `untrusted=False` (the grader, encoding
    arguments) raises TypeError for a value the wire cannot carry, and sends Generators.
    """

    def __init__(self, *, untrusted: bool, max_bytes: int = 1 << 62) -> None:
        self.untrusted = untrusted
        self.max_bytes = max_bytes
        self._left = max_bytes  # what arrays and strings may still add to this value
        self.blobs: list[bytes] = []
        self._seen: dict[int, int] = {}  # id of an array (alive in the value) -> its blob
        self._nodes = 0
        self._too_deep = False

    def encode(self, value: Any) -> Any:
        """The tree of one value (a returned value, a generator's state): each has the whole
        size budget, and one too deep or with too many parts crosses as a single `foreign`
        node, so that what the other side decodes stays within its limits too."""
        self._left, self._nodes = self.max_bytes, 0
        blobs = len(self.blobs)
        tree = self._encode(value, 0)
        if self._nodes > MAX_NODES or self._too_deep:
            del self.blobs[blobs:]
            self._seen = {k: i for k, i in self._seen.items() if i < blobs}
            self._too_deep = False
            return self._refuse(value, "nested too deeply or too large to send")
        return tree

    def _encode(self, value: Any, depth: int) -> Any:
        self._nodes += 1
        if depth > MAX_DEPTH or self._nodes > MAX_NODES:
            self._too_deep = True
            return None
        t = type(value)
        if value is None or t is bool:
            return value
        if t is str:
            if len(value) > self._left:
                return self._refuse(value, "a very long string")
            self._left -= len(value)
            return value
        if t is int:
            if -(1 << 63) <= value < (1 << 64):
                return value
            if value.bit_length() > 4096:
                return self._refuse(value, "an integer with more than 4096 bits")
            return {"$": "bigint", "v": str(value)}
        if t is float:
            return value
        if t is complex:
            return {"$": "complex", "re": value.real, "im": value.imag}
        if t is np.ndarray:
            return self._array(value)
        if t in _NUMPY_SCALARS:
            return {"$": "scalar", "blob": self._blob(np.asarray(value))}
        if isinstance(value, tuple) and (t is tuple or self.untrusted):
            items = tuple.__iter__(value)
            return {"$": "tuple", "items": [self._encode(v, depth + 1) for v in items]}
        if isinstance(value, list) and (t is list or self.untrusted):
            items = list(list.__iter__(value))
            return {"$": "list", "items": [self._encode(v, depth + 1) for v in items]}
        if isinstance(value, dict) and (t is dict or self.untrusted):
            pairs = list(dict.items(value))
            items = [[self._encode(k, depth + 1), self._encode(v, depth + 1)] for k, v in pairs]
            return {"$": "dict", "items": items}
        if t is Mapped and not self.untrusted:
            return {"$": "mapped", "offset": value.offset, "shape": list(value.shape),
                    "dtype": value.dtype, "fortran": value.fortran}  # fmt: skip
        if t is np.random.Generator and not self.untrusted:
            bit_generator = value.bit_generator
            return {
                "$": "rng",
                "bit_generator": type(bit_generator).__name__,
                "state": self._encode(bit_generator.state, depth + 1),
            }
        if isinstance(value, np.ndarray):
            shape = np.ndarray.shape.__get__(value)
            dtype = np.ndarray.dtype.__get__(value)
            desc = _FOREIGN_ARRAY.format(f"subclass ({type_name(value)})", shape, dtype)
            return self._refuse(value, desc)
        return self._refuse(value, f"an object of type {type_name(value)}")

    def _array(self, a: np.ndarray) -> Any:
        # The same array twice is sent once, so that it is one object again on the other side.
        if id(a) in self._seen:
            return {"$": "array", "blob": self._seen[id(a)]}
        if a.dtype.hasobject:
            desc = _FOREIGN_ARRAY.format("of Python objects", a.shape, a.dtype)
            return self._refuse(a, desc)
        if a.nbytes > self._left:
            desc = _FOREIGN_ARRAY.format(f"of {a.nbytes / 2**20:.1f} MiB", a.shape, a.dtype)
            limit = f", beyond the {self.max_bytes >> 20} MiB a returned value may hold"
            return self._refuse(a, desc + limit)
        self._left -= a.nbytes
        self._seen[id(a)] = index = self._blob(a)
        return {"$": "array", "blob": index}

    def _blob(self, a: np.ndarray) -> int:
        self.blobs.append(dump_array(a))
        return len(self.blobs) - 1

    def _refuse(self, value: Any, description: str) -> Any:
        if not self.untrusted:
            raise TypeError(f"the sandbox cannot send {description}")
        return {"$": "foreign", "type": type_name(value), "description": description}


def encode(value: Any, *, untrusted: bool, max_bytes: int = 1 << 62) -> tuple[Any, list]:
    """`(tree, blobs)` for one value; see `Encoder`."""
    encoder = Encoder(untrusted=untrusted, max_bytes=max_bytes)
    return encoder.encode(value), encoder.blobs


def decode(tree: Any, blobs: list[bytes], *, trusted_side: bool, mapped: Any = None) -> Any:
    """The value of a JSON tree plus blobs; ProtocolError for anything malformed.

    The grader (`trusted_side=True`) accepts `foreign` nodes and refuses Generators; the worker
    accepts Generators (rebuilt from their bit generator's state) and refuses `foreign`, and
    makes `mapped` nodes arrays on the writable buffer `mapped` (the call's file, mapped).
    """
    count = 0
    arrays: dict[int, np.ndarray] = {}  # one object per blob, as it was on the sending side
    on_file: dict[int, np.ndarray] = {}  # one object per mapped offset, likewise

    def walk(node: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise ProtocolError("value nested too deeply or too large")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict or type(node.get("$")) is not str:
            raise ProtocolError(f"unexpected node {type(node).__name__}")
        tag = node["$"]
        if tag in ("tuple", "list"):
            items = [walk(v, depth + 1) for v in _list(node, "items")]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            pairs = _list(node, "items")
            if not all(type(p) is list and len(p) == 2 for p in pairs):
                raise ProtocolError("dict items are not pairs")
            try:
                return {walk(k, depth + 1): walk(v, depth + 1) for k, v in pairs}
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
        if tag in ("array", "scalar"):
            index = node.get("blob")
            if type(index) is not int or not 0 <= index < len(blobs):
                raise ProtocolError("bad blob index")
            if tag == "array":
                if index not in arrays:
                    arrays[index] = load_array(blobs[index])
                return arrays[index]
            array = load_array(blobs[index])
            if array.ndim != 0 or array.dtype.kind not in "biufc":
                raise ProtocolError("a scalar blob must be a 0-d number")
            return array[()]
        if tag == "complex":
            re, im = node.get("re"), node.get("im")
            if type(re) is not float or type(im) is not float:
                raise ProtocolError("bad complex")
            return complex(re, im)
        if tag == "bigint":
            digits = node.get("v")
            if type(digits) is not str or len(digits) > 4000:
                raise ProtocolError("bad big integer")
            try:
                return int(digits)
            except ValueError:
                raise ProtocolError("bad big integer") from None
        if tag == "foreign" and trusted_side:
            name, desc = node.get("type"), node.get("description")
            if type(name) is not str or type(desc) is not str:
                raise ProtocolError("bad foreign description")
            return Foreign(name[:200], desc[:500])
        if tag == "mapped" and not trusted_side and mapped is not None:
            offset = node.get("offset")
            if type(offset) is int and offset in on_file:
                return on_file[offset]
            on_file[offset] = array = _on_buffer(node, mapped)
            return array
        if tag == "rng" and not trusted_side:
            return make_generator(node.get("bit_generator"), walk(node.get("state"), depth + 1))
        raise ProtocolError(f"unexpected tag {tag!r}")

    try:
        return walk(tree, 0)
    finally:  # `walk` refers to itself: what it holds would wait for the cycle collector
        arrays.clear()
        on_file.clear()


def _on_buffer(node: dict, buffer: Any) -> np.ndarray:
    """The array a `mapped` node describes, on `buffer`'s memory (no copy: writes reach it)."""
    offset, shape, fortran = node.get("offset"), node.get("shape"), node.get("fortran")
    if not (
        type(offset) is int
        and offset >= 0
        and type(shape) is list
        and len(shape) <= MAX_DEPTH
        and all(type(n) is int and n >= 0 for n in shape)
        and type(fortran) is bool
        and type(node.get("dtype")) is str
    ):
        raise ProtocolError("bad mapped array")
    try:
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
            raise ValueError(f"dtype {dtype} is not mapped")
        return np.ndarray(tuple(shape), dtype, buffer, offset, order="F" if fortran else "C")
    except (TypeError, ValueError, OverflowError) as e:
        raise ProtocolError(f"bad mapped array: {e}"[:300]) from None


def _list(node: dict, key: str) -> list:
    items = node.get(key)
    if type(items) is not list:
        raise ProtocolError(f"{key} is not a list")
    return items


def make_generator(name: Any, state: Any) -> np.random.Generator:
    """A Generator on a fresh bit generator of the named class, set to `state`."""
    if name not in BIT_GENERATORS:
        raise ProtocolError(f"unknown bit generator {name!r}")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as e:
        raise ProtocolError(f"bad {name} state: {e}") from None
    return np.random.Generator(bit_generator)
