"""The gallery's figures: their smallest font on record, and a link to each.

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

Every gallery figure is also wrapped in a link to its largest image, so a
figure a narrow window shrinks can be opened at full size.

sphinx-gallery runs an example again only when its source changed, and an
example that is not run keeps the records of the run that drew it. An
example whose images have no record (drawn before this extension existed) is
run again: its checksum is removed before the gallery is generated.

Use: add ``"figure_fonts"`` to ``extensions`` after
``"sphinx_gallery.gen_gallery"`` and set ``image_scrapers`` to
``("figure_fonts.scraper",)``.
"""

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


def _record(fig):
    import matplotlib

    dpi = matplotlib.rcParams["savefig.dpi"]
    return {
        "min_font_pt": smallest_font(fig),
        # What matplotlib_scraper and the animation writer save at.
        "dpi": float(fig.dpi if dpi == "figure" else dpi),
    }


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
    """Register the figure link and the check for missing records.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The application.

    Returns
    -------
    dict
        The extension's metadata.
    """
    app.add_node(imgsgnode, override=True, html=(_visit_figure, depart_imgsg_html))
    # Before sphinx-gallery (priority 500) decides which examples to run.
    app.connect("builder-inited", _run_examples_without_records, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
