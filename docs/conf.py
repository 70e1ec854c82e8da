"""Sphinx configuration of the skbp documentation (``make docs``)."""

import os
import re
import sys
from pathlib import Path

import skbp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

project = "skbp"
author = "The skbp developers"
copyright = "The skbp developers"
version = release = skbp.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax 3 and its fonts served from _static: math renders offline.
    "offline_mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # Each gallery figure's smallest font on its <img> (for make docs-check)
    # and a link to its full-size image.
    "figure_fonts",
    # ``.. explained-step::``: StepTrace.explain of a worked example's step,
    # written by the build as the page's math.
    "explained_step",
    # ``.. plot::``: the user guide's network drawing and the benchmarks'
    # chart are drawn by the build from skbp's code and the measured tables.
    "matplotlib.sphinxext.plot_directive",
]
# One PNG per plot, shown without links to its script or other formats.
plot_formats = [("png", 100)]
plot_html_show_source_link = False
plot_html_show_formats = False

templates_path = ["_templates"]
# benchmark_table.rst is written by benchmarks/run.py to be included into a
# page, not built as a page of its own (which -W would fail on: no toctree).
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    "benchmark_table.rst",
]
root_doc = "index"
default_role = "literal"

# -- autodoc / autosummary / numpydoc -------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc lists no members itself: the class template documents them, so
# each method is described once (no duplicate object descriptions).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- intersphinx ----------------------------------------------------------
# Links to other projects' documentation. The build reads each project's
# inventory from _inventories/, kept in the repository, and never fetches
# one: the docs build offline (_inventories/make_inventories.py tells how
# the files are made and refreshed).
_INVENTORIES = {
    "python": "https://docs.python.org/3/",
    "sklearn": "https://scikit-learn.org/stable/",
    "numpy": "https://numpy.org/doc/stable/",
    "pandas": "https://pandas.pydata.org/docs/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "joblib": "https://joblib.readthedocs.io/en/stable/",
    "matplotlib": "https://matplotlib.org/stable/",
    "distributed": "https://distributed.dask.org/en/stable/",
    "skops": "https://skops.readthedocs.io/en/stable/",
    "skl2onnx": "https://onnx.ai/sklearn-onnx/",
}
intersphinx_mapping = {
    name: (url, f"_inventories/{name}.inv") for name, url in _INVENTORIES.items()
}

# -- HTML -----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skbp {release}"
html_theme_options = {
    # Nothing fetched from the network at build or view time.
    "icon_links": [],
    "navigation_with_keys": False,
    "show_prev_next": True,
    # Every page of index.rst's toctree up to the API reference in the top
    # bar, the rest under "More" (the toctree gives them short titles).
    "header_links_before_dropdown": 6,
    "navbar_align": "left",
    # The search field takes the room of two links; the button opens the
    # same dialog (and Ctrl+K still does).
    "navbar_persistent": ["search-button"],
    # The page's table of contents alone on the right, so a page without
    # sections gets no sidebar at all; its source link goes under it.
    "secondary_sidebar_items": ["page-toc"],
    "article_footer_items": ["sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# No left sidebar: the top bar reaches every page, the gallery and the API
# reference list their own pages, and the column gets the width (88
# characters of code, the user guide's tables and the figures at full size
# at 1280 px).
html_sidebars = {"**": []}
html_show_sourcelink = True
# An API page's contents on the right list fit(), predict() ..., not
# BackpropClassifier.fit(), which the sidebar cuts off.
toc_object_entries_show_parents = "hide"
html_static_path = ["_static"]
html_css_files = ["skbp.css"]
# The run reports the gallery example plot_run_report.py writes (it runs in
# examples/), published at the site's root: mazur_run.html, iris_run.html.
# The folder is made here, since Sphinx checks the path before the gallery
# runs.
(HERE.parent / "examples" / "run_reports").mkdir(exist_ok=True)
html_extra_path = ["../examples/run_reports"]

# -- sphinx-gallery -------------------------------------------------------
os.environ.setdefault("MPLBACKEND", "Agg")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every plot_*.py script is executed by the build.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "gallery_order.ReadingOrder",
    "doc_module": ("skbp",),
    # "Examples using ..." lists on the API pages, next to the stubs.
    "backreferences_dir": "generated",
    # matplotlib's scraper, recording each figure's smallest font; figures
    # also saved at twice their dpi, for sharp figures on high-density
    # screens and a full-size image behind each one.
    "image_scrapers": ("figure_fonts.scraper",),
    "image_srcset": ["2x"],
    # A code block ending in ax.set_title(...) would print Text(...); the
    # pattern is searched in str(type(value)): "<class 'matplotlib.text.Text'>".
    "ignore_repr_types": r"'matplotlib\.",
    # The hidden-units example animates training; jshtml embeds the player in
    # the page itself (no ffmpeg, nothing fetched when the page is viewed).
    "matplotlib_animations": (True, "jshtml"),
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 1,
    # No sg_execution_times page: it loads its table scripts from CDNs.
    "write_computation_times": False,
    "abort_on_example_error": False,
}


# -- scikit-learn's inherited docstrings ----------------------------------
# The estimators inherit score, get_params, set_params, set_*_request ...
# from scikit-learn, whose docstrings are written for scikit-learn's own
# pages: "Added in version 1.3" is a scikit-learn version, not an skbp one,
# and "the User Guide" is scikit-learn's. On skbp's pages the version notes
# are dropped and the guide is named as scikit-learn's.
_VERSION_NOTE = re.compile(
    r"^\.\. version(?:added|changed)::.*\n(?:(?:[ \t]+.*)?\n)*", re.MULTILINE
)
_ROUTING_GUIDE = re.compile(
    r"Please check (?:the )?:ref:`User Guide <metadata_routing>`\s+on how the"
    r"\s+routing\s+mechanism works\."
)


def _is_from_sklearn(obj):
    return getattr(obj, "__module__", "").startswith("sklearn.")


def _sklearn_docstring_for_skbp(app, what, name, obj, options, lines):
    if not (name.startswith("skbp.") and _is_from_sklearn(obj)):
        return
    text = "\n".join(lines) + "\n"
    text = _VERSION_NOTE.sub("", text)
    text = _ROUTING_GUIDE.sub(
        "scikit-learn's user guide explains :ref:`how metadata routing works "
        "<sklearn:metadata_routing>`.",
        text,
    )
    lines[:] = text.rstrip("\n").split("\n")


# Labels and terms of scikit-learn's documentation that its docstrings use
# and _inventories/sklearn.inv does not list yet (a newer scikit-learn may
# add some) are rendered as plain text rather than failing the build.
def _sklearn_references_as_text(app, env, node, contnode):
    if node.get("refdomain") == "std" and "docstring of sklearn." in (
        node.source or ""
    ):
        return contnode
    return None


def setup(app):
    # Before numpydoc (priority 500) rewrites the docstring into sections.
    app.connect("autodoc-process-docstring", _sklearn_docstring_for_skbp, priority=400)
    app.connect("missing-reference", _sklearn_references_as_text)


# The theme logs a console error on every page when no colour mode is chosen.
html_context = {"default_mode": "auto"}

# matplotlib's animation player (the hidden-units example) links font-awesome
# 4 from a CDN for its button icons; the theme already ships font-awesome, so
# the link is dropped and the docs fetch nothing when viewed.
import re  # noqa: E402

import matplotlib._animation_data as _animation_data  # noqa: E402

_animation_data.JS_INCLUDE = re.sub(
    r"<link[^>]*font-awesome[^>]*>", "", _animation_data.JS_INCLUDE
)
