"""What each unit of a network with two inputs computes over the input plane."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array

from .._activations import ACTIVATIONS, hidden_layer_names
from ._common import _check_matplotlib, _fitted_network
from ._network import default_unit_names

# The output range of the bounded activations, which fixes their colour scale.
_RANGES = {"logistic": (0.0, 1.0), "tanh": (-1.0, 1.0)}


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
    drawn as a small image over a grid that covers the data, one column of
    images per hidden layer, as the network is drawn left to right (as
    TensorFlow Playground does); on the right, the network's response over
    the same plane, with the data: the probability of the positive class of
    a classifier, or a regressor's output. It shows how the output's
    decision surface is put together from the hidden units' simpler ones.

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
        bounded units ("logistic", "tanh") has its colour scale fixed to
        their range, a layer of unbounded ones ("relu", "leaky_relu",
        "softplus", "identity") takes its outputs' range.

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

    Attributes
    ----------
    images_ : dict of tuple to matplotlib AxesImage
        ``images_[layer, unit]``: the output of hidden unit ``unit`` (from
        0) of hidden layer ``layer`` (from 1); its data is
        ``hidden[layer - 1][unit]``.

    axes_ : dict of tuple to matplotlib Axes
        The axes of ``images_``, with the same keys. Under the lowest image
        of each layer, the layer's activation is written as the x label.

    surface_ : matplotlib AxesImage
        The response over the plane.

    scatter_ : matplotlib PathCollection or None
        The data drawn over the response.

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
            Colormap of every image and of the data.

        unit_size : float, default=1.25
            Size (inches) of a hidden unit's image in a new figure.

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
        rows = max(h.shape[0] for h in hidden)
        # The response is about square: the height of all rows (at least
        # 3) and as wide.
        rows = max(rows, 3)
        if figure is None:
            figure = plt.figure(
                figsize=(
                    unit_size * (n_layers + rows) + 1.4,
                    unit_size * rows + 0.5,
                ),
                layout="constrained",
            )
        grid = figure.add_gridspec(
            rows, n_layers + 1, width_ratios=[1.0] * n_layers + [rows]
        )
        extent = (xx0[0], xx0[-1], xx1[0], xx1[-1])
        names = default_unit_names([2, *(h.shape[0] for h in hidden), 1])
        image_kwargs = {
            "extent": extent,
            "origin": "lower",
            "aspect": "auto",
            "cmap": cmap,
            "interpolation": "bilinear",
        }

        activations = hidden_layer_names(self.activation, n_layers)
        self.images_, self.axes_ = {}, {}
        for layer, outputs in enumerate(hidden, start=1):
            vmin, vmax = self._hidden_clim(outputs, activations[layer - 1])
            n = outputs.shape[0]
            # Centre a smaller layer's column vertically, as in the network.
            first = (rows - n) // 2
            for unit in range(n):
                ax = figure.add_subplot(grid[first + unit, layer - 1])
                self.images_[layer, unit] = ax.imshow(
                    outputs[unit], vmin=vmin, vmax=vmax, **image_kwargs
                )
                ax.set_title(names[layer][unit], fontsize=9, pad=2)
                ax.set_xticks([])
                ax.set_yticks([])
                self.axes_[layer, unit] = ax
            # Layers may differ in their units: name the column's under it.
            ax.set_xlabel(activations[layer - 1], fontsize=8, labelpad=2)

        ax = figure.add_subplot(grid[:, n_layers])
        vmin, vmax = self._response_clim()
        self.surface_ = ax.imshow(
            np.asarray(self.response, dtype=float),
            vmin=vmin,
            vmax=vmax,
            **image_kwargs,
        )
        self.scatter_ = None
        if self.X is not None:
            X = np.asarray(self.X, dtype=float)
            if self.y is None:
                colors = {"color": "0.5"}
            else:
                c = np.asarray(self.y)
                if self.pos_label is not None:
                    c = (c == self.pos_label).astype(float)
                colors = {"c": c, "cmap": cmap, "vmin": vmin, "vmax": vmax}
            self.scatter_ = ax.scatter(
                X[:, 0],
                X[:, 1],
                **colors,
                # A white rim shows a point on an area of its own colour.
                edgecolor="white",
                linewidth=0.8,
                s=24,
            )
        feature_names = self.feature_names or ["x1", "x2"]
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.set_title(self.response_label, fontsize=10)
        ax.set_xlim(extent[:2])
        ax.set_ylim(extent[2:])
        self.colorbar_ = figure.colorbar(self.surface_, ax=ax, shrink=0.8)

        self.ax_ = ax
        self.figure_ = figure
        return self

    def update(self, estimator):
        """Redraw every image with a network's current weights.

        For an animation of training: after each training step, ``update``
        recomputes the units and the response on the display's grid and
        puts them into the images drawn by :meth:`plot`.

        Parameters
        ----------
        estimator : estimator instance
            The network of :meth:`from_estimator`, trained further.

        Returns
        -------
        artists : list of matplotlib AxesImage
            The updated images, as an animation function returns them.

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
        >>> len(disp.update(clf))
        4
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
        return [*self.images_.values(), self.surface_]

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
        )
        display._output = column
        return display.plot(figure=figure, cmap=cmap, unit_size=unit_size)
