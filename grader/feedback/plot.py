"""`grade plot`: the loss per epoch of the student's descents beside the reference's, as a PNG.

The notes end with "different learning rates and initialisations". For each descent of the
course (mini-batch GD and SGD on the toy regression set, logistic GD on the toy classification
set), several learning rates and two starting points are run for k = 1, 2, ..., K epochs
(`max_iter=k`, `tol=0`, the same seed), and the loss of each returned `(w, b)` is computed here,
on the trusted side, on all the data. Only the contract's functions are needed, and the
student's code runs in the sandbox's worker like during grading.

A run that blows up (its loss explodes, or the worker raises an overflow) is drawn until then
and marked "diverged". The reference's curves are stored at the end of this module, because
the student handout has no reference solutions; a test checks them against `solutions/`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader import defaults
from grader.datasets import toy_classification, toy_regression

#: A loss above this many times the starting loss (or above `LOSS_CAP`) has diverged.
BLOW_UP = 1e6
LOSS_CAP = 1e12


class PlotUnavailable(Exception):
    """matplotlib is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Start:
    label: str
    w: tuple[float, ...] | None  # None: the function's default start
    b: float | None


@dataclass(frozen=True)
class Experiment:
    """One row of the figure: a descent, its data, the learning rates and the starts it tries."""

    key: str
    title: str
    module: str
    function: str
    data: str  # "regression" or "classification"
    etas: tuple[float, ...]
    starts: tuple[Start, ...]
    epochs: int
    fixed: dict[str, Any] = field(default_factory=dict)
    log_scale: bool = True

    def kwargs(self, eta: float, start: Start, epochs: int) -> dict[str, Any]:
        kwargs = {**self.fixed, "eta": eta, "max_iter": epochs, "tol": 0.0}
        if start.w is not None:
            kwargs["w"] = np.array(start.w, dtype=float).reshape(-1, 1)
            kwargs["b"] = start.b
        return kwargs


EXPERIMENTS = (
    Experiment(
        "mini-batch", "Mini-batch GD (batch_size=3)", "batch_gradient", "lr_gradient_descent",
        "regression", (0.01, 0.1, 0.3),
        (Start("w = ones, b = 0", None, None), Start("w = [-3, 4], b = 5", (-3.0, 4.0), 5.0)),
        30, {"batch_size": 3, "rng": 0},
    ),
    Experiment(
        "sgd", "Stochastic GD", "sgd", "sgd", "regression", (0.01, 0.05, 0.3),
        (Start("w = ones, b = 0", None, None), Start("w = [-3, 4], b = 5", (-3.0, 4.0), 5.0)),
        40, {"rng": 0},
    ),
    Experiment(
        "logistic", "Logistic regression, full-batch GD", "logistic_regression",
        "logistic_gradient_descent", "classification", (0.1, 1.0, 10.0),
        (Start("w = zeros, b = 0", None, None), Start("w = [-4, 4], b = -3", (-4.0, 4.0), -3.0)),
        50, log_scale=False,
    ),
)  # fmt: skip


def curve_key(experiment: Experiment, eta: float, start: Start) -> str:
    return f"{experiment.key}|eta={eta:g}|{start.label}"


@dataclass
class Curve:
    """The loss after 0, 1, 2, ... epochs; `diverged` when it blew up at its last point."""

    losses: list[float] = field(default_factory=list)
    diverged: bool = False
    note: str = ""  # why it stopped early, other than diverging


# --- losses, computed on the trusted side -------------------------------------------------------


def dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    return toy_regression() if name == "regression" else toy_classification()


def loss(data: str, X: np.ndarray, y: np.ndarray, w: Any, b: Any) -> float:
    """The MSE or mean cross-entropy of `(w, b)` on all the data (inf when not a number)."""
    with np.errstate(all="ignore"):
        z = X @ np.asarray(w, dtype=float).reshape(-1, 1) + float(b)
        if data == "regression":
            value = float(np.mean((z - y) ** 2))
        else:
            value = float(np.mean(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)))
    return value if math.isfinite(value) else math.inf


def unpack(value: Any, p: int) -> tuple[np.ndarray, float] | None:
    """`(w, b)` from what a descent returned, or None when it is not a usable pair."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    w, b = value
    if not isinstance(w, np.ndarray) or w.size != p or w.dtype.kind not in "iuf":
        return None
    if isinstance(b, np.ndarray):
        if b.size != 1 or b.dtype.kind not in "iuf":
            return None
        b = b.reshape(())[()]
    if isinstance(b, bool) or not isinstance(b, (int, float, np.integer, np.floating)):
        return None
    return w.astype(float), float(b)


# --- running the descents -----------------------------------------------------------------------


Call = Callable[..., Any]  # call(module, function, *args, **kwargs) -> the returned value


def run_curves(call: Call, *, problem: Callable[[BaseException], str | None]) -> dict[str, Any]:
    """Every curve of every experiment: `{key: Curve}`, plus `{experiment.key: note}` when a
    whole experiment could not run (e.g. the function is not written yet).

    `problem(error)` says what an exception of `call` means: None for "the run blew up" (an
    overflow), else a sentence for the panel (and the experiment stops).
    """
    out: dict[str, Any] = {}
    for experiment in EXPERIMENTS:
        X, y = dataset(experiment.data)
        note = None
        for eta in experiment.etas:
            for start in experiment.starts:
                curve = Curve()
                out[curve_key(experiment, eta, start)] = curve
                if note is not None:
                    continue
                note = _one_curve(call, problem, experiment, eta, start, X, y, curve)
        if note is not None:
            out[experiment.key] = note
    return out


def _one_curve(call, problem, experiment, eta, start, X, y, curve: Curve) -> str | None:
    """Fill `curve`; return a note that stops the whole experiment, or None."""
    start_w = (np.ones if experiment.data == "regression" else np.zeros)((X.shape[1], 1))
    w0 = start_w if start.w is None else np.array(start.w).reshape(-1, 1)
    curve.losses.append(loss(experiment.data, X, y, w0, start.b or 0.0))
    limit = min(LOSS_CAP, BLOW_UP * max(curve.losses[0], 1e-12))
    for epochs in range(1, experiment.epochs + 1):
        kwargs = experiment.kwargs(eta, start, epochs)
        try:
            value = call(experiment.module, experiment.function, X, y, **kwargs)
        except Exception as error:  # noqa: BLE001 - the student's problem, said on the panel
            sentence = problem(error)
            if sentence is None:
                curve.diverged = True
                return None
            if epochs == 1:
                curve.losses.clear()  # nothing ran: no lone starting point on the panel
                return sentence
            curve.note = sentence
            return None
        pair = unpack(value, X.shape[1])
        if pair is None:
            return (f"{experiment.function} returned something other than (w, b) with w of "
                    f"shape ({X.shape[1]}, 1): nothing to plot.")  # fmt: skip
        value = loss(experiment.data, X, y, *pair)
        if value > limit:
            curve.losses.append(min(value, LOSS_CAP))
            curve.diverged = True
            return None
        curve.losses.append(value)
    return None


def student_problem(error: BaseException) -> str | None:
    """Overflow and friends mean "diverged"; anything else is said as the sandbox says it."""
    text = error.student_message() if hasattr(error, "student_message") else str(error)
    if "overflow" in text or "invalid value" in text:
        return None
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    if "NotImplementedError" in text:
        return f"{first.split(' raised')[0]} is not written yet (it raises NotImplementedError)."
    return first


def student_curves(
    folder: Path, *, timeout: float = defaults.TIMEOUT, memory_mb: int = defaults.MEMORY_MB
) -> dict[str, Any]:
    """The student's curves, every call run in the sandbox's worker."""
    from grader.sandbox.client import Sandbox

    with Sandbox(Path(folder), timeout=timeout, memory_mb=memory_mb) as sandbox:

        def call(module: str, function: str, *args: Any, **kwargs: Any) -> Any:
            return sandbox.call(module, function, *args, **kwargs).value

        return run_curves(call, problem=student_problem)


def compute_reference_curves(package: str = "solutions") -> dict[str, Curve]:
    """The reference's curves, run in this process (instructor copy only: needs `solutions`).

    Floating-point warnings become errors, as in the worker, so both sides diverge alike.
    """
    import importlib

    def call(module: str, function: str, *args: Any, **kwargs: Any) -> Any:
        f = getattr(importlib.import_module(f"{package}.{module}"), function)
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return f(*args, **kwargs)

    def problem(error: BaseException) -> str | None:
        return None if isinstance(error, FloatingPointError) else repr(error)

    curves = run_curves(call, problem=problem)
    return {k: v for k, v in curves.items() if isinstance(v, Curve)}


def reference_curves() -> dict[str, Curve]:
    """The stored reference curves (see `REFERENCE` at the end of this module)."""
    return {
        key: Curve([math.inf if v is None else v for v in losses], diverged=diverged)
        for key, (losses, diverged) in REFERENCE.items()
    }


def reference_literal(curves: dict[str, Curve] | None = None) -> str:
    """The Python text of `REFERENCE` for `curves` (default: computed from `solutions`)."""
    curves = compute_reference_curves() if curves is None else curves
    lines = ["REFERENCE: dict[str, tuple[list[float], bool]] = {"]
    for key, curve in curves.items():
        numbers = ", ".join(f"{v:.4g}" for v in curve.losses)
        body = textwrap.fill(numbers, 92, initial_indent=" " * 8, subsequent_indent=" " * 8)
        lines += [f'    "{key}": (', "        [", body, f"        ], {curve.diverged}),"]
    lines.append("}  # fmt: skip")
    return "\n".join(lines)


# --- drawing ------------------------------------------------------------------------------------

COLOURS = ("#1f77b4", "#2ca02c", "#d62728")
STYLES = ("-", "--")


def require_matplotlib() -> None:
    """PlotUnavailable (at once, before any run) when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailable(
            'grade plot needs matplotlib: pip install -e ".[plot]" (or pip install matplotlib).'
        ) from None


def draw(student: dict[str, Any], reference: dict[str, Curve], output: Path, *, title: str) -> Path:
    """Write the figure: one row per experiment, the student's panel beside the reference's."""
    import matplotlib.pyplot as plt

    fig = figure(student, reference, title=title)
    output = Path(output)
    fig.savefig(output, dpi=90)
    plt.close(fig)
    return output


def figure(student: dict[str, Any], reference: dict[str, Curve], *, title: str) -> Any:
    """The figure: per experiment, the student's panel and the reference's, each with its own
    legend beside it (a run may diverge in one and not in the other)."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    widths = {"width_ratios": [1, 0.3, 1, 0.3]}  # a panel, its legend, a panel, its legend
    fig, grid = plt.subplots(len(EXPERIMENTS), 4, figsize=(20, 4.2 * len(EXPERIMENTS)),
                             squeeze=False, gridspec_kw=widths)  # fmt: skip
    axes = [[row[0], row[2]] for row in grid]
    for row, experiment in enumerate(EXPERIMENTS):
        keys = [curve_key(experiment, e, s) for e in experiment.etas for s in experiment.starts]
        bottom, top = _limits([student.get(k) for k in keys] + [reference.get(k) for k in keys],
                              log=experiment.log_scale)  # fmt: skip
        for col, (who, curves) in enumerate((("your code", student), ("reference", reference))):
            ax = axes[row][col]
            ax.set_title(f"{experiment.title}: {who}", fontsize=11)
            ax.set_yscale("log" if experiment.log_scale else "linear")
            ax.set_ylim(bottom, top)
            ax.set_xlim(0, experiment.epochs)
            ax.set_xlabel("epoch")
            ax.set_ylabel("MSE" if experiment.data == "regression" else "cross-entropy")
            ax.grid(True, which="major", alpha=0.3)
            marked: list[float] = []
            for i, eta in enumerate(experiment.etas):
                for j, start in enumerate(experiment.starts):
                    curve = curves.get(curve_key(experiment, eta, start))
                    label = f"eta = {eta:g}, {start.label}"
                    _draw_curve(ax, curve, top, COLOURS[i], STYLES[j], label, marked)
            note = curves.get(experiment.key)
            if isinstance(note, str):
                ax.text(0.5, 0.5, textwrap.fill(note, 45), transform=ax.transAxes, ha="center",
                        va="center", fontsize=10, bbox={"boxstyle": "round", "fc": "#fff3cd",
                                                        "ec": "#d39e00"})  # fmt: skip
        for col in (0, 1):
            beside = grid[row][2 * col + 1]
            beside.axis("off")
            handles, labels = axes[row][col].get_legend_handles_labels()
            if handles:
                beside.legend(handles, labels, fontsize=8, loc="upper left", borderaxespad=0)
    fig.suptitle(title, fontsize=13)
    fig.text(0.5, 0.005, "Each point: the function run for k epochs (max_iter=k, tol=0, the same "
             "seed), and the loss of the (w, b) it returned, on all the data. An x marks where a "
             "run that diverged leaves the plot.", ha="center", fontsize=9)  # fmt: skip
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    return fig


def _limits(curves: list[Any], *, log: bool) -> tuple[float, float]:
    """A range that shows every settling curve; diverging ones leave through the top."""
    calm = [v for c in curves if isinstance(c, Curve) and not c.diverged for v in c.losses
            if 0 < v < math.inf]  # fmt: skip
    every = [v for c in curves if isinstance(c, Curve) for v in c.losses if 0 < v < math.inf]
    values = calm or every or [1e-3, 1.0]
    low, high = min(values), max(values)
    if log:
        return max(low / 3, 1e-12), high * 10
    return 0.0, high + 0.1 * (high - low) + 1e-9


def _draw_curve(
    ax, curve: Curve | None, top: float, colour: str, style: str, label: str, marked: list[float]
) -> None:
    """One curve; a diverged one ends with an x (and the word, unless one is already near)."""
    if curve is None or not curve.losses:
        return
    epochs = list(range(len(curve.losses)))
    shown = [min(v, top * 10) for v in curve.losses]
    if curve.diverged:
        label += " (diverged)"
    ax.plot(epochs, shown, color=colour, linestyle=style, linewidth=1.6, label=label)
    if curve.diverged:
        where = leaves_at(shown, top, log=ax.get_yscale() == "log")  # where the line is drawn
        ax.plot(*where, marker="x", markersize=11, markeredgewidth=2.5, color=colour,
                clip_on=False)  # fmt: skip
        if all(abs(where[0] - x) > 3 for x in marked):  # one word per place, not a pile
            marked.append(where[0])
            ax.annotate("diverged", where, xytext=(8, -4), textcoords="offset points",
                        fontsize=8, color=colour, va="top")  # fmt: skip
    elif curve.note:
        ax.annotate(textwrap.shorten(curve.note, 40), (epochs[-1], shown[-1]), fontsize=7,
                    color=colour)  # fmt: skip


def leaves_at(losses: list[float], top: float, *, log: bool) -> tuple[float, float]:
    """Where a diverging curve crosses the top of the axis (epoch, top), between the last point
    below it and the first above it; its last point when it never crosses."""
    for k in range(1, len(losses)):
        before, after = losses[k - 1], losses[k]
        if before <= top < after:
            if not math.isfinite(after):
                return (float(k - 1), top) if before >= top else (k - 0.5, top)
            if log and before > 0:
                share = (math.log(top) - math.log(before)) / (math.log(after) - math.log(before))
            else:
                share = (top - before) / (after - before)
            return (k - 1 + share, top)
    if losses and losses[0] > top:
        return (0.0, top)
    return (float(len(losses) - 1), min(losses[-1], top) if losses else top)


def plot(
    folder: Path,
    *,
    output: Path,
    timeout: float = defaults.TIMEOUT,
    memory_mb: int = defaults.MEMORY_MB,
) -> Path:
    """Run the student's descents in the sandbox and write the figure to `output`."""
    require_matplotlib()  # before spending time on the runs
    student = student_curves(folder, timeout=timeout, memory_mb=memory_mb)
    title = (
        f"Loss per epoch on the toy data of the notes: {Path(folder).name}/ beside the reference"
    )
    return draw(student, reference_curves(), output, title=title)


# --- the reference's curves (regenerate: print(reference_literal()) in the instructor's copy) ---

REFERENCE: dict[str, tuple[list[float], bool]] = {
    "mini-batch|eta=0.01|w = ones, b = 0": (
        [
        1.677, 0.9215, 0.5117, 0.2891, 0.1662, 0.09793, 0.05917, 0.03699, 0.02441, 0.01701,
        0.01238, 0.009585, 0.00778, 0.006585, 0.005781, 0.005223, 0.004826, 0.004514,
        0.004268, 0.00407, 0.003901, 0.003745, 0.003607, 0.00348, 0.003362, 0.003249,
        0.003141, 0.003038, 0.002938, 0.002843, 0.002751
        ], False),
    "mini-batch|eta=0.01|w = [-3, 4], b = 5": (
        [
        109.8, 67.01, 41.22, 26.39, 17.35, 11.8, 8.252, 6.042, 4.619, 3.682, 3.042, 2.624,
        2.336, 2.123, 1.963, 1.842, 1.743, 1.661, 1.591, 1.529, 1.474, 1.42, 1.372, 1.325,
        1.282, 1.239, 1.199, 1.16, 1.122, 1.086, 1.051
        ], False),
    "mini-batch|eta=0.1|w = ones, b = 0": (
        [
        1.677, 0.006418, 0.004155, 0.002788, 0.002015, 0.001492, 0.001063, 0.0007033,
        0.0004581, 0.0003437, 0.0002266, 0.0001662, 0.0001176, 7.812e-05, 5.673e-05,
        4.032e-05, 3.033e-05, 1.875e-05, 1.319e-05, 9.321e-06, 7.341e-06, 4.849e-06,
        4.155e-06, 2.277e-06, 2.074e-06, 1.105e-06, 8.033e-07, 5.879e-07, 4.273e-07,
        2.845e-07, 1.941e-07
        ], False),
    "mini-batch|eta=0.1|w = [-3, 4], b = 5": (
        [
        109.8, 1.796, 1.267, 0.8434, 0.6095, 0.4511, 0.3215, 0.2127, 0.1385, 0.1039,
        0.06853, 0.05024, 0.03557, 0.02362, 0.01716, 0.01219, 0.00917, 0.005669, 0.003988,
        0.002819, 0.00222, 0.001466, 0.001256, 0.0006886, 0.000627, 0.0003343, 0.0002429,
        0.0001778, 0.0001292, 8.603e-05, 5.871e-05
        ], False),
    "mini-batch|eta=0.3|w = ones, b = 0": (
        [
        1.677, 2.689, 39.78, 32.12, 144.8, 60.36, 4898, 2515, 1.127e+04, 3.659e+04,
        9.951e+05, 5.335e+06
        ], True),
    "mini-batch|eta=0.3|w = [-3, 4], b = 5": (
        [
        109.8, 2012, 1233, 1063, 4628, 1923, 1.637e+05, 8.771e+04, 3.946e+05, 1.278e+06,
        3.473e+07, 1.862e+08
        ], True),
    "sgd|eta=0.01|w = ones, b = 0": (
        [
        1.677, 0.269, 0.05273, 0.01514, 0.007055, 0.005061, 0.004206, 0.003655, 0.003275,
        0.002962, 0.002667, 0.002419, 0.002185, 0.001978, 0.001787, 0.001618, 0.001465,
        0.001324, 0.001197, 0.001083, 0.0009818, 0.0008854, 0.0008038, 0.0007247, 0.0006567,
        0.0005939, 0.0005379, 0.0004855, 0.0004391, 0.0003973, 0.0003596, 0.0003268,
        0.0002949, 0.0002677, 0.0002421, 0.0002188, 0.0001989, 0.0001787, 0.0001611,
        0.0001463, 0.0001322
        ], False),
    "sgd|eta=0.01|w = [-3, 4], b = 5": (
        [
        109.8, 24.18, 7.108, 3.262, 2.225, 1.851, 1.62, 1.437, 1.295, 1.173, 1.058, 0.959,
        0.8665, 0.7844, 0.7087, 0.6417, 0.5809, 0.5248, 0.4745, 0.4292, 0.3893, 0.351,
        0.3187, 0.2874, 0.2604, 0.2355, 0.2133, 0.1925, 0.1741, 0.1575, 0.1426, 0.1296,
        0.1169, 0.1061, 0.096, 0.08675, 0.07886, 0.07086, 0.06389, 0.058, 0.05241
        ], False),
    "sgd|eta=0.05|w = ones, b = 0": (
        [
        1.677, 0.004922, 0.003046, 0.001668, 0.0009505, 0.0006435, 0.0003459, 0.0001898,
        0.0001151, 7.408e-05, 4.753e-05, 2.849e-05, 1.807e-05, 8.781e-06, 4.955e-06,
        3.558e-06, 2.379e-06, 9.775e-07, 5.641e-07, 3.852e-07, 2.123e-07, 1.173e-07,
        7.076e-08, 3.456e-08, 2.374e-08, 1.435e-08, 8.87e-09, 4.173e-09, 2.754e-09,
        1.951e-09, 8.645e-10, 5.433e-10, 3.426e-10, 1.588e-10, 1.129e-10, 5.439e-11,
        3.032e-11, 1.831e-11, 1.188e-11, 7.135e-12, 4.691e-12
        ], False),
    "sgd|eta=0.05|w = [-3, 4], b = 5": (
        [
        109.8, 2.308, 1.138, 0.6292, 0.3587, 0.2428, 0.1305, 0.07163, 0.04341, 0.02795,
        0.01794, 0.01075, 0.006817, 0.003313, 0.00187, 0.001343, 0.0008976, 0.0003688,
        0.0002128, 0.0001453, 8.009e-05, 4.425e-05, 2.67e-05, 1.304e-05, 8.956e-06,
        5.414e-06, 3.347e-06, 1.574e-06, 1.039e-06, 7.36e-07, 3.262e-07, 2.05e-07,
        1.293e-07, 5.992e-08, 4.258e-08, 2.052e-08, 1.144e-08, 6.909e-09, 4.484e-09,
        2.692e-09, 1.77e-09
        ], False),
    "sgd|eta=0.3|w = ones, b = 0": (
        [
        1.677, 2.168e+05, 8.844e+09
        ], True),
    "sgd|eta=0.3|w = [-3, 4], b = 5": (
        [
        109.8, 2.07e+06, 8.839e+10
        ], True),
    "logistic|eta=0.1|w = zeros, b = 0": (
        [
        0.6931, 0.6871, 0.6813, 0.6756, 0.6701, 0.6647, 0.6594, 0.6543, 0.6494, 0.6446,
        0.6399, 0.6353, 0.6309, 0.6265, 0.6223, 0.6182, 0.6142, 0.6103, 0.6065, 0.6028,
        0.5992, 0.5956, 0.5922, 0.5888, 0.5856, 0.5824, 0.5792, 0.5762, 0.5732, 0.5703,
        0.5675, 0.5647, 0.562, 0.5594, 0.5568, 0.5543, 0.5518, 0.5494, 0.5471, 0.5448,
        0.5425, 0.5403, 0.5382, 0.5361, 0.534, 0.532, 0.53, 0.5281, 0.5262, 0.5244, 0.5226
        ], False),
    "logistic|eta=0.1|w = [-4, 4], b = -3": (
        [
        2.496, 2.478, 2.461, 2.444, 2.427, 2.41, 2.393, 2.376, 2.359, 2.342, 2.325, 2.309,
        2.292, 2.276, 2.26, 2.243, 2.227, 2.211, 2.195, 2.179, 2.163, 2.148, 2.132, 2.116,
        2.101, 2.085, 2.07, 2.055, 2.039, 2.024, 2.009, 1.994, 1.979, 1.964, 1.95, 1.935,
        1.92, 1.906, 1.891, 1.877, 1.863, 1.849, 1.834, 1.82, 1.806, 1.792, 1.779, 1.765,
        1.751, 1.738, 1.724
        ], False),
    "logistic|eta=1|w = zeros, b = 0": (
        [
        0.6931, 0.6368, 0.5947, 0.5625, 0.5374, 0.5176, 0.5017, 0.4888, 0.4782, 0.4694,
        0.462, 0.4557, 0.4504, 0.4458, 0.4418, 0.4384, 0.4354, 0.4327, 0.4304, 0.4283,
        0.4265, 0.4248, 0.4233, 0.422, 0.4208, 0.4197, 0.4187, 0.4178, 0.4169, 0.4162,
        0.4155, 0.4149, 0.4143, 0.4138, 0.4133, 0.4128, 0.4124, 0.412, 0.4116, 0.4113,
        0.411, 0.4107, 0.4104, 0.4102, 0.4099, 0.4097, 0.4095, 0.4093, 0.4091, 0.4089,
        0.4088
        ], False),
    "logistic|eta=1|w = [-4, 4], b = -3": (
        [
        2.496, 2.324, 2.16, 2.004, 1.857, 1.717, 1.586, 1.462, 1.348, 1.241, 1.143, 1.053,
        0.9705, 0.8957, 0.8282, 0.7677, 0.714, 0.6669, 0.626, 0.591, 0.5614, 0.5366, 0.5159,
        0.4988, 0.4847, 0.473, 0.4632, 0.4551, 0.4483, 0.4426, 0.4377, 0.4336, 0.4301,
        0.4271, 0.4246, 0.4223, 0.4204, 0.4187, 0.4173, 0.416, 0.4149, 0.4139, 0.4131,
        0.4123, 0.4117, 0.4111, 0.4105, 0.4101, 0.4097, 0.4093, 0.409
        ], False),
    "logistic|eta=10|w = zeros, b = 0": (
        [
        0.6931, 0.4371, 0.4773, 0.6362, 0.6078, 0.8678, 0.4945, 0.5434, 0.5001, 0.5819,
        0.5169, 0.6182, 0.5177, 0.6099, 0.5135, 0.5976, 0.5117, 0.5943, 0.5116, 0.5947,
        0.5118, 0.5949, 0.5117, 0.5943, 0.5115, 0.5938, 0.5114, 0.5935, 0.5114, 0.5933,
        0.5113, 0.5932, 0.5113, 0.5932, 0.5113, 0.5931, 0.5113, 0.5931, 0.5113, 0.593,
        0.5113, 0.593, 0.5113, 0.593, 0.5113, 0.593, 0.5112, 0.593, 0.5112, 0.593, 0.5112
        ], False),
    "logistic|eta=10|w = [-4, 4], b = -3": (
        [
        2.496, 1.045, 0.5032, 0.4927, 0.5579, 0.8031, 0.5251, 0.6353, 0.5168, 0.6036,
        0.5115, 0.5924, 0.5109, 0.5929, 0.5116, 0.5948, 0.5118, 0.5948, 0.5116, 0.594,
        0.5114, 0.5935, 0.5113, 0.5933, 0.5113, 0.5933, 0.5113, 0.5932, 0.5113, 0.5931,
        0.5113, 0.5931, 0.5113, 0.593, 0.5113, 0.593, 0.5113, 0.593, 0.5113, 0.593, 0.5112,
        0.593, 0.5112, 0.593, 0.5112, 0.593, 0.5112, 0.593, 0.5112, 0.593, 0.5112
        ], False),
}  # fmt: skip
