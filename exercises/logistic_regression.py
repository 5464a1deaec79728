"""Exercise 3: batch gradient descent for logistic regression.

The second exercise at the end of the notes: apply batch gradient descent to logistic
regression, following the same steps as for linear regression. The targets are now labels
`y_i` of 0 or 1, and the model predicts the probability that a label is 1:

    z_i = x_i w + b,        p_i = sigmoid(z_i) = 1 / (1 + exp(-z_i)).

The loss is the mean binary cross-entropy, which is small when `p_i` is close to `y_i`:

    L = -(1/N) * sum_i [ y_i log(p_i) + (1 - y_i) log(1 - p_i) ].

Practise on a small set of 20 observations with two features that no straight line separates
perfectly (so the loss has a finite minimiser):

    from grader.datasets import toy_classification
    X, y = toy_classification()      # X is (20, 2), y is (20, 1) of 0/1

Write the functions in the order of this file: `sigmoid`, `predict_proba`, `bce`,
`logistic_gradients`, `logistic_gradient_descent`, then `predict`. The conventions of
exercise 1 hold here too: `X` is `(n, p)`, `w` is `(p, 1)`, `b` is a real number, `y` may be
`(n,)` or `(n, 1)`, integer inputs work, and no function modifies an array it was given.

How to check your work
    Run `grade` in the folder that holds `exercises/` (it runs the public tests on
    `./exercises`), and `grade hint logistic_gradients` (or any other function name) for guiding
    questions. Once a function is written, `python -m doctest -v exercises/logistic_regression.py`
    runs the examples below.
"""

from __future__ import annotations

# You will need NumPy, and the examples in the docstrings use it as `np`.
import numpy as np  # noqa: F401


def sigmoid(z):
    """The logistic function `1 / (1 + exp(-z))`, elementwise and overflow-free.

    It squashes any real number into (0, 1): `sigmoid(0) = 0.5`, large positive `z` give
    values near 1 and large negative `z` values near 0.

    It must return a finite value, without any floating-point warning, for every finite `z`,
    even `z = -1000`. Watch out: written literally, the formula computes `exp(1000)` there,
    which overflows to infinity (NumPy warns "overflow encountered in exp"). Find another way
    of writing the same function that is safe where this one is not.

    Args:
        z: a number or an array of any shape (integers allowed).

    Returns:
        Float values of the same shape as `z`.

    Example (every warning turned into an error, as the tests do):

        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("error")
        ...     print(sigmoid(np.array([-1000.0, 0.0, 1000.0])))
        [0.  0.5 1. ]
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def predict_proba(X, w, b):
    """Probabilities `sigmoid(X @ w + b)` of the class 1, shape (n, 1).

    The linear part is the model of exercise 1, `z = X w + b 1`; the sigmoid turns each `z_i`
    into the probability `p_i` that observation i has label 1.

    Args:
        X: data, shape `(n, p)`.
        w: weights, shape `(p, 1)`.
        b: the bias, a real number.

    Returns:
        `p`, an array of shape `(n, 1)` with values in [0, 1].

    Example (here `z = [[-2], [0]]`):

        >>> p = predict_proba(np.array([[0, 0], [1, 1]]), np.array([[1], [1]]), -2)
        >>> print(np.round(p, 4))
        [[0.1192]
         [0.5   ]]
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def bce(p, y, eps=1e-12):
    """Mean binary cross-entropy of probabilities `p` against labels `y`, a float.

        L = -(1/N) * sum_i [ y_i log(p_i) + (1 - y_i) log(1 - p_i) ].

    A probability of exactly 0 or 1 would put `log(0)` into the sum. Clip `p` into the interval
    `[eps, 1 - eps]` first (`numpy.clip`), so that the loss stays finite: a confident wrong
    answer then costs `-log(eps)`, about 27.6, instead of infinity.

    Args:
        p: probabilities, shape `(N, 1)` or `(N,)`.
        y: labels 0 or 1, shape `(N,)` or `(N, 1)`; either shape gives the same loss.
        eps: how far from 0 and 1 the probabilities are kept.

    Returns:
        The loss, a real scalar (a Python float or a NumPy float).

    Examples (a coin flip costs log 2 per observation; certainty in the wrong answer is
    expensive, but finite):

        >>> print(round(float(bce(np.array([[0.5], [0.5]]), np.array([0, 1]))), 4))
        0.6931
        >>> print(round(float(bce(np.array([0.0, 1.0]), np.array([1, 0]))), 4))
        27.631
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def logistic_gradients(X, y, w, b):
    """Gradients `(dw, db)` of the mean cross-entropy with respect to w and b.

    The same three steps as for linear regression in the notes, with one more link in the
    chain because the prediction now goes through the sigmoid. For a batch of N observations:

    Step 1, the loss and the predictions:

        L = -(1/N) * sum_i [ y_i log(p_i) + (1 - y_i) log(1 - p_i) ],
        p_i = sigmoid(z_i),        z = X w + b 1.

    Step 2, the derivatives of each link:

        dL/dp_i = (1/N) * [ -y_i / p_i + (1 - y_i) / (1 - p_i) ]
                = (1/N) * (p_i - y_i) / (p_i (1 - p_i)),
        dp_i/dz_i = p_i (1 - p_i)        (differentiate 1 / (1 + exp(-z)) to see why),
        dz/dw = X,                        dz/db = 1 (a column of N ones).

    Step 3, the chain rule. Multiply the first two: the factor `p_i (1 - p_i)` cancels, and

        dL/dz_i = (1/N) (p_i - y_i),

    the same shape of formula as for linear regression, without the 2. Then, exactly as in
    exercise 1,

        dL/dw = (1/N) X^T (p - y),  a (p, 1) column;
        dL/db = (1/N) * (the sum of the entries of p - y).

    A way to check any gradient: nudge one weight by a small `h` up and down, and compare
    `(L(w + h) - L(w - h)) / (2 h)` with the matching entry of `dw`.

    Args:
        X: data, shape `(N, p)`.
        y: labels 0 or 1, shape `(N,)` or `(N, 1)`.
        w: weights, shape `(p, 1)`.
        b: the bias, a real number.

    Returns:
        `(dw, db)`: `dw` a float array of shape `(p, 1)`, `db` a real scalar.

    Example (the toy classification set from `w = 0`, `b = 0`, where every `p_i` is 0.5;
    13 of the 20 labels are 1):

        >>> from grader.datasets import toy_classification
        >>> X, y = toy_classification()
        >>> dw, db = logistic_gradients(X, y, np.zeros((2, 1)), 0)
        >>> print(np.round(dw, 4))
        [[-0.1695]
         [-0.097 ]]
        >>> print(round(float(db), 4))
        -0.15
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    """Full-batch gradient descent for logistic regression; returns the fitted `(w, b)`.

    Batch gradient descent: every iteration uses all n observations, so there is no shuffling
    and no randomness; the same call always gives the same result. The rules:

    1. Starting point: `w` defaults to zeros of shape `(p, 1)` and `b` to `0.0` (every
       probability starts at 0.5).
    2. Iterations: repeat at most `max_iter` times.
    3. The stopping rule, before every update: compute the loss (`bce`) of the current `w` and
       `b` on the whole data set. If it differs from the previous iteration's loss by less than
       `tol` (in absolute value), return the current `(w, b)` without updating. Otherwise
       remember this loss and update `w` and `b` with the gradients of `logistic_gradients`
       (`w - eta * dL/dw`, `b - eta * dL/db`). The "previous loss" starts at infinity.
    4. After `max_iter` iterations, return `(w, b)`; `max_iter=0` returns the starting values.

    Args:
        X: data, shape `(n, p)`.
        y: labels 0 or 1, shape `(n,)` or `(n, 1)`.
        eta: the learning rate.
        w: the starting weights, shape `(p, 1)`, or `None` for zeros. Do not modify it.
        b: the starting bias, or `None` for `0.0`.
        max_iter: the largest number of iterations.
        tol: the tolerance of the stopping rule.

    Returns:
        `(w, b)`: a float array of shape `(p, 1)` and a real scalar.

    Example (the toy classification set with the default settings):

        >>> from grader.datasets import toy_classification
        >>> X, y = toy_classification()
        >>> w, b = logistic_gradient_descent(X, y)
        >>> print(np.round(w, 3))
        [[1.652]
         [1.325]]
        >>> print(round(float(b), 3))
        2.232
        >>> print(round(float(bce(predict_proba(X, w, b), y)), 4))
        0.4062
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError


def predict(X, w, b, threshold=0.5):
    """Class labels 0/1, shape (n, 1): 1 where `predict_proba >= threshold`.

    An observation whose probability is exactly the threshold gets the label 1.

    Args:
        X: data, shape `(n, p)`.
        w: weights, shape `(p, 1)`.
        b: the bias, a real number.
        threshold: the probability from which the label is 1.

    Returns:
        An array of shape `(n, 1)` of an integer dtype, holding 0s and 1s.

    Example (the probabilities are about 0.5, 0.88 and 0.12; the first is exactly 0.5):

        >>> labels = predict(np.array([[0, 0], [1, 1], [-1, -1]]), np.array([[1], [1]]), 0)
        >>> print(labels)
        [[1]
         [1]
         [0]]
        >>> print(np.issubdtype(labels.dtype, np.integer))
        True
    """
    # TODO: write this function, then delete the line below.
    raise NotImplementedError
