"""One line on what a test run runs on: Python, the run-time dependencies,
where skbp is imported from, the CPU class numpy dispatches to and
OpenBLAS's kernels. Run with the interpreter and environment of the run."""

import os
import platform
from importlib.metadata import version

from threadpoolctl import threadpool_info

import skbp
from skbp._kernels import cpu_class

choices = skbp.kernel_choices()
forms = ", ".join(
    f"{unit} {choices[unit]['float32']}/{choices[unit]['float64']}"
    for unit in ("logistic", "tanh")
)

deps = ", ".join(
    f"{name} {version(name)}"
    for name in ("numpy", "scipy", "scikit-learn", "pandas", "threadpoolctl")
)
cores = sorted(
    {
        str(i.get("architecture"))
        for i in threadpool_info()
        if i.get("internal_api") == "openblas"
    }
)
print(
    f"Python {platform.python_version()}; {deps}; CPU class {cpu_class()}, "
    f"OpenBLAS {'/'.join(cores)}; forms {forms}; "
    f"skbp from {os.path.dirname(skbp.__file__)}"
)
