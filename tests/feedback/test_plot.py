"""`grade plot`: a real, readable PNG; student code runs in the sandbox; divergence is drawn."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.feedback import plot

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("batch_gradient", "sgd", "logistic_regression")


def submission(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None) -> Path:
    """The reference modules as a submission, with one text edit per module if asked."""
    folder = tmp_path / "sub"
    folder.mkdir()
    for module in MODULES:
        text = (ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
        if edits and module in edits:
            old, new = edits[module]
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (folder / f"{module}.py").write_text(text, encoding="utf-8")
    return folder


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_reference_curves_stored_in_the_module_are_the_references():
    """REFERENCE is what `solutions/` gives today (4 significant digits); else regenerate it."""
    fresh = plot.compute_reference_curves()
    stored = plot.reference_curves()
    assert set(fresh) == set(stored), "run print(plot.reference_literal()) and paste it"
    for key, curve in fresh.items():
        assert curve.diverged == stored[key].diverged, key
        assert np.allclose(curve.losses, stored[key].losses, rtol=1e-3), key


def test_the_plot_of_the_solutions_through_the_real_command(tmp_path):
    """The reference solutions, run in the sandbox, draw exactly the reference curves."""
    output = tmp_path / "curves.png"
    folder = submission(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "grader", "plot", str(folder), "-o", str(output)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Loss curves written to {output}" in result.stdout
    assert output.stat().st_size > 50_000
    width, height = png_size(output)
    assert width >= 1200 and height >= 900
    import matplotlib.image

    pixels = matplotlib.image.imread(output)
    assert pixels.std() > 0.05  # not blank
    colours = {tuple(np.round(p[:3], 1)) for p in pixels.reshape(-1, pixels.shape[-1])[::97]}
    assert len(colours) > 20  # lines in several colours, not a single flat fill


def test_students_curves_equal_the_reference_for_a_right_submission(tmp_path):
    student = plot.student_curves(submission(tmp_path))
    reference = plot.reference_curves()
    for key, curve in reference.items():
        assert student[key].diverged == curve.diverged, key
        assert np.allclose(student[key].losses, curve.losses, rtol=1e-3), key


def test_a_stub_gets_a_note_instead_of_curves(tmp_path):
    folder = submission(tmp_path)
    shutil.copy(ROOT / "exercises" / "sgd.py", folder / "sgd.py")
    curves = plot.student_curves(folder)
    assert "is not written yet" in curves["sgd"]
    assert "mini-batch" not in curves and "logistic" not in curves
    assert all(not c.losses for k, c in curves.items() if k.startswith("sgd|"))
    plot.draw(curves, plot.reference_curves(), tmp_path / "stub.png", title="stub")
    assert (tmp_path / "stub.png").stat().st_size > 30_000


def test_a_run_that_overflows_in_the_worker_is_drawn_until_it_diverges(tmp_path):
    """An uphill SGD blows up: NumPy's overflow (an error in the worker) ends the curve there."""
    folder = submission(tmp_path, {"sgd": ("w = w - eta * (2.0", "w = w + eta * (2.0")})
    curves = plot.student_curves(folder)
    sgd = [c for k, c in curves.items() if k.startswith("sgd|")]
    assert all(c.diverged for c in sgd)
    assert all(1 < len(c.losses) < 41 for c in sgd)
    assert all(math.isfinite(v) for c in sgd for v in c.losses)


def test_overflow_means_diverged_and_other_errors_are_said():
    class Problem(Exception):
        def __init__(self, text):
            self.text = text

        def student_message(self):
            return self.text

    assert (
        plot.student_problem(Problem("`sgd` raised RuntimeWarning: overflow encountered")) is None
    )
    said = plot.student_problem(Problem("`sgd` raised ValueError: shapes (2,) and (3,)\nTrace"))
    assert said == "`sgd` raised ValueError: shapes (2,) and (3,)"


def test_without_matplotlib_the_command_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(
        main, ["plot", str(submission(tmp_path)), "-o", str(tmp_path / "x.png")]
    )
    assert result.exit_code == 2
    assert 'pip install -e ".[plot]"' in result.output
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [(["-o", "curves.pdf"], "PNG"), (["-o", "missing/dir/x.png"], "does not exist")],
)
def test_usage_errors(tmp_path, args, words):
    result = CliRunner().invoke(main, ["plot", str(submission(tmp_path)), *args])
    assert result.exit_code == 2 and words in result.output
