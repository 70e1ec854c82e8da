"""Ctrl-C during a fit that the estimator ends early instead of raising."""

import signal
import threading
import warnings


class CtrlC:
    """Context manager that remembers a Ctrl-C, even one a fit swallowed.

    skbp's estimators answer Ctrl-C by ending the fit early, keeping the
    last completed epoch, and returning normally after a warning: right for
    a user's own fit, but a command that goes on would report a half-trained
    model. While active, this wraps Python's SIGINT handler so that the
    signal is recorded before the usual KeyboardInterrupt is raised;
    :meth:`check`, called once the fit has returned, raises it again. The
    signal itself says that the user pressed Ctrl-C: no warning is read.

    Attributes
    ----------
    pressed : bool
        Whether SIGINT arrived while active.

    Examples
    --------
    >>> from skbp.cli.interrupt import CtrlC
    >>> with CtrlC() as ctrl_c:
    ...     pass  # net.fit(X, y)
    ...     ctrl_c.check()  # returns: no Ctrl-C
    >>> ctrl_c.pressed
    False
    """

    def __init__(self):
        self.pressed = False
        self._previous = None

    def __enter__(self):
        previous = signal.getsignal(signal.SIGINT)
        # Only the main thread can set handlers, and only it gets SIGINT;
        # an ignored signal or the OS default (no Python handler) raises
        # nothing that a fit could swallow.
        if callable(previous) and threading.current_thread() is threading.main_thread():
            self._previous = previous
            signal.signal(signal.SIGINT, self._record)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _record(self, signum, frame):
        self.pressed = True
        # What the estimator says from here on (skbp: that it kept the last
        # epoch) is moot, since the command gives up; a caller's
        # warnings.catch_warnings() around this context undoes the filter.
        warnings.simplefilter("ignore")
        self._previous(signum, frame)

    def check(self):
        """Raise KeyboardInterrupt if Ctrl-C was pressed while active.

        Raises
        ------
        KeyboardInterrupt
            SIGINT arrived, whether or not the fit raised it.
        """
        if self.pressed:
            raise KeyboardInterrupt
