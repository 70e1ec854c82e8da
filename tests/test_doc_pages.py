"""The ``>>>`` examples of the documentation's pages print what the pages show."""

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

# The pages whose examples show their output as doctests. Their printed
# numbers are rounded so that every supported CPU class and dependency
# version prints the same.
PAGES = ["getting_started.rst", "user_guide.rst"]


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_print_the_output_the_page_shows(page):
    path = DOCS / page
    test = doctest.DocTestParser().get_doctest(
        path.read_text(encoding="utf-8"), {}, page, str(path), 0
    )
    report = []
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    runner.run(test, out=report.append)
    assert test.examples, f"{page} has no >>> examples"
    assert runner.failures == 0, "".join(report)
