"""Golden cases: the hidden suite is fair to correct styles and catches each realistic mistake.

Every case of tests/cases/mistakes.toml becomes a submission folder (the reference modules, with
the case's edits or files) graded by its own run of the real `grade` command in a subprocess.
The runs of the selected cases start together, a few at a time, the first time a test needs one;
they are shared (tests/conftest.py) with test_diagnoses_e2e.py, which grades the same mistakes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.course import load_course

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, installed with the project
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = ROOT / "tests" / "cases"
CASES_FILE = CASES_DIR / "mistakes.toml"
SOLUTIONS = ROOT / "solutions"
MODULES = ("batch_gradient", "sgd", "logistic_regression")
EPS = 1e-4  # the report rounds scores to 6 decimals


@dataclass
class Edit:
    module: str
    old: str
    new: str


@dataclass
class Case:
    """One golden submission: a mistake (with the functions it must lose) or a correct style."""

    id: str
    kind: str  # "mistake" or "correct"
    about: str
    module: str | None = None  # the exercise a mistake is in
    loses: tuple[str, ...] = ()
    edits: list[Edit] = field(default_factory=list)
    folder: Path | None = None

    def sources(self) -> dict[str, str]:
        """The submission's modules; AssertionError unless every edit matches exactly once."""
        sources = {m: (SOLUTIONS / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}
        if self.folder is not None:
            for path in sorted(self.folder.glob("*.py")):
                sources[path.stem] = path.read_text(encoding="utf-8")
        for edit in self.edits:
            count = sources[edit.module].count(edit.old)
            assert count == 1, f"{self.id}: {edit.old!r} occurs {count} times in {edit.module}.py"
            sources[edit.module] = sources[edit.module].replace(edit.old, edit.new)
        return sources


#: The keys a case and an edit may have (a misplaced key, e.g. `loses` written after an edit
#: table, would otherwise silently belong to that edit).
CASE_KEYS = {"id", "about", "module", "loses", "old", "new", "edits", "folder"}
EDIT_KEYS = {"module", "old", "new"}


def load_cases() -> list[Case]:
    data = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))
    cases = []
    for kind in ("mistake", "correct"):
        for entry in data.get(kind, []):
            unknown = set(entry) - CASE_KEYS
            unknown |= {k for e in entry.get("edits", []) for k in e if k not in EDIT_KEYS}
            if unknown:
                raise ValueError(f"{CASES_FILE.name}: {entry.get('id')}: unknown keys {unknown}")
            module = entry.get("module")
            edits = [Edit(module, entry["old"], entry["new"])] if "old" in entry else []
            edits += [
                Edit(e.get("module", module), e["old"], e["new"]) for e in entry.get("edits", [])
            ]
            cases.append(
                Case(
                    id=entry["id"],
                    kind=kind,
                    about=entry.get("about", ""),
                    module=module,
                    loses=tuple(entry.get("loses", ())),
                    edits=edits,
                    folder=CASES_DIR / entry["folder"] if "folder" in entry else None,
                )
            )
    return cases


CASES = load_cases()
MISTAKES = [pytest.param(c, id=c.id) for c in CASES if c.kind == "mistake"]
CORRECT = [pytest.param(c, id=c.id) for c in CASES if c.kind == "correct"]


@dataclass
class Graded:
    returncode: int
    stdout: str
    stderr: str
    report: dict | None

    def exercise(self, name: str) -> dict:
        return next(e for e in self.report["exercises"] if e["name"] == name)

    def lost(self, exercise: str, function: str) -> float:
        tests = [t for t in self.exercise(exercise)["tests"] if t.get("function") == function]
        return sum(t["max_score"] - t["score"] for t in tests)

    def failures(self, exercise: str) -> list[str]:
        return [
            f"[{t['status']}] {t['name']}: {t['feedback']}"
            for t in self.exercise(exercise)["tests"]
            if t["status"] != "passed"
        ]


def _files(case: Case) -> dict[str, str]:
    return {f"{module}.py": text for module, text in case.sources().items()}


@pytest.fixture(scope="module")
def graded(request, graded_submissions):
    """`graded(case, suite)`: the result of grading the case; selected cases are graded at once.

    The runs come from the session's `graded_submissions` (tests/conftest.py), which grades each
    submission once per session: test_diagnoses_e2e.py reads the same runs of the mistakes.
    """

    def wanted() -> set[tuple[str, str]]:
        keys = set()
        for item in request.session.items:
            spec = getattr(item, "callspec", None)
            if item.module is request.module and spec and "case" in spec.params:
                keys.add((spec.params["case"].id, spec.params.get("suite", "hidden")))
        return keys

    started = []

    def get(case: Case, suite: str = "hidden") -> Graded:
        todo = [(case, suite)]
        if not started:  # the first call grades every selected case of this module
            started.append(True)
            by_id = {c.id: c for c in CASES}
            selected = [(by_id[i], s) for i, s in sorted(wanted()) if i in by_id]
            todo += [(c, s) for c, s in selected if _applies(c)]
        runs = graded_submissions.get_many([(_files(c), ("--suite", s)) for c, s in todo])
        run = runs[0]
        return Graded(run.returncode, run.stdout, run.stderr, run.report)

    return get


def _applies(case: Case) -> bool:
    try:
        case.sources()
    except AssertionError:
        return False
    return True


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("case", MISTAKES + CORRECT)
def test_case_is_well_formed(case):
    """Each edit matches the reference exactly once, and `loses` names functions of `module`."""
    case.sources()
    if case.kind == "mistake":
        exercise = load_course().exercise(case.module)
        assert case.loses, f"{case.id}: list the functions that must lose points"
        names = {f.name for f in exercise.functions}
        assert set(case.loses) <= names, f"{case.id}: {set(case.loses) - names} not in {names}"
        assert all(e.module == case.module for e in case.edits), "a mistake edits one module"


def _check_report(result: Graded, validator) -> None:
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.report is not None, "grade wrote no report"
    validator.validate(result.report)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for exercise in result.report["exercises"]:
        for test in exercise["tests"]:
            if test["status"] != "passed":
                assert test["feedback"].strip(), f"no feedback for {test['name']}"
                assert "not your fault" not in test["feedback"], f"grader bug: {test}"


@pytest.mark.parametrize("case", MISTAKES)
def test_mistake_loses_points_only_in_its_exercise(case, graded, report_validator):
    """The mistaken functions lose points; every other exercise keeps full marks."""
    result = graded(case)
    _check_report(result, report_validator)
    for function in case.loses:
        assert result.lost(case.module, function) > EPS, (
            f"{case.id} ({case.about}) should lose points in {case.module}.{function}, "
            f"but it scored full marks there"
        )
    for exercise in result.report["exercises"]:
        if exercise["name"] != case.module:
            assert exercise["score"] >= exercise["max_score"] - EPS, (
                f"{case.id} edits {case.module} but lost points in {exercise['name']}: "
                f"{result.failures(exercise['name'])}"
            )


@pytest.mark.parametrize("suite", ["hidden", "public"])
@pytest.mark.parametrize("case", CORRECT)
def test_correct_style_scores_full_marks(case, suite, graded, report_validator):
    """A correct implementation in another style scores full marks on both suites."""
    result = graded(case, suite)
    _check_report(result, report_validator)
    lost = [f for e in result.report["exercises"] for f in result.failures(e["name"])]
    assert result.report["score"] >= result.report["max_score"] - EPS, "\n".join(lost)
