"""Exercise 1: the gradient of a batch, and mini-batch gradient descent for linear regression.

The notes fit the linear model `y_hat = X @ w + b` to a toy data set of 12 observations with two
features, made from the true weights `w = [[1.5], [1.5]]` and bias `b = 0.1`:

    from grader.datasets import toy_regression
    X, y = toy_regression()          # X is (12, 2), y is (12, 1)

You will build mini-batch gradient descent one small piece at a time, in this order:

1. `predict`              the model's predictions for a batch of observations;
2. `mse`                  the loss: how far the predictions are from the targets;
3. `gradients`            how the loss changes when `w` and `b` change (the heart of it);
4. `update`               one step downhill;
5. `lr_gradient_descent`  repeat over shuffled mini-batches until the loss stops changing.

Conventions (the same in all three exercises)
    `X` is `(n, p)`, one observation per row. `w` is a `(p, 1)` column and `b` a real number.
    Predictions are `(n, 1)` columns. A target `y` may arrive as `(n,)` or as `(n, 1)`: your
    functions must give the same answer for both. Integer arrays must work too: the notes start
    from `w = np.array([[1], [1]])` and `b = 0`. Never modify an array you were given; return new
    ones. Returned weights (and their gradients) are float arrays of shape `(p, 1)`; returned
    biases (and their gradients) are real scalars.

How to check your work
    Replace each `raise NotImplementedError` with your code, then run `grade` in the folder that
    holds `exercises/`: it runs the public tests on `./exercises` and tells you what to look at.
    Stuck on a function? `grade hint gradients` (or any other function name) asks you guiding
    questions. The examples in the docstrings below are real checks too: once a function is
    written, `python -m doctest -v exercises/batch_gradient.py` runs them.
"""

from __future__ import annotations

# You will need NumPy, and the examples in the docstrings use it as `np`.
import numpy as np  # noqa: F401


def predict(X, w, b):
    """Predict `y_hat = X @ w + b` for every row of X, shape (n, 1).

    The model of the notes predicts observation i (row `x_i` of `X`, shape `(1, p)`) as

        y_hat_i = x_i w + b,

    and all n observations at once as `y_hat = X w + b 1`, where `1` is a column of n ones.

    Args:
        X: array of shape `(n, p)`, one observation per row.
        w: weights, shape `(p, 1)`.
        b: the bias, a real number.

    Returns:
        `y_hat`, an array of shape `(n, 1)`.

    Example (the first three observations of the notes):

        >>> X = np.array([[1, 2], [3, 1], [1, 1]])
        >>> print(predict(X, np.array([[1], [1]]), 0.5))
        [[3.5]
         [4.5]
         [2.5]]
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def mse(y_pred, y_true):
    """Mean squared error between predictions and targets, a float.

    Step 1 of the notes: for N observations,

        L = (1/N) * sum_i (y_hat_i - y_i)^2  =  (1/N) (y_hat - y)^T (y_hat - y).

    Args:
        y_pred: the predictions `y_hat`, shape `(N, 1)` or `(N,)`.
        y_true: the targets `y`, shape `(N,)` or `(N, 1)`; either shape gives the same loss.

    Returns:
        The loss, a real scalar (a Python float or a NumPy float).

    Example (the first batch of the notes, with `w = [[1], [1]]` and `b = 0`). Here the two
    arguments have different shapes on purpose: if you get 4.7267 instead of 2.7267, print the
    shape of `y_pred - y_true`.

        >>> y_hat = np.array([[3], [4], [2]])
        >>> print(round(float(mse(y_hat, np.array([4.6, 6.1, 3.1]))), 4))
        2.7267
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def gradients(X, y, w, b):
    """Gradients `(dw, db)` of the mean squared error of a batch with respect to w and b.

    Follow steps 1 to 3 of the notes. For a batch of N observations (N is the number of rows of
    the `X` you are given, not the size of the whole data set):

    Step 1, the loss and the predictions:

        L = (1/N) (y_hat - y)^T (y_hat - y),        y_hat = X w + b 1.

    Step 2, the derivative of the loss with respect to the predictions, and of the predictions
    with respect to the parameters:

        dL/dy_hat = (2/N) (y_hat - y)     an (N, 1) column,
        dy_hat/dw = X,                    dy_hat/db = 1 (a column of N ones).

    Step 3, the chain rule:

        dL/dw = (dL/dy_hat)^T dy_hat/dw, written as a column: (2/N) X^T (y_hat - y),  (p, 1);
        dL/db = (dL/dy_hat)^T 1        = (2/N) * (the sum of the entries of y_hat - y).

    Args:
        X: the batch, shape `(N, p)`.
        y: its targets, shape `(N,)` or `(N, 1)`.
        w: weights, shape `(p, 1)`.
        b: the bias, a real number.

    Returns:
        `(dw, db)`: `dw` a float array of shape `(p, 1)`, `db` a real scalar.

    Example (step 4 of the notes: the first batch of 3, from `w = [[1], [1]]` and `b = 0`):

        >>> from grader.datasets import toy_regression
        >>> X, y = toy_regression()
        >>> dw, db = gradients(X[:3], y[:3], np.array([[1], [1]]), 0)
        >>> print(np.round(dw, 4))
        [[-6.    ]
         [-4.2667]]
        >>> print(round(float(db), 4))
        -3.2
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def update(w, b, dw, db, eta):
    """One gradient-descent step: `(w - eta * dw, b - eta * db)`, as new objects.

    Step 5 of the notes: move each parameter a small step `eta` (the learning rate) against its
    gradient, which is the direction in which the loss decreases fastest:

        w_new = w - eta * dL/dw,        b_new = b - eta * dL/db.

    The caller's `w` must be left as it was: build new values, do not change `w` in place.

    Args:
        w: weights, shape `(p, 1)` (integers allowed).
        b: the bias, a real number.
        dw: the gradient with respect to `w`, shape `(p, 1)`.
        db: the gradient with respect to `b`, a real number.
        eta: the learning rate, a positive real number.

    Returns:
        `(w_new, b_new)`: a float array of shape `(p, 1)` and a real scalar.

    Example (step 5 of the notes: the gradients of the first batch, with `eta = 0.1`):

        >>> w = np.array([[1], [1]])
        >>> w_new, b_new = update(w, 0, np.array([[-6.0], [-4.2667]]), -3.2, eta=0.1)
        >>> print(np.round(w_new, 4))
        [[1.6   ]
         [1.4267]]
        >>> print(round(float(b_new), 4))
        0.32
        >>> print(w)
        [[1]
         [1]]
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    """Mini-batch gradient descent for linear regression; returns the fitted `(w, b)`.

    Put `predict`, `mse`, `gradients` and `update` together. Follow these rules exactly: with
    the same seed, every correct implementation makes exactly the same updates, and the grader
    compares yours with the reference update for update.

    1. Starting point: `w` defaults to ones of shape `(p, 1)` and `b` to `0.0`, as in the notes.
       A `batch_size` of n or more means one batch holding all n observations, which is
       full-batch gradient descent.
    2. Randomness: turn `rng` into a generator once, with `numpy.random.default_rng(rng)`, so
       that `None`, an integer seed and a `numpy.random.Generator` all work. Use no other
       source of randomness.
    3. Epochs: repeat at most `max_iter` times. Each epoch draws the order
       `rng.permutation(n)` exactly once and cuts it into consecutive batches: the first
       `batch_size` positions of that order, then the next `batch_size`, and so on. The last
       batch may be smaller; use it anyway, with its own size (with n = 12 and
       `batch_size = 5`, an epoch has batches of 5, 5 and 2 observations).
    4. The stopping rule, before every update: compute the loss (`mse`) of the current `w` and
       `b` on the current batch. If it differs from the previous batch's loss by less than
       `tol` (in absolute value), return the current `(w, b)` at once, without updating.
       Otherwise remember this loss and update `w` and `b` with the gradients of this batch.
       Before the very first batch, the "previous loss" is infinity, so the first update
       always happens.
    5. After `max_iter` epochs, return `(w, b)`. So `max_iter=0` returns the starting values.

    Args:
        X: data, shape `(n, p)`.
        y: targets, shape `(n,)` or `(n, 1)`.
        batch_size: the number N of observations per batch.
        eta: the learning rate.
        w: the starting weights, shape `(p, 1)`, or `None` for ones. Do not modify it.
        b: the starting bias, or `None` for `0.0`.
        max_iter: the largest number of epochs (passes over the data).
        tol: the tolerance of the stopping rule.
        rng: `None`, an `int` seed or a `numpy.random.Generator`.

    Returns:
        `(w, b)`: a float array of shape `(p, 1)` and a real scalar.

    Examples (the end of the notes: it converges to about `w = [[1.5], [1.5]]`, `b = 0.1`):

        >>> from grader.datasets import toy_regression
        >>> X, y = toy_regression()
        >>> w, b = lr_gradient_descent(X, y, batch_size=3, max_iter=1000, rng=1)
        >>> print(np.round(w, 2))
        [[1.5]
         [1.5]]
        >>> print(round(float(b), 2))
        0.1

    A short run that checks the rules of steps 2 to 4 digit for digit (12 observations in
    batches of 5, so every epoch ends with a batch of 2):

        >>> w, b = lr_gradient_descent(X, y, batch_size=5, max_iter=2, rng=1)
        >>> print(np.round(w, 4))
        [[1.4808]
         [1.4228]]
        >>> print(round(float(b), 4))
        0.2166
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError
