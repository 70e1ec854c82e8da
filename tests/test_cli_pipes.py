"""Output piped into a program that stops reading (``skbp demo | head -1``):
every command stops at once, says nothing and exits with status 1."""

import contextlib
import io
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from _hang_guard import HANG_GUARD_SECONDS

from skbp.cli import compare, demo, main
from skbp.cli.pipes import check_reader, discard_output, reader_gone

SMALL_DEMO = ["demo", "--datasets", "iris", "--cv", "2", "--max-iter", "5"]
NOISE = ("Traceback", "Exception ignored", "BrokenPipeError", "Broken pipe")


@pytest.fixture
def colours_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {"size": rng.normal(size=n), "colour": np.repeat(["red", "blue"], n // 2)}
    )
    path = tmp_path / "colours.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def pipe():
    """(read end, write end) of a pipe, both closed afterwards if still open."""
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        with contextlib.suppress(OSError):
            os.close(fd)


@pytest.fixture
def piped(pipe):
    """A text stream into a pipe, and a function that closes the pipe's reader."""
    read_end, write_end = pipe
    stream = open(os.dup(write_end), "w", encoding="utf-8")

    def close_reader():
        with contextlib.suppress(OSError):
            os.close(read_end)

    yield stream, close_reader
    close_reader()
    with contextlib.suppress(BrokenPipeError):
        stream.close()


def run_main(argv, stdout):
    """main(argv) with sys.stdout replaced; its status and what it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, err.getvalue()


def skbp_command(*argv):
    return [sys.executable, "-m", "skbp", *argv]


def test_reader_gone_tells_a_closed_pipe_from_an_open_one(pipe, tmp_path):
    read_end, write_end = pipe
    with open(os.dup(write_end), "w") as stream:
        assert not reader_gone(stream)
        check_reader(stream)  # returns
        os.close(read_end)
        assert reader_gone(stream)
        with pytest.raises(BrokenPipeError):
            check_reader(stream)
    # Nothing to tell for files and in-memory streams.
    with open(tmp_path / "out.txt", "w") as file:
        assert not reader_gone(file)
    assert not reader_gone(io.StringIO())


def test_discard_output_sends_later_writes_nowhere(pipe):
    read_end, write_end = pipe
    os.close(read_end)
    with open(os.dup(write_end), "w") as stream:
        discard_output(stream, io.StringIO())
        stream.write("lost\n")
        stream.flush()  # no BrokenPipeError: the null device takes it
        assert not reader_gone(stream)


def test_demo_stops_at_the_first_fit_after_its_reader_is_gone(piped, monkeypatch):
    # As "skbp demo | head -1": the settings are printed before the long
    # comparison, the reader takes them and goes; the demo then stops after
    # one fit instead of going through every fit in silence.
    fits = []
    cross_validate_models = demo.cross_validate_models

    stream, close_reader = piped

    def reader_goes_after_the_settings(*args, progress, **kwargs):
        close_reader()

        def counted(row):
            fits.append(row)
            progress(row)

        return cross_validate_models(*args, progress=counted, **kwargs)

    monkeypatch.setattr(demo, "cross_validate_models", reader_goes_after_the_settings)
    argv = ["demo", "--datasets", "iris", "wine", "--cv", "3", "--max-iter", "5"]

    status, err = run_main(argv, stream)
    assert status == 1
    assert len(fits) == 1
    assert err == ""


def test_compare_stops_at_the_first_fit_after_its_reader_is_gone(
    piped, colours_csv, monkeypatch
):
    cross_validate_models = compare.cross_validate_models
    stream, close_reader = piped

    def reader_goes_after_the_settings(*args, **kwargs):
        close_reader()
        return cross_validate_models(*args, **kwargs)

    monkeypatch.setattr(
        compare, "cross_validate_models", reader_goes_after_the_settings
    )
    argv = ["compare", str(colours_csv), "--target", "colour", "--hidden", "3"]

    status, err = run_main([*argv, "--cv", "4", "--max-iter", "5"], stream)
    assert status == 1
    # Progress goes to stderr, which is still read: one fit, of 8.
    assert err.count("[fold ") == 1
    assert not any(noise in err for noise in NOISE)


@pytest.mark.parametrize(
    "argv",
    [
        SMALL_DEMO,
        ["trace"],
        ["compare", "COLOURS", "--target", "colour", "--cv", "2", "--max-iter", "5"],
        ["show-versions"],
    ],
    ids=["demo", "trace", "compare", "show-versions"],
)
def test_a_reader_gone_before_the_first_line_gives_status_1_and_no_traceback(
    argv, pipe, colours_csv
):
    argv = [str(colours_csv) if arg == "COLOURS" else arg for arg in argv]
    read_end, write_end = pipe
    os.close(read_end)

    result = subprocess.run(
        skbp_command(*argv),
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )

    assert result.returncode == 1, result.stderr
    assert not any(noise in result.stderr for noise in NOISE), result.stderr
    # Stopped at the first write, before any fit.
    assert "[fold " not in result.stderr
    if argv[0] != "compare":  # whose notes on the data precede the output
        assert result.stderr == ""


def test_demo_piped_into_a_reader_of_one_line_exits_1_quietly():
    # What "skbp demo | head -1" does: read one line, then close the pipe.
    with subprocess.Popen(
        skbp_command(*SMALL_DEMO),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read()
        status = process.wait(timeout=HANG_GUARD_SECONDS)

    assert first.startswith("2-fold stratified cross-validation")
    assert status == 1
    assert err == ""


@pytest.mark.parametrize("argv", [["trace"], SMALL_DEMO], ids=["trace", "demo"])
def test_output_read_to_the_end_still_exits_0(argv):
    result = subprocess.run(
        skbp_command(*argv), capture_output=True, text=True, timeout=HANG_GUARD_SECONDS
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Mazur" in result.stdout
