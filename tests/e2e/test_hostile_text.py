"""Nothing a submission writes reaches a person unescaped (issue 11, part 5).

Exception messages and printed output that clear the screen, forge a "Total: 25 / 25" line with
\\r or cursor moves, set the window title, write the clipboard (OSC 52), hide text (conceal) or
reorder it (a bidi override), and a lone surrogate that no terminal encoding can write: the
terminal summary, the JSON report, Gradescope's and Classroom's output all stay harmless and
readable, through the real `grade` command.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from grader.text import visible

HOSTILE = (
    "\x1b[2J\x1b[H\rTotal: 25 / 25 (100%)\x1b[1A\x1b[2K\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07"
    "\x1b[8mhidden\x1b[0m\u202eevil\x9b31m\ud800"
)
SGD = f"""
def sgd_step(x, y, w, b, eta):
    print({HOSTILE[:-1]!r})  # (printing a lone surrogate fails in the worker itself)
    raise ValueError({HOSTILE!r})


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    raise RuntimeError({HOSTILE!r} * 2)
"""
#: What a terminal, a Markdown viewer or a platform must never receive from a submission.
ACTING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.fixture
def hostile(submission):
    return submission(sgd=SGD)


def test_the_terminal_summary_shows_hostile_messages_as_visible_text(grade, hostile):
    graded = grade(str(hostile), "--suite", "hidden")
    assert graded.returncode == 0, graded.stderr
    assert not ACTING.search(graded.stdout), repr(ACTING.search(graded.stdout))
    assert "\\x1b[2J\\x1b[H\\rTotal: 25 / 25" in graded.stdout  # shown, not acted on
    assert "\\ud800" in graded.stdout and "\\u202eevil" in graded.stdout
    # The only total line is the grader's own.
    assert re.findall(r"^Total: .*$", graded.stdout, re.M) == ["Total: 20 / 25 (80%)"]
    assert graded.exercise("batch_gradient")["score"] == 10


def test_as_a_normal_user_too_the_summary_and_report_act_on_nothing(
    normal_user, hostile, world_tmp
):
    # The same escaping whoever grades: here `grade` run by a normal user (no separate user for
    # the worker), whose terminal is just as much at risk.
    folder = normal_user.give(shutil.copytree(hostile, world_tmp / "submission"))
    report = normal_user.own(world_tmp / "out", 0o755) / "report.json"
    graded = normal_user.run(folder, "--suite", "hidden", "-o", report)
    assert graded.returncode == 0, graded.stderr.decode(errors="replace")
    stdout = graded.stdout.decode("utf-8")
    assert not ACTING.search(stdout), repr(ACTING.search(stdout))
    assert "\\x1b[2J\\x1b[H\\rTotal: 25 / 25" in stdout
    assert re.findall(r"^Total: .*$", stdout, re.M) == ["Total: 20 / 25 (80%)"]
    document = json.loads(report.read_bytes().decode("utf-8"))  # strictly UTF-8
    assert document["confinement"]["separate_user"] is False


def test_the_json_report_keeps_the_text_as_valid_utf8(grade, hostile, tmp_path):
    graded = grade(str(hostile), "--suite", "hidden")
    raw = next(tmp_path.glob("report-*.json")).read_bytes()
    raw.decode("utf-8")  # strictly: no lone surrogate, even escaped
    assert "\\ud800" not in raw.decode("ascii", "replace").replace("\\\\ud800", "")
    feedback = graded.function_tests("sgd", "sgd_step")[0]["feedback"]
    assert "\x1b[2J\x1b[H\rTotal: 25 / 25" in feedback  # the JSON keeps what was raised
    assert feedback.count("\\ud800") >= 1 and "\ud800" not in feedback


@pytest.mark.parametrize("fmt", ["gradescope", "classroom"])
def test_platform_outputs_carry_no_acting_character(grade, hostile, tmp_path, fmt):
    graded = grade(str(hostile), "--suite", "hidden", "--format", fmt)
    assert graded.returncode == 0, graded.stderr
    raw = next(tmp_path.glob("report-*.json")).read_bytes().decode("utf-8")
    document = json.loads(raw)
    texts = [t.get("output", "") + t.get("message", "") + t["name"] for t in document["tests"]]
    assert any("\\x1b]52;c;ZXZpbA==\\x07" in text for text in texts)
    for text in texts:
        assert not ACTING.search(text), repr(text[:200])


def test_visible_is_one_function_for_every_sink():
    assert visible("plain text\n\twith layout") == "plain text\n\twith layout"
    assert visible("caf\udce9") == "caf\\xe9"  # a file name byte that is not UTF-8
    assert visible("\ud800", controls=False) == "\\ud800"
    assert visible("\x1b[31m", controls=False) == "\x1b[31m"  # JSON escapes it itself
    assert not ACTING.search(visible(HOSTILE))
