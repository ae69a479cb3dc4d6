"""Tasks: the 2-D sets as the Playground and scikit-learn draw them, the teachers, the splits,
and the losses' gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

from service import numerics
from service.numerics.networks.datasets import fourier_features, plane
from service.numerics.networks.tasks import (
    LinearTeacher,
    NonlinearTeacher,
    Plane,
    build,
    loss_gradient,
    scores,
)


def test_spiral_arms_wind_as_the_playgrounds() -> None:
    points, labels = plane("spiral", 200, 0.0, np.random.default_rng(0))
    assert points.shape == (200, 2) and np.bincount(labels).tolist() == [100, 100]
    radius = np.hypot(points[:, 0], points[:, 1])
    # Point i of n per arm sits at radius 5 i / n: 0 up to 5 (exclusive), evenly.
    np.testing.assert_allclose(np.sort(radius[labels == 1]), np.arange(100) / 100 * 5, atol=1e-12)
    # The two arms are each other rotated by pi.
    np.testing.assert_allclose(points[labels == 0], -points[labels == 1], atol=1e-12)


def test_circle_labels_say_inside_or_outside() -> None:
    points, labels = plane("circle", 1000, 0.0, np.random.default_rng(1))
    radius = np.hypot(points[:, 0], points[:, 1])
    assert (radius[labels == 1] < 2.5).all() and (radius[labels == 0] >= 3.5).all()
    _, noisy = plane("circle", 1000, 0.5, np.random.default_rng(1))
    assert 0 < np.count_nonzero(noisy != labels) < 500  # noise mislabels some near the border


def test_xor_labels_follow_the_quadrants() -> None:
    points, labels = plane("xor", 1000, 0.0, np.random.default_rng(2))
    assert (np.abs(points) >= 0.3).all() and (np.abs(points) <= 5.3).all()
    np.testing.assert_array_equal(labels, points[:, 0] * points[:, 1] >= 0)


def test_gaussian_clouds_sit_at_plus_and_minus_two() -> None:
    points, labels = plane("gaussian", 20000, 0.0, np.random.default_rng(3))
    np.testing.assert_allclose(points[labels == 1].mean(axis=0), [2, 2], atol=0.03)
    np.testing.assert_allclose(points[labels == 0].var(axis=0), [0.5, 0.5], rtol=0.05)
    noisy, noisy_labels = plane("gaussian", 20000, 0.5, np.random.default_rng(3))
    np.testing.assert_allclose(noisy[noisy_labels == 0].var(axis=0), [4, 4], rtol=0.05)


def test_moons_are_scikit_learns() -> None:
    points, labels = plane("moons", 7, 0.0, np.random.default_rng(4))
    # make_moons(7, noise=None, shuffle=False): 3 on the outer moon, 4 on the inner one.
    s3, s4 = np.linspace(0, math.pi, 3), np.linspace(0, math.pi, 4)
    outer = np.column_stack((np.cos(s3), np.sin(s3)))
    inner = np.column_stack((1 - np.cos(s4), 1 - np.sin(s4) - 0.5))
    np.testing.assert_allclose(points, np.concatenate((outer, inner)), atol=1e-15)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 1]


def test_random_fourier_features_approximate_the_gaussian_kernel() -> None:
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    features = fourier_features(x, 20000, 1.5, np.random.default_rng(5))
    gram = features @ features.T / 20000
    distances = np.sum((x[:, None] - x[None]) ** 2, axis=-1)
    np.testing.assert_allclose(gram, np.exp(-distances / (2 * 1.5**2)), atol=0.03)


def test_a_plane_task_is_split_and_standardised() -> None:
    data = build(
        Plane(name="spiral", size=501, test_fraction=0.3), np.random.default_rng(6), np.float32
    )
    assert data.x_train.shape == (351, 2) and data.x_test.shape == (150, 2)
    assert data.x_train.dtype == np.float32 and data.classes == 2
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(data.x_train.std(axis=0), 1, rtol=1e-5)
    lifted = build(Plane(name="xor", features=64), np.random.default_rng(6), np.float64)
    assert lifted.x_train.shape == (250, 64)
    assert np.mean(lifted.x_train**2) == pytest.approx(1, rel=0.1)


def test_teachers_give_targets_of_unit_variance() -> None:
    # Var(t_j) = |T_j|^2, chi-square over inputs: 1 in expectation, within ~0.07 for 400.
    linear = build(
        LinearTeacher(inputs=400, outputs=3, size=5000), np.random.default_rng(7), np.float64
    )
    assert linear.classes is None and linear.y_train.shape == (4000, 3)
    np.testing.assert_allclose(linear.y_train.var(axis=0), 1, rtol=0.25)
    teacher = NonlinearTeacher(activation=numerics.get("tanh"), inputs=8, outputs=2, noise=0.5)
    nonlinear = build(teacher, np.random.default_rng(8), np.float64)
    both = np.concatenate((nonlinear.y_train, nonlinear.y_test))
    np.testing.assert_allclose(both.var(axis=0), 1 + 0.25, rtol=0.15)


def test_a_dead_teacher_is_refused() -> None:
    relu = numerics.get("relu")
    # A teacher whose every unit is cut off gives constant targets: nothing to learn.
    teacher = NonlinearTeacher(activation=relu, params=relu.resolve({"threshold": 1e6}))
    with pytest.raises(numerics.InvalidInput) as caught:
        build(teacher, np.random.default_rng(0), np.float64)
    assert caught.value.loc == ("task", "activation")


@pytest.mark.parametrize(("size", "fraction"), [(1, 0.5), (10, 0.01), (10, 0.99)])
def test_both_splits_need_examples(size: int, fraction: float) -> None:
    with pytest.raises(numerics.InvalidInput):
        Plane(name="moons", size=size, test_fraction=fraction)


@pytest.mark.parametrize("classes", [None, 3])
def test_loss_gradients_match_finite_differences(classes: int | None) -> None:
    rng = np.random.default_rng(9)
    outputs = rng.standard_normal((2, 5, 3))  # two trials of five examples
    targets = rng.integers(0, 3, (2, 5)) if classes else rng.standard_normal((2, 5, 3))
    gradient = loss_gradient(outputs, targets, classes)
    step = 1e-6
    for index in np.ndindex(outputs.shape):
        plus, minus = outputs.copy(), outputs.copy()
        plus[index] += step
        minus[index] -= step
        numeric = (scores(plus, targets, classes)[0] - scores(minus, targets, classes)[0]) / (
            2 * step
        )
        assert gradient[index] == pytest.approx(numeric[index[0]], abs=1e-7)


def test_scores_count_what_is_right_and_what_is_not_finite() -> None:
    logits = np.array([[[2.0, 1.0], [0.0, 3.0], [np.nan, 0.0], [1e300, -1e300]]])
    losses, correct = scores(logits, np.array([0, 1, 1, 1]), 2)
    assert correct is not None and correct.tolist() == [2.0]  # the nan row counts as wrong
    assert losses.tolist() == [math.inf]  # nan loss reads as diverged
    regression, none = scores(np.array([[[1.0], [3.0]]]), np.array([[0.0], [1.0]]), None)
    assert none is None and regression.tolist() == [0.5 * (1 + 4)]
