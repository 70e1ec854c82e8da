"""Serve MathJax 3 and its fonts from the built site instead of a CDN.

Sphinx points ``mathjax_path`` at a CDN, so math stays raw TeX wherever the
docs are read offline. MathJax 4 cannot simply be bundled: it fetches its
fonts from the network on its own, and ``\\texttt`` then stops all math on the
page. MathJax 3's CHTML output finds its woff fonts next to the script it was
loaded from, so copying the combined ``tex-chtml-full.js`` (every TeX
package in one file, nothing loaded later) and those fonts into ``_static``
is enough. They come from the installed ``sphinx-mathjax-offline`` package
(docs extra); only these files are copied, not its whole 24 MB tree.

Use: add ``"offline_mathjax"`` to ``extensions`` after
``"sphinx.ext.mathjax"``. ``mathjax_path`` is set to the bundled copy unless
``conf.py`` sets it.
"""

import shutil
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.ext.mathjax import MATHJAX_URL

SCRIPT = "tex-chtml-full.js"
FONTS = Path("output", "chtml", "fonts", "woff-v2")
TARGET = "mathjax"


def mathjax_source():
    """The installed MathJax 3 distribution folder.

    Returns
    -------
    pathlib.Path
        The folder holding ``tex-chtml-full.js`` and ``output/``.

    Raises
    ------
    sphinx.errors.ExtensionError
        If ``sphinx-mathjax-offline`` is not installed or lacks the files.
    """
    try:
        dist = distribution("sphinx-mathjax-offline")
    except PackageNotFoundError as exc:
        raise ExtensionError(
            "offline_mathjax needs the sphinx-mathjax-offline package "
            '(pip install -e ".[docs]")'
        ) from exc
    # The package's import name has hyphens, so it is found through its
    # distribution's files rather than imported.
    source = Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))
    if not (source / SCRIPT).is_file() or not (source / FONTS).is_dir():
        raise ExtensionError(f"no MathJax 3 {SCRIPT} and fonts in {source}")
    return source


def _use_bundled_copy(app, config):
    # Fail at the start of the build, not after every page is written.
    mathjax_source()
    # Left at the CDN default means conf.py did not choose one.
    if config.mathjax_path == MATHJAX_URL:
        config.mathjax_path = f"{TARGET}/{SCRIPT}"


def _copy_mathjax(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    static = Path(app.outdir, "_static")
    # Plain copies: Sphinx's asset helpers refuse to overwrite a file that
    # changed (a new MathJax release) and -W turns that warning into an error.
    (static / TARGET).mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / SCRIPT, static / TARGET / SCRIPT)
    shutil.copytree(source / FONTS, static / TARGET / FONTS, dirs_exist_ok=True)


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", _use_bundled_copy)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
