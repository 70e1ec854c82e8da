"""A network's fitted state: initial weights, the parameter vector, old saves.

A fit from scratch draws the initial weights as scikit-learn's MLP does
(Glorot & Bengio's bounds, the same draws from the same random state)
unless ``coefs_init`` and ``intercepts_init`` give them, and starts the
records training keeps. During a fit ``coefs_`` and ``intercepts_`` are
views of one flat vector that the optimizer (or L-BFGS) updates in place;
:meth:`FittedStateMixin._training_step` binds it, the workspace, the
optimizer and the dropout masks once per call. A model saved before skbp
recorded its fitted units gets them on loading.
"""

import functools
import itertools
import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _network, _training
from ._activations import canonical_name, hidden_layer_names, init_bound
from ._losses import get_loss
from ._solvers import SOLVERS


def check_fitted(estimator):
    """Raise NotFittedError unless the estimator has weights."""
    check_is_fitted(estimator, "coefs_")


def _as_layer_arrays(arrays, name, shapes, dtype):
    """Validate user-given initial weights against the layer shapes.

    Returns fresh, C-contiguous copies in ``dtype`` so that training never
    writes into the caller's arrays (or the estimator's parameters).
    """
    if len(arrays) != len(shapes):
        raise ValueError(
            f"{name} must have one array per layer: expected {len(shapes)} "
            f"arrays for layer_units, got {len(arrays)}."
        )
    result = []
    for i, (a, shape) in enumerate(zip(arrays, shapes)):
        a = np.asarray(a)
        if a.shape != shape:
            raise ValueError(
                f"{name}[{i}] (layer {i} -> {i + 1}) has shape {a.shape}; "
                f"expected shape {shape}."
            )
        if not np.issubdtype(a.dtype, np.number):
            raise ValueError(f"{name}[{i}] must be numeric, got dtype {a.dtype}.")
        if not np.isfinite(a).all():
            raise ValueError(f"{name}[{i}] contains NaN or infinity.")
        result.append(np.array(a, dtype=dtype, order="C", copy=True))
    return result


class FittedStateMixin:
    """The fitted state of BaseBackprop: its initial weights and their binding."""

    def _core_hidden(self):
        """``hidden`` for the core: the fitted units, one name when all share it."""
        names = getattr(self, "hidden_activations_", None)
        if names is None:
            # Weights assigned by hand, never fitted: no units were recorded,
            # so they compute with the ones activation names.
            names = self._hidden_activations()
        return names[0] if len(set(names)) == 1 else names

    def _init_coef(self, fan_in, fan_out, dtype, activation):
        # Glorot & Bengio (2010), with scikit-learn's bounds (factor 2 for
        # logistic units, 6 otherwise) and draw order, so that the same
        # random_state gives MLPClassifier's initial weights.
        bound = init_bound(activation, fan_in, fan_out)
        coef = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = self._random_state.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._resolve_out_activation(self.n_outputs_)
        # The units the network computes with from now on: predict, the
        # exports and training on read these, not `activation`, which
        # set_params may change before the next fit from scratch.
        self.hidden_activations_ = self._hidden_activations(len(layer_units) - 2)

        # Each layer's bound follows the units it feeds; the output layer's
        # the last hidden layer's, as scikit-learn's follows `activation`.
        hidden = self.hidden_activations_
        if hidden:
            last = hidden[-1]
        else:
            last = (
                canonical_name(self.activation)
                if isinstance(self.activation, str)
                else None
            )
        bounds_by = (*hidden, last)
        coefs, intercepts = [], []
        for (fan_in, fan_out), unit in zip(itertools.pairwise(layer_units), bounds_by):
            coef, intercept = self._init_coef(fan_in, fan_out, dtype, unit)
            coefs.append(coef)
            intercepts.append(intercept)
        shapes = list(itertools.pairwise(layer_units))
        if self.coefs_init is not None:
            coefs = _as_layer_arrays(self.coefs_init, "coefs_init", shapes, dtype)
        if self.intercepts_init is not None:
            intercepts = _as_layer_arrays(
                self.intercepts_init,
                "intercepts_init",
                [(n,) for n in layer_units[1:]],
                dtype,
            )
        elif not self.fit_intercept:
            # A network without bias units: intercepts held at zero.
            intercepts = [np.zeros(n, dtype=dtype) for n in layer_units[1:]]
        self.coefs_ = coefs
        self.intercepts_ = intercepts

        # NaN until an epoch (or L-BFGS) completes with a finite loss.
        self.loss_ = math.nan
        if SOLVERS[self.solver].stochastic:
            self.loss_curve_ = []
            self._history = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.validation_loss_curve_ = []
                self.best_validation_score_ = -np.inf
                self._best_validation_loss = np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.validation_loss_curve_ = None
                self.best_validation_score_ = None
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]

    def _bind_parameters(self, layer_units):
        """Gather coefs_ and intercepts_ into one flat vector and return it.

        ``coefs_`` and ``intercepts_`` become views of the vector, so the
        optimizer updates every layer at once (see ``_network.layer_views``).
        """
        flat = np.concatenate(
            [c.ravel() for c in self.coefs_] + [b.ravel() for b in self.intercepts_]
        )
        self.coefs_, self.intercepts_ = _network.layer_views(flat, layer_units)
        return flat

    def _training_step(
        self, layer_units, batch_size, dtype, new_optimizer=False, optimizer=True
    ):
        """Bind everything a batch step needs, once per fit.

        The parameters are gathered into one flat vector (``coefs_`` and
        ``intercepts_`` become views of it); with ``fit_intercept=False`` the
        intercepts, its tail, are held fixed, so only the weights are handed
        to the optimizer. The optimizer is made anew with ``new_optimizer``
        or when there is none yet (a first ``partial_fit`` or trace); an
        existing one is resized when ``fit_intercept`` changed since it was
        made (``BaseOptimizer.for_params``).
        """
        workspace = _network.Workspace(layer_units, batch_size, dtype)
        flat = self._bind_parameters(layer_units)
        n = flat.size if self.fit_intercept else _network.n_coefs(layer_units)
        params, grads = flat[:n], workspace.grads[:n]
        if optimizer and (new_optimizer or not hasattr(self, "_optimizer")):
            self._optimizer = self._make_optimizer([params])
        elif optimizer:
            self._optimizer = self._optimizer_as_set(
                self._optimizer.for_params([params]), [params]
            )
        rates = self._dropout_rates(len(layer_units) - 2)
        dropout = None
        if any(rates):
            # Drawn only with dropout on, so that without it the random
            # stream -- and every number -- stays scikit-learn's.
            seed = int(self._random_state.randint(np.iinfo(np.int32).max))
            dropout = _network.Dropout(rates, layer_units, batch_size, dtype, seed)
        backprop = functools.partial(
            _network.backprop,
            coefs=self.coefs_,
            intercepts=self.intercepts_,
            workspace=workspace,
            hidden=self._core_hidden(),
            output=self.out_activation_,
            loss=get_loss(self.loss, self.out_activation_),
            alpha=self.alpha,
            fit_intercept=self.fit_intercept,
            dropout=dropout,
        )
        return _training.TrainingStep(
            workspace,
            params,
            grads,
            backprop,
            self._optimizer if optimizer else None,
            dropout,
        )

    def _make_optimizer(self, params):
        return SOLVERS[self.solver].optimizer.from_estimator(params, self)

    def _optimizer_as_set(self, optimizer, params):
        """``optimizer``, or one that follows the parameters set since it was made.

        Checked on parameters of no size, so that an optimizer whose
        settings still hold costs no allocation.
        """
        probe = self._make_optimizer([p[:0] for p in params])
        if type(probe) is type(optimizer) and probe.settings() == optimizer.settings():
            return optimizer
        return optimizer.carried_into(self._make_optimizer(params))

    def _reconstruction_attributes(self):
        # What a callback needs to predict with the weights as they are now.
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
        }

    def _upgrade_fitted_state(self):
        if hasattr(self, "coefs_") and not hasattr(self, "hidden_activations_"):
            # Saved before skbp recorded the fitted units (0.2.0): its
            # predict read `activation`, so those are the units it computed
            # with. If they do not fit the network, that model could not
            # predict when it was saved, and there is nothing to recover.
            try:
                self.hidden_activations_ = hidden_layer_names(
                    self.activation, len(self.coefs_) - 1
                )
            except (TypeError, ValueError):
                pass
