"""The benchmark's results as typed records, and their JSON form.

The runner builds these records, the report prints them, and the tests read
the JSON back through them: a key the runner writes that no record declares,
or one a record needs that is missing, fails ``from_dict`` at once instead
of surfacing later as a ``KeyError`` in some report line.

Library-keyed numbers (``times["skbp"]``, ``median["gemm"]``) stay dicts:
their keys are the libraries that ran (torch only when importable). The
profiler's breakdown and cProfile listing are kept as ``_profile`` returns
them.
"""

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from benchmarks.configs import Config, ScalingSpec

# Field metadata: how a field appears in the JSON.
_OPTIONAL = "optional"  # written only when not None; may be missing
_ONLY_IF = "only_if"  # written only when this other (local) field is true
_LOCAL = "local"  # never written: derived when read
_LOAD = "load"  # builds the field's value from its JSON form


def _optional(load=None):
    return {_OPTIONAL: True, _LOAD: load}


def _loaded(load):
    return {_LOAD: load}


def _list_of(cls):
    return lambda items: [cls.from_dict(i) for i in items]


def _dict_of(load):
    return lambda mapping: {k: load(v) for k, v in mapping.items()}


def _plain(value):
    """A record's value as JSON-ready Python: dicts, lists and scalars."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class Record:
    """``to_dict`` / ``from_dict`` for a dataclass, by its fields in order."""

    def to_dict(self):
        out = {}
        for f in fields(self):
            meta, value = f.metadata, getattr(self, f.name)
            if meta.get(_LOCAL) or (meta.get(_OPTIONAL) and value is None):
                continue
            if _ONLY_IF in meta and not getattr(self, meta[_ONLY_IF]):
                continue
            out[f.name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, d, **local):
        stored = [f for f in fields(cls) if not f.metadata.get(_LOCAL)]
        unknown = set(d) - {f.name for f in stored}
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
        kwargs = dict(local)
        for f in stored:
            if f.name not in d:
                if f.metadata.get(_OPTIONAL) or _ONLY_IF in f.metadata:
                    continue
                raise KeyError(f"{cls.__name__}: missing key {f.name!r}")
            load, value = f.metadata.get(_LOAD), d[f.name]
            kwargs[f.name] = value if load is None or value is None else load(value)
        return cls(**kwargs)


# ----------------------------------------------------------------------
# One fit configuration
@dataclass(kw_only=True)
class TargetVerdict(Record):
    """One target of one CPU class: met (True), missed (False) or not judged
    (None, where the run measured nothing to judge)."""

    target: str
    ok: bool | None
    detail: str


@dataclass(kw_only=True)
class Reference(Record):
    """The reference workload timed around every run: its size in epochs and
    its median seconds over the whole config."""

    epochs: int
    median: float


@dataclass(kw_only=True)
class PredictResult(Record):
    n_rows: int
    times: dict  # library -> seconds per predict, one per pair
    rows_per_second: dict  # library -> rows / median seconds
    ratio: float  # skbp rows/s / sklearn rows/s
    contention: float | None


@dataclass(kw_only=True)
class ProfileResult(Record):
    breakdown: dict  # _profile.breakdown of the best of the fits, plus "walls"
    cprofile: dict  # _profile.cprofile
    cprofile_file: str  # the full listing, beside the JSON
    dispatch_probe: dict  # workloads.overhead_probe
    dispatch_overhead_seconds: float
    dispatch_overhead_fraction: float
    matmul_share: float
    gemm_fraction_normalised: float
    contention: float | None


@dataclass(kw_only=True)
class ConfigResult(Record):
    """One config's pairs and what follows from them (see metrics)."""

    config: Config = field(metadata=_loaded(Config.from_dict))
    loadavg_end: list | None
    n_pairs: int
    layer_units: list
    times: dict  # library -> seconds, one per accepted pair
    median: dict
    ratios: list  # sklearn / skbp per pair
    ratio_median: float
    ratio_of_medians: float
    ratio_of_mins: float
    min: dict
    gemm_fractions: list  # gemm / skbp per pair
    gemm_fraction: float
    gemm_fraction_of_medians: float
    reference: Reference = field(metadata=_loaded(Reference.from_dict))
    median_normalised: dict
    ratios_normalised: list
    ratio_normalised_median: float
    gemm_fraction_normalised: float
    gemm_fraction_sklearn: float
    gemm_gflops: float
    effective_gflops: dict
    n_iter: dict  # library -> epochs run (a list where pairs disagreed)
    contention: list
    disturbed_pairs: int
    discarded_pairs: list  # the redone pairs' records, as timed
    dtype_of_coefs: dict
    final_loss: dict
    final_loss_rel_diff_max: float
    first_epoch_loss_rel_diff_max: float
    train_accuracy: dict
    accuracy_abs_diff: float
    # Whether torch was importable and tried; the JSON has torch_error then.
    torch_tried: bool = field(default=False, metadata={_LOCAL: True})
    torch_error: str | None = field(default=None, metadata={_ONLY_IF: "torch_tried"})
    torch_final_loss_rel_diff: float | None = field(default=None, metadata=_optional())
    agree: bool
    predict: PredictResult | None = field(
        default=None, metadata=_optional(PredictResult.from_dict)
    )
    profile: ProfileResult | None = field(
        default=None, metadata=_optional(ProfileResult.from_dict)
    )

    @classmethod
    def from_dict(cls, d, **local):
        return super().from_dict(d, torch_tried="torch_error" in d, **local)


# ----------------------------------------------------------------------
# Scaling
@dataclass(kw_only=True)
class ScalingRow(Record):
    """One data size: the memory worker's record, then the timed fits."""

    # from _memory.py, one fresh process
    n_samples: int
    n_features: int
    dtype: str
    epochs: int
    X_nbytes: int
    y_nbytes: int
    weights_nbytes: int
    rss_after_imports: int | None
    rss_after_data: int | None
    rss_before_fit: int | None
    peak_rss_fit: int | None
    peak_reset_supported: bool
    peak_extra_rss: int | None
    peak_extra_tracemalloc: int
    memory_limit_extra: int
    memory_ok: bool | None
    # timed here, sizes interleaved
    times: list
    contention: list
    fits_redone: int
    fits_kept_disturbed: int
    median: float
    min: float
    us_per_sample_epoch: float
    us_per_sample_epoch_min: float
    reference_times: list
    us_per_sample_epoch_normalised: float


@dataclass(kw_only=True)
class ScalingResult(Record):
    spec: ScalingSpec = field(metadata=_loaded(ScalingSpec.from_dict))
    rows: list = field(metadata=_loaded(_list_of(ScalingRow)))
    reference_median: float
    per_sample_spread: float  # max / min over sizes of us_per_sample_epoch
    per_sample_spread_min: float
    per_sample_spread_normalised: float
    flat_target: float
    flat_ok: bool  # judged on the phase-normalised spread
    memory_rule: str
    memory_ok: bool


# ----------------------------------------------------------------------
# The machine, one CPU class, both classes
@dataclass(kw_only=True)
class NumpyDispatch(Record):
    level: str  # "x86-64-v4", "x86-64-v3", ...
    enabled: dict  # feature -> whether numpy's loops for it run
    cpu_dispatch: list | None  # the targets numpy was built for
    cpu_baseline: list | None


@dataclass(kw_only=True)
class ClassCheck(Record):
    """Whether this process really measures the CPU class it was asked for."""

    ok: bool
    problems: list


@dataclass(kw_only=True)
class Meta(Record):
    timestamp: str
    argv: list
    cpu_option: str
    class_env: dict
    class_check: ClassCheck = field(metadata=_loaded(ClassCheck.from_dict))
    numpy_dispatch: NumpyDispatch = field(metadata=_loaded(NumpyDispatch.from_dict))
    kernel_choices: dict
    scaling_skipped: str | None = None
    quick: bool
    pairs: int | None
    threads_limit: int | None
    git_commit: str | None
    git_dirty: bool | None
    skbp_dirty: bool | None
    python: str
    platform: str
    cpu: str | None
    n_cpus: int | None
    versions: dict
    skbp_path: str
    env: dict
    numpy_blas: dict
    torch_threads: int | None
    threadpool_info: list
    loadavg_start: list | None
    others_cpu_share_start: float | None
    # set when the class's run ends
    total_seconds: float | None = None
    retry_seconds_spent: float | None = None
    loadavg_end: list | None = None


@dataclass(kw_only=True)
class ClassResult(Record):
    """Everything one CPU class measured (one child's JSON)."""

    meta: Meta = field(metadata=_loaded(Meta.from_dict))
    configs: dict = field(metadata=_loaded(_dict_of(ConfigResult.from_dict)))
    scaling: ScalingResult | None = field(
        default=None, metadata=_loaded(ScalingResult.from_dict)
    )
    targets: list = field(
        default_factory=list, metadata=_loaded(_list_of(TargetVerdict))
    )


@dataclass(kw_only=True)
class CombinedResult(Record):
    """``--cpu both``: each class's results and targets, and the run's files."""

    native: ClassResult | None = field(metadata=_loaded(ClassResult.from_dict))
    avx2: ClassResult | None = field(metadata=_loaded(ClassResult.from_dict))
    avx2_is_native: bool
    targets: dict = field(metadata=_loaded(_dict_of(_list_of(TargetVerdict))))
    notes: list
    failed: list
    files: dict
    table: str
    total_seconds: float


# ----------------------------------------------------------------------
# Files
def _jsonable(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def write_json(path, record):
    with open(path, "w") as f:
        json.dump(record.to_dict(), f, indent=1, default=_jsonable)


def read_json(path, cls):
    with open(path) as f:
        return cls.from_dict(json.load(f))
