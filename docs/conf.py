"""Sphinx configuration of the skbp documentation (``make docs``)."""

import os
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
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

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

# -- HTML -----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skbp {release}"
html_theme_options = {
    # Nothing fetched from the network at build or view time.
    "icon_links": [],
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": [], "changelog": []}
html_show_sourcelink = True

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
    "reference_url": {"skbp": None},
    # "Examples using ..." lists on the API pages, next to the stubs.
    "backreferences_dir": "generated",
    "image_scrapers": ("matplotlib",),
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
# The estimators inherit score, get_params, set_params, set_*_request ... from
# scikit-learn, whose docstrings point to labels of scikit-learn's own docs
# (":ref:`metadata_routing`", ":term:`meta-estimator`"). Without network
# access there is no inventory to resolve them against, so those references,
# and only those, are rendered as plain text.
def _sklearn_references_as_text(app, env, node, contnode):
    if node.get("refdomain") == "std" and "docstring of sklearn." in (
        node.source or ""
    ):
        return contnode
    return None


def setup(app):
    app.connect("missing-reference", _sklearn_references_as_text)
