"""Output read by a program that may stop reading early: ``skbp demo | head -1``."""

import errno
import os
import select
import stat


def reader_gone(stream):
    """Whether ``stream`` writes into a pipe or socket that nobody reads any more.

    A write would fail with BrokenPipeError; this tells without writing.
    False whenever it cannot tell: a terminal, a file, an in-memory stream,
    or a system without ``poll``.

    Parameters
    ----------
    stream : file

    Returns
    -------
    gone : bool

    Examples
    --------
    >>> import io, os
    >>> from skbp.cli.pipes import reader_gone
    >>> reader_gone(io.StringIO())
    False
    >>> read_end, write_end = os.pipe()
    >>> with open(write_end, "w") as stream:
    ...     before = reader_gone(stream)
    ...     os.close(read_end)
    ...     before, reader_gone(stream)
    (False, True)
    """
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    # Only for pipes and sockets does an error event mean "no reader"; a
    # false alarm elsewhere would silently end a command whose output is
    # still wanted.
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)) or not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(fd, 0)  # error and hang-up events are reported regardless
    return any(
        events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0)
    )


def check_reader(stream):
    """Raise BrokenPipeError now if nobody reads ``stream`` any more.

    Between long computations that print nothing, so that a command whose
    reader is gone stops then, instead of at its next write, minutes later.

    Parameters
    ----------
    stream : file

    Raises
    ------
    BrokenPipeError
        :func:`reader_gone` says so.

    Examples
    --------
    >>> import io
    >>> from skbp.cli.pipes import check_reader
    >>> check_reader(io.StringIO())  # returns: someone may read it
    """
    if reader_gone(stream):
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def discard_output(*streams):
    """Point each stream's file descriptor at the null device, where possible.

    Python's recipe after a BrokenPipeError: what is still buffered gets
    written when the interpreter exits, and that write would fail again and
    print "Exception ignored ... BrokenPipeError" to stderr.

    Parameters
    ----------
    *streams : file
        Streams without a file descriptor (e.g. ``io.StringIO``) are
        skipped.

    Examples
    --------
    >>> import io
    >>> from skbp.cli.pipes import discard_output
    >>> discard_output(io.StringIO())
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in streams:
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):
                pass
    finally:
        os.close(devnull)
