"""A person's mistakes get one clear message and exit status 2, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        result = CliRunner().invoke(main, list(args))
        assert "Traceback" not in result.output
        return result

    return invoke


def test_no_exercises_folder_here_says_what_to_do(run):
    result = run()
    assert result.exit_code == 2
    assert "no ./exercises folder here" in result.output and "grade PATH" in result.output


def test_a_missing_path(run):
    result = run("nowhere")
    assert result.exit_code == 2 and "There is no folder 'nowhere'" in result.output


def test_a_file_instead_of_a_folder(run, tmp_path):
    (tmp_path / "sgd.py").write_text("")
    result = run("sgd.py")
    assert result.exit_code == 2 and "is a file" in result.output


def test_an_unknown_suite(run, tmp_path):
    (tmp_path / "sub").mkdir()
    result = run("sub", "--suite", "secret")
    assert result.exit_code == 2 and "'secret' is not one of 'public', 'hidden'" in result.output


def test_an_output_in_a_missing_folder_is_refused_before_grading(run, tmp_path):
    (tmp_path / "sub").mkdir()
    result = run("sub", "-o", "no/such/dir/report.json")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_fail_under_out_of_range(run, tmp_path):
    (tmp_path / "sub").mkdir()
    result = run("sub", "--fail-under", "120")
    assert result.exit_code == 2 and "--fail-under" in result.output


def test_help_lists_options_and_exit_statuses(run):
    result = run("--help")
    assert result.exit_code == 0
    for word in ("--suite", "--output", "--format", "--fail-under", "Exit status"):
        assert word in result.output


def test_version_says_what_confines_a_submission_here(run):
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("grade ")
    for line in ("sandbox: ", "filesystem confinement: ", "a separate user per grading: ",
                 "syscall filter: "):  # fmt: skip
        assert line in result.output


def test_version_says_what_the_portable_sandbox_cannot_do(run, monkeypatch):
    monkeypatch.setenv("GRADE_SANDBOX", "portable")
    result = run("--version")
    assert "sandbox: portable" in result.output and "missing: no filesystem" in result.output


def test_a_report_inside_the_submission_folder_is_refused(run, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "sgd.py").write_text("")
    result = run("sub", "-o", "sub/sgd.py")
    assert result.exit_code == 2 and "inside the submission folder" in result.output
    assert (tmp_path / "sub" / "sgd.py").read_text() == ""


def test_an_output_folder_that_cannot_be_written_is_refused_before_grading(run, tmp_path):
    (tmp_path / "sub").mkdir()
    result = run("sub", "-o", "/proc/report.json")
    assert result.exit_code == 2 and "cannot write in '/proc'" in result.output
