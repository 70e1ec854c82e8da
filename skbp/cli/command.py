"""The ``skbp`` command: its arguments, its subcommands, its exit statuses."""

import argparse
import math
import sys

# The estimators' own list, in the order their messages give it: the help
# and the CLI's messages list the hidden units in the same order.
from .._activations import ALIASES, REGISTRY
from .._activations import HIDDEN_ACTIVATION_NAMES as ACTIVATIONS
from .._solvers import SOLVERS, either, stochastic_solvers
from .errors import InputError
from .pipes import discard_output, reader_gone

# The hidden units scikit-learn's MLP does not have, and how the help names
# the aliases, both read from the activations' records.
SKBP_ONLY_ACTIVATIONS = tuple(
    name for name, unit in REGISTRY.items() if unit.hidden and not unit.sklearn_name
)
_ALIASES_SAID = ", ".join(
    f"{alias} is another name for {name}" for alias, name in ALIASES.items()
)


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser that checks the rules between its options.

    argparse checks each option alone, as it reads it; ``check(parser,
    args)`` runs once they are all read (the order they come in does not
    matter then) and reports a broken rule with ``parser.error``: usage
    and exit status 2, as for any wrong option.
    """

    def __init__(self, *args, check=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    # The subcommands action parses the subcommand's arguments with this.
    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if self.check is not None:
            self.check(self, namespace)
        return namespace, extras


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


def _activation(text):
    """argparse type: "relu" -> "relu", "relu,tanh" -> ("relu", "tanh")."""
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in ACTIVATIONS:
            raise argparse.ArgumentTypeError(
                f"{name!r} is not a hidden activation: use one of "
                f"{', '.join(ACTIVATIONS)}, or one per hidden layer separated "
                "by commas, e.g. relu,tanh"
            )
    return names[0] if len(names) == 1 else tuple(names)


def _dropout(text):
    """argparse type: "0.2" -> 0.2, "0.5,0.2" -> (0.5, 0.2), each in [0, 1)."""
    rates = []
    for part in text.split(","):
        try:
            rate = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{part.strip()!r} is not a number: give a drop probability in "
                "[0, 1), or one per hidden layer separated by commas, e.g. 0.5,0.2"
            ) from None
        # Written so that NaN fails too.
        if not 0 <= rate < 1:
            raise argparse.ArgumentTypeError(
                f"{part.strip()} is not in [0, 1): a rate is the probability of "
                "dropping a unit, below 1 for some to be left"
            )
        rates.append(rate)
    return rates[0] if len(rates) == 1 else tuple(rates)


def _label_smoothing(text):
    """argparse type: "0.1" -> 0.1, in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number: give ε in [0, 1), e.g. 0.1"
        ) from None
    # Written so that NaN fails too.
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"{text} is not in [0, 1): ε is the share of each target spread "
            "over the classes, below 1 for the label to keep some"
        )
    return value


def _check_network_options(parser, args):
    """The rules between ``skbp compare``'s network options, each an
    argparse error: per-layer values as many as ``--hidden`` has layers,
    dropout and clipping only with a solver that takes them."""
    layers = len(args.hidden)
    hidden = ",".join(map(str, args.hidden))
    counted = [
        ("--activation", args.activation, "names", "name"),
        ("--dropout", args.dropout, "gives rates for", "rate"),
    ]
    for option, values, verb, noun in counted:
        # A tuple is one value per layer; a single value is every layer's.
        if isinstance(values, tuple) and len(values) != layers:
            text = ",".join(map(str, values))
            parser.error(
                f"{option} {text} {verb} {len(values)} hidden layers, but --hidden "
                f"{hidden} has {layers}; give one {noun} for all hidden layers "
                "or one per hidden layer"
            )
    solver = SOLVERS[args.solver]
    if not solver.stochastic:
        # The solvers that take a step per batch are the only ones with
        # dropout and gradient clipping.
        stochastic = either(stochastic_solvers(), quote=str)
        rates = args.dropout if isinstance(args.dropout, tuple) else (args.dropout,)
        if any(rates):
            parser.error(
                f"--dropout needs --solver {stochastic}, not {args.solver}: "
                f"dropout draws new masks for every batch, and {solver.title} "
                "needs the same loss at every evaluation"
            )
        if args.clip_grad_norm is not None:
            parser.error(
                f"--clip-grad-norm needs --solver {stochastic}, not {args.solver}: "
                "clipping scales down each batch's gradient before the step, and "
                f"{solver.title} needs the loss's own gradient at every evaluation"
            )
        for option, on in (
            ("--cosine", args.cosine),
            ("--weight-decay", args.weight_decay),
        ):
            if on:
                parser.error(
                    f"{option} needs --solver {stochastic}, not {args.solver}: it "
                    f"acts on each step, and {solver.title} takes no steps of a "
                    "given size"
                )
    if args.warmup_epochs and not args.cosine:
        parser.error("--warmup-epochs is the warm-up of --cosine: give --cosine too")
    if args.restore_best != "score" and not args.early_stopping:
        parser.error(
            "--restore-best picks the epoch --early-stopping restores: give "
            "--early-stopping too"
        )
    if args.warmup_epochs >= args.max_iter:
        parser.error(
            f"--warmup-epochs {args.warmup_epochs} leaves no epoch of --max-iter "
            f"{args.max_iter} to the cosine schedule; it must be less"
        )


def _float_above(minimum, inclusive):
    """argparse type: a finite float above ``minimum`` (or equal, if ``inclusive``)."""

    def parse(text):
        value = float(text)
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if value < minimum or (value == minimum and not inclusive):
            bound = f"{minimum:g} or more" if inclusive else f"more than {minimum:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text!r}")
        return value

    parse.__name__ = "float"  # argparse's message: "invalid float value: 'x'"
    return parse


def _demo(args):
    from .demo import run_demo

    run_demo(datasets=args.datasets, cv=args.cv, max_iter=args.max_iter)


def _trace(args):
    if args.html is None:
        from .demo import print_trace

        print_trace()
        return
    from .trace_html import write_trace_html

    write_trace_html(
        args.html,
        csv=args.csv,
        target=args.target,
        n_steps=args.steps,
        hidden_layer_sizes=args.hidden,
        batch_size=args.batch_size,
        learning_rate_init=args.learning_rate,
        random_state=args.random_state,
        sep=args.sep,
        encoding=args.encoding,
        drop=args.drop,
        task=args.task,
    )


def _check_trace_options(parser, args):
    if args.csv is not None and args.html is None:
        parser.error("a CSV file is traced into a page: give --html FILE")
    if args.csv is not None and args.target is None:
        parser.error("a CSV file needs --target COL, the column to predict")
    if args.csv is None and args.target is not None:
        parser.error("--target needs a CSV file (DATA.csv)")


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
        drop=args.drop,
        activation=args.activation,
        solver=args.solver,
        learning_rate_init=args.learning_rate,
        alpha=args.alpha,
        early_stopping=args.early_stopping,
        dropout=args.dropout,
        clip_grad_norm=args.clip_grad_norm,
        learning_rate="cosine" if args.cosine else "constant",
        warmup_epochs=args.warmup_epochs,
        weight_decay=args.weight_decay,
        label_smoothing=args.label_smoothing,
        restore_best=args.restore_best,
    )


def _show_versions(args):
    # Imported when run: the package may not export it yet, only have its
    # module, and the other commands need none of what it imports.
    try:
        from .. import show_versions
    except ImportError:
        try:
            from .._show_versions import show_versions
        except ImportError as exc:
            raise InputError(
                f"this installation of skbp cannot show versions: {exc}"
            ) from None
    show_versions()


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
    >>> args = build_parser().parse_args(["compare", "d.csv", "--target", "y",
    ...     "--hidden", "64,32", "--activation", "relu,tanh", "--dropout", "0.5,0.2"])
    >>> args.activation, args.dropout, args.clip_grad_norm
    (('relu', 'tanh'), (0.5, 0.2), None)
    """
    from .. import __version__
    from .data import MAX_CLASSES, TASKS
    from .demo import DATASETS, DEFAULT_DATASETS

    parser = argparse.ArgumentParser(
        prog="skbp",
        description="scikit-learn compatible MLPs with hand-written backprop.",
    )
    parser.add_argument("--version", action="version", version=f"skbp {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="command", parser_class=_CommandParser
    )

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
        help="print every number of the first backprop step of Mazur's example, "
        "or write a training run as a page to step through (--html)",
        check=_check_trace_options,
        description="One traced training step of the 2-2-2 network of Matt "
        'Mazur\'s "A Step by Step Backpropagation Example": forward, backward '
        "and update tables. With --html FILE, a run of --steps steps of "
        "Mazur's network, or of a network on DATA.csv (--target COL; "
        "preprocessed as by skbp compare; plain SGD), as one HTML page that "
        "opens offline: the network, a stepper over the steps, the loss, and "
        "every unit's and weight's numbers with their formulas.",
        epilog="examples:\n  skbp trace --html mazur.html\n"
        "  skbp trace iris.csv --target species --html iris.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trace.add_argument(
        "csv", nargs="?", metavar="DATA.csv", help="CSV file with a header row"
    )
    trace.add_argument("--target", metavar="COL", help="the column to predict")
    trace.add_argument("--html", metavar="FILE", help="write the run's page here")
    trace.add_argument(
        "--steps",
        type=_int_at_least(1),
        default=200,
        metavar="N",
        help="steps recorded (default: 200)",
    )
    trace.add_argument(
        "--hidden",
        type=_hidden_layer_sizes,
        default=(8,),
        metavar="SIZES",
        help="hidden layer sizes of the network on DATA.csv (default: 8)",
    )
    trace.add_argument(
        "--batch-size",
        type=_int_at_least(1),
        default=None,
        metavar="N",
        help="rows per step, in the file's order (default: all rows)",
    )
    trace.add_argument(
        "--learning-rate",
        type=_float_above(0, inclusive=False),
        default=None,
        metavar="RATE",
        help="SGD's learning rate (default: Mazur's 0.5; 0.1 on DATA.csv)",
    )
    trace.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the initial weights on DATA.csv (default: 0)",
    )
    trace.add_argument("--task", choices=TASKS, default="auto", help=argparse.SUPPRESS)
    trace.add_argument("--drop", action="append", default=[], help=argparse.SUPPRESS)
    trace.add_argument("--sep", default=",", help=argparse.SUPPRESS)
    trace.add_argument("--encoding", default="utf-8", help=argparse.SUPPRESS)
    trace.set_defaults(run=_trace)

    compare = commands.add_parser(
        "compare",
        help="cross-validate skbp and sklearn's MLP on your CSV file",
        check=_check_network_options,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"""\
Cross-validate skbp's network and scikit-learn's MLPClassifier or
MLPRegressor on a CSV file, with equal settings (hence the same initial
weights) and the same preprocessing: numeric columns get median imputation
and standardization, the others most-frequent imputation and one-hot
encoding. Rows without a target value are dropped, and so are the columns
named by --drop (an identifier or a date, one-hot encoded, is an input per
row: slow, and no help on unseen rows). A column that looks like an
identifier (text that differs in over half the rows, whole numbers that
all differ) stays a feature, with a note on stderr that suggests --drop.

The task follows from the target column (--task overrides it):
classification for text or true/false values, and for whole numbers with
at most {MAX_CLASSES} distinct values (stratified folds); regression
for other numbers (standardized while fitting).

Settings that scikit-learn's MLP lacks are given to skbp's network
alone, and the settings printed above the results say so: --dropout,
--clip-grad-norm, --cosine, --warmup-epochs, --weight-decay,
--label-smoothing and --restore-best (scikit-learn's MLP trains without
them), and hidden
units it does not have (--activation {", ".join(SKBP_ONLY_ACTIVATIONS)}, or one per
layer; scikit-learn's MLP is left out then).

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
        "--drop",
        action="append",
        default=[],
        metavar="COL",
        help="leave this column out of the features, e.g. an identifier or a "
        "date; repeat it or separate names with commas: --drop id,date",
    )
    compare.add_argument(
        "--cv",
        type=_int_at_least(2),
        default=5,
        metavar="N",
        help="number of folds (default: 5)",
    )
    networks = compare.add_argument_group(
        "settings of both networks",
        "Each is given to skbp's network and to scikit-learn's alike.",
    )
    networks.add_argument(
        "--hidden",
        type=_hidden_layer_sizes,
        default=(100,),
        metavar="SIZES",
        help="hidden layer sizes, comma separated, e.g. 64,32 (default: 100)",
    )
    networks.add_argument(
        "--activation",
        type=_activation,
        default="logistic",
        metavar="NAME",
        help=f"hidden units, one of {', '.join(ACTIVATIONS)} ({_ALIASES_SAID}), "
        "or one per hidden layer, comma separated, e.g. relu,tanh. "
        f"scikit-learn's MLP has no {' or '.join(SKBP_ONLY_ACTIVATIONS)} units, "
        "and one activation for all hidden layers: with those, it is left out "
        "and only skbp's network is cross-validated (default: logistic)",
    )
    networks.add_argument(
        "--solver",
        choices=tuple(SOLVERS),
        default="adam",
        help="weight optimizer (default: adam)",
    )
    networks.add_argument(
        "--learning-rate",
        type=_float_above(0, inclusive=False),
        default=0.001,
        metavar="RATE",
        help="initial learning rate of adam and sgd, learning_rate_init; "
        "lbfgs has none (default: 0.001)",
    )
    networks.add_argument(
        "--alpha",
        type=_float_above(0, inclusive=True),
        default=0.0001,
        metavar="ALPHA",
        help="strength of the L2 penalty on the weights (default: 0.0001)",
    )
    networks.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop a fit when the score on 10%% of its training rows, held "
        "out, stops improving (adam and sgd only)",
    )
    networks.add_argument(
        "--max-iter",
        type=_int_at_least(1),
        default=200,
        metavar="N",
        help="epochs per fit (default: 200)",
    )
    networks.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the initial weights and of the folds (default: 0)",
    )
    skbp_only = compare.add_argument_group(
        "settings of skbp's network only",
        # Written wrapped: the raw description formatter keeps line breaks.
        "scikit-learn's MLP has none of these: it trains without them, a\n"
        "baseline for what they change, as the settings above the results\n"
        "say. All but --label-smoothing need --solver "
        f"{either(stochastic_solvers(), quote=str)}.",
    )
    skbp_only.add_argument(
        "--dropout",
        type=_dropout,
        default=0.0,
        metavar="RATE",
        help="probability in [0, 1) of dropping each hidden unit while "
        "training, or one per hidden layer, comma separated, e.g. 0.5,0.2 "
        "(default: 0, no dropout)",
    )
    skbp_only.add_argument(
        "--clip-grad-norm",
        type=_float_above(0, inclusive=False),
        default=None,
        metavar="NORM",
        help="scale each batch's gradient down to this L2 norm when longer "
        "(default: no clipping)",
    )
    skbp_only.add_argument(
        "--cosine",
        action="store_true",
        help="anneal the learning rate from --learning-rate to 0 on a cosine "
        "over --max-iter epochs, learning_rate='cosine' (default: constant)",
    )
    skbp_only.add_argument(
        "--warmup-epochs",
        type=_int_at_least(0),
        default=0,
        metavar="N",
        help="epochs of linear warm-up before --cosine's annealing (default: 0)",
    )
    skbp_only.add_argument(
        "--weight-decay",
        type=_float_above(0, inclusive=True),
        default=0.0,
        metavar="LAMBDA",
        help="decoupled weight decay: each step also shrinks every weight by "
        "rate x LAMBDA x w, AdamW's (default: 0)",
    )
    skbp_only.add_argument(
        "--label-smoothing",
        type=_label_smoothing,
        default=0.0,
        metavar="EPS",
        help="classification only: train against the targets y(1 - EPS) + "
        "EPS/K instead of the 0/1 labels, K the classes (2 for each logistic "
        "output), label_smoothing=EPS (default: 0)",
    )
    skbp_only.add_argument(
        "--restore-best",
        choices=("score", "loss"),
        default="score",
        help="with --early-stopping, restore the epoch of the best validation "
        "score or of the lowest validation loss, restore_best (default: score)",
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

    show_versions = commands.add_parser(
        "show-versions",
        help="print the versions of skbp, Python and the libraries it uses",
        description="Print the versions of skbp, Python, the libraries skbp "
        "uses and the machine, to paste into a bug report.",
    )
    show_versions.set_defaults(run=_show_versions)
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
        target, or ``skbp show-versions`` is not available (after one line
        on stderr); 130 when interrupted by Ctrl-C (after one line on
        stderr); 1, silently, when the program reading the output stops
        reading (``skbp demo | head -1``): the command stops then, before
        its remaining work. Wrong usage (unknown command, invalid option
        value) exits through argparse with status 2 instead of returning.

    Examples
    --------
    >>> from skbp.cli import main
    >>> main(["compare", "absent.csv", "--target", "y"])
    2
    """
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
        # Here, not at exit, where a reader gone would be reported as
        # "Exception ignored ... BrokenPipeError".
        sys.stdout.flush()
    except InputError as exc:
        # argparse's format, but one line: the usage is not what went wrong.
        print(f"skbp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # 128 + SIGINT, as a shell reports a command that Ctrl-C ended.
        print(f"skbp {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Python's recipe (its "Note on SIGPIPE"): nobody reads what is
        # left, so say nothing, and let the interpreter's last flush write
        # to the null device instead of failing again at exit. Status 1 as
        # in that recipe: the output is incomplete, which only a shell with
        # pipefail asks about.
        streams = [sys.stdout]
        if reader_gone(sys.stderr):  # e.g. skbp compare ... 2>&1 | head -1
            streams.append(sys.stderr)
        discard_output(*streams)
        return 1
    return 0
