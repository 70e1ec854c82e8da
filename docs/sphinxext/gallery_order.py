"""Reading order of the examples gallery.

The first steps come first (quick start, then the worked example), then
everything else by file name, so a new example needs no entry here.
"""

FIRST = ("plot_quickstart.py", "plot_worked_example.py")


class ReadingOrder:
    """Sort key: the files of ``FIRST`` in that order, then by file name.

    Parameters
    ----------
    src_dir : str
        The gallery's source directory (unused; sphinx-gallery passes it).
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = str(filename)
        rank = FIRST.index(name) if name in FIRST else len(FIRST)
        return (rank, name)

    def __repr__(self):
        return "<ReadingOrder>"
