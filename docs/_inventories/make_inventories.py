"""Write the intersphinx inventories that ``docs/conf.py`` reads.

Why they are generated
----------------------
The documentation links to scikit-learn, numpy, pandas, scipy, joblib,
matplotlib, Python, Dask distributed, skops and skl2onnx through
``sphinx.ext.intersphinx``. Intersphinx normally downloads each project's
``objects.inv`` at build time, but ``make docs`` must work without network
access (and a build that fetches would depend on whatever those sites serve
that day). So each project's inventory is kept in this folder, and
``intersphinx_mapping`` in ``conf.py`` points at the local file.

The real ``objects.inv`` files list tens of thousands of objects. These list
only the objects skbp's pages, docstrings and gallery examples refer to,
each mapped to the page that project's documentation gives it (the URL
conventions are in the ``_*`` helpers below). The format is the one Sphinx
writes: version 2, a four-line header, then zlib-compressed lines of
``name domain:role priority uri display-name``.

Regenerating
------------
After adding a reference to an object that is not listed yet (the build
shows it as unlinked code; ``sphinx-build -n`` names it), add the object to
``OBJECTS`` below and run::

    .venv/bin/python docs/_inventories/make_inventories.py

To see which references lack a target, build once with nitpicky warnings,
``.venv/bin/python -m sphinx -n -b html docs /tmp/docs-n``, and read the
"reference target not found" lines.

With network access, the real inventories can replace these wholesale (then
every object of those projects resolves, not only the ones listed here)::

    .venv/bin/python docs/_inventories/make_inventories.py --download

which saves ``<base URL>objects.inv`` of every project under the same file
names. Either way, commit the ``*.inv`` files.
"""

import argparse
import sys
import urllib.request
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


# -- URL conventions of each project's documentation ----------------------
def _page(prefix, name, anchor=None):
    """``prefix/<name>.html#<anchor>``: one generated page per object."""
    return f"{prefix}{name}.html#{anchor or name}"


def _member(prefix, name):
    """A method or attribute documented on its class's generated page."""
    owner = name.rsplit(".", 1)[0]
    return f"{prefix}{owner}.html#{name}"


def _sklearn(name):
    return _page("modules/generated/", name)


def _sklearn_member(name):
    return _member("modules/generated/", name)


def _numpy(name):
    return _page("reference/generated/", name)


def _numpy_random(name):
    return _page("reference/random/generated/", name)


def _pandas(name):
    return _page("reference/api/", name)


def _scipy(name):
    return _page("reference/generated/", name)


def _joblib(name):
    return _page("generated/", name)


def _mpl(name):
    return _page("api/_as_gen/", name)


def _python_module(module):
    return f"library/{module}.html#module-{module}"


def _python(name):
    return f"library/{name.split('.')[0]}.html#{name}"


# project key -> (project name, version, base URL, [(name, role, uri, text)])
# text None shows the name itself. The base URLs are the ones conf.py gives
# intersphinx_mapping; uris are relative to them.
OBJECTS = {
    "sklearn": (
        "scikit-learn",
        "1.9",
        "https://scikit-learn.org/stable/",
        [
            *[
                (name, "py:class", _sklearn(name), None)
                for name in [
                    "sklearn.base.BaseEstimator",
                    "sklearn.base.ClassifierMixin",
                    "sklearn.base.RegressorMixin",
                    "sklearn.compose.ColumnTransformer",
                    "sklearn.compose.TransformedTargetRegressor",
                    "sklearn.exceptions.ConvergenceWarning",
                    "sklearn.exceptions.InconsistentVersionWarning",
                    "sklearn.inspection.DecisionBoundaryDisplay",
                    "sklearn.linear_model.LinearRegression",
                    "sklearn.model_selection.GridSearchCV",
                    "sklearn.model_selection.LearningCurveDisplay",
                    "sklearn.multioutput.MultiOutputRegressor",
                    "sklearn.neural_network.MLPClassifier",
                    "sklearn.neural_network.MLPRegressor",
                    "sklearn.pipeline.Pipeline",
                    "sklearn.preprocessing.LabelBinarizer",
                    "sklearn.preprocessing.StandardScaler",
                    "sklearn.utils.metadata_routing.MetadataRequest",
                ]
            ],
            *[
                (name, "py:function", _sklearn(name), None)
                for name in [
                    "sklearn.datasets.load_breast_cancer",
                    "sklearn.datasets.load_digits",
                    "sklearn.datasets.make_classification",
                    "sklearn.datasets.make_moons",
                    "sklearn.metrics.accuracy_score",
                    "sklearn.metrics.r2_score",
                    "sklearn.model_selection.cross_validate",
                    "sklearn.model_selection.train_test_split",
                    "sklearn.pipeline.make_pipeline",
                    "sklearn.set_config",
                    "sklearn.show_versions",
                    "sklearn.utils.class_weight.compute_sample_weight",
                ]
            ],
            *[
                (name, "py:method", _sklearn_member(name), None)
                for name in [
                    "sklearn.base.BaseEstimator.get_params",
                    "sklearn.base.BaseEstimator.set_params",
                    "sklearn.base.ClassifierMixin.score",
                    "sklearn.base.RegressorMixin.score",
                    "sklearn.model_selection.GridSearchCV.fit",
                    "sklearn.model_selection.GridSearchCV.score",
                    "sklearn.neural_network.MLPClassifier.fit",
                    "sklearn.neural_network.MLPClassifier.partial_fit",
                    "sklearn.neural_network.MLPClassifier.predict",
                    "sklearn.neural_network.MLPClassifier.predict_proba",
                    "sklearn.neural_network.MLPClassifier.score",
                    "sklearn.neural_network.MLPRegressor.fit",
                    "sklearn.neural_network.MLPRegressor.predict",
                    "sklearn.neural_network.MLPRegressor.score",
                    "sklearn.pipeline.Pipeline.fit",
                    "sklearn.pipeline.Pipeline.predict",
                    "sklearn.pipeline.Pipeline.predict_proba",
                    "sklearn.pipeline.Pipeline.score",
                    "sklearn.preprocessing.StandardScaler.fit",
                    "sklearn.preprocessing.StandardScaler.partial_fit",
                    "sklearn.preprocessing.StandardScaler.transform",
                ]
            ],
            # Labels and glossary terms that scikit-learn's docstrings, which
            # the estimators inherit, refer to.
            (
                "metadata_routing",
                "std:label",
                "metadata_routing.html#metadata-routing",
                "Metadata Routing",
            ),
            (
                "accuracy_score",
                "std:label",
                "modules/model_evaluation.html#accuracy-score",
                "Accuracy score",
            ),
            (
                "r2_score",
                "std:label",
                "modules/model_evaluation.html#r2-score",
                "R² score, the coefficient of determination",
            ),
            ("user_guide", "std:label", "user_guide.html", "User Guide"),
            ("glossary", "std:label", "glossary.html", "Glossary"),
            *[
                (term, "std:term", "glossary.html#term-meta-estimator", None)
                for term in [
                    "meta-estimator",
                    "meta-estimators",
                    "metaestimator",
                    "metaestimators",
                ]
            ],
        ],
    ),
    "numpy": (
        "NumPy",
        "2.4",
        "https://numpy.org/doc/stable/",
        [
            ("numpy", "py:module", "reference/index.html#module-numpy", None),
            *[
                (name, "py:class", _numpy(name), None)
                for name in ["numpy.ndarray", "numpy.ufunc"]
            ],
            *[
                (name, "py:function", _numpy(name), None)
                for name in [
                    "numpy.arange",
                    "numpy.argsort",
                    "numpy.array",
                    "numpy.array_equal",
                    "numpy.column_stack",
                    "numpy.linspace",
                    "numpy.sum",
                    "numpy.union1d",
                ]
            ],
            # numpy documents its ufuncs as data (they are ufunc instances).
            *[
                (name, "py:data", _numpy(name), None)
                for name in ["numpy.exp", "numpy.tanh"]
            ],
            ("numpy.inf", "py:data", "reference/constants.html#numpy.inf", None),
            *[
                (name, "py:attribute", f"reference/arrays.scalars.html#{name}", None)
                for name in ["numpy.float32", "numpy.float64"]
            ],
            (
                "numpy.random.RandomState",
                "py:class",
                "reference/random/legacy.html#numpy.random.RandomState",
                None,
            ),
            (
                "numpy.random.Generator",
                "py:class",
                "reference/random/generator.html#numpy.random.Generator",
                None,
            ),
            (
                "numpy.random.default_rng",
                "py:function",
                "reference/random/generator.html#numpy.random.default_rng",
                None,
            ),
            *[
                (name, "py:method", _numpy_random(name), None)
                for name in [
                    "numpy.random.Generator.normal",
                    "numpy.random.RandomState.standard_normal",
                    "numpy.random.RandomState.uniform",
                ]
            ],
        ],
    ),
    "pandas": (
        "pandas",
        "3.1",
        "https://pandas.pydata.org/docs/",
        [
            *[
                (name, "py:class", _pandas(name), None)
                for name in ["pandas.DataFrame", "pandas.RangeIndex", "pandas.Series"]
            ],
            *[
                (name, "py:function", _pandas(name), None)
                for name in [
                    "pandas.option_context",
                    "pandas.read_csv",
                    "pandas.set_option",
                ]
            ],
            *[
                (name, "py:method", _pandas(name), None)
                for name in [
                    "pandas.DataFrame.groupby",
                    "pandas.DataFrame.round",
                    "pandas.RangeIndex.to_numpy",
                ]
            ],
            *[
                (name, "py:property", _pandas(name), None)
                for name in ["pandas.DataFrame.T", "pandas.DataFrame.iloc"]
            ],
        ],
    ),
    "scipy": (
        "SciPy",
        "1.17",
        "https://docs.scipy.org/doc/scipy/",
        [
            ("scipy.special.expit", "py:data", _scipy("scipy.special.expit"), None),
            (
                "scipy.optimize.minimize",
                "py:function",
                _scipy("scipy.optimize.minimize"),
                None,
            ),
        ],
    ),
    "joblib": (
        "joblib",
        "1.6",
        "https://joblib.readthedocs.io/en/stable/",
        [
            ("joblib", "py:module", "index.html#module-joblib", None),
            *[
                (name, "py:class", _joblib(name), None)
                for name in [
                    "joblib.Parallel",
                    "joblib.parallel_config",
                    "joblib.parallel_backend",
                ]
            ],
            *[
                (name, "py:function", _joblib(name), None)
                for name in ["joblib.dump", "joblib.load"]
            ],
        ],
    ),
    "matplotlib": (
        "Matplotlib",
        "3.11",
        "https://matplotlib.org/stable/",
        [
            *[
                (name, "py:class", _mpl(name), None)
                for name in [
                    "matplotlib.animation.FuncAnimation",
                    "matplotlib.axes.Axes",
                    "matplotlib.figure.Figure",
                ]
            ],
            *[
                (name, "py:function", _mpl(name), None)
                for name in ["matplotlib.pyplot.show", "matplotlib.pyplot.subplots"]
            ],
            *[
                (name, "py:method", _mpl(name), None)
                for name in [
                    "matplotlib.axes.Axes.axvline",
                    "matplotlib.axes.Axes.bar",
                    "matplotlib.axes.Axes.barh",
                    "matplotlib.axes.Axes.legend",
                    "matplotlib.axes.Axes.plot",
                    "matplotlib.axes.Axes.scatter",
                    "matplotlib.axes.Axes.set",
                    "matplotlib.axes.Axes.set_title",
                    "matplotlib.axes.Axes.set_xticks",
                    "matplotlib.axes.Axes.set_ylabel",
                    "matplotlib.figure.Figure.suptitle",
                    "matplotlib.figure.Figure.tight_layout",
                ]
            ],
            (
                "matplotlib.text.Text",
                "py:class",
                "api/text_api.html#matplotlib.text.Text",
                None,
            ),
            (
                "matplotlib.text.Text.set_text",
                "py:method",
                "api/text_api.html#matplotlib.text.Text.set_text",
                None,
            ),
        ],
    ),
    "python": (
        "Python",
        "3",
        "https://docs.python.org/3/",
        [
            *[
                (name, "py:module", _python_module(name), None)
                for name in ["multiprocessing", "pickle", "tempfile", "warnings"]
            ],
            *[
                (name, "py:function", _python(name), None)
                for name in [
                    "copy.deepcopy",
                    "pickle.dump",
                    "pickle.dumps",
                    "pickle.load",
                    "pickle.loads",
                    "time.perf_counter",
                    "warnings.filterwarnings",
                    "warnings.simplefilter",
                ]
            ],
            *[
                (name, "py:class", _python(name), None)
                for name in ["tempfile.TemporaryDirectory", "warnings.catch_warnings"]
            ],
        ],
    ),
    "distributed": (
        "Dask.distributed",
        "stable",
        "https://distributed.dask.org/en/stable/",
        [
            (name, "py:class", f"api.html#{name}", None)
            for name in ["distributed.Client", "distributed.LocalCluster"]
        ],
    ),
    "skops": (
        "skops",
        "stable",
        "https://skops.readthedocs.io/en/stable/",
        [
            (name, "py:function", _page("modules/generated/", name), None)
            for name in [
                "skops.io.dump",
                "skops.io.load",
                "skops.io.get_untrusted_types",
            ]
        ],
    ),
    "skl2onnx": (
        "sklearn-onnx",
        "stable",
        "https://onnx.ai/sklearn-onnx/",
        [
            (
                "skl2onnx.to_onnx",
                "py:function",
                "api_summary.html#skl2onnx.to_onnx",
                None,
            ),
        ],
    ),
}


def inventory_bytes(project, version, entries):
    """The ``objects.inv`` file Sphinx would write for ``entries``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = []
    for name, role, uri, text in sorted(entries, key=lambda e: (e[1], e[0])):
        # Sphinx's own shorthands: "$" for an anchor equal to the name, "-"
        # for a display text equal to the name.
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"
        priority = "-1" if role == "std:label" else "1"
        lines.append(f"{name} {role} {priority} {uri} {text or '-'}\n")
    return header.encode() + zlib.compress("".join(lines).encode(), 9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--download",
        action="store_true",
        help="fetch each project's real objects.inv instead (needs network)",
    )
    args = parser.parse_args(argv)
    for key, (project, version, base, entries) in OBJECTS.items():
        path = HERE / f"{key}.inv"
        if args.download:
            with urllib.request.urlopen(base + "objects.inv", timeout=60) as response:
                path.write_bytes(response.read())
        else:
            path.write_bytes(inventory_bytes(project, version, entries))
        print(f"{path.relative_to(HERE.parent)}: {base}", file=sys.stderr)


if __name__ == "__main__":
    main()
