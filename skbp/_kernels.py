"""Which exact formulation of an activation runs on this CPU.

Some activations can be written several ways that are equal in exact
arithmetic and agree to a few ulp in floating point, but whose speed depends
on which SIMD loops numpy was built with for the CPU it runs on. numpy's
``tanh`` has a float64 SIMD loop only for AVX-512 (x86-64-v4): there the
logistic written through ``tanh`` is fastest, while on an AVX2 (x86-64-v3)
or older CPU the same formula runs 2-4 times slower than one built on
``exp``, which is vectorised for every class (ns per element, measured with
numpy 2.4 on one Sapphire Rapids machine, each class selected with
``NPY_DISABLE_CPU_FEATURES``; see docs/benchmarks.rst)::

                          x86-64-v4      x86-64-v3      x86-64-v2
                          f32    f64     f32    f64     f32    f64
    logistic, tanh form   0.48   1.56    1.80   7.78   14.4   16.2
    logistic, exp form    0.90   1.61    1.25   3.69    2.25   3.91
    scipy.special.expit   2.57   4.20    2.61   4.16    2.71   4.21
    tanh, np.tanh         0.25   1.15    1.61   7.56   12.1   12.4
    tanh, exp form        0.91   1.90    1.33   3.93    2.34   4.23

The choice is a fixed table keyed by numpy's *dispatched* CPU features, never
a timing taken in the running process: a timing race must not change which
formula runs, or the same ``random_state`` would stop giving bit-identical
weights from one run to the next. Classes not in the table (other
architectures) get the ``exp`` forms, whose ufunc numpy vectorises most
widely. The environment variable ``SKBP_KERNELS`` overrides the table, e.g.
``SKBP_KERNELS="logistic=tanh"`` or ``"logistic:float64=exp,tanh=tanh"``;
it is read once, at import.
"""

import os
import platform

try:  # numpy >= 2.0
    from numpy._core._multiarray_umath import __cpu_features__
except ImportError:  # numpy 1.x
    from numpy.core._multiarray_umath import __cpu_features__

# The formulations each activation can run as (implemented in _activations).
FORMS = {
    "logistic": ("tanh", "exp", "expit"),
    "tanh": ("tanh", "exp"),
}

# Each formulation written out, for reports.
FORMULAS = {
    "logistic": {
        "tanh": "0.5 tanh(z/2) + 0.5",
        "exp": "1 / (1 + exp(-z))",
        "expit": "scipy.special.expit(z)",
    },
    "tanh": {"tanh": "np.tanh(z)", "exp": "2 / (1 + exp(-2z)) - 1"},
}

DTYPES = ("float32", "float64")

# The fastest exact formulation per CPU class, activation and dtype, from the
# measurements in the module docstring. Only AVX-512 (x86-64-v4) has a SIMD
# float64 tanh; there the tanh forms win (float64 logistic: the tanh and exp
# forms are within 3 % of each other, tanh keeps one pass fewer). Every other
# class -- x86-64-v3, x86-64-v2, other architectures -- runs the exp forms.
_TABLE = {
    "x86-64-v4": {
        "logistic": {"float32": "tanh", "float64": "tanh"},
        "tanh": {"float32": "tanh", "float64": "tanh"},
    },
}
_DEFAULT = {name: dict.fromkeys(DTYPES, "exp") for name in FORMS}

# numpy's own names for the x86-64 micro-architecture levels, and the
# features that imply them on numpy versions that do not report the levels.
_X86_LEVELS = (
    ("x86-64-v4", "X86_V4", ("AVX512_SKX",)),
    ("x86-64-v3", "X86_V3", ("AVX2", "FMA3")),
    ("x86-64-v2", "X86_V2", ("SSE42", "POPCNT")),
)


def cpu_class(features=None):
    """The CPU class numpy dispatches to, as named in the choice table.

    Parameters
    ----------
    features : dict, default=None
        numpy's ``__cpu_features__`` (feature name -> enabled); the running
        numpy's when None. Features disabled with ``NPY_DISABLE_CPU_FEATURES``
        read as not enabled.

    Returns
    -------
    name : str
        ``"x86-64-v4"`` (AVX-512), ``"x86-64-v3"`` (AVX2 and FMA),
        ``"x86-64-v2"``, or the machine's architecture (e.g. ``"aarch64"``).

    Examples
    --------
    >>> from skbp._kernels import cpu_class
    >>> cpu_class({"X86_V3": True, "AVX2": True, "FMA3": True})
    'x86-64-v3'
    """
    if features is None:
        features = __cpu_features__
    for name, level, implied_by in _X86_LEVELS:
        if features.get(level) or all(features.get(f) for f in implied_by):
            return name
    return platform.machine().lower() or "unknown"


def _parse_override(text):
    """``"logistic=tanh,tanh:float64=exp"`` -> {(name, dtype): form}."""
    override = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, form = item.partition("=")
        name, _, dtype = key.strip().partition(":")
        dtypes = [dtype] if dtype else list(DTYPES)
        if (
            not sep
            or name not in FORMS
            or form not in FORMS[name]
            or not all(d in DTYPES for d in dtypes)
        ):
            choices = "; ".join(f"{n}: {', '.join(f)}" for n, f in FORMS.items())
            raise ValueError(
                f"SKBP_KERNELS={text!r}: cannot read {item!r}. Write "
                "ACTIVATION[:DTYPE]=FORM items separated by commas, with DTYPE "
                f"float32 or float64 and FORM one of ({choices})."
            )
        for d in dtypes:
            override[name, d] = form.strip()
    return override


def choose(cpu=None, override=None):
    """The formulation of each activation and dtype for a CPU class.

    Parameters
    ----------
    cpu : str, default=None
        A CPU class as returned by :func:`cpu_class`; this machine's if None.
    override : str, default=None
        Overrides in the ``SKBP_KERNELS`` syntax; the environment variable's
        value if None.

    Returns
    -------
    choices : dict
        ``choices[activation][dtype]`` is a form name from ``FORMS``.

    Examples
    --------
    >>> from skbp._kernels import choose
    >>> choose("x86-64-v3", override="")["logistic"]
    {'float32': 'exp', 'float64': 'exp'}
    >>> choose("x86-64-v4", override="logistic:float64=exp")["logistic"]
    {'float32': 'tanh', 'float64': 'exp'}
    """
    if cpu is None:
        cpu = cpu_class()
    if override is None:
        override = os.environ.get("SKBP_KERNELS", "")
    table = _TABLE.get(cpu, _DEFAULT)
    choices = {name: dict(by_dtype) for name, by_dtype in table.items()}
    for (name, dtype), form in _parse_override(override).items():
        choices[name][dtype] = form
    return choices


# Made once per process, at import (see the module docstring).
_CPU_CLASS = cpu_class()
_OVERRIDE = os.environ.get("SKBP_KERNELS", "")
CHOICES = choose(_CPU_CLASS, _OVERRIDE)


def _machine():
    """The CPU's model name and count, for a timing to say where it ran."""
    model = platform.processor() or platform.machine()
    if os.path.exists("/proc/cpuinfo"):  # Linux names the model only there
        with open("/proc/cpuinfo") as f:
            names = [line for line in f if line.startswith("model name")]
        model = names[0].split(":", 1)[1].strip() if names else model
    return f"{model}, {os.cpu_count()} CPUs"


def kernel_choices():
    """Report which formulation of each activation skbp runs on this machine.

    skbp picks, once per process and from numpy's dispatched CPU features
    (never from a timing), the fastest of several exact ways to compute the
    logistic and tanh units: through ``np.tanh`` where numpy has a SIMD loop
    for it (AVX-512), through ``np.exp`` elsewhere. All agree with an
    extended-precision reference to a few ulp; the choice changes speed, not
    results beyond rounding. The choice is the hidden units': a logistic
    output layer runs the exp form everywhere, whose outputs keep their
    relative accuracy down to the smallest normal number (probabilities
    that ``predict_log_proba`` and the log-loss take the logarithm of). Set
    the environment variable ``SKBP_KERNELS`` (e.g. ``"logistic=tanh"``)
    before importing skbp to override the choice.

    Returns
    -------
    report : dict
        ``"machine"``: the CPU's model and count (e.g. ``"AMD EPYC 7B13,
        2 CPUs"``), for timings to name where they ran; ``"cpu_class"``:
        the class the table was read for (``"x86-64-v4"`` for AVX-512,
        ``"x86-64-v3"`` for AVX2, ...); ``"numpy_simd"``: the
        SIMD extensions numpy dispatches to that matter here;
        ``"override"``: the ``SKBP_KERNELS`` value in force (empty if none);
        then, for each activation with several formulations, a dict
        ``{dtype: form}``.

    Examples
    --------
    >>> import skbp
    >>> report = skbp.kernel_choices()
    >>> sorted(report["logistic"])
    ['float32', 'float64']
    >>> report["logistic"]["float64"] in ("tanh", "exp", "expit")
    True
    """
    simd = ("AVX512_SKX", "AVX512F", "AVX2", "FMA3", "SSE42", "ASIMD", "NEON")
    return {
        "machine": _machine(),
        "cpu_class": _CPU_CLASS,
        "numpy_simd": [f for f in simd if __cpu_features__.get(f)],
        "override": _OVERRIDE,
        **{name: dict(by_dtype) for name, by_dtype in CHOICES.items()},
    }


# Public as skbp.kernel_choices: its documented name, and where the API
# docs' link back from this module's source points.
kernel_choices.__module__ = "skbp"
