"""Check the built HTML docs the way a reader without network access sees them.

Every page of the build (``docs/_build/html`` by default; ``_static``,
``_sources`` and ``_downloads`` are assets, not pages) is checked twice:

* statically, from its HTML: every local link, stylesheet, script and image
  points to a file that exists, a link's ``#anchor`` is an ``id`` (or an
  ``<a name>``) of the page it points to, and no example's output shows a
  matplotlib repr (``Text(...)``, ``<matplotlib...>``), the leftover of a
  plotting call ending a code block;
* in headless Chromium with JavaScript on and every http(s) request blocked:
  no JavaScript error (uncaught exception or ``console.error``), no request to
  the network, no local file that fails to load, no image that does not
  render, no display equation, code block or table wider than its column, no
  image shown at less than 75 % of its width unless it links to the full
  image, no figure text smaller than 8 px as shown, and, once MathJax has
  run, no raw TeX (``\\(``, ``\\[``, ``$$``) left in the text outside code.

Figure text is measured from the figure's smallest font in points and its
dpi, which the docs build writes on the ``<img>`` of each figure it draws, a
gallery example's or a ``.. plot::`` directive's (``data-min-font-pt``,
``data-dpi``; ``docs/sphinxext/figure_fonts.py``): as shown, a font of ``pt``
points is ``pt / 72 * dpi * shown / natural`` pixels tall.

Each problem is printed as ``page: problem``; the exit status is 1 if there
is any. Run it with ``make docs-check``, which builds the docs first.

The browser part needs Debian's ``chromium`` (``apt-get install chromium``,
as root; ``make docs-check`` installs it when ``/usr/bin/chromium`` is
missing) and the ``playwright`` package of the docs extra, which drives that
browser: no browser is downloaded, so never run ``playwright install``.
"""

import argparse
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
DEFAULT_BUILD = HERE / "_build" / "html"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
ASSET_DIRS = frozenset({"_static", "_sources", "_downloads"})

# Attributes that make the browser load a file: a dead one is a dead link
# (``a``), an unstyled or broken page (``link``, ``script``) or a missing
# picture (``img``, ``source``).
LINK_ATTRS = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
}
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

# Text inside these is shown as written, so TeX there is meant to be seen
# (a docstring's code sample, the source of a page); MathJax skips them too.
VERBATIM = frozenset(
    {
        "code",
        "pre",
        "kbd",
        "samp",
        "tt",
        "script",
        "style",
        "textarea",
        "noscript",
        "mjx-container",
        "mjx-assistive-mml",
    }
)
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$")
RAW_SHOWN = 3

# What a repr of a matplotlib object looks like in an example's output.
MATPLOTLIB_REPR = re.compile(r"\bText\(|<matplotlib\.")
SCRIPT_OUTPUT_CLASS = "sphx-glr-script-out"

# A figure shown narrower than this share of its own width needs a link to
# the full image; below MIN_FONT_PX its text is too small to read.
MIN_SHOWN_SCALE = 0.75
MIN_FONT_PX = 8.0
# Figures the build draws (matplotlib_scraper's classes, matplotlib's
# animation player, the plot directive's class from figure_fonts.py) carry
# their smallest font; a thumbnail is small by design and links to its
# example.
FIGURE_CLASSES = frozenset(
    {"sphx-glr-single-img", "sphx-glr-multi-img", "plot-directive-figure"}
)

# The browser waits this long at most for a page's MathJax to finish.
MATHJAX_TIMEOUT_MS = 15_000


def pages(root):
    """The HTML pages of a build, sorted.

    Parameters
    ----------
    root : pathlib.Path
        The build directory (``docs/_build/html``).

    Returns
    -------
    list of pathlib.Path
        Every ``*.html`` file outside the asset directories.
    """
    return sorted(
        path
        for path in root.rglob("*.html")
        if not ASSET_DIRS.intersection(path.relative_to(root).parts[:-1])
    )


class _PageParser(HTMLParser):
    """Collects a page's anchors and the local files it refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors = set()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.anchors.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.anchors.add(attrs["name"])
        attr = LINK_ATTRS.get(tag)
        if attr and attrs.get(attr) is not None:
            self.refs.append((tag, attrs[attr]))

    handle_startendtag = handle_starttag


def parse_page(html):
    """A page's anchors and references.

    Parameters
    ----------
    html : str
        The page's HTML.

    Returns
    -------
    anchors : set of str
        Its ``id`` attributes and ``<a name>`` values.
    refs : list of (str, str)
        ``(tag, url)`` for every link, stylesheet, script and image.
    """
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.anchors, parser.refs


class _AnchorCache:
    def __init__(self):
        self._anchors = {}

    def __call__(self, path):
        if path not in self._anchors:
            html = path.read_text(encoding="utf-8", errors="replace")
            self._anchors[path] = parse_page(html)[0]
        return self._anchors[path]


def check_links(page, html, anchors_of=None):
    """Static check of one page's local links, anchors and images.

    Parameters
    ----------
    page : pathlib.Path
        The page's file (relative links are resolved against its folder).
    html : str
        Its HTML.
    anchors_of : callable, optional
        ``anchors_of(path)`` gives the anchors of another page; by default
        the target is read and parsed (and remembered) here.

    Returns
    -------
    list of str
        One message per problem, e.g. ``"dead link: api.html"``.
    """
    anchors_of = anchors_of or _AnchorCache()
    own_anchors, refs = parse_page(html)
    problems = []
    for tag, url in refs:
        url = url.strip()
        if not url or (EXTERNAL.match(url) and not url.startswith("file:")):
            continue
        parts = urlsplit(url)
        fragment = unquote(parts.fragment)
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
        elif parts.path:
            target = (page.parent / unquote(parts.path)).resolve()
        else:
            target = page
        if tag in ("img", "source"):
            kind = "missing image"
        elif tag == "a":
            kind = "dead link"
        else:
            kind = f"missing {tag} file"
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"{kind}: {url}")
            continue
        if tag != "a" or not fragment or target.suffix != ".html":
            continue
        anchors = own_anchors if target == page else anchors_of(target)
        if fragment not in anchors:
            problems.append(f"missing anchor: {url}")
    return problems


class _RawTexFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.verbatim = 0
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in VERBATIM:
            self.verbatim += 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VERBATIM and self.verbatim:
            self.verbatim -= 1

    def handle_data(self, data):
        if not self.verbatim and RAW_TEX.search(data):
            self.found.append(" ".join(data.split()))


def find_raw_tex(html):
    """Text that still holds TeX delimiters, outside code and rendered math.

    Parameters
    ----------
    html : str
        A page's DOM after MathJax ran (or any HTML).

    Returns
    -------
    list of str
        The offending text nodes, whitespace collapsed.
    """
    finder = _RawTexFinder()
    finder.feed(html)
    finder.close()
    return finder.found


class _ScriptOutputReader(HTMLParser):
    """Collects the text of sphinx-gallery's script outputs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tag = None
        self.depth = 0
        self.outputs = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == self.tag
            return
        if SCRIPT_OUTPUT_CLASS in (dict(attrs).get("class") or "").split():
            self.tag, self.depth = tag, 1
            self.outputs.append([])

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.outputs[-1].append(data)


def find_matplotlib_reprs(html):
    """Lines of an example's output that show a matplotlib object's repr.

    sphinx-gallery prints the value of a code block's last expression, so a
    block ending in ``ax.set_title(...)`` shows ``Text(0.5, 1.0, ...)``.

    Parameters
    ----------
    html : str
        A page's HTML.

    Returns
    -------
    list of str
        The offending lines, stripped.
    """
    reader = _ScriptOutputReader()
    reader.feed(html)
    reader.close()
    return [
        line.strip()
        for output in reader.outputs
        for line in "".join(output).splitlines()
        if MATPLOTLIB_REPR.search(line)
    ]


def _short(text, width=80):
    return text if len(text) <= width else text[: width - 3] + "..."


# Run in the page once it has loaded: waits for MathJax, forces lazy images
# to load, reports what did not render and measures code blocks, tables and
# images against the room they have.
_INSPECT = """
async ({timeout, figureClasses}) => {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) {
    await Promise.race([mj.startup.promise,
                        new Promise(r => setTimeout(r, timeout))]);
  }
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map(img => img.complete ? null : new Promise(r => {
    img.addEventListener("load", r); img.addEventListener("error", r);
    setTimeout(r, timeout);
  })));
  const broken = images
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => img.getAttribute("src"));
  const wide = [];
  const doc = mj && mj.startup && mj.startup.document;
  for (const item of (doc && doc.math) || []) {
    const root = item.typesetRoot;
    if (item.display && root && root.scrollWidth > root.clientWidth + 1) {
      wide.push([item.math, root.scrollWidth, root.clientWidth]);
    }
  }
  // A code block scrolls inside itself; a table overflows the content box
  // of its parent (pydata-sphinx-theme's scrolling wrapper, or the column).
  const blocks = [];
  for (const el of document.querySelectorAll("pre, table")) {
    if (!el.getClientRects().length || el.closest("mjx-container")) continue;
    let need = el.scrollWidth, room = el.clientWidth, text;
    if (el.tagName === "PRE") {
      text = el.textContent.split("\\n")
        .reduce((a, b) => (b.length > a.length ? b : a), "");
    } else {
      const box = el.parentElement, style = getComputedStyle(box);
      need = Math.max(need, el.getBoundingClientRect().width);
      room = box.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight);
      text = (el.querySelector("th, td") || el).textContent;
    }
    blocks.push([el.tagName.toLowerCase(), need, room,
                 text.trim().replace(/\\s+/g, " ").slice(0, 120)]);
  }
  const imageFile = /\\.(png|jpe?g|gif|svg|webp)$/i;
  const figures = images
    .filter(img => img.naturalWidth > 0 && img.getClientRects().length)
    .map(img => {
      const link = img.closest("a[href]");
      const animation = img.id.startsWith("_anim_img");
      return {
        name: animation ? "animation " + img.id : img.getAttribute("src"),
        shown: img.getBoundingClientRect().width,
        natural: img.naturalWidth,
        linked: !!link && imageFile.test(new URL(link.href).pathname),
        thumbnail: !!img.closest(".sphx-glr-thumbcontainer"),
        figure: animation
          || [...img.classList].some(c => figureClasses.includes(c)),
        font_pt: img.dataset.minFontPt ?? null,
        dpi: img.dataset.dpi ?? null,
      };
    });
  return {broken, wide, blocks, figures};
}
"""


def wide_blocks(blocks):
    """Code blocks and tables wider than the room they are given.

    Parameters
    ----------
    blocks : list of (str, float, float, str)
        ``(tag, needed, room, text)`` per ``pre`` or ``table`` as the
        browser laid it out: ``needed`` is the width of the content in CSS
        pixels, ``room`` the width it is shown in, ``text`` its longest line
        (a code block) or first cell (a table).

    Returns
    -------
    list of str
        One message per block that would scroll sideways or stick out.
    """
    kinds = {"pre": "code block", "table": "table"}
    return [
        f"{kinds.get(tag, tag)} wider than its column ({need:.0f} > {room:.0f} px): "
        f"{_short(text, 60)}"
        for tag, need, room, text in blocks
        if need > room + 1
    ]


def figure_problems(figures):
    """Images shrunk without a link to the full image, and unreadable text.

    Parameters
    ----------
    figures : list of dict
        One per image shown, as the browser measured it: ``name``,
        ``shown`` and ``natural`` (widths in CSS pixels), ``linked`` (inside
        a link to an image file), ``thumbnail`` (a gallery thumbnail),
        ``figure`` (a figure the build drew, which must carry its font
        record),
        ``font_pt`` (the figure's smallest font in points, ``"none"`` for a
        figure without text, or None when unknown) and ``dpi``.

    Returns
    -------
    list of str
        One message per problem.
    """
    problems = []
    for fig in figures:
        if fig["thumbnail"]:
            continue
        name = _short(fig["name"] or "")
        scale = fig["shown"] / fig["natural"]
        if scale < MIN_SHOWN_SCALE and not fig["linked"]:
            problems.append(
                f"image shown at {scale:.0%} of its width ({fig['shown']:.0f} of "
                f"{fig['natural']} px) without a link to the full image: {name}"
            )
        if fig["font_pt"] is None or fig["dpi"] is None:
            if fig["figure"]:
                problems.append(f"figure without its smallest font size: {name}")
            continue
        if fig["font_pt"] == "none":
            continue
        points, dpi = float(fig["font_pt"]), float(fig["dpi"])
        px = points / 72 * dpi * scale
        if px < MIN_FONT_PX:
            problems.append(
                f"figure text {px:.1f} px tall as shown ({points:g} pt at "
                f"{dpi:g} dpi, shown at {scale:.0%}; at least {MIN_FONT_PX:g} px): "
                f"{name}"
            )
    return problems


def check_in_browser(root, paths, chromium=DEFAULT_CHROMIUM, width=1280):
    """Load pages in headless Chromium, offline, and report what went wrong.

    Parameters
    ----------
    root : pathlib.Path
        The build directory (messages name pages relative to it).
    paths : list of pathlib.Path
        The pages to load.
    chromium : str
        The browser binary (Debian's ``chromium``).
    width : int
        Viewport width in pixels, for the width and scale checks.

    Returns
    -------
    dict
        ``{page: [message, ...]}`` for the pages with problems.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit('check_pages.py needs playwright: pip install -e ".[docs]"')

    problems = {}
    with sync_playwright() as pw:
        # The proxy is a second wall: a request that escapes the routing
        # below still cannot reach the network.
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=["--proxy-server=127.0.0.1:9", "--disable-background-networking"],
        )
        try:
            for path in paths:
                name = path.relative_to(root).as_posix()
                found = _check_one(browser, path, width)
                if found:
                    problems[name] = found
        finally:
            browser.close()
    return problems


def _check_one(browser, path, width):
    found = []
    # A fresh context per page: nothing a page stores (the theme keeps its
    # colour mode in localStorage) hides an error on the next page.
    context = browser.new_context(viewport={"width": width, "height": 900})

    def block(route):
        found.append(f"fetches from the network: {_short(route.request.url)}")
        route.abort()

    context.route(re.compile(r"^(https?|wss?|ftp)://"), block)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and found.append(f"console error: {_short(msg.text, 160)}")
        ),
    )
    page.on(
        "pageerror", lambda exc: found.append(f"JavaScript error: {_short(str(exc))}")
    )
    page.on(
        "requestfailed",
        lambda req: (
            req.url.startswith("file:")
            and found.append(f"failed to load: {_short(req.url)}")
        ),
    )
    # A page that hangs or crashes the tab is a finding, not a reason to stop.
    try:
        page.goto(path.as_uri(), wait_until="load")
        result = page.evaluate(
            _INSPECT,
            {"timeout": MATHJAX_TIMEOUT_MS, "figureClasses": sorted(FIGURE_CLASSES)},
        )
        html = page.content()
    except Exception as exc:
        found.append(f"could not be loaded: {_short(str(exc))}")
        context.close()
        return found
    context.close()
    found.extend(f"image does not load: {src}" for src in result["broken"])
    found.extend(
        f"display equation overflows its column ({scroll} > {client} px): "
        f"{_short(' '.join(tex.split()), 60)}"
        for tex, scroll, client in result["wide"]
    )
    found.extend(wide_blocks(result["blocks"]))
    found.extend(figure_problems(result["figures"]))
    raw = find_raw_tex(html)
    # A page whose MathJax did not run has raw TeX everywhere; a few examples
    # and the count say as much as a hundred lines.
    found.extend(f"raw TeX on the page: {_short(text)}" for text in raw[:RAW_SHOWN])
    if len(raw) > RAW_SHOWN:
        found.append(f"raw TeX on the page: {len(raw) - RAW_SHOWN} more")
    # The network and a failed file are also reported through the console;
    # keep one message each.
    return list(dict.fromkeys(found))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", nargs="?", type=Path, default=DEFAULT_BUILD)
    parser.add_argument("--chromium", default=DEFAULT_CHROMIUM)
    parser.add_argument(
        "--static-only", action="store_true", help="skip the browser checks"
    )
    args = parser.parse_args(argv)
    root = args.build.resolve()
    paths = pages(root)
    if not paths:
        sys.exit(f"no HTML pages in {root}: build the docs first (make docs)")
    start = time.perf_counter()

    problems = {}
    anchors_of = _AnchorCache()
    for path in paths:
        html = path.read_text(encoding="utf-8", errors="replace")
        found = check_links(path, html, anchors_of)
        found.extend(
            f"matplotlib repr in the output: {_short(line)}"
            for line in find_matplotlib_reprs(html)
        )
        if found:
            problems[path.relative_to(root).as_posix()] = found
    if not args.static_only:
        if not Path(args.chromium).exists():
            sys.exit(
                f"no browser at {args.chromium}: apt-get install chromium "
                "(make docs-check does it)"
            )
        for name, found in check_in_browser(root, paths, args.chromium).items():
            problems.setdefault(name, []).extend(found)

    count = 0
    for name in sorted(problems):
        for problem in problems[name]:
            print(f"{name}: {problem}")
            count += 1
    elapsed = time.perf_counter() - start
    print(
        f"{len(paths)} pages checked in {elapsed:.0f} s: "
        f"{count} problem{'s' if count != 1 else ''}"
    )
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
