"""``python -m skbp``: see :mod:`skbp._cli`."""

from ._cli import main

# Guarded so that importing this module (doctest collection, docs) runs nothing.
if __name__ == "__main__":
    raise SystemExit(main())
