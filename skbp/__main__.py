"""``python -m skbp``: the ``skbp`` command, see :mod:`skbp.cli`."""

from .cli import main

# Guarded so that importing this module (doctest collection, docs) runs nothing.
if __name__ == "__main__":
    raise SystemExit(main())
