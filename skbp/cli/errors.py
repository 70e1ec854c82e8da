"""The error that ``skbp`` reports as one line instead of a traceback."""


class InputError(ValueError):
    """A file, target or option that the command cannot use.

    Its message is one line meant for the user: ``skbp`` prints it after
    ``skbp <command>: error:`` and exits with status 2, as argparse does
    for wrong usage.

    Examples
    --------
    >>> from skbp.cli.errors import InputError
    >>> str(InputError("data.csv: no such file"))
    'data.csv: no such file'
    """


def one_line(text):
    """``text`` with every run of whitespace, newlines included, as one space.

    Parameters
    ----------
    text : str

    Returns
    -------
    line : str

    Examples
    --------
    >>> from skbp.cli.errors import one_line
    >>> one_line("Error tokenizing data.\\n  Expected 3 fields")
    'Error tokenizing data. Expected 3 fields'
    """
    return " ".join(text.split())
