"""The ``skbp`` command: its arguments, its three subcommands, its exit statuses."""

import argparse
import sys

from .errors import InputError


def _int_at_least(minimum):
    """argparse type: an int of at least ``minimum``."""

    def parse(text):
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "int"  # argparse's message: "invalid int value: 'x'"
    return parse


def _hidden_layer_sizes(text):
    """argparse type: "100" -> (100,), "64,32" -> (64, 32)."""
    try:
        sizes = tuple(int(size) for size in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of layer sizes: use positive whole numbers "
            "separated by commas, e.g. 100 or 64,32"
        )
    return sizes


def _demo(args):
    from .demo import run_demo

    run_demo(datasets=args.datasets, cv=args.cv, max_iter=args.max_iter)


def _trace(args):
    from .demo import print_trace

    print_trace()


def _compare(args):
    from .compare import run_compare

    run_compare(
        args.csv,
        args.target,
        task=args.task,
        cv=args.cv,
        hidden_layer_sizes=args.hidden,
        max_iter=args.max_iter,
        random_state=args.random_state,
        plot=args.plot,
        sep=args.sep,
        encoding=args.encoding,
    )


def build_parser():
    """The argparse parser of the ``skbp`` command, one subparser per command.

    Returns
    -------
    parser : argparse.ArgumentParser
        Parsed arguments have ``command`` (the subcommand's name) and
        ``run`` (the function that runs it, given those arguments).

    Examples
    --------
    >>> from skbp.cli.command import build_parser
    >>> args = build_parser().parse_args(["compare", "d.csv", "--target", "y"])
    >>> args.command, args.hidden, args.cv
    ('compare', (100,), 5)
    """
    from .. import __version__
    from .data import MAX_CLASSES, TASKS
    from .demo import DATASETS, DEFAULT_DATASETS

    parser = argparse.ArgumentParser(
        prog="skbp",
        description="scikit-learn compatible MLPs with hand-written backprop.",
    )
    parser.add_argument("--version", action="version", version=f"skbp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    demo = commands.add_parser(
        "demo",
        help="compare with MLPClassifier by cross-validation, then reproduce "
        "Mazur's worked example",
        description="Cross-validate BackpropClassifier and sklearn's MLPClassifier "
        "with equal settings, then reproduce the 2-2-2 network of Matt Mazur's "
        '"A Step by Step Backpropagation Example".',
    )
    demo.add_argument(
        "--datasets",
        nargs="+",
        choices=sorted(DATASETS),
        default=list(DEFAULT_DATASETS),
        metavar="NAME",
        help=f"sklearn data sets, from {', '.join(sorted(DATASETS))} "
        f"(default: {' '.join(DEFAULT_DATASETS)})",
    )
    demo.add_argument(
        "--cv", type=_int_at_least(2), default=5, help="number of folds (default: 5)"
    )
    demo.add_argument(
        "--max-iter", type=_int_at_least(1), default=200, help="epochs (default: 200)"
    )
    demo.set_defaults(run=_demo)

    trace = commands.add_parser(
        "trace",
        help="print every number of the first backprop step of Mazur's example",
        description="One traced training step of the 2-2-2 network of Matt "
        'Mazur\'s "A Step by Step Backpropagation Example": forward, backward '
        "and update tables.",
    )
    trace.set_defaults(run=_trace)

    compare = commands.add_parser(
        "compare",
        help="cross-validate skbp and sklearn's MLP on your CSV file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"""\
Cross-validate skbp's network and scikit-learn's MLPClassifier or
MLPRegressor on a CSV file, with equal settings (hence the same initial
weights) and the same preprocessing: numeric columns get median imputation
and standardization, the others most-frequent imputation and one-hot
encoding. Rows without a target value are dropped.

The task follows from the target column (--task overrides it):
classification for text or true/false values, and for whole numbers with
at most {MAX_CLASSES} distinct values (stratified folds); regression
for other numbers (standardized while fitting).

Progress goes to stderr as each fit ends, the results table to stdout.
ConvergenceWarnings are suppressed. A file or target that cannot be used
gives one line on stderr and exit status 2.""",
        epilog="example:\n  skbp compare iris.csv --target species --plot loss.png",
    )
    compare.add_argument("csv", metavar="DATA.csv", help="CSV file with a header row")
    compare.add_argument(
        "--target", required=True, metavar="COL", help="name of the column to predict"
    )
    compare.add_argument(
        "--task",
        choices=TASKS,
        default="auto",
        help="override the guess made from the target (default: auto)",
    )
    compare.add_argument(
        "--cv",
        type=_int_at_least(2),
        default=5,
        metavar="N",
        help="number of folds (default: 5)",
    )
    compare.add_argument(
        "--hidden",
        type=_hidden_layer_sizes,
        default=(100,),
        metavar="SIZES",
        help="hidden layer sizes, comma separated, e.g. 64,32 (default: 100)",
    )
    compare.add_argument(
        "--max-iter",
        type=_int_at_least(1),
        default=200,
        metavar="N",
        help="epochs per fit (default: 200)",
    )
    compare.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the initial weights and of the folds (default: 0)",
    )
    compare.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save every fit's training loss curve to this image (needs matplotlib)",
    )
    compare.add_argument(
        "--sep",
        default=",",
        help="field separator of the CSV file, e.g. ';' or '\\t' (default: ,)",
    )
    compare.add_argument(
        "--encoding",
        default="utf-8",
        metavar="NAME",
        help="text encoding of the CSV file (default: utf-8)",
    )
    compare.set_defaults(run=_compare)
    return parser


def main(argv=None) -> int:
    """Run the ``skbp`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success; 2 when ``skbp compare`` cannot use its CSV file or
        target (after one line on stderr); 130 when interrupted by Ctrl-C
        (after one line on stderr). Wrong usage (unknown command, invalid
        option value) exits through argparse with status 2 instead of
        returning.

    Examples
    --------
    >>> from skbp.cli import main
    >>> main(["compare", "absent.csv", "--target", "y"])
    2
    """
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except InputError as exc:
        # argparse's format, but one line: the usage is not what went wrong.
        print(f"skbp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # 128 + SIGINT, as a shell reports a command that Ctrl-C ended.
        print(f"skbp {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
