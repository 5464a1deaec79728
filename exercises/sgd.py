"""Exercise 2: stochastic gradient descent on the toy data of the notes.

The first exercise at the end of the notes: apply stochastic gradient descent (SGD) to the same
example as exercise 1. SGD updates `w` and `b` once for every single observation, instead of
once per batch. It is mini-batch gradient descent with batches of one observation, so all the
mathematics of exercise 1 still holds with N = 1. For one observation `x_i` (a `(1, p)` row) and
its target `y_i`:

    L_i       = (y_hat_i - y_i)^2,          y_hat_i = x_i w + b,
    dL_i/dy_hat_i = 2 (y_hat_i - y_i),
    dL_i/dw   = 2 x_i^T (y_hat_i - y_i)     a (p, 1) column,
    dL_i/db   = 2 (y_hat_i - y_i)           a real number.

You will write one SGD step (`sgd_step`), then the whole method (`sgd`). The conventions of
exercise 1 hold here too: `X` is `(n, p)`, `w` is `(p, 1)`, `b` is a real number, `y` may be
`(n,)` or `(n, 1)`, integer inputs work, and no function modifies an array it was given.

How to check your work
    Run `grade` in the folder that holds `exercises/` (it runs the public tests on
    `./exercises`), and `grade hint sgd_step` or `grade hint sgd` for guiding questions. Once a
    function is written, `python -m doctest -v exercises/sgd.py` runs the examples below.
"""

from __future__ import annotations

# You will need NumPy, and the examples in the docstrings use it as `np`.
import numpy as np  # noqa: F401


def sgd_step(x, y, w, b, eta):
    """One stochastic gradient step on a single observation; returns the new `(w, b)`.

    Compute the prediction of this one observation, the gradients `dL_i/dw` and `dL_i/db` of
    its squared error (see the top of this module), and move against them:

        w_new = w - eta * dL_i/dw,        b_new = b - eta * dL_i/db.

    Args:
        x: one observation, shape `(p,)` or `(1, p)`.
        y: its target: a number, or any array holding exactly one number.
        w: weights, shape `(p, 1)`. Do not modify it.
        b: the bias, a real number.
        eta: the learning rate.

    Returns:
        `(w_new, b_new)`: a float array of shape `(p, 1)` and a real scalar.

    Example (the first observation of the notes, `x = [1, 2]`, `y = 4.6`, from
    `w = [[1], [1]]` and `b = 0`; check it by hand: the prediction is 3):

        >>> w, b = sgd_step(np.array([1, 2]), 4.6, np.array([[1], [1]]), 0, eta=0.1)
        >>> print(np.round(w, 4))
        [[1.32]
         [1.64]]
        >>> print(round(float(b), 4))
        0.32
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    """Stochastic gradient descent for linear regression; returns the fitted `(w, b)`.

    The rules are those of `lr_gradient_descent` in exercise 1 with one observation per batch.
    Follow them exactly: with the same seed, every correct implementation makes the same updates.

    1. Starting point: `w` defaults to ones of shape `(p, 1)` and `b` to `0.0`.
    2. Randomness: turn `rng` into a generator once, with `numpy.random.default_rng(rng)`
       (`None`, an integer seed and a `numpy.random.Generator` all work), and use nothing else.
    3. Epochs: repeat at most `max_iter` times. Each epoch draws the order
       `rng.permutation(n)` exactly once and visits every observation once, in that order.
    4. The stopping rule, before every update: compute the squared error of the current `w` and
       `b` on the observation about to be used. If it differs from the previous observation's
       loss by less than `tol` (in absolute value), return the current `(w, b)` without
       updating. Otherwise remember this loss and make one `sgd_step`. The "previous loss"
       starts at infinity.
    5. After `max_iter` epochs, return `(w, b)`; `max_iter=0` returns the starting values.

    The learning rate defaults to 0.01, smaller than in exercise 1: the gradient of a single
    observation is a noisy estimate of the gradient of the whole data set.

    A good test of both exercises: with the same seed, `sgd(X, y, eta=e, rng=s)` returns the
    same `(w, b)` as `lr_gradient_descent(X, y, batch_size=1, eta=e, rng=s)` from exercise 1.

    Args:
        X: data, shape `(n, p)`.
        y: targets, shape `(n,)` or `(n, 1)`.
        eta: the learning rate.
        w: the starting weights, shape `(p, 1)`, or `None` for ones. Do not modify it.
        b: the starting bias, or `None` for `0.0`.
        max_iter: the largest number of epochs (passes over the data).
        tol: the tolerance of the stopping rule.
        rng: `None`, an `int` seed or a `numpy.random.Generator`.

    Returns:
        `(w, b)`: a float array of shape `(p, 1)` and a real scalar.

    Example (it finds the true parameters of the toy data, `w = [[1.5], [1.5]]`, `b = 0.1`):

        >>> from grader.datasets import toy_regression
        >>> X, y = toy_regression()
        >>> w, b = sgd(X, y, rng=0)
        >>> print(np.round(w, 2))
        [[1.5]
         [1.5]]
        >>> print(round(float(b), 2))
        0.1
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError
