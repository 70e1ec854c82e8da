"""What each unit of a network with two inputs computes over the input plane."""

import math

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array

from .._activations import ACTIVATIONS, REGISTRY, hidden_layer_names
from ._common import _check_matplotlib, _fitted_network, training_progress
from ._network import default_unit_names

# The output range of the bounded activations, which fixes their colour scale.
_RANGES = {name: unit.bounded for name, unit in REGISTRY.items() if unit.bounded}


# Widest figure drawn (inches): the docs' text column; more units make
# smaller images rather than a wider figure.
_MAX_WIDTH = 9.0


def _layout(sizes):
    """Rows of the image grid, and how many columns each layer's images take.

    About twice as many rows as columns for the largest layer, so that many
    units wrap into a block instead of one tall column; at least 3 rows.
    """
    rows = math.ceil(math.sqrt(2 * max(sizes)))
    columns = [math.ceil(n / rows) for n in sizes]
    # Fewest rows that still hold every layer in its columns.
    rows = max(3, *(math.ceil(n / c) for n, c in zip(sizes, columns, strict=True)))
    return rows, columns


def _figure_size(rows, n_columns, unit_size):
    """Width and height (inches) for images of at most ``unit_size``."""
    # The response, ``rows`` images tall and as wide, sits beside the images;
    # its colour bar and labels take ~1.6 in, each image's title ~0.2 in.
    wide = n_columns + rows
    unit = min(unit_size, (_MAX_WIDTH - 1.6) / wide)
    return unit * wide + 1.6, (unit + 0.2) * rows + 0.8


def _colormaps(cmap):
    """The response's map and the points' colours, from one colormap.

    The map is ``cmap`` two thirds of the way to white; the points take its
    inner 80 % at full colour, which is vivid where a diverging map's ends
    are nearly black, so that a point shows on the map of its own class.
    """
    import matplotlib
    from matplotlib.colors import ListedColormap

    base = matplotlib.colormaps.get_cmap(cmap)
    light = base(np.linspace(0.0, 1.0, 256))
    light[:, :3] = 0.65 + 0.35 * light[:, :3]
    vivid = base(np.linspace(0.1, 0.9, 256))
    return (
        ListedColormap(light, name=f"{base.name}_light"),
        ListedColormap(vivid, name=f"{base.name}_vivid"),
    )


def _grid(X, grid_resolution, margin):
    """The coordinates of a grid over X's range, widened by ``margin``."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.where(high > low, high - low, 1.0)
    return tuple(
        np.linspace(lo - p, hi + p, grid_resolution)
        for lo, hi, p in zip(low, high, pad, strict=True)
    )


def _response_column(estimator, net, output):
    """The column of the output drawn: the positive class of a binary classifier."""
    n_outputs = net.coefs_[-1].shape[1]
    if output is not None:
        return output
    if is_classifier(estimator) and len(net.classes_) == 2:
        return 1
    if not is_classifier(estimator) and n_outputs == 1:
        return 0
    raise ValueError(
        f"{type(net).__name__} has {n_outputs} outputs; pass output=k, the "
        "column of predict_proba (classifier) or predict (regressor) to draw."
    )


def hidden_activations(net):
    """The table name of each hidden layer's activation of a fitted network.

    skbp's networks may have one activation per hidden layer, and keep the
    units they were fitted with in ``hidden_activations_`` (``activation``
    may have changed since); scikit-learn's MLPs have one for all, their
    ``activation``, which their predict reads.

    Parameters
    ----------
    net : estimator instance
        A fitted ``BackpropClassifier``, ``BackpropRegressor``,
        ``MLPClassifier`` or ``MLPRegressor``.

    Returns
    -------
    names : tuple of str
        One name per hidden layer, aliases resolved.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp import BackpropRegressor
    >>> from skbp.plot._units import hidden_activations
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> reg = BackpropRegressor(hidden_layer_sizes=(3, 2),
    ...                         activation=("sigmoid", "relu"), solver="lbfgs",
    ...                         max_iter=1000).fit(X, [0.0, 1.0, 2.0])
    >>> hidden_activations(reg)
    ('logistic', 'relu')
    """
    fitted = getattr(net, "hidden_activations_", None)
    if fitted is not None:
        return fitted
    return hidden_layer_names(net.activation, len(net.coefs_) - 1)


def unit_surfaces(estimator, xx0, xx1, output):
    """Every hidden unit's output and the network's response on a grid.

    Parameters
    ----------
    estimator : estimator instance
        A fitted network with two input features, or a pipeline ending in
        one (the grid then goes through the pipeline's transformers).
    xx0, xx1 : ndarray of shape (n0,) and (n1,)
        The grid's coordinates along the two features.
    output : int
        The column of ``predict_proba`` or ``predict`` drawn.

    Returns
    -------
    hidden : list of ndarray of shape (n_units, n1, n0)
        Per hidden layer, every unit's output at ``(xx0[i], xx1[j])`` in
        ``[:, j, i]``, through that layer's own activation.
    response : ndarray of shape (n1, n0)
        The probability of class ``output`` (classifier) or output
        ``output`` (regressor).
    """
    net = _fitted_network(estimator)
    g0, g1 = np.meshgrid(xx0, xx1)
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        import pandas as pd

        # Fitted on a DataFrame: the grid goes in with the same column names,
        # or every transformer and the network warn about unnamed features.
        grid = pd.DataFrame(grid, columns=names)
    a = grid
    if isinstance(estimator, Pipeline):
        for _, step in estimator.steps[:-1]:
            a = step.transform(a)
    a = np.asarray(a, dtype=float)
    hidden = []
    for W, b, name in zip(
        net.coefs_[:-1], net.intercepts_[:-1], hidden_activations(net), strict=True
    ):
        a = ACTIVATIONS[name](
            a @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)
        )
        hidden.append(a.T.reshape(-1, *g0.shape))
    if is_classifier(estimator):
        response = estimator.predict_proba(grid)
    else:
        response = estimator.predict(grid)
    response = np.asarray(response, dtype=float).reshape(len(grid), -1)
    return hidden, response[:, output].reshape(g0.shape)


class HiddenUnitsDisplay:
    """Each hidden unit's output as an image over a 2-d input plane.

    For a network with two input features, every hidden unit's output is
    drawn as a small image over a grid that covers the data, the hidden
    layers from left to right, as the network is drawn (and as TensorFlow
    Playground does), each under a heading with its units; a layer of many
    units wraps into several columns of images. On the right is the
    network's response over the same plane, in a lighter version of the
    colormap, with the data on it in full colour: the probability of the
    positive class of a classifier, or a regressor's output. It shows how
    the output's decision surface is put together from the hidden units'
    simpler ones.

    It is recommended to use :meth:`HiddenUnitsDisplay.from_estimator` to
    create a display. All parameters are stored as attributes.

    Parameters
    ----------
    xx0, xx1 : ndarray of shape (n0,) and (n1,)
        The grid's coordinates along the first and second feature.

    hidden : list of ndarray of shape (n_units, n1, n0)
        Per hidden layer, every unit's output on the grid.

    response : ndarray of shape (n1, n0)
        The network's response on the grid.

    X : array-like of shape (n_samples, 2), default=None
        Data drawn over the response. None draws none.

    y : array-like of shape (n_samples,), default=None
        Colours of the data: class labels or targets.

    activation : str or sequence of str, default="logistic"
        The hidden units' activation, one name for every hidden layer or one
        per hidden layer (as the estimators' ``activation``). A layer of
        units whose output range is bounded (e.g. "logistic", "tanh") has
        its colour scale fixed to that range, a layer of unbounded ones
        (e.g. "relu") takes its outputs' range.

    response_label : str, default="output"
        Title of the response.

    is_probability : bool, default=False
        Whether the response is a probability (colour scale 0 to 1).

    pos_label : int, float, bool or str, default=None
        The class whose probability is the response: its points are drawn
        at the top of the colour scale, the others at the bottom. None
        colours the points by the values of ``y``.

    feature_names : list of str, default=None
        Names of the two features. None names them ``x1`` and ``x2``.

    title : str, default=None
        Title of the figure; :meth:`from_estimator` and :meth:`update` write
        how long the network has trained (``"after 600 epochs"``). None
        draws none.

    Attributes
    ----------
    images_ : dict of tuple to matplotlib AxesImage
        ``images_[layer, unit]``: the output of hidden unit ``unit`` (from
        0) of hidden layer ``layer`` (from 1); its data is
        ``hidden[layer - 1][unit]``.

    axes_ : dict of tuple to matplotlib Axes
        The axes of ``images_``, with the same keys.

    layer_labels_ : dict of int to matplotlib Text
        ``layer_labels_[layer]``: the heading of hidden layer ``layer``
        (from 1), its number and its units (``"layer 1\\nlogistic"``).

    title_ : matplotlib Text or None
        The figure's title, None without ``title``.

    surface_ : matplotlib AxesImage
        The response over the plane.

    scatter_ : matplotlib PathCollection or None
        The data drawn over the response, with dark rims: a classifier's
        points in the two ends of the colormap (the drawn class at the top),
        a regressor's in the colour of their target.

    colorbar_ : matplotlib Colorbar
        The response's colour scale.

    ax_ : matplotlib Axes
        The axes of the response.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    HiddenUnitsDisplay.from_estimator : Draw the units of a fitted network.
    NetworkDisplay : The network's units and weights.
    sklearn.inspection.DecisionBoundaryDisplay : A classifier's decision
        surface alone.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skbp.plot import HiddenUnitsDisplay
    >>> xx = np.linspace(-1, 1, 5)
    >>> hidden = [np.stack([np.tile(xx, (5, 1)), np.tile(xx, (5, 1)).T])]
    >>> disp = HiddenUnitsDisplay(xx, xx, hidden, hidden[0][0], activation="tanh")
    >>> disp = disp.plot()
    >>> sorted(disp.images_), disp.images_[1, 1].get_clim()
    ([(1, 0), (1, 1)], (-1.0, 1.0))
    >>> import matplotlib.pyplot as plt
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        xx0,
        xx1,
        hidden,
        response,
        *,
        X=None,
        y=None,
        activation="logistic",
        response_label="output",
        is_probability=False,
        pos_label=None,
        feature_names=None,
        title=None,
    ):
        self.xx0 = xx0
        self.xx1 = xx1
        self.hidden = hidden
        self.response = response
        self.X = X
        self.y = y
        self.activation = activation
        self.response_label = response_label
        self.is_probability = is_probability
        self.pos_label = pos_label
        self.feature_names = feature_names
        self.title = title

    def _hidden_clim(self, layer_outputs, activation):
        bounded = _RANGES.get(activation)
        if bounded is not None:
            return bounded
        return float(layer_outputs.min()), float(layer_outputs.max())

    def _response_clim(self):
        if self.is_probability:
            return 0.0, 1.0
        values = [np.asarray(self.response, dtype=float).ravel()]
        if self.y is not None:
            values.append(np.asarray(self.y, dtype=float).ravel())
        values = np.concatenate(values)
        return float(values.min()), float(values.max())

    def plot(self, *, figure=None, cmap="RdBu_r", unit_size=1.25):
        """Draw the hidden units and the response.

        Parameters
        ----------
        figure : matplotlib Figure or SubFigure, default=None
            Figure to draw on, which should be empty. None creates one.

        cmap : str or matplotlib Colormap, default="RdBu_r"
            Colormap of the hidden units' images and of the data. The
            response is drawn in a lighter version of it, under the data.

        unit_size : float, default=1.25
            Largest size (inches) of a hidden unit's image in a new figure:
            smaller when the figure would be wider than 9 in (a text column),
            as with many units.

        Returns
        -------
        display : HiddenUnitsDisplay
            Object that stores the drawn artists.

        Raises
        ------
        ValueError
            If ``activation`` is a list whose length is not the number of
            hidden layers.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skbp.plot import HiddenUnitsDisplay
        >>> xx = np.linspace(0, 1, 4)
        >>> disp = HiddenUnitsDisplay(xx, xx, [np.zeros((3, 4, 4))], np.eye(4))
        >>> disp = disp.plot(cmap="PuOr")
        >>> disp.surface_.get_array().shape, len(disp.axes_)
        ((4, 4), 3)
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        hidden = [np.asarray(h, dtype=float) for h in self.hidden]
        xx0, xx1 = np.asarray(self.xx0), np.asarray(self.xx1)
        n_layers = len(hidden)
        activations = hidden_layer_names(self.activation, n_layers)
        rows, columns = _layout([h.shape[0] for h in hidden])
        n_columns = sum(columns)
        if figure is None:
            figure = plt.figure(
                figsize=_figure_size(rows, n_columns, unit_size),
                layout="constrained",
            )
        # Row 0 holds the layers' headings (as titles of empty axes, so that
        # the layout makes room for them); the response spans every row.
        grid = figure.add_gridspec(
            rows + 1,
            n_columns + 1,
            width_ratios=[1.0] * n_columns + [rows],
            height_ratios=[0.01] + [1.0] * rows,
        )
        extent = (xx0[0], xx0[-1], xx1[0], xx1[-1])
        names = default_unit_names([2, *(h.shape[0] for h in hidden), 1])
        image_kwargs = {
            "extent": extent,
            "origin": "lower",
            "aspect": "auto",
            "interpolation": "bilinear",
        }

        self.images_, self.axes_, self.layer_labels_ = {}, {}, {}
        start = 0
        for layer, (outputs, width) in enumerate(zip(hidden, columns), start=1):
            vmin, vmax = self._hidden_clim(outputs, activations[layer - 1])
            n = outputs.shape[0]
            height = math.ceil(n / width)
            # Centre a smaller layer vertically, as in the network.
            first = 1 + (rows - height) // 2
            for unit in range(n):
                column, row = divmod(unit, height)
                ax = figure.add_subplot(grid[first + row, start + column])
                self.images_[layer, unit] = ax.imshow(
                    outputs[unit], vmin=vmin, vmax=vmax, cmap=cmap, **image_kwargs
                )
                ax.set_title(names[layer][unit], fontsize=8, pad=2)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_box_aspect(1)
                self.axes_[layer, unit] = ax
            heading = figure.add_subplot(grid[0, start : start + width])
            heading.axis("off")
            self.layer_labels_[layer] = heading.set_title(
                f"layer {layer}\n{activations[layer - 1]}", fontsize=9
            )
            start += width

        ax = figure.add_subplot(grid[:, n_columns])
        vmin, vmax = self._response_clim()
        map_cmap, point_cmap = _colormaps(cmap)
        self.surface_ = ax.imshow(
            np.asarray(self.response, dtype=float),
            vmin=vmin,
            vmax=vmax,
            cmap=map_cmap,
            **image_kwargs,
        )
        ax.set_box_aspect(1)
        self.scatter_ = None
        if self.X is not None:
            X = np.asarray(self.X, dtype=float)
            if self.y is None:
                colors = {"color": "0.5"}
            else:
                c = np.asarray(self.y)
                if self.pos_label is not None:
                    c = (c == self.pos_label).astype(float)
                colors = {"c": c, "cmap": point_cmap, "vmin": vmin, "vmax": vmax}
            # Full colours with dark rims over the lighter map: a point stays
            # visible where the map has (a paler tone of) its own colour.
            self.scatter_ = ax.scatter(
                X[:, 0], X[:, 1], **colors, edgecolor="0.15", linewidth=0.6, s=22
            )
        feature_names = self.feature_names or ["x1", "x2"]
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.set_title(self.response_label, fontsize=10)
        ax.set_xlim(extent[:2])
        ax.set_ylim(extent[2:])
        self.colorbar_ = figure.colorbar(self.surface_, ax=ax, shrink=0.8)
        self.title_ = None if self.title is None else figure.suptitle(self.title)

        self.ax_ = ax
        self.figure_ = figure
        return self

    def update(self, estimator):
        """Redraw every image with a network's current weights.

        For an animation of training: after each training step, ``update``
        recomputes the units and the response on the display's grid, puts
        them into the images drawn by :meth:`plot` and writes how long the
        network has trained into the title.

        Parameters
        ----------
        estimator : estimator instance
            The network of :meth:`from_estimator`, trained further.

        Returns
        -------
        artists : list of matplotlib Artist
            The updated images, then the title if there is one, as an
            animation function returns them.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skbp import BackpropClassifier
        >>> from skbp.plot import HiddenUnitsDisplay
        >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        >>> y = np.array([0, 1, 1, 0])
        >>> clf = BackpropClassifier(hidden_layer_sizes=(3,), random_state=0)
        >>> clf = clf.partial_fit(X, y, classes=[0, 1])
        >>> disp = HiddenUnitsDisplay.from_estimator(clf, X, y)
        >>> clf = clf.partial_fit(X, y)
        >>> len(disp.update(clf)), disp.title_.get_text()
        (5, 'after 2 epochs')
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        net = _fitted_network(estimator)
        column = _response_column(estimator, net, getattr(self, "_output", None))
        self.hidden, self.response = unit_surfaces(
            estimator, self.xx0, self.xx1, column
        )
        # The colour scales follow the units the images were computed with.
        activations = self.activation = hidden_activations(net)
        for (layer, unit), image in self.images_.items():
            outputs = self.hidden[layer - 1]
            image.set_data(outputs[unit])
            image.set_clim(*self._hidden_clim(outputs, activations[layer - 1]))
        self.surface_.set_data(self.response)
        self.surface_.set_clim(*self._response_clim())
        artists = [*self.images_.values(), self.surface_]
        if self.scatter_ is not None and self.scatter_.get_array() is not None:
            # A regressor's points keep the response's colour scale.
            self.scatter_.set_clim(*self.surface_.get_clim())
        self.title = training_progress(net)
        if self.title_ is not None:
            self.title_.set_text(self.title)
            artists.append(self.title_)
        return artists

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        grid_resolution=100,
        margin=0.1,
        output=None,
        feature_names=None,
        figure=None,
        cmap="RdBu_r",
        unit_size=1.25,
    ):
        """Draw the hidden units and the response of a fitted network.

        The figure's title says how long the network has trained
        (``"after 1 epoch"``, ``"after 37 L-BFGS iterations"``).

        Parameters
        ----------
        estimator : estimator instance
            A fitted ``BackpropClassifier`` or ``BackpropRegressor`` (or
            scikit-learn's ``MLPClassifier`` or ``MLPRegressor``) with two
            input features, or a pipeline ending in one.

        X : array-like of shape (n_samples, 2)
            Data whose range, widened by ``margin``, is the grid's; it is
            drawn over the response.

        y : array-like of shape (n_samples,), default=None
            Class labels or targets of ``X``, which colour its points.

        grid_resolution : int, default=100
            Points of the grid along each feature.

        margin : float, default=0.1
            Fraction of the data's range added on each side.

        output : int, default=None
            Column of ``predict_proba`` (classifier) or ``predict``
            (regressor) drawn as the response. None is the positive class of
            a binary classifier or the single output of a regressor.

        feature_names : list of str, default=None
            Names of the two features. None uses the estimator's
            ``feature_names_in_`` when it has them, else ``x1``, ``x2``.

        figure, cmap, unit_size
            See :meth:`plot`.

        Returns
        -------
        display : HiddenUnitsDisplay
            Object that stores the drawn artists.

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.

        ValueError
            If ``X`` has not two features, or the network has no hidden
            layer, or several outputs and no ``output``.

        See Also
        --------
        NetworkDisplay.from_estimator : The network's units and weights.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import make_moons
        >>> from skbp import BackpropClassifier
        >>> from skbp.plot import HiddenUnitsDisplay
        >>> X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
        >>> clf = BackpropClassifier(hidden_layer_sizes=(4,), activation="logistic",
        ...                          solver="lbfgs", max_iter=1000,
        ...                          random_state=0).fit(X, y)
        >>> disp = HiddenUnitsDisplay.from_estimator(clf, X, y, grid_resolution=50)
        >>> disp.images_[1, 0].get_array().shape
        (50, 50)
        >>> disp.ax_.get_title()
        'P(y = 1)'

        Each hidden layer's units get a colour scale of their own: the range
        of bounded units, the outputs' range for unbounded ones.

        >>> deep = BackpropClassifier(hidden_layer_sizes=(4, 3),
        ...                           activation=("tanh", "relu"), solver="lbfgs",
        ...                           max_iter=1000, random_state=0).fit(X, y)
        >>> deep_disp = HiddenUnitsDisplay.from_estimator(deep, X, y,
        ...                                               grid_resolution=20)
        >>> deep_disp.activation, deep_disp.images_[1, 0].get_clim()
        (('tanh', 'relu'), (-1.0, 1.0))
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        >>> plt.close(deep_disp.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        net = _fitted_network(estimator)
        X = check_array(X, dtype=float)
        if X.shape[1] != 2:
            raise ValueError(
                f"{cls.__name__} draws the plane of two input features; X has "
                f"{X.shape[1]} features."
            )
        if len(net.coefs_) < 2:
            raise ValueError(f"{type(net).__name__} has no hidden layer to draw.")
        column = _response_column(estimator, net, output)
        xx0, xx1 = _grid(X, grid_resolution, margin)
        hidden, response = unit_surfaces(estimator, xx0, xx1, column)
        if is_classifier(estimator):
            label = f"P(y = {net.classes_[column]})"
        else:
            label = "output" if output is None else f"output {column}"
        if feature_names is None:
            names = getattr(estimator, "feature_names_in_", None)
            feature_names = None if names is None else [str(n) for n in names]
        display = cls(
            xx0,
            xx1,
            hidden,
            response,
            X=X,
            y=y,
            activation=hidden_activations(net),
            response_label=label,
            is_probability=is_classifier(estimator),
            pos_label=net.classes_[column] if is_classifier(estimator) else None,
            feature_names=feature_names,
            title=training_progress(net),
        )
        display._output = column
        return display.plot(figure=figure, cmap=cmap, unit_size=unit_size)
