"""Which statements of a notebook make up the module: definitions and what they need, nothing else.

A notebook mixes the exercise's functions with exploration (prints, training runs, plots,
scratch cells run out of order). The module keeps, from all code cells top to bottom:

- every function and class definition (a later definition of a name replaces an earlier one,
  as when the notebook runs from top to bottom);
- the imports and the top-level assignments whose names those definitions read as globals
  (found with `symtable`, the compiler's own scopes), and, in turn, what those need.

Everything else is left out and never runs: a top-level call, loop, print or plot costs neither
points nor time. Nothing here executes the notebook: it is parsed, not run.
"""

from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORTS = (ast.Import, ast.ImportFrom)
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign)


@dataclass(frozen=True)
class Statement:
    """A kept top-level statement: its cell, and its code, on the lines it has in that cell."""

    cell: int
    code: str  # preceded by as many empty lines as come before it in the cell


@dataclass
class Selection:
    """What the module is made of, and what was left out (for the student's note)."""

    kept: list[Statement] = field(default_factory=list)
    left_out_cells: list[int] = field(default_factory=list)  # cells with code that does not run
    syntax_errors: list[tuple[int, int, str]] = field(default_factory=list)  # cell, line, message


@dataclass
class _Top:
    cell: int
    node: ast.stmt
    binds: frozenset[str]
    reads: frozenset[str]
    kind: str  # "definition", "import", "assignment" or "other"


def select(cells: list[tuple[int, str]], functions: tuple[str, ...]) -> Selection:
    """Choose the statements of `cells` ((number, Python source) pairs) the module keeps.

    `functions` are the names the exercise must define: an assignment to one of them
    (`sgd = my_sgd`) is kept like a definition.
    """
    selection = Selection()
    tops: list[_Top] = []
    lines: dict[int, list[str]] = {}
    for number, source in cells:
        lines[number] = source.splitlines()
        try:
            tree = ast.parse(source, filename=f"cell {number}")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as problem:
            line = getattr(problem, "lineno", None) or 0
            message = getattr(problem, "msg", None) or str(problem)
            selection.syntax_errors.append((number, line, str(message)[:200]))
            continue
        tops += [_describe(number, node) for node in tree.body]
    needed = set(functions)
    keep = [top.kind == "definition" for top in tops]
    for top, kept in zip(tops, keep, strict=True):
        if kept:
            needed |= top.reads
    changed = True
    while changed:
        changed = False
        for i, top in enumerate(tops):
            if keep[i] or top.kind not in ("import", "assignment"):
                continue
            if top.binds & needed or "*" in top.binds:
                keep[i], changed = True, True
                needed |= top.reads
    left_out = {
        top.cell for top, kept in zip(tops, keep, strict=True) if not kept and _runs(top.node)
    }
    selection.left_out_cells = sorted(left_out)
    selection.kept = [
        Statement(top.cell, _code(top.node, lines[top.cell]))
        for top, kept in zip(tops, keep, strict=True)
        if kept
    ]
    return selection


def _code(node: ast.stmt, lines: list[str]) -> str:
    """The statement's own lines, at their place in the cell; re-written from the tree when it
    shares a line with another statement (`x = 1; train()`)."""
    first, last = _first_line(node), node.end_lineno or node.lineno
    before = lines[first - 1].encode()[: node.col_offset].strip()  # offsets count UTF-8 bytes
    after = lines[last - 1].encode()[node.end_col_offset or 0 :].strip()
    if before or (after and not after.startswith(b"#")):
        return "\n" * (first - 1) + ast.unparse(node)
    return "\n" * (first - 1) + "\n".join(lines[first - 1 : last])


def _describe(cell: int, node: ast.stmt) -> _Top:
    if isinstance(node, _DEFINITIONS):
        return _Top(cell, node, frozenset({node.name}), _globals_read(node), "definition")
    if isinstance(node, _IMPORTS) or _guarded_imports(node):
        return _Top(cell, node, _imported_names(node), frozenset(), "import")
    if isinstance(node, _ASSIGNMENTS) and getattr(node, "value", None) is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        binds = frozenset(name for t in targets for name in _target_names(t))
        if binds:
            return _Top(cell, node, binds, _names_loaded(node), "assignment")
    return _Top(cell, node, frozenset(), frozenset(), "other")


def _globals_read(node: ast.stmt) -> frozenset[str]:
    """The global names a definition needs: in its body (symtable's scopes), and in what the
    definition itself evaluates (decorators, defaults, base classes)."""
    try:
        table = symtable.symtable(ast.unparse(node), "<definition>", "exec")
    except (SyntaxError, ValueError, RecursionError):
        return _names_loaded(node)
    names = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    todo = list(table.get_children())
    while todo:
        scope = todo.pop()
        names |= {s.get_name() for s in scope.get_symbols() if s.is_referenced() and s.is_global()}
        todo += scope.get_children()
    return frozenset(names - {node.name})


def _guarded_imports(node: ast.stmt) -> bool:
    """`try: import x / except ImportError: ...`: an import, for what it binds."""
    return isinstance(node, ast.Try) and all(isinstance(s, _IMPORTS) for s in node.body)


def _imported_names(node: ast.stmt) -> frozenset[str]:
    imports = node.body if isinstance(node, ast.Try) else [node]
    names = set()
    for statement in imports:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            names.add("*")  # a compiler directive: always kept
        for alias in statement.names:
            if alias.name == "*":
                names.add("*")
            elif isinstance(statement, ast.Import) and alias.asname is None:
                names.add(alias.name.split(".")[0])
            else:
                names.add(alias.asname or alias.name)
    return frozenset(names)


def _target_names(target: ast.expr) -> list[str]:
    """Names an assignment target binds or changes (`x`, `a, b`, `config["lr"]`, `obj.attr`)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _target_names(t)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Subscript, ast.Attribute)):
        return _target_names(target.value)
    return []


def _names_loaded(node: ast.AST) -> frozenset[str]:
    return frozenset(
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )


def _runs(node: ast.stmt) -> bool:
    """Whether a left-out statement did something worth saying: not `pass`, a bare string or a
    constant, nor an import that no function uses (importing is not exploring)."""
    if isinstance(node, (ast.Pass, *_IMPORTS)):
        return False
    return not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])
