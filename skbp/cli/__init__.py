"""The ``skbp`` command line: ``skbp demo``, ``skbp trace``, ``skbp compare``.

An application built on the library; nothing in the library imports it, and
``import skbp`` does not load it.
"""

from .command import main

__all__ = ["main"]
