"""The docs checker's static part, on tiny hand-written pages (no browser)."""

import importlib.util
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
