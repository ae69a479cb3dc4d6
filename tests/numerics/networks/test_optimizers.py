"""Optimizers, clipping and schedules: PyTorch's formulas, checked against torch.optim where it
is installed and against closed forms everywhere."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from service import numerics
from service.numerics.networks.optimizers import (
    OPTIMIZERS,
    Adam,
    OptimizerName,
    clip_by_global_norm,
    optimizer,
)
from service.numerics.networks.schedules import Constant, Cosine, Schedule, StepDecay
from service.numerics.networks.training import Training

# Each optimizer with its defaults and with every option it has turned on.
CASES: list[tuple[OptimizerName, dict[str, Any]]] = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01}),
    ("momentum", {}),
    ("nesterov", {"weight_decay": 0.1}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.1, "weight_decay": 0.01, "initial_accumulator_value": 0.5}),
    ("rmsprop", {}),
    ("rmsprop", {"momentum": 0.9, "centered": True, "weight_decay": 0.01, "alpha": 0.9}),
    ("adam", {}),
    ("adam", {"betas": (0.8, 0.99), "amsgrad": True, "weight_decay": 0.01, "eps": 1e-6}),
    ("adamw", {}),
    ("adamw", {"amsgrad": True, "weight_decay": 0.1}),
]
TORCH_CLASSES = {
    "sgd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}


def _gradients(step: int, shapes: list[tuple[int, ...]], dtype: Any) -> list[np.ndarray]:
    """Gradients that change sign and scale from step to step, so every state matters."""
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(shape).astype(dtype) * (1 + step) for shape in shapes]


def _ours(
    name: OptimizerName, options: dict[str, Any], lr: float, dtype: Any, steps: int
) -> list[list[np.ndarray]]:
    shapes = [(3, 4), (4,)]
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
    stepper = optimizer(name, **options).start(params)
    history = []
    for step in range(steps):
        stepper.step(params, _gradients(step, shapes, dtype), lr)
        history.append([p.copy() for p in params])
    return history


@pytest.mark.parametrize(("name", "options"), CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_each_optimizer_takes_pytorchs_steps(
    name: OptimizerName, options: dict[str, Any], dtype: Any
) -> None:
    torch = pytest.importorskip("torch")
    lr, steps = 0.05, 6
    ours = _ours(name, options, lr, dtype, steps)
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,)]
    params = [
        torch.nn.Parameter(torch.from_numpy(rng.standard_normal(s).astype(dtype))) for s in shapes
    ]
    preset = OPTIMIZERS[name].defaults
    kind = getattr(torch.optim, TORCH_CLASSES[name])
    theirs = kind(params, lr=lr, **{**preset, **options})
    tolerance = 1e-13 if dtype == np.float64 else 3e-6
    for step in range(steps):
        for p, g in zip(params, _gradients(step, shapes, dtype), strict=True):
            p.grad = torch.from_numpy(g)
        theirs.step()
        for mine, their in zip(ours[step], params, strict=True):
            np.testing.assert_allclose(mine, their.detach().numpy(), rtol=tolerance, atol=tolerance)


def test_first_steps_have_closed_forms() -> None:
    lr, g = 0.1, np.array([2.0, -0.5, 1e-3])

    def first(name: OptimizerName, **options: Any) -> np.ndarray:
        p = np.zeros(3)
        stepper = optimizer(name, **options).start([p])
        stepper.step([p], [g.copy()], lr)
        return p

    np.testing.assert_allclose(first("sgd"), -lr * g, rtol=1e-15)
    np.testing.assert_allclose(first("momentum"), -lr * g, rtol=1e-15)  # the buffer starts at g
    np.testing.assert_allclose(first("nesterov"), -lr * 1.9 * g, rtol=1e-15)
    # Adagrad and Adam take a first step of lr per coordinate whatever the gradient's scale:
    # what makes them "adaptive", and why a large rate moves every weight by that much.
    np.testing.assert_allclose(first("adagrad"), -lr * np.sign(g), rtol=1e-7)
    np.testing.assert_allclose(first("adam"), -lr * np.sign(g), rtol=1e-4)
    np.testing.assert_allclose(first("rmsprop"), -lr * np.sign(g) / math.sqrt(0.01), rtol=1e-4)


def test_adamw_decays_weights_apart_from_the_gradient() -> None:
    p = np.ones(2)
    stepper = optimizer("adamw", weight_decay=0.5).start([p])
    stepper.step([p], [np.zeros(2)], 0.1)
    np.testing.assert_allclose(p, 1 - 0.1 * 0.5)  # zero gradient: only the decay moves p
    q = np.ones(2)
    adam = optimizer("adam", weight_decay=0.5).start([q])
    adam.step([q], [np.zeros(2)], 0.1)
    np.testing.assert_allclose(q, 1 - 0.1, rtol=1e-6)  # L2: the decay is the gradient, normalised


def test_presets_change_only_their_defaults() -> None:
    assert optimizer("momentum").hyperparameters() == {
        "momentum": 0.9,
        "dampening": 0.0,
        "nesterov": False,
        "weight_decay": 0.0,
    }
    assert optimizer("nesterov").hyperparameters()["nesterov"] is True
    assert isinstance(optimizer("adamw"), Adam) and optimizer("adamw").hyperparameters()[
        "weight_decay"
    ] == pytest.approx(0.01)
    assert optimizer("adam", eps=1e-3).hyperparameters()["eps"] == 1e-3


@pytest.mark.parametrize(
    ("name", "options", "field"),
    [
        ("sgd", {"nesterov": True}, "nesterov"),
        ("nesterov", {"dampening": 0.5}, "nesterov"),
        ("sgd", {"momentum": 1.0}, "momentum"),
        ("adam", {"betas": (0.9, 1.0)}, "betas"),
        ("rmsprop", {"alpha": -0.1}, "alpha"),
        ("adagrad", {"eps": -1.0}, "eps"),
    ],
)
def test_impossible_hyperparameters_are_refused(
    name: OptimizerName, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(numerics.InvalidInput) as caught:
        optimizer(name, **options)
    assert caught.value.loc == ("training", "optimizer", field)


def test_clipping_scales_to_the_global_norm() -> None:
    grads = [np.array([[3.0, 0.0]]), np.array([4.0])]
    norms = clip_by_global_norm(grads, 1.0, stacked=False)
    assert norms[0] == 5.0
    np.testing.assert_allclose(grads[0], [[3 / (5 + 1e-6), 0.0]])
    np.testing.assert_allclose(grads[1], [4 / (5 + 1e-6)])
    small = [np.array([0.3]), np.array([0.4])]
    clip_by_global_norm(small, 1.0, stacked=False)
    assert small[0][0] == 0.3 and small[1][0] == 0.4  # under the norm: untouched
    # Stacked: one norm per trial, each trial clipped on its own.
    stack = [np.array([[3.0, 4.0], [0.3, 0.4]])]
    norms = clip_by_global_norm(stack, 1.0, stacked=True)
    np.testing.assert_allclose(norms, [5.0, 0.5])
    np.testing.assert_allclose(stack[0], [[3 / (5 + 1e-6), 4 / (5 + 1e-6)], [0.3, 0.4]])


def test_clipping_agrees_with_pytorch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal((5, 3)), rng.standard_normal(3)]
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(params, 0.5)
    norms = clip_by_global_norm(grads, 0.5, stacked=False)
    assert norms[0] == pytest.approx(float(total), rel=1e-14)
    for p, g in zip(params, grads, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-14)


SCHEDULES: list[tuple[Schedule, str]] = [
    (Constant(), "constant"),
    (Constant(warmup_steps=5), "constant + warm-up"),
    (StepDecay(step_size=7, gamma=0.5), "step"),
    (StepDecay(step_size=4, gamma=0.3, warmup_steps=6, warmup_start_factor=0.1), "step + warm-up"),
    (Cosine(), "cosine"),
    (Cosine(min_learning_rate=0.01, warmup_steps=5), "cosine + warm-up"),
    (Cosine(cycle=8), "cosine, short cycle"),
]


@pytest.mark.parametrize(("schedule", "label"), SCHEDULES, ids=[label for _, label in SCHEDULES])
def test_schedules_give_pytorchs_rates(schedule: Schedule, label: str) -> None:
    torch = pytest.importorskip("torch")
    lr, steps = 0.1, 30
    ours = schedule.rates(lr, steps)
    sgd = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = _torch_schedule(torch, sgd, schedule, steps)
    theirs = []
    for _ in range(steps):
        theirs.append(sgd.param_groups[0]["lr"])
        sgd.step()
        scheduler.step()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def _torch_schedule(torch: Any, sgd: Any, schedule: Schedule, steps: int) -> Any:
    scheduler = torch.optim.lr_scheduler
    warm = schedule.warmup_steps
    if isinstance(schedule, StepDecay):
        main = scheduler.StepLR(sgd, step_size=schedule.step_size, gamma=schedule.gamma)
    elif isinstance(schedule, Cosine):
        main = scheduler.CosineAnnealingLR(
            sgd, T_max=schedule.cycle or steps - warm, eta_min=schedule.min_learning_rate
        )
    else:
        main = scheduler.ConstantLR(sgd, factor=1.0, total_iters=0)
    if not warm:
        return main
    warmup = scheduler.LinearLR(sgd, start_factor=schedule.warmup_start_factor, total_iters=warm)
    return scheduler.SequentialLR(sgd, [warmup, main], milestones=[warm])


def test_schedules_have_their_closed_forms() -> None:
    np.testing.assert_allclose(
        StepDecay(step_size=2, gamma=0.5).rates(1.0, 6), [1, 1, 0.5, 0.5, 0.25, 0.25]
    )
    cosine = Cosine(min_learning_rate=0.1).rates(1.0, 4)  # a cycle of 4: halfway at step 2
    np.testing.assert_allclose(cosine[[0, 2]], [1.0, 0.55])
    warm = Constant(warmup_steps=4, warmup_start_factor=0.2).rates(1.0, 6)
    np.testing.assert_allclose(warm, [0.2, 0.4, 0.6, 0.8, 1.0, 1.0])


@pytest.mark.parametrize(
    ("schedule", "rate", "field"),
    [
        (Constant(warmup_steps=11), None, "warmup_steps"),
        (StepDecay(step_size=10), None, "step_size"),
        (StepDecay(step_size=5, warmup_steps=5), None, "step_size"),
        (Cosine(min_learning_rate=0.5), 0.1, "min_learning_rate"),
        (Cosine(warmup_steps=10), None, "warmup_steps"),
    ],
)
def test_schedules_that_make_no_sense_are_refused(
    schedule: Schedule, rate: float | None, field: str
) -> None:
    with pytest.raises(numerics.InvalidInput) as caught:
        Training(10, rate, schedule=schedule)
    assert caught.value.loc == ("training", "schedule", field)


def test_a_schedule_is_built_sound() -> None:
    with pytest.raises(numerics.InvalidInput):
        StepDecay(step_size=2, gamma=1.5)
    with pytest.raises(numerics.InvalidInput):
        Constant(warmup_start_factor=0.0)


def test_the_default_rate_is_pytorchs() -> None:
    assert Training(1).rate == 1e-3
    assert Training(1, optimizer=optimizer("adagrad")).rate == 1e-2
    assert Training(1, 0.5, optimizer=optimizer("adam")).rate == 0.5
