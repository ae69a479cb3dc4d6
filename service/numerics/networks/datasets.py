"""Two-dimensional classification sets: the TensorFlow Playground's four, and two moons.

As the Playground draws them (github.com/tensorflow/playground, src/dataset.ts), class 1
being its positive label and class 0 its negative one, half of the points in each (the
larger half in class 1 when the size is odd); ``noise`` means what it means there (its
slider's percent / 100, from 0 to 0.5):

- circle: class 1 at radius U(0, 2.5), class 0 at radius U(3.5, 5), uniform angles; each label
  is that of the point moved by noise * U(-5, 5) per coordinate (inside radius 2.5 or not),
  so noise mislabels points near the boundary without moving them;
- xor: x, y ~ U(-5, 5), pushed 0.3 away from the axes; class 1 where (x + nx)(y + ny) >= 0
  with nx, ny ~ noise * U(-5, 5);
- gaussian: two normal clouds centred at (2, 2) (class 1) and (-2, -2), of variance
  0.5 + 7 noise per coordinate (the Playground's scale from [0, 0.5] to [0.5, 4]);
- spiral: point i of n in each class at radius 5 i / n and angle 3.5 pi i / n (plus pi for
  class 0), x = r sin t, y = r cos t, each moved by noise * U(-1, 1);
- moons (scikit-learn's make_moons): class 0 on the upper half circle (cos s, sin s), class
  1 on (1 - cos s, 1/2 - sin s), s evenly spaced over [0, pi], plus N(0, noise^2) per
  coordinate (noise is a standard deviation here, as there).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from service.numerics.types import Array

__all__ = ["PLANES", "PlaneName", "fourier_features", "plane"]

PlaneName = Literal["circle", "xor", "gaussian", "spiral", "moons"]
Labels = npt.NDArray[np.intp]
Points = tuple[Array, Labels]


def _circle(sizes: tuple[int, int], noise: float, rng: np.random.Generator) -> Points:
    radius = 5.0
    parts = []
    for size, (low, high) in zip(sizes, ((0.7 * radius, radius), (0, radius / 2)), strict=True):
        r = rng.uniform(low, high, size)
        angle = rng.uniform(0, 2 * math.pi, size)
        points = np.column_stack((r * np.sin(angle), r * np.cos(angle)))
        moved = points + rng.uniform(-radius, radius, (size, 2)) * noise
        parts.append((points, np.hypot(moved[:, 0], moved[:, 1]) < radius / 2))
    return _join(parts)


def _xor(sizes: tuple[int, int], noise: float, rng: np.random.Generator) -> Points:
    points = rng.uniform(-5, 5, (sum(sizes), 2))
    points += np.where(points > 0, 0.3, -0.3)
    moved = points + rng.uniform(-5, 5, points.shape) * noise
    return points, (moved[:, 0] * moved[:, 1] >= 0).astype(np.intp)


def _gaussian(sizes: tuple[int, int], noise: float, rng: np.random.Generator) -> Points:
    std = math.sqrt(0.5 + 3.5 * noise / 0.5)
    parts = [
        (rng.normal(centre, std, (size, 2)), np.full(size, label == 1))
        for size, centre, label in zip(sizes, (-2.0, 2.0), (0, 1), strict=True)
    ]
    return _join(parts)


def _spiral(sizes: tuple[int, int], noise: float, rng: np.random.Generator) -> Points:
    parts = []
    for size, delta, label in zip(sizes, (math.pi, 0.0), (0, 1), strict=True):
        i = np.arange(size) / size
        r, t = 5 * i, 1.75 * i * 2 * math.pi + delta
        points = np.column_stack((r * np.sin(t), r * np.cos(t)))
        points += rng.uniform(-1, 1, (size, 2)) * noise
        parts.append((points, np.full(size, label == 1)))
    return _join(parts)


def _moons(sizes: tuple[int, int], noise: float, rng: np.random.Generator) -> Points:
    outer = np.linspace(0, math.pi, sizes[0])
    inner = np.linspace(0, math.pi, sizes[1])
    points = np.concatenate(
        (
            np.column_stack((np.cos(outer), np.sin(outer))),
            np.column_stack((1 - np.cos(inner), 0.5 - np.sin(inner))),
        )
    )
    points += rng.normal(0, noise, points.shape) if noise else 0.0
    return points, np.repeat([0, 1], sizes)


def _join(parts: Sequence[tuple[Array, npt.NDArray[Any]]]) -> Points:
    return (
        np.concatenate([points for points, _ in parts]),
        np.concatenate([labels for _, labels in parts]).astype(np.intp),
    )


PLANES: Mapping[PlaneName, Callable[[tuple[int, int], float, np.random.Generator], Points]] = (
    MappingProxyType(
        {
            "circle": _circle,
            "xor": _xor,
            "gaussian": _gaussian,
            "spiral": _spiral,
            "moons": _moons,
        }
    )
)


def plane(name: PlaneName, size: int, noise: float, rng: np.random.Generator) -> Points:
    """``size`` points (size, 2) and their classes (size,) in {0, 1}, in the order drawn."""
    class_zero = size // 2
    return PLANES[name]((class_zero, size - class_zero), noise, rng)


def fourier_features(x: Array, count: int, bandwidth: float, rng: np.random.Generator) -> Array:
    """Random Fourier features (Rahimi & Recht 2007) of the rows of x: sqrt(2) cos(x W / l + b)
    with W ~ N(0, 1), b ~ U(0, 2 pi), l the bandwidth. Each feature has mean square 1, and the
    inner product of two rows' features / count approximates the Gaussian kernel
    exp(-|x - x'|^2 / (2 l^2))."""
    weights = rng.standard_normal((x.shape[1], count)) / bandwidth
    phases = rng.uniform(0, 2 * math.pi, count)
    features: Array = math.sqrt(2) * np.cos(x @ weights + phases)
    return features
