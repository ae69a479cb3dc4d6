"""Training runs and comparisons: models that can fit do, seeds reproduce curves byte for byte,
trials are independent draws summarised honestly, dead networks are counted, costs are bounded."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from service import numerics
from service.numerics import Deadline, DeadlineExceeded
from service.numerics.networks import (
    Entrant,
    Init,
    Limits,
    LinearTeacher,
    NonlinearTeacher,
    Plane,
    Study,
    compare,
    cost,
    distribution,
    estimate,
    optimizer,
)
from service.numerics.networks.runs import study_data, train_entrant
from service.numerics.networks.schedules import Cosine
from service.numerics.networks.training import Training

LIMITS = Limits()


def entrant(name: str = "relu", **fields: Any) -> Entrant:
    activation = numerics.get(name)
    options: dict[str, Any] = {
        "widths": (16, 16),
        "training": Training(20, 0.01, optimizer("adam")),
        "label": name,
        **fields,
    }
    params = activation.resolve(options.pop("params", {}))
    return Entrant(activation=activation, params=params, **options)


def study(**fields: Any) -> Study:
    options: dict[str, Any] = {"task": Plane(name="moons", noise=0.1), "batch": 32, "seed": 0}
    return Study(**{**options, **fields})


def test_a_network_that_can_fit_a_linear_teacher_does() -> None:
    task = LinearTeacher(inputs=8, outputs=2, size=400)
    run = entrant(
        "identity", widths=(16,), training=Training(300, 0.02, optimizer("adam"), Cosine())
    )
    history = compare([run], study(task=task, trials=2, dtype="float64"), LIMITS).histories[0]
    assert history.train_accuracy is None
    assert history.train_loss[:, 0].min() > 0.3  # half the targets' variance, to begin with
    assert history.train_loss[:, -1].max() < 1e-4 and history.test_loss[:, -1].max() < 1e-4


def test_relus_learn_the_spiral_and_a_nonlinear_teacher() -> None:
    spiral = study(task=Plane(name="spiral"), trials=2)
    run = entrant(widths=(32, 32, 32), training=Training(1500, 0.01, optimizer("adam")))
    history = compare([run], spiral, LIMITS).histories[0]
    assert history.train_accuracy is not None and history.test_accuracy is not None
    assert history.train_accuracy[:, 0].max() < 0.7  # chance, or near it, to begin with
    assert history.train_accuracy[:, -1].min() > 0.95 and history.test_accuracy[:, -1].min() > 0.9
    teacher = NonlinearTeacher(activation=numerics.get("tanh"), inputs=4, width=16, size=600)
    fitted = compare(
        [entrant("tanh", widths=(64,), training=Training(600, 0.01, optimizer("adam")))],
        study(task=teacher, batch=64),
        LIMITS,
    ).histories[0]
    assert fitted.train_loss[0, -1] < 0.05 * fitted.train_loss[0, 0]


def test_a_seed_reproduces_every_curve_byte_for_byte() -> None:
    runs = [entrant(), entrant("tanh", training=Training(20, 0.1, optimizer("momentum")))]
    for dtype in ("float32", "float64"):
        first = compare(runs, study(trials=3, dtype=dtype), LIMITS)
        again = compare(runs, study(trials=3, dtype=dtype), LIMITS)
        for one, other in zip(first.histories, again.histories, strict=True):
            for field in dataclasses.fields(one):
                a, b = getattr(one, field.name), getattr(other, field.name)
                if isinstance(a, np.ndarray):
                    assert a.tobytes() == b.tobytes(), field.name
    other = compare(runs, study(trials=3, seed=1), LIMITS).histories[0]
    assert other.train_loss.tobytes() != first.histories[0].train_loss.tobytes()


def test_trial_t_is_the_same_network_however_many_trials() -> None:
    few = compare([entrant()], study(trials=2, dtype="float64"), LIMITS).histories[0]
    many = compare([entrant()], study(trials=5, dtype="float64"), LIMITS).histories[0]
    np.testing.assert_array_equal(few.train_loss, many.train_loss[:2])
    assert not np.array_equal(many.train_loss[0], many.train_loss[1])


def test_stacked_trials_train_as_they_would_alone() -> None:
    # The same trial trained in a stack of three and in a stack of one: the stack changes
    # the interpreter's work, not the arithmetic (beyond BLAS's blocking, ~1e-12 in float64).
    stack = compare([entrant()], study(trials=3, dtype="float64"), LIMITS).histories[0]
    data = study_data(study(dtype="float64"))
    alone = train_entrant(entrant(), study(trials=1, dtype="float64"), data)
    np.testing.assert_allclose(stack.train_loss[:1], alone.train_loss, rtol=1e-10)


def test_full_batches_and_minibatches() -> None:
    full = compare([entrant()], study(batch=2048), LIMITS).histories[0]
    assert full.batch == 250  # the whole training split
    mini = compare([entrant()], study(batch=7), LIMITS).histories[0]
    assert mini.batch == 7


def test_a_negative_bias_kills_relus_at_birth_and_leaky_relus_survive() -> None:
    init = Init(scheme="he_normal", bias_mean=-3.0)
    runs = [entrant(init=init, label="relu"), entrant("leaky_relu", init=init, label="leaky")]
    relu, leaky = compare(runs, study(trials=8), LIMITS).histories
    assert relu.born_dead.mean() > 0.5 and relu.layer_dead_fraction[:, 0, -1].mean() > 0.9
    assert leaky.born_dead.mean() == 0 and leaky.dead_fraction.max() == 0
    healthy = compare([entrant(init=Init(scheme="he_normal"))], study(trials=8), LIMITS)
    assert healthy.histories[0].born_dead.mean() == 0


def test_deep_narrow_relu_nets_are_born_dead_in_most_seeds() -> None:
    # Lu, Shin, Su & Karniadakis 2019: depth 30, width 3, He init: most seeds dead at birth.
    task = LinearTeacher(inputs=3, size=200)
    runs = [entrant(widths=(3,) * 30, init=Init(scheme="he_normal"), training=Training(0))]
    history = compare(runs, study(task=task, trials=32), LIMITS).histories[0]
    assert 0.5 < history.born_dead.mean() < 1
    assert history.steps == (0,)


def test_a_large_rate_kills_relus_during_training() -> None:
    runs = [entrant(training=Training(60, 1.0), init=Init(scheme="he_normal"))]
    history = compare(runs, study(task=LinearTeacher(inputs=16, size=400), trials=8), LIMITS)
    died = history.histories[0].died
    assert died.any() and not history.histories[0].born_dead.any()


def test_diverging_runs_are_reported_not_raised() -> None:
    runs = [entrant("identity", training=Training(50, 10.0))]
    history = compare(runs, study(task=LinearTeacher(inputs=16, size=200)), LIMITS).histories[0]
    assert history.diverged.all() and history.train_loss[0, -1] == math.inf


def test_records_and_gradient_norms() -> None:
    assert study(record_every=4).recorded_steps(10) == (0, 4, 8, 10)
    # About once an epoch: 1001 steps of 32 examples are 64 passes over 500.
    assert study().recorded_steps(1000) == (*range(0, 1000, 16), 1000)
    assert study().recorded_steps(100) == tuple(range(0, 101, 10))  # at least 10 records
    assert study(batch=500).recorded_steps(1000) == tuple(range(0, 1001, 10))  # at most 100
    assert study().recorded_steps(0) == (0,)
    clipped = Training(10, 0.01, optimizer("adam"), clip_norm=1e-3)
    history = compare([entrant(training=clipped)], study(record_every=5), LIMITS).histories[0]
    assert history.steps == (0, 5, 10)
    assert history.learning_rate == [0.01, 0.01, None]
    assert (history.grad_norm > 1e-3).all()  # recorded before clipping
    assert history.layer_grad_rms.shape == (1, 3, 3)


def test_distributions_are_numpys() -> None:
    values = np.random.default_rng(0).standard_normal((40, 3))
    summary = distribution(values)
    np.testing.assert_allclose(summary.mean, values.mean(axis=0))
    np.testing.assert_allclose(summary.std, values.std(axis=0, ddof=1))
    np.testing.assert_allclose(summary.q25, np.quantile(values, 0.25, axis=0))
    np.testing.assert_allclose(summary.max, values.max(axis=0))
    assert distribution(values[:1]).std == [0.0, 0.0, 0.0]


def test_confidence_intervals_are_students() -> None:
    values = np.random.default_rng(1).standard_normal(12) + 3
    found = estimate(values, 0.9)
    low, high = stats.t.interval(0.9, 11, loc=values.mean(), scale=stats.sem(values))
    assert found.low == pytest.approx(low, rel=1e-12) and found.high == pytest.approx(
        high, rel=1e-12
    )
    assert estimate(values[:1], 0.9).low is None
    assert estimate(np.array([1.0, math.inf]), 0.9).high is None


def test_the_ranking_puts_the_best_first_with_paired_intervals() -> None:
    runs = [
        entrant("sigmoid", training=Training(200, 0.01, optimizer("adam"))),
        entrant("relu", training=Training(200, 0.01, optimizer("adam"))),
    ]
    result = compare(runs, study(task=Plane(name="circle"), trials=6), LIMITS)
    ranking = result.ranking
    assert ranking.metric == "test_accuracy" and ranking.step == 200
    first, second = ranking.standings
    assert (first.label, first.rank, second.rank) == ("relu", 1, 2)
    assert first.versus_best is None and first.estimate.mean >= second.estimate.mean
    assert second.versus_best is not None and second.versus_best.mean <= 0
    loss = compare(runs, study(task=Plane(name="circle"), trials=2), LIMITS, metric="test_loss")
    assert loss.ranking.metric == "test_loss"
    with pytest.raises(numerics.InvalidInput) as caught:
        compare(runs, study(task=LinearTeacher()), LIMITS, metric="test_accuracy")
    assert caught.value.loc == ("rank_by",)


def test_entrants_need_distinct_labels() -> None:
    with pytest.raises(numerics.InvalidInput) as caught:
        compare([entrant(), entrant()], study(), LIMITS)
    assert caught.value.loc == ("entrants",)


def test_a_run_checks_its_deadline_at_every_step() -> None:
    calls = 0

    def clock() -> float:
        nonlocal calls
        calls += 1
        return 0.0 if calls <= 2 else 1.0  # set, then checked once, then past

    with pytest.raises(DeadlineExceeded):
        compare([entrant()], study(), LIMITS, deadline=Deadline(0.5, clock=clock))
    assert calls == 3, "stopped at the first check past the deadline"


@pytest.mark.parametrize(
    ("limits", "change", "limit", "loc"),
    [
        ({"max_trials": 2}, {"trials": 3}, "max_trials", ("trials",)),
        ({"max_entrants": 1}, {}, "max_entrants", ("entrants",)),
        ({"max_run_steps": 10}, {}, "max_run_steps", ("training", "steps")),
        ({"max_examples": 100}, {}, "max_examples", ("task", "size")),
        ({"max_records": 5}, {"record_every": 2}, "max_records", ("record_every",)),
        ({"max_batch": 16}, {}, "max_batch", ("batch",)),
        (
            {"max_training_multiply_adds": 10**6},
            {},
            "max_training_multiply_adds",
            ("training", "steps"),
        ),
        ({"max_element_ops": 10**6}, {}, "max_element_ops", ("training", "steps")),
        ({"max_layer_steps": 100}, {}, "max_layer_steps", ("training", "steps")),
        ({"max_training_floats": 10**5}, {}, "max_training_floats", ("trials",)),
        ({"max_width": 8}, {}, "max_width", ("entrants", 0, "width")),
        ({"max_depth": 1}, {}, "max_depth", ("entrants", 0, "depth")),
    ],
)
def test_over_limit_requests_name_the_limit_and_the_field(
    limits: dict[str, int], change: dict[str, Any], limit: str, loc: tuple[Any, ...]
) -> None:
    runs = [entrant(), entrant("tanh")]
    with pytest.raises(numerics.LimitExceeded) as caught:
        compare(runs, study(**change), Limits(**limits))
    assert caught.value.limit == limit and caught.value.loc == loc


def test_the_cost_counts_trials_steps_optimizer_state_and_the_activation() -> None:
    one = cost([entrant()], study(), LIMITS)
    four = cost([entrant()], study(trials=4), LIMITS)
    assert four.multiply_adds == 4 * one.multiply_adds and four.element_ops == 4 * one.element_ops
    longer = entrant(training=Training(40, 0.01, optimizer("adam")))
    assert cost([longer], study(), LIMITS).layer_steps > one.layer_steps
    sgd = entrant(training=Training(20, 0.01, optimizer("sgd")))
    assert cost([sgd], study(), LIMITS).floats < one.floats  # no moments to hold
    assert cost([sgd], study(), LIMITS).element_ops < one.element_ops  # and less to update
    assert (
        cost([entrant(), entrant("tanh")], study(), LIMITS).multiply_adds == 2 * one.multiply_adds
    )
    # An exponential costs more per element than a rectifier, and float64 more than float32.
    tanh = cost([entrant("tanh")], study(), LIMITS)
    assert tanh.element_ops > one.element_ops and tanh.multiply_adds == one.multiply_adds
    assert cost([entrant("tanh")], study(dtype="float64"), LIMITS).element_ops > tanh.element_ops
