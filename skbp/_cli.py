"""Command line: ``skbp <command>`` or ``python -m skbp <command>``."""

import argparse


def _int_at_least(minimum):
    """argparse type: an int of at least ``minimum``."""

    def parse(text):
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "int"  # argparse's message: "invalid int value: 'x'"
    return parse


def _demo(args):
    from ._demo import run_demo

    run_demo(datasets=args.datasets, cv=args.cv, max_iter=args.max_iter)
    return 0


def _trace(args):
    from ._demo import print_trace

    print_trace()
    return 0


def build_parser():
    """The argparse parser of the ``skbp`` command, one subparser per command."""
    from . import __version__
    from ._demo import DATASETS, DEFAULT_DATASETS

    parser = argparse.ArgumentParser(
        prog="skbp",
        description="scikit-learn compatible MLPs with hand-written backprop.",
    )
    parser.add_argument("--version", action="version", version=f"skbp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    demo = commands.add_parser(
        "demo",
        help="compare with MLPClassifier by cross-validation, then seed 003",
        description="Cross-validate BackpropClassifier and sklearn's MLPClassifier "
        "with equal settings, then reproduce seed 003's 2-2-2 worked example.",
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
        help="print every number of seed 003's first backprop step",
        description="One traced training step of seed 003's 2-2-2 network: "
        "forward, backward and update tables.",
    )
    trace.set_defaults(run=_trace)
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
        0 on success. Wrong usage exits through argparse with status 2.
    """
    args = build_parser().parse_args(argv)
    return args.run(args)
