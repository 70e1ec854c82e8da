"""A real SIGINT that lands at a chosen point of a fit, on every machine.

A timer that fires after a fixed delay lands wherever the fit happens to be
at that moment -- before it started or after it ended, on a machine slower
or faster than expected. Here the fit's ``k``-th optimizer update asks
another thread to send the main thread SIGINT, through the OS as a terminal
does on Ctrl-C, and waits for it: the signal lands there however slow or
loaded the machine is. Only a signal that never arrives makes the wait end,
at the hang guard, and fails the test.
"""

import signal
import threading

from _hang_guard import HANG_GUARD_SECONDS


class SigintAtUpdate:
    """Counts an optimizer's updates and interrupts the ``k``-th.

    ``updates`` is the number of updates that started, the interrupted one
    included: after a fit that stops at once it stays ``k``.
    """

    def __init__(self, k):
        self.k = k
        self.updates = 0

    def wrap(self, update_params):
        def counted(optimizer, params, grads):
            self.updates += 1
            if self.updates == self.k:
                self._interrupt()
            return update_params(optimizer, params, grads)

        return counted

    def _interrupt(self):
        main = threading.main_thread().ident
        sender = threading.Thread(
            target=signal.pthread_kill, args=(main, signal.SIGINT)
        )
        sender.start()
        try:
            # The handler's KeyboardInterrupt ends the wait.
            threading.Event().wait(HANG_GUARD_SECONDS)
        finally:
            sender.join(HANG_GUARD_SECONDS)
        raise AssertionError("the SIGINT sent by another thread never arrived")


def sigint_at_update(monkeypatch, optimizer, k):
    """Interrupt the ``k``-th ``optimizer.update_params`` call from here on
    with a SIGINT from another thread; returns the counter."""
    hook = SigintAtUpdate(k)
    monkeypatch.setattr(optimizer, "update_params", hook.wrap(optimizer.update_params))
    return hook
