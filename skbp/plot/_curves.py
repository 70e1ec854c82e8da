"""Training curves: the loss and the gradient norms per epoch."""

import functools

import numpy as np

from .._solvers import either, stochastic_solvers
from ._common import _check_matplotlib, _fitted_network, _new_axes

_VALIDATION_YLABEL = "validation score"


def _label_epochs(ax):
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _validation_axes(ax, create):
    """The twin of ``ax`` with the validation scores of earlier LossCurveDisplays.

    If there is none: a new twin when ``create``, else None.
    """
    for other in ax.get_shared_x_axes().get_siblings(ax):
        if (
            other is not ax
            and other.get_ylabel() == _VALIDATION_YLABEL
            and other.get_position().bounds == ax.get_position().bounds
        ):
            return other
    if not create:
        return None
    twin = ax.twinx()
    # Draw ax above its twin, so that its legend is not crossed by the
    # validation lines; the twin takes over ax's background.
    ax.set_zorder(twin.get_zorder() + 1)
    twin.patch.set_visible(True)
    twin.set_facecolor(ax.get_facecolor())
    ax.patch.set_visible(False)
    return twin


# Legend locations in the order matplotlib's loc="best" tries them, so that
# ties go the same way.
_LEGEND_LOCATIONS = (
    "upper right",
    "upper left",
    "lower left",
    "lower right",
    "right",
    "center left",
    "center right",
    "lower center",
    "upper center",
    "center",
)


def _set_legend_loc(legend, loc):
    try:
        legend.set_loc(loc)
    except AttributeError:  # matplotlib < 3.8
        legend._loc = legend.codes[loc]


def _keep_legend_clear_of(legend, axes):
    """Place ``legend`` where it covers least of the lines of all ``axes``.

    matplotlib's ``loc="best"`` only avoids the lines of the legend's own
    axes, so a legend on ``ax`` lands on the validation curve of its twin.
    """
    legend.draw = functools.partial(_draw_clear_of, legend, axes, {})


def _draw_clear_of(legend, axes, placed, renderer):
    # The choice is made at each draw, not once in plot(): only then do the
    # axes have the limits and size that a layout engine gives them. A legend
    # placed by hand since (neither "best" nor the last choice) stays put;
    # without the private _loc the plain "best" of matplotlib is kept.
    loc = getattr(legend, "_loc", None)
    if loc is not None and loc in (0, placed.get("loc")):
        paths = []
        for ax in axes:
            ax.get_xlim(), ax.get_ylim()  # Settles autoscaled limits.
            paths.extend(
                line.get_transform().transform_path(line.get_path())
                for line in ax.get_lines()
                if line.get_visible()
            )
        candidates = []
        for rank, name in enumerate(_LEGEND_LOCATIONS):
            _set_legend_loc(legend, name)
            box = legend.get_window_extent(renderer)
            # matplotlib's measure for "best": vertices inside, and lines
            # crossing the box.
            badness = sum(
                box.count_contains(path.vertices)
                + path.intersects_bbox(box, filled=False)
                for path in paths
            )
            candidates.append((badness, rank, name))
            if badness == 0:
                break
        _set_legend_loc(legend, min(candidates)[2])
        placed["loc"] = legend._loc
    type(legend).draw(legend, renderer)


def _layer_label(layer, n_layers):
    """``"layer 2 (hidden 1 -> hidden 2)"``: weights ``coefs_[layer - 1]``."""
    source = "input" if layer == 1 else f"hidden {layer - 1}"
    target = "output" if layer == n_layers else f"hidden {layer}"
    return f"layer {layer} ({source} -> {target})"


class LossCurveDisplay:
    """Training loss per epoch, and the validation score and loss when scored.

    It is recommended to use :meth:`LossCurveDisplay.from_estimator` to
    create a display. All parameters are stored as attributes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch, as in an estimator's ``loss_curve_``.

    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score of each epoch, as in ``validation_scores_`` with
        ``early_stopping=True`` or a validation set given to ``fit``. None
        draws no validation score.

    estimator_name : str, default=None
        Name put in front of the line labels. With one estimator on the
        axes the legend shows it once, as its title. None puts no name.

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch, as in ``validation_loss_curve_``,
        drawn on the training loss's axes (the same loss, without the L2
        term). None draws no validation loss.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss against the epoch (1, 2, ...).

    validation_loss_line_ : matplotlib Line2D or None
        The validation loss against the epoch, on ``ax_``, dotted in the
        training loss's colour; None without a validation loss.

    validation_line_ : matplotlib Line2D or None
        The validation score against the epoch, on ``ax_validation_``; None
        without validation scores.

    ax_ : matplotlib Axes
        Axes with the training loss.

    ax_validation_ : matplotlib Axes or None
        Twin of ``ax_`` (sharing its x axis, with its own y axis on the
        right) with the validation score; None without validation scores.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    LossCurveDisplay.from_estimator : Plot the loss curve of a fitted
        estimator.
    GradientNormDisplay : Gradient norm of each layer per epoch.
    sklearn.model_selection.LearningCurveDisplay : Scores against the
        training set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbp.plot import LossCurveDisplay
    >>> disp = LossCurveDisplay([0.9, 0.5, 0.4], estimator_name="net").plot()
    >>> disp.line_.get_label()
    'net: training loss'
    >>> disp.ax_.get_xlabel(), disp.ax_.get_ylabel()
    ('epoch', 'training loss')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        loss_curve,
        validation_scores=None,
        estimator_name=None,
        validation_loss_curve=None,
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.validation_loss_curve = validation_loss_curve

    def plot(self, ax=None, *, name=None, validation_kwargs=None, **kwargs):
        """Plot the training loss and, if there are any, the validation scores.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes. Plotting
            several estimators on one ``ax`` compares them; their validation
            scores then share one twin axis. That axis puts its ticks and
            label on the right of ``ax``: in a figure with a neighbour to the
            right, make room for them with ``layout="constrained"`` or
            ``fig.tight_layout()``. The legend is placed at each draw where
            it covers least of the curves of both axes.

        name : str, default=None
            Name put in front of the line labels (the legend's title with
            one estimator on the axes). None uses ``estimator_name``.

        validation_kwargs : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the
            validation score. By default it is dashed, in the colour of the
            training loss.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot`` for the
            training loss.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.

        See Also
        --------
        LossCurveDisplay.from_estimator : Plot the loss curve of a fitted
            estimator.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from skbp.plot import LossCurveDisplay
        >>> fig, ax = plt.subplots()
        >>> disp = LossCurveDisplay([0.9, 0.5, 0.4], [0.6, 0.8, 0.85]).plot(ax=ax)
        >>> disp.ax_ is ax, disp.validation_line_.get_label()
        (True, 'validation score')
        >>> plt.close(fig)
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        ax = _new_axes(ax)
        name = self.estimator_name if name is None else name
        prefix = "" if name is None else f"{name}: "

        loss_curve = np.asarray(self.loss_curve, dtype=float)
        line_kwargs = {"label": f"{prefix}training loss", **kwargs}
        (self.line_,) = ax.plot(
            np.arange(1, loss_curve.size + 1), loss_curve, **line_kwargs
        )
        _label_epochs(ax)
        ax.set_ylabel("training loss")
        self.validation_loss_line_ = None
        if self.validation_loss_curve is not None:
            val_loss = np.asarray(self.validation_loss_curve, dtype=float)
            (self.validation_loss_line_,) = ax.plot(
                np.arange(1, val_loss.size + 1),
                val_loss,
                label=f"{prefix}validation loss",
                color=self.line_.get_color(),
                linestyle=":",
            )
            ax.set_ylabel("loss")

        self.ax_validation_ = self.validation_line_ = None
        if self.validation_scores is not None:
            scores = np.asarray(self.validation_scores, dtype=float)
            self.ax_validation_ = _validation_axes(ax, create=True)
            validation_kwargs = {
                "label": f"{prefix}validation score",
                "color": self.line_.get_color(),
                "linestyle": "--",
                **(validation_kwargs or {}),
            }
            (self.validation_line_,) = self.ax_validation_.plot(
                np.arange(1, scores.size + 1), scores, **validation_kwargs
            )
            self.ax_validation_.set_ylabel(_VALIDATION_YLABEL)

        # One legend, on ax_, for the lines of both y axes.
        twin = _validation_axes(ax, create=False)
        handles = [
            line
            for a in (ax, twin)
            if a is not None
            for line in a.get_lines()
            if not line.get_label().startswith("_")
        ]
        labels = [line.get_label() for line in handles]
        title = None
        if prefix and all(label.startswith(prefix) for label in labels):
            # One estimator: its name once, as the title, keeps the legend
            # narrow enough to find a free spot between the two curves.
            title = name
            labels = [label[len(prefix) :] for label in labels]
        legend = ax.legend(handles, labels, title=title)
        if twin is not None:
            _keep_legend_clear_of(legend, (ax, twin))

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, name=None, validation_kwargs=None, **kwargs
    ):
        """Plot the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted ``BackpropClassifier`` or ``BackpropRegressor`` (or
            scikit-learn's ``MLPClassifier`` or ``MLPRegressor``), or a
            pipeline ending in one, fitted by a stochastic solver ("sgd" or
            "adam"): ``loss_curve_`` is drawn, and ``validation_scores_``
            and ``validation_loss_curve_`` when it was fitted with
            ``early_stopping=True`` or a validation set (``X_val``).

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        name : str, default=None
            Name put in front of the line labels (the legend's title with
            one estimator on the axes). None uses the class name of the
            estimator.

        validation_kwargs : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the
            validation score.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot`` for the
            training loss.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.

        ValueError
            If the estimator has no ``loss_curve_`` (``solver="lbfgs"``).

        See Also
        --------
        GradientNormDisplay.from_estimator : Gradient norm of each layer per
            epoch.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from skbp import BackpropClassifier
        >>> from skbp.plot import LossCurveDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = BackpropClassifier(hidden_layer_sizes=(5,), early_stopping=True,
        ...                          learning_rate_init=0.05, random_state=0)
        >>> clf = clf.fit(X, y)
        >>> disp = LossCurveDisplay.from_estimator(clf)
        >>> len(disp.line_.get_xdata()) == clf.n_iter_
        True
        >>> disp.validation_line_.get_label()
        'BackpropClassifier: validation score'
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        net = _fitted_network(estimator)
        if getattr(net, "loss_curve_", None) is None:
            raise ValueError(
                f"{cls.__name__} needs an estimator fitted by a stochastic solver "
                f"({either(stochastic_solvers())}); {type(net).__name__} was "
                "fitted with "
                f"solver={getattr(net, 'solver', None)!r}, which records no "
                "loss_curve_."
            )
        display = cls(
            loss_curve=net.loss_curve_,
            validation_scores=getattr(net, "validation_scores_", None),
            estimator_name=type(net).__name__ if name is None else name,
            validation_loss_curve=getattr(net, "validation_loss_curve_", None),
        )
        return display.plot(ax=ax, validation_kwargs=validation_kwargs, **kwargs)


class GradientNormDisplay:
    r"""Gradient norm of each layer of weights per epoch.

    One line per layer of weights ``coefs_[l - 1]``, l = 1 ... L, of the
    ``grad_norm_l`` columns of an estimator's ``history_``: the root mean
    square over an epoch's batches of the Frobenius norm of
    :math:`\partial E / \partial W^{(l)}`. The y axis is logarithmic, so
    that a gradient that shrinks by a constant factor per layer toward the
    input (the vanishing gradient of logistic units, whose derivative is at
    most 1/4) shows as evenly spaced lines.

    It is recommended to use :meth:`GradientNormDisplay.from_estimator` to
    create a display. All parameters are stored as attributes.

    Parameters
    ----------
    history : pandas.DataFrame
        Per-epoch record with columns ``grad_norm_1`` ... ``grad_norm_L``
        and, optionally, ``epoch`` (else epochs are numbered 1, 2, ...), as
        in an estimator's ``history_``. A dict of columns works too.

    estimator_name : str, default=None
        Title of the legend. None gives the legend no title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        ``lines_[l - 1]`` is the gradient norm of layer l against the epoch,
        labelled e.g. ``"layer 1 (input -> hidden 1)"``.

    ax_ : matplotlib Axes
        Axes with the gradient norms.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    GradientNormDisplay.from_estimator : Plot the gradient norms of a fitted
        estimator.
    LossCurveDisplay : Training loss and validation score per epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbp.plot import GradientNormDisplay
    >>> history = {"epoch": [1, 2], "grad_norm_1": [0.01, 0.02],
    ...            "grad_norm_2": [0.1, 0.3]}
    >>> disp = GradientNormDisplay(history).plot()
    >>> [line.get_label() for line in disp.lines_]
    ['layer 1 (input -> hidden 1)', 'layer 2 (hidden 1 -> output)']
    >>> disp.ax_.get_yscale()
    'log'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(disp.figure_)
    """

    def __init__(self, history, estimator_name=None):
        self.history = history
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name=None, **kwargs):
        """Plot one line of gradient norms per layer.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        name : str, default=None
            Title of the legend. None uses ``estimator_name``.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot`` for every
            layer's line.

        Returns
        -------
        display : GradientNormDisplay
            Object that stores the computed values.

        Raises
        ------
        ValueError
            If ``history`` has no ``grad_norm_1`` ... columns.

        See Also
        --------
        GradientNormDisplay.from_estimator : Plot the gradient norms of a
            fitted estimator.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from skbp.plot import GradientNormDisplay
        >>> fig, ax = plt.subplots()
        >>> history = {"grad_norm_1": [0.01, 0.02], "grad_norm_2": [0.1, 0.3]}
        >>> disp = GradientNormDisplay(history).plot(ax=ax, linewidth=3)
        >>> disp.ax_ is ax, len(disp.lines_)
        (True, 2)
        >>> plt.close(fig)
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        columns = sorted(
            (c for c in self.history.keys() if str(c).startswith("grad_norm_")),
            key=lambda c: int(str(c).rsplit("_", 1)[1]),
        )
        if not columns:
            raise ValueError(
                "history has no grad_norm_1 ... grad_norm_L columns; pass an "
                "estimator's history_."
            )
        ax = _new_axes(ax)
        name = self.estimator_name if name is None else name

        n_epochs = len(np.asarray(self.history[columns[0]]))
        epochs = (
            np.asarray(self.history["epoch"])
            if "epoch" in self.history.keys()
            else np.arange(1, n_epochs + 1)
        )
        self.lines_ = []
        for layer, column in enumerate(columns, start=1):
            line_kwargs = {"label": _layer_label(layer, len(columns)), **kwargs}
            (line,) = ax.plot(
                epochs, np.asarray(self.history[column], dtype=float), **line_kwargs
            )
            self.lines_.append(line)
        ax.set_yscale("log")
        _label_epochs(ax)
        ax.set_ylabel("gradient norm ‖∂E/∂W‖ (RMS over batches)")
        ax.legend(title=name)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Plot the gradient norm of each layer of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A ``BackpropClassifier`` or ``BackpropRegressor``, or a pipeline
            ending in one, fitted by a stochastic solver ("sgd" or "adam"),
            whose ``history_`` has the gradient norms.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        name : str, default=None
            Title of the legend. None uses the class name of the estimator.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot`` for every
            layer's line.

        Returns
        -------
        display : GradientNormDisplay
            Object that stores the computed values.

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.

        ValueError
            If the estimator has no ``history_`` (``solver="lbfgs"``, or an
            estimator other than skbp's).

        See Also
        --------
        LossCurveDisplay.from_estimator : Training loss and validation score
            per epoch.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from skbp import BackpropClassifier
        >>> from skbp.plot import GradientNormDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = BackpropClassifier(hidden_layer_sizes=(8, 8),
        ...                          learning_rate_init=0.05, random_state=0)
        >>> clf = clf.fit(X, y)
        >>> disp = GradientNormDisplay.from_estimator(clf)
        >>> [line.get_label() for line in disp.lines_]
        ['layer 1 (input -> hidden 1)', 'layer 2 (hidden 1 -> hidden 2)',
         'layer 3 (hidden 2 -> output)']
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        net = _fitted_network(estimator)
        try:
            history = net.history_
        except AttributeError as e:
            raise ValueError(
                f"{cls.__name__} needs an skbp estimator fitted by a stochastic "
                f"solver ({either(stochastic_solvers())}), which records "
                "history_; got "
                f"{type(net).__name__} with solver="
                f"{getattr(net, 'solver', None)!r}."
            ) from e
        display = cls(
            history, estimator_name=type(net).__name__ if name is None else name
        )
        return display.plot(ax=ax, **kwargs)
