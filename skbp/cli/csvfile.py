"""Reading the user's CSV file, with a one-line message for every way it fails."""

from pathlib import Path

import pandas as pd

from .errors import InputError, one_line


def read_csv(path, sep=",", encoding="utf-8"):
    """Read a CSV file, turning every way it can fail into an InputError.

    Parameters
    ----------
    path : str or Path
        The file.
    sep : str, default=","
        Field separator; ``\\t`` (backslash, t) and ``tab`` mean a tab.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    frame : pandas.DataFrame
        The table, with at least one row.

    Raises
    ------
    InputError
        The file is missing, unreadable, empty, binary, not in ``encoding``,
        or not well-formed CSV (e.g. rows with more fields than the header).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skbp.cli.csvfile import read_csv
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "t.csv"
    ...     _ = path.write_text("a;y\\n1;0\\n2;1\\n")
    ...     read_csv(path, sep=";").shape
    (2, 2)
    """
    # A shell passes --sep '\t' as backslash + t, not as a tab.
    sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    # NUL bytes never occur in UTF-8 or Latin-1 text, but pandas reads them as
    # a column name instead of failing, so binary files are caught here.
    if b"\x00" in head and "16" not in encoding and "32" not in encoding:
        hint = (
            "; it starts with a UTF-16 byte-order mark: pass --encoding utf-16"
            if head[:2] in (b"\xff\xfe", b"\xfe\xff")
            else ""
        )
        raise InputError(
            f"{path} looks like a binary file, not CSV text (it contains NUL "
            f"bytes){hint}"
        )
    try:
        frame = pd.read_csv(path, sep=sep, encoding=encoding)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path} is empty: no header row, no data") from None
    except pd.errors.ParserError as exc:
        detail = one_line(str(exc)).removeprefix("Error tokenizing data. C error: ")
        if detail[1:2].islower():  # "Expected 3 fields", but not "EOF inside"
            detail = detail[:1].lower() + detail[1:]
        raise InputError(f"{path} is not a well-formed CSV file: {detail}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not {encoding} text (byte 0x{exc.object[exc.start]:02x} at "
            f"position {exc.start}); if it is a CSV file in another encoding, pass "
            "--encoding, e.g. --encoding latin-1"
        ) from None
    except LookupError:
        raise InputError(f"unknown --encoding {encoding!r}") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {one_line(str(exc))}") from None
    # Rows with one field more than the header make pandas use the first
    # field as an index, silently shifting every column name by one.
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        raise InputError(
            f"{path} is not a well-formed CSV file: its rows have more fields "
            f"than its header has names ({len(frame.columns)})"
        )
    if frame.empty:
        raise InputError(f"{path} has a header but no data rows")
    return frame
