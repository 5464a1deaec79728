"""The course metadata (`course.toml`): exercises, their functions, points, hints, signatures and
what each function returns.

Signatures are read with `ast` and their defaults with `ast.literal_eval`: nothing in the file is
ever executed.
"""

from __future__ import annotations

import ast
import inspect
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

COURSE_FILE = Path(__file__).with_name("course.toml")


class _Required:
    """The type of `REQUIRED`."""

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self) -> str:
        return "REQUIRED"  # a copy or a pickle of the marker is the marker


#: The default of a parameter that has none.
REQUIRED: Any = _Required()
#: The `shape` of a returned real scalar (Python or NumPy) in `returns`.
SCALAR = "scalar"
#: The types a default may have: immutable literals only.
_DEFAULT_TYPES = (type(None), bool, int, float, str)


class CourseError(ValueError):
    """course.toml is malformed: the message says where and what."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a contract function: its name and its default (`REQUIRED` if none)."""

    name: str
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Signature:
    """A contract function's parameters, in order, as written in course.toml."""

    text: str
    parameters: tuple[Parameter, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def defaults(self) -> dict[str, Any]:
        """The parameters that have a default, with it."""
        return {p.name: p.default for p in self.parameters if not p.required}

    def to_inspect(self) -> inspect.Signature:
        """The same signature as an `inspect.Signature` (positional-or-keyword parameters)."""
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature(
            [
                inspect.Parameter(
                    p.name, kind, default=inspect.Parameter.empty if p.required else p.default
                )
                for p in self.parameters
            ]
        )

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Value:
    """One returned value: its name in the notes and its shape.

    `shape` is `SCALAR` ("scalar": a real number, Python or NumPy) or an array's shape in
    symbols: "(n, 1)", "(p, 1)", or "like z" for an elementwise function of its parameter `z`.
    `labels` marks an array of 0/1 labels (compared exactly).
    """

    name: str
    shape: str
    labels: bool = False

    @property
    def is_scalar(self) -> bool:
        return self.shape == SCALAR


@dataclass(frozen=True)
class Function:
    """One function of an exercise: its name, the points it is worth and its hints, its signature
    and what it returns (one `Value`, or two for a pair such as `(dw, db)`)."""

    name: str
    points: float
    hints: tuple[str, ...]
    signature: Signature | None = None
    returns: tuple[Value, ...] = ()
    uses: tuple[str, ...] = ()  # functions of the same exercise it is built from (the notes')

    @property
    def returns_pair(self) -> bool:
        return len(self.returns) == 2


@dataclass(frozen=True)
class Exercise:
    """One exercise: a module of the submission and the functions it must define."""

    module: str
    title: str
    functions: tuple[Function, ...]

    @property
    def max_score(self) -> float:
        return sum(f.points for f in self.functions)

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(f"{self.module} has no function {name!r}")


@dataclass(frozen=True)
class Course:
    """The whole course, in the order of the notes."""

    notes: str
    exercises: tuple[Exercise, ...]

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    def exercise(self, module: str) -> Exercise:
        for e in self.exercises:
            if e.module == module:
                return e
        raise KeyError(f"no exercise {module!r}")

    def functions(self) -> tuple[tuple[str, Function], ...]:
        """Every `(module, function)` of the course, in order."""
        return tuple((e.module, f) for e in self.exercises for f in e.functions)


@cache
def load_course(path: Path = COURSE_FILE) -> Course:
    """Read and check the course metadata file."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    exercises = tuple(
        Exercise(
            module=e["module"],
            title=e["title"],
            functions=tuple(_function(e["module"], f) for f in e["functions"]),
        )
        for e in data["exercises"]
    )
    for exercise in exercises:
        names = {f.name for f in exercise.functions}
        for f in exercise.functions:
            if not set(f.uses) <= names - {f.name}:
                raise CourseError(
                    f"course.toml, {exercise.module}.{f.name}: `uses` names "
                    f"{sorted(set(f.uses) - names)} (or itself), not other functions of "
                    f"{exercise.module}"
                )
    return Course(notes=data["notes"], exercises=exercises)


def _function(module: str, entry: dict) -> Function:
    where = f"course.toml, {module}.{entry.get('name', '?')}"
    for key in ("signature", "returns"):
        if key not in entry:
            raise CourseError(f"{where}: no `{key}`")
    signature = parse_signature(entry["signature"], where=where)
    return Function(
        name=entry["name"],
        points=float(entry["points"]),
        hints=tuple(entry["hints"]),
        signature=signature,
        returns=parse_returns(entry["returns"], signature, where=where),
        uses=tuple(entry.get("uses", ())),
    )


def parse_signature(text: str, *, where: str = "signature") -> Signature:
    """`"(X, y, eta=0.1, w=None)"` -> a `Signature`, read with `ast` (never executed).

    Only plain parameters are allowed (no `*`, `/`, `*args`, `**kwargs` or annotations), and
    defaults must be literals: None, a bool, a number or a string.
    """
    if not isinstance(text, str) or not (text.startswith("(") and text.endswith(")")):
        raise CourseError(f"{where}: the signature must be a string like '(X, w, b)'")
    try:
        tree = ast.parse(f"def _{text}: pass", mode="exec")
    except SyntaxError as e:
        raise CourseError(f"{where}: the signature {text!r} is not valid Python ({e.msg})") from e
    node = tree.body[0] if len(tree.body) == 1 else None
    if not (
        isinstance(node, ast.FunctionDef)
        and not node.decorator_list
        and node.returns is None
        and len(node.body) == 1
        and isinstance(node.body[0], ast.Pass)
    ):
        raise CourseError(f"{where}: {text!r} is not just a parameter list")
    args = node.args
    if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg:
        raise CourseError(f"{where}: {text!r}: only plain parameters (no *, /, *args, **kwargs)")
    if any(a.annotation is not None for a in args.args):
        raise CourseError(f"{where}: {text!r}: no annotations")
    defaults = [REQUIRED] * (len(args.args) - len(args.defaults))
    for default in args.defaults:
        try:
            value = ast.literal_eval(default)
        except ValueError as e:
            raise CourseError(
                f"{where}: the default {ast.unparse(default)!r} is not a literal"
            ) from e
        if not isinstance(value, _DEFAULT_TYPES):
            raise CourseError(
                f"{where}: the default {ast.unparse(default)!r} is not None, a bool, a number "
                "or a string"
            )
        defaults.append(value)
    parameters = tuple(Parameter(a.arg, d) for a, d in zip(args.args, defaults, strict=True))
    return Signature(text=text, parameters=parameters)


def parse_returns(entry: Any, signature: Signature, *, where: str = "returns") -> tuple[Value, ...]:
    """`returns` of course.toml -> one `Value`, or two for a pair.

    `returns = { name = "y_hat", shape = "(n, 1)" }` (one value) or
    `returns = [{ name = "dw", shape = "(p, 1)" }, { name = "db", shape = "scalar" }]` (a pair).
    """
    items = [entry] if isinstance(entry, dict) else entry
    if not isinstance(items, list) or not 1 <= len(items) <= 2:
        raise CourseError(f"{where}: `returns` is one {{ name, shape }} table or a list of two")
    values = []
    for item in items:
        if not isinstance(item, dict) or set(item) - {"name", "shape", "labels"}:
            raise CourseError(f"{where}: a returned value has keys name, shape (and labels)")
        name, shape, labels = item.get("name"), item.get("shape"), item.get("labels", False)
        if not isinstance(name, str) or not name.strip():
            raise CourseError(f"{where}: a returned value needs a `name`")
        if not isinstance(shape, str) or not _valid_shape(shape, signature):
            raise CourseError(
                f'{where}: the shape of {name!r} must be "scalar", a shape like "(n, 1)" or '
                f'"like <a parameter>", not {shape!r}'
            )
        if not isinstance(labels, bool) or (labels and shape == SCALAR):
            raise CourseError(f"{where}: `labels = true` belongs to an array of 0/1 labels only")
        values.append(Value(name=name, shape=shape, labels=labels))
    return tuple(values)


def _valid_shape(shape: str, signature: Signature) -> bool:
    if shape == SCALAR:
        return True
    if shape.startswith("like "):
        return shape.removeprefix("like ") in signature.names
    return shape.startswith("(") and shape.endswith(")") and len(shape) > 2
