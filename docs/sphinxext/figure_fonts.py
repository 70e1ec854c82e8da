"""Figures drawn by the build: their smallest font on record, and a link to each.

``make docs-check`` (``docs/check_pages.py``) fails on figure text smaller
than 8 px as a reader sees it. That size is the font's size in points, times
the dpi the figure was saved at, times the share of its width the page shows,
and only the first two are known when the example runs. So the gallery's
matplotlib scraper is wrapped (:func:`scraper`): before the figures of a code
block are saved, each is drawn once without output, the size of the smallest
text it draws and its dpi are written beside its image
(``sphx_glr_<example>_001.fonts.json``), and the page's ``<img>`` carries
them as ``data-min-font-pt`` and ``data-dpi``. The frame of matplotlib's
animation player gets the same attributes in the HTML the scraper returns.
Figures of matplotlib's ``.. plot::`` directive are recorded the same way
when the directive renders them (:func:`recording_render_figures`), saved at
the dpi of ``plot_formats``, and their ``<img>`` carries the record and the
class ``plot-directive-figure``, so a missing record is found too.

Every gallery figure is also wrapped in a link to its largest image, so a
figure a narrow window shrinks can be opened at full size.

sphinx-gallery runs an example again only when its source changed, and an
example that is not run keeps the records of the run that drew it. An
example whose images have no record (drawn before this extension existed) is
run again: its checksum is removed before the gallery is generated. The plot
directive likewise draws only figures older than their page, so an image it
saved without a record is removed, to be drawn again.

Use: add ``"figure_fonts"`` to ``extensions`` after
``"sphinx_gallery.gen_gallery"`` and set ``image_scrapers`` to
``("figure_fonts.scraper",)``.
"""

import functools
import inspect
import json
import re
from pathlib import Path

from sphinx_gallery.directives import depart_imgsg_html, imgsgnode, visit_imgsg_html
from sphinx_gallery.scrapers import matplotlib_scraper

RECORD_SUFFIX = ".fonts.json"
# sphinx-gallery's name for the n-th figure of an example; the higher
# resolutions of image_srcset add "_2_00x" and have no record of their own.
GALLERY_IMAGE = re.compile(r"^sphx_glr_(?P<example>.+)_\d{3}\.(png|gif|jpg|svg|webp)$")
ANIMATION_FRAME = '<img id="_anim_img'
PLOT_FIGURE_CLASS = "plot-directive-figure"


def smallest_font(fig):
    """The size of the smallest text a figure draws.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, as it will be saved.

    Returns
    -------
    float or None
        The font size in points of the smallest visible, non-empty text that
        drawing the figure draws (tick labels outside the view are not
        drawn), or None if it draws no text.
    """
    from matplotlib.text import Text

    sizes = []
    draw = Text.draw

    def recording_draw(text, renderer):
        if text.get_visible() and text.get_text().strip():
            sizes.append(text.get_fontsize())
        return draw(text, renderer)

    Text.draw = recording_draw
    try:
        fig.draw_without_rendering()
    finally:
        Text.draw = draw
    return min(sizes, default=None)


def _record(fig, dpi=None):
    import matplotlib

    if dpi is None:
        # What matplotlib_scraper and the animation writer save at.
        dpi = matplotlib.rcParams["savefig.dpi"]
        dpi = fig.dpi if dpi == "figure" else dpi
    return {"min_font_pt": smallest_font(fig), "dpi": float(dpi)}


def _attributes(record):
    points = record["min_font_pt"]
    points = "none" if points is None else f"{points:g}"
    return f'data-min-font-pt="{points}" data-dpi="{record["dpi"]:g}"'


def scraper(block, block_vars, gallery_conf):
    """sphinx-gallery's matplotlib scraper, keeping each figure's fonts.

    Parameters
    ----------
    block : tuple
        The code block that ran.
    block_vars : dict
        Its variables; ``image_path_iterator`` hands out the image paths.
    gallery_conf : dict
        sphinx-gallery's configuration.

    Returns
    -------
    str
        The reStructuredText of the block's figures, as
        :func:`sphinx_gallery.scrapers.matplotlib_scraper` writes it, with
        the font record on each animation frame.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation

    figures = [plt.figure(num) for num in plt.get_fignums()]
    records = [_record(fig) for fig in figures]
    animated = set()
    if gallery_conf["matplotlib_animations"][0]:
        animated = {
            id(value._fig)
            for value in block_vars["example_globals"].values()
            if isinstance(value, Animation)
        }
    paths = block_vars["image_path_iterator"]
    start = len(paths)
    rst = matplotlib_scraper(block, block_vars, gallery_conf)
    # The scraper takes one path per figure, in the order of get_fignums.
    for path, record in zip(paths.paths[start:], records):
        Path(path).with_suffix(RECORD_SUFFIX).write_text(json.dumps(record))
    frames = iter(
        record for fig, record in zip(figures, records) if id(fig) in animated
    )

    def tag(match):
        record = next(frames, None)
        return (
            match[0]
            if record is None
            else f"<img {_attributes(record)} " + match[0][5:]
        )

    return re.sub(re.escape(ANIMATION_FRAME), tag, rst)


def _visit_figure(translator, node):
    start = len(translator.body)
    visit_imgsg_html(translator, node)
    if node.get("srcset") is None:
        return
    html = "".join(translator.body[start:])
    record_file = Path(translator.builder.srcdir, node["uri"].lstrip("/"))
    record_file = record_file.with_suffix(RECORD_SUFFIX)
    if record_file.is_file():
        record = json.loads(record_file.read_text())
        html = html.replace("<img ", f"<img {_attributes(record)} ", 1)
    # srcset lists "url" (1x) and "url 2.00x" ...; the link goes to the
    # largest.
    srcset = re.search(r'srcset="([^"]*)"', html)[1]
    entries = [entry.split() for entry in srcset.split(",") if entry.strip()]
    largest = max(entries, key=lambda e: float(e[1][:-1]) if len(e) > 1 else 1.0)
    translator.body[start:] = [
        f'<a class="reference internal image-reference" href="{largest[0]}">{html}</a>'
    ]


def recording_render_figures(render_figures):
    """Wrap the plot directive's ``render_figures`` to record each figure.

    Parameters
    ----------
    render_figures : callable
        ``matplotlib.sphinxext.plot_directive.render_figures``, which runs a
        directive's code (``_run_code``, once per piece of code) and saves
        the figures each piece leaves open, in the order of
        ``Gcf.get_all_fig_managers``, at the dpi of the first entry of
        ``plot_formats``.

    Returns
    -------
    callable
        ``render_figures`` that also writes, beside each image it saves, the
        record of the figure it was saved from (``<image>.fonts.json``).
        Images it finds up to date are returned as they are, with the
        record of the run that drew them.
    """
    from matplotlib import _pylab_helpers
    from matplotlib.sphinxext import plot_directive

    signature = inspect.signature(render_figures)

    @functools.wraps(render_figures)
    def render(*args, **kwargs):
        config = signature.bind(*args, **kwargs).arguments["config"]
        dpi = plot_directive.get_plot_formats(config)[0][1]
        drawn = []
        run_code = plot_directive._run_code

        def run_and_record(*run_args, **run_kwargs):
            result = run_code(*run_args, **run_kwargs)
            managers = _pylab_helpers.Gcf.get_all_fig_managers()
            drawn.append([_record(m.canvas.figure, dpi) for m in managers])
            return result

        plot_directive._run_code = run_and_record
        try:
            results = render_figures(*args, **kwargs)
        finally:
            plot_directive._run_code = run_code
        if drawn:
            for (_, images), records in zip(results, drawn):
                for image, record in zip(images, records):
                    path = Path(image.dirname, image.basename + RECORD_SUFFIX)
                    path.write_text(json.dumps(record))
        return results

    return render


def _plot_directive_dir(builder):
    # Where the plot directive saves its images (its own rule).
    return Path(builder.doctreedir).parent / "plot_directive"


def _visit_image(translator, node):
    image = Path(translator.builder.srcdir, node["uri"].lstrip("/")).resolve()
    if image.is_relative_to(_plot_directive_dir(translator.builder).resolve()):
        node["classes"].append(PLOT_FIGURE_CLASS)
    start = len(translator.body)
    type(translator).visit_image(translator, node)
    record_file = image.with_suffix(RECORD_SUFFIX)
    if record_file.is_file():
        record = json.loads(record_file.read_text())
        html = "".join(translator.body[start:])
        translator.body[start:] = [
            html.replace("<img ", f"<img {_attributes(record)} ", 1)
        ]


def _depart_image(translator, node):
    type(translator).depart_image(translator, node)


def _draw_plots_without_records(app):
    for image in _plot_directive_dir(app.builder).rglob("*.png"):
        if not image.with_suffix(RECORD_SUFFIX).is_file():
            image.unlink()


def _run_examples_without_records(app):
    conf = app.config.sphinx_gallery_conf
    gallery_dirs = conf.get("gallery_dirs", [])
    if isinstance(gallery_dirs, str):
        gallery_dirs = [gallery_dirs]
    for gallery in gallery_dirs:
        gallery = Path(app.srcdir, gallery)
        for image in gallery.glob("images/sphx_glr_*"):
            match = GALLERY_IMAGE.match(image.name)
            if match and not image.with_suffix(RECORD_SUFFIX).is_file():
                checksum = gallery / f"{match['example']}.py.md5"
                checksum.unlink(missing_ok=True)


def setup(app):
    """Register the figure links, the records and the check for missing ones.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The application.

    Returns
    -------
    dict
        The extension's metadata.
    """
    from docutils import nodes
    from matplotlib.sphinxext import plot_directive

    app.add_node(imgsgnode, override=True, html=(_visit_figure, depart_imgsg_html))
    app.add_node(nodes.image, override=True, html=(_visit_image, _depart_image))
    # Before sphinx-gallery (priority 500) decides which examples to run.
    app.connect("builder-inited", _run_examples_without_records, priority=400)
    app.connect("builder-inited", _draw_plots_without_records)
    if not hasattr(plot_directive.render_figures, "__wrapped__"):
        plot_directive.render_figures = recording_render_figures(
            plot_directive.render_figures
        )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
