"""The docs checker's static part, on tiny hand-written pages (no browser)."""

import importlib.util
import re
import struct
import zlib
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parents[1] / "docs" / "check_pages.py"


@pytest.fixture(scope="module")
def check_pages():
    spec = importlib.util.spec_from_file_location("check_pages", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TARGET = """<html><body>
<section id="usage"><h1>Usage</h1></section>
<a name="legacy"></a>
</body></html>"""

CLEAN = """<html><head>
<link rel="stylesheet" href="_static/style.css?v=1">
<script src="_static/app.js"></script>
</head><body>
<p id="top">See <a href="other.html">other</a>, <a href="other.html#usage">usage</a>,
<a href="other.html#legacy">an old name</a>, <a href="#top">the top</a>,
<a href="sub/">a folder</a>, <a href="https://example.org/x.html#nope">away</a>,
<a href="mailto:someone@example.org">mail</a> and <a href="#">nowhere</a>.</p>
<img src="_images/plot.png" alt="">
<img src="data:image/png;base64,AAAA" alt="">
</body></html>"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "style.css").write_text("")
    (tmp_path / "_static" / "app.js").write_text("")
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "plot.png").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text("<html></html>")
    (tmp_path / "other.html").write_text(TARGET)
    return tmp_path


def _check(check_pages, site, html):
    page = site / "page.html"
    page.write_text(html)
    return check_pages.check_links(page, html)


def test_clean_page_passes(check_pages, site):
    assert _check(check_pages, site, CLEAN) == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="gone.html">x</a>', "dead link: gone.html"),
        ('<a href="other.html#nowhere">x</a>', "missing anchor: other.html#nowhere"),
        ('<a href="#nowhere">x</a>', "missing anchor: #nowhere"),
        ('<img src="_images/gone.png">', "missing image: _images/gone.png"),
        (
            '<script src="_static/gone.js"></script>',
            "missing script file: _static/gone.js",
        ),
    ],
)
def test_planted_problem_is_reported(check_pages, site, html, expected):
    assert _check(check_pages, site, CLEAN.replace("</body>", html + "</body>")) == [
        expected
    ]


def test_file_url_is_checked(check_pages, site):
    good = (site / "other.html").as_uri()
    html = f'<a href="{good}#usage">x</a><a href="{good}#gone">y</a>'
    assert _check(check_pages, site, html) == [f"missing anchor: {good}#gone"]


def test_pages_skips_assets(check_pages, site):
    (site / "_static" / "embedded.html").write_text("")
    (site / "_sources").mkdir()
    (site / "_sources" / "page.html").write_text("")
    (site / "page.html").write_text("")
    names = [p.relative_to(site).as_posix() for p in check_pages.pages(site)]
    assert names == ["other.html", "page.html", "sub/index.html"]


RENDERED = """<html><body>
<p>The sigmoid <mjx-container class="MathJax">\\(x\\)<mjx-assistive-mml>
<math><mi>x</mi></math></mjx-assistive-mml></mjx-container> saturates.</p>
<pre>print(r"\\(x\\)")</pre>
<p>Inline <code>$$</code> and <span><code>\\[a\\]</code></span>.</p>
<br/>
<script>var s = "\\\\(";</script>
</body></html>"""


def test_rendered_math_and_code_are_not_raw_tex(check_pages):
    assert check_pages.find_raw_tex(RENDERED) == []


@pytest.mark.parametrize(
    "raw", ["\\(x\\)", "\\[ E = \\frac12 \\]", "$$ a + b $$"], ids=["(", "[", "$$"]
)
def test_raw_tex_outside_code_is_found(check_pages, raw):
    html = RENDERED.replace("saturates.", f"saturates, <span>{raw}</span>.")
    assert check_pages.find_raw_tex(html) == [raw]


def test_raw_tex_after_a_code_block_is_found(check_pages):
    html = "<p><code>\\(a\\)</code> then \\(b\\)</p>"
    assert check_pages.find_raw_tex(html) == ["then \\(b\\)"]


# --- matplotlib reprs in an example's output (static) ----------------------

SCRIPT_OUTPUT = (
    '<div class="sphx-glr-script-out highlight-none notranslate">'
    '<div class="highlight"><pre><span></span>{}\n</pre></div></div>'
)
EXAMPLE_PAGE = """<html><body>
<div class="highlight-Python notranslate"><div class="highlight"><pre>
ax.set_title("after 1 epoch")  # Text( in the code is the reader's to see
</pre></div></div>
{}
<p>After the output: Text(0.5, 1.0, 'prose is not output')</p>
</body></html>"""


@pytest.mark.parametrize(
    "line",
    [
        "Text(0.5, 0.9929372881355932, 'after 1 epoch')",
        "[&lt;matplotlib.lines.Line2D object at 0x7f3a2c1b5e50&gt;]",
    ],
    ids=["Text", "Line2D"],
)
def test_matplotlib_repr_in_an_output_is_found(check_pages, line):
    html = EXAMPLE_PAGE.format(SCRIPT_OUTPUT.format("accuracy: 0.95\n" + line))
    expected = line.replace("&lt;", "<").replace("&gt;", ">")
    assert check_pages.find_matplotlib_reprs(html) == [expected]


def test_output_without_a_matplotlib_repr_passes(check_pages):
    html = EXAMPLE_PAGE.format(SCRIPT_OUTPUT.format("accuracy: 0.95\nTextual: ok"))
    assert check_pages.find_matplotlib_reprs(html) == []


# --- code blocks, tables and figures, judged from measurements ------------


def test_block_wider_than_its_room_is_reported(check_pages):
    blocks = [("pre", 700, 622, "x = 1"), ("table", 875, 624, "estimator")]
    assert check_pages.wide_blocks(blocks) == [
        "code block wider than its column (700 > 622 px): x = 1",
        "table wider than its column (875 > 624 px): estimator",
    ]


def test_block_that_fits_passes(check_pages):
    # A pixel of rounding is not an overflow.
    assert (
        check_pages.wide_blocks([("pre", 623, 622, "x"), ("table", 10, 624, "")]) == []
    )


def _figure(**changes):
    figure = {
        "name": "../_images/sphx_glr_plot_x_001.png",
        "shown": 900,
        "natural": 900,
        "linked": False,
        "thumbnail": False,
        "figure": True,
        "font_pt": "10",
        "dpi": "100",
    }
    figure.update(changes)
    return figure


def test_figure_shown_whole_with_readable_text_passes(check_pages):
    # 8.33 pt (matplotlib's "small" at 10 pt) at 100 dpi: 11.6 px.
    assert check_pages.figure_problems([_figure(font_pt="8.33")]) == []


def test_shrunk_figure_without_a_link_is_reported(check_pages):
    problems = check_pages.figure_problems([_figure(shown=624, natural=1000)])
    assert problems == [
        "image shown at 62% of its width (624 of 1000 px) without a link to "
        "the full image: ../_images/sphx_glr_plot_x_001.png"
    ]


def test_shrunk_figure_with_a_link_passes_the_scale_check(check_pages):
    # 10 pt at 100 dpi shown at 80 %: 11.1 px, readable.
    shown = _figure(shown=720, natural=900, linked=True)
    assert check_pages.figure_problems([shown]) == []


def test_small_figure_text_is_reported(check_pages):
    # The legends: 8.33 pt at 100 dpi, the figure shown at 624 of
    # 1000 px, is 8.33 / 72 * 100 * 0.624 = 7.2 px.
    small = _figure(font_pt="8.33", shown=624, natural=1000, linked=True)
    assert check_pages.figure_problems([small]) == [
        "figure text 7.2 px tall as shown (8.33 pt at 100 dpi, shown at 62%; "
        "at least 8 px): ../_images/sphx_glr_plot_x_001.png"
    ]


def test_gallery_figure_without_a_font_record_is_reported(check_pages):
    assert check_pages.figure_problems([_figure(font_pt=None, dpi=None)]) == [
        "figure without its smallest font size: ../_images/sphx_glr_plot_x_001.png"
    ]


def test_thumbnails_and_textless_figures_pass(check_pages):
    thumbnail = _figure(shown=160, natural=400, thumbnail=True, font_pt=None)
    textless = _figure(font_pt="none")
    other = _figure(figure=False, font_pt=None, dpi=None)
    assert check_pages.figure_problems([thumbnail, textless, other]) == []


# --- the same checks in headless Chromium, on tiny pages -------------------


def _png(width, height):
    """A white PNG of the given size (no imaging library needed)."""

    def chunk(tag, data):
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


LONG = "x = " + "1 + " * 15 + "1"  # 65 characters, about 500 px
FIGURE = (
    '<img src="plot.png" class="sphx-glr-single-img" data-min-font-pt="{pt}" '
    'data-dpi="100" style="max-width: 100%">'
)
# One page with everything that fits (a browser page costs more than a
# check), one page per thing that does not.
BROWSER_PAGES = {
    "fits": (
        f'<div style="width: 900px"><pre style="overflow: auto">{LONG}</pre></div>'
        '<div style="width: 300px; overflow-x: auto"><table><tr>'
        f"<td>{LONG}</td></tr></table></div>"
        '<div style="width: 500px">' + FIGURE.format(pt=10) + "</div>"
        # Shrunk to 90 %, but linked: 10 pt at 100 dpi is 12.5 px.
        '<div style="width: 360px"><a href="plot.png">'
        + FIGURE.format(pt=10)
        + "</a></div>"
    ),
    "code_wide": f'<div style="width: 300px"><pre style="overflow: auto">{LONG}</pre>',
    "table_wide": (
        '<div style="width: 300px; overflow-x: auto"><table><tr>'
        f'<td style="white-space: nowrap">{LONG}</td></tr></table></div>'
    ),
    "figure_shrunk": '<div style="width: 200px">' + FIGURE.format(pt=10) + "</div>",
    "figure_small_text": '<div style="width: 500px">' + FIGURE.format(pt=5) + "</div>",
    # A plot directive's figure whose record the build did not write.
    "plot_unrecorded": '<img src="plot.png" class="plot-directive-figure">',
}


@pytest.fixture(scope="module")
def browser_findings(check_pages, tmp_path_factory):
    pytest.importorskip("playwright.sync_api")
    if not Path(check_pages.DEFAULT_CHROMIUM).exists():
        pytest.skip(f"no browser at {check_pages.DEFAULT_CHROMIUM}")
    root = tmp_path_factory.mktemp("site")
    (root / "plot.png").write_bytes(_png(400, 100))
    paths = []
    for name, body in BROWSER_PAGES.items():
        path = root / f"{name}.html"
        path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>")
        paths.append(path)
    return check_pages.check_in_browser(root, paths)


def test_browser_passes_what_fits(browser_findings):
    assert "fits.html" not in browser_findings, browser_findings["fits.html"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("code_wide", r"code block wider than its column \(\d+ > 300 px\): x = 1 \+"),
        ("table_wide", r"table wider than its column \(\d+ > 300 px\): x = 1 \+"),
        (
            "figure_shrunk",
            r"image shown at 50% of its width \(200 of 400 px\) without a link",
        ),
        # 5 pt at 100 dpi, shown whole: 6.9 px.
        ("figure_small_text", r"figure text 6\.9 px tall as shown \(5 pt at 100 dpi"),
        ("plot_unrecorded", r"figure without its smallest font size: plot\.png$"),
    ],
)
def test_browser_finds_what_does_not_fit(browser_findings, name, expected):
    found = browser_findings.get(f"{name}.html", [])
    assert [problem for problem in found if re.match(expected, problem)], found


# --- the docs build's font record (docs/sphinxext/figure_fonts.py) --------


@pytest.fixture(scope="module")
def figure_fonts():
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("matplotlib")
    path = CHECKER.parent / "sphinxext" / "figure_fonts.py"
    spec = importlib.util.spec_from_file_location("figure_fonts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


def test_smallest_font_counts_only_text_drawn(figure_fonts, pyplot):
    fig, (ax, hidden) = pyplot.subplots(1, 2)
    ax.set_title("title", fontsize=7)
    ax.tick_params(labelsize=9)
    # An axes turned off draws no tick labels, however small, though they
    # keep their text and visibility once drawn; an empty label draws nothing.
    hidden.tick_params(labelsize=4)
    fig.canvas.draw()
    hidden.set_axis_off()
    ax.set_xlabel("", fontsize=3)
    assert figure_fonts.smallest_font(fig) == 7
    ax.set_title("")
    assert figure_fonts.smallest_font(fig) == 9


def test_scraper_records_each_figure_beside_its_image(figure_fonts, pyplot, tmp_path):
    import json

    from sphinx_gallery.scrapers import ImagePathIterator

    _, ax = pyplot.subplots(figsize=(2, 2), dpi=100)
    ax.set_title("first", fontsize=6)
    _, ax = pyplot.subplots(figsize=(2, 2), dpi=50)
    ax.set_axis_off()
    paths = ImagePathIterator(tmp_path / "images" / "sphx_glr_plot_x_{0:03}.png")
    (tmp_path / "images").mkdir()
    block_vars = {"image_path_iterator": paths, "example_globals": {}}
    gallery_conf = {
        "image_srcset": [],
        "matplotlib_animations": (False, None),
        "compress_images": [],
        "src_dir": str(tmp_path),
    }
    rst = figure_fonts.scraper(None, block_vars, gallery_conf)
    assert "sphx_glr_plot_x_001.png" in rst and "sphx_glr_plot_x_002.png" in rst
    records = [
        json.loads(
            (tmp_path / "images" / f"sphx_glr_plot_x_{n}.fonts.json").read_text()
        )
        for n in ("001", "002")
    ]
    assert records == [
        {"min_font_pt": 6.0, "dpi": 100.0},
        {"min_font_pt": None, "dpi": 50.0},
    ]


def test_plot_directive_records_each_figure_beside_its_image(
    figure_fonts, pyplot, tmp_path, monkeypatch
):
    import json
    from types import SimpleNamespace

    from matplotlib.sphinxext import plot_directive

    config = SimpleNamespace(
        plot_formats=[("png", 100)],
        plot_rcparams={},
        plot_apply_rcparams=False,
        plot_srcset=[],
        plot_working_directory=None,
        plot_pre_code=None,
    )
    # The directive reads its configuration from its setup function.
    monkeypatch.setattr(plot_directive.setup, "config", config, raising=False)
    page = tmp_path / "page.rst"
    page.write_text("")
    code = (
        "import matplotlib.pyplot as plt\n"
        "plt.figure(figsize=(2, 2), dpi=50).gca().set_title('a', fontsize=6)\n"
        "plt.figure(figsize=(2, 2)).gca().set_axis_off()\n"
    )
    render = figure_fonts.recording_render_figures(plot_directive.render_figures)

    def images():
        results = render(
            code,
            str(page),
            str(tmp_path),
            "page-1",
            context=False,
            function_name=None,
            config=config,
        )
        return [image.basename for _, shown in results for image in shown]

    assert images() == ["page-1_00", "page-1_01"]
    records = {
        name: json.loads((tmp_path / f"{name}.fonts.json").read_text())
        for name in ("page-1_00", "page-1_01")
    }
    # The dpi the images were saved at, plot_formats', not the figure's own.
    assert records == {
        "page-1_00": {"min_font_pt": 6.0, "dpi": 100.0},
        "page-1_01": {"min_font_pt": None, "dpi": 100.0},
    }
    # Up to date, the images are not drawn again and keep their records.
    assert images() == ["page-1_00", "page-1_01"]
    assert (
        json.loads((tmp_path / "page-1_00.fonts.json").read_text())
        == records["page-1_00"]
    )
