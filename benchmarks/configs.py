"""What is benchmarked: the fit configurations and the scaling sizes.

Each comes in a full and a ``--quick`` (smoke run) version; ``--only``
selects among them by name.
"""

from dataclasses import asdict, dataclass

SCALING = "scaling"  # the --only name of the scaling and memory runs


@dataclass(frozen=True)
class Config:
    """One fit configuration, run by both libraries on the same work."""

    name: str
    data: str  # "digits" or "classification"
    n_samples: int
    n_features: int
    n_classes: int
    hidden: tuple
    solver: str
    batch_size: int
    epochs: int
    dtype: str
    learning_rate_init: float
    predict: bool = False  # also time predict throughput
    profile: bool = False  # also profile where skbp's time goes
    pairs: int = 5  # alternating pairs, unless --pairs says otherwise

    def to_dict(self):
        return {**asdict(self), "hidden": list(self.hidden)}

    @classmethod
    def from_dict(cls, d):
        return cls(**{**d, "hidden": tuple(d["hidden"])})


@dataclass(frozen=True)
class ScalingSpec:
    """skbp's fit over growing data sizes, for time per sample and memory."""

    sizes: tuple
    features: int
    hidden: tuple
    batch_size: int
    epochs: int
    repeats: int
    solver: str = "adam"
    dtype: str = "float32"

    def to_dict(self):
        return {**asdict(self), "sizes": list(self.sizes), "hidden": list(self.hidden)}

    @classmethod
    def from_dict(cls, d):
        return cls(**{**d, "sizes": tuple(d["sizes"]), "hidden": tuple(d["hidden"])})


def fit_configs(quick):
    """The fit configurations, in the order they run."""
    # Many short pairs rather than a few long ones: this VM has slow phases
    # (the same GEMM up to 1.6x slower for seconds to tens of seconds), and
    # a short pair is more likely to fall within one phase.
    if quick:
        med = {"n_samples": 2000, "n_features": 20, "hidden": (32, 32)}
        med.update(batch_size=64, epochs=2, pairs=2)
        big = {"n_samples": 5000, "n_features": 20, "hidden": (32, 32)}
        big.update(batch_size=128, epochs=1, pairs=2)
        small = {"epochs": 10, "pairs": 2}
    else:
        med = {"n_samples": 50_000, "n_features": 100, "hidden": (256, 256)}
        med.update(batch_size=256, epochs=2, pairs=11)
        big = {"n_samples": 200_000, "n_features": 100, "hidden": (256, 256)}
        big.update(batch_size=256, epochs=1, pairs=7)
        small = {"epochs": 100, "pairs": 7}
    lr = {"adam": 1e-3, "sgd": 1e-2}
    configs = [
        Config(
            f"small-{solver}",
            "digits",
            n_samples=1797,
            n_features=64,
            n_classes=10,
            hidden=(100,),
            solver=solver,
            batch_size=200,
            dtype="float64",
            learning_rate_init=lr[solver],
            **small,
        )
        for solver in ("adam", "sgd")
    ]
    for dtype in ("float32", "float64"):
        for solver in ("sgd", "adam"):
            configs.append(
                Config(
                    f"medium-f{dtype[-2:]}-{solver}",
                    "classification",
                    n_classes=10,
                    solver=solver,
                    dtype=dtype,
                    learning_rate_init=lr[solver],
                    predict=True,
                    profile=True,
                    **med,
                )
            )
    configs.append(
        Config(
            "large-adam",
            "classification",
            n_classes=10,
            solver="adam",
            dtype="float32",
            learning_rate_init=lr["adam"],
            **big,
        )
    )
    return configs


def scaling_spec(quick):
    if quick:
        return ScalingSpec(
            sizes=(2000, 8000),
            features=20,
            hidden=(32, 32),
            batch_size=64,
            epochs=1,
            repeats=1,
        )
    return ScalingSpec(
        sizes=(10_000, 30_000, 100_000, 300_000, 1_000_000),
        features=100,
        hidden=(256, 256),
        batch_size=256,
        epochs=2,
        repeats=3,
    )


def names():
    """Every name ``--only`` accepts (the full run's; quick ones match)."""
    return [c.name for c in fit_configs(False)] + [SCALING]


def matches(name, only):
    """``--only medium`` selects every medium-* config; exact names work too."""
    return name == only or name.startswith(only.rstrip("-") + "-")


def wanted(name, only):
    """Whether ``name`` runs, for the ``--only`` values given (None: all)."""
    return not only or any(matches(name, o) for o in only)
