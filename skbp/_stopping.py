"""When training stops: early stopping's split, the epoch records, the rules.

With ``early_stopping=True`` a stratified (for a classifier) share of the
samples is held out, as scikit-learn's MLP holds it out, and scored after
every epoch; without it the training loss is compared. A validation set
given to fit (``X_val``, ``y_val``) replaces the split, and without early
stopping is scored all the same, for the records only. After each epoch
:meth:`StoppingMixin._end_epoch` records the loss, the validation score and
loss and the per-layer gradient norms (``history_``), lets the optimizer's
schedule act, and says whether ``n_iter_no_change`` epochs without an
improvement of ``tol`` have passed; early stopping keeps the weights of the
best epoch (``restore_best``). With early stopping, validation outputs that
are infinite or NaN count as divergence, which the epoch loop rolls back.
"""

import math

import numpy as np
from sklearn.model_selection import train_test_split

from . import _training
from ._fitted_state import check_fitted
from ._losses import get_loss
from ._network import quiet_overflow
from ._solvers import SOLVERS, either, stochastic_solvers


class NonFiniteOutputError(ValueError):
    """The network's output is infinite or NaN (a ValueError to the user).

    Its own type so that callers can tell outputs that overflowed from any
    other error (the validation pass checks its outputs itself).
    """


class StoppingMixin:
    """The epoch records and stopping rules of BaseBackprop."""

    def _ensure_stopping_records(self, validation, scored=False):
        """Start the records the stopping rule of this call compares against.

        ``scored``: a validation set given to fit is scored every epoch,
        whatever the rule, so its records (``validation_scores_``,
        ``validation_loss_curve_``) are started too.

        A fit sets up the records of its own rule only: with early stopping
        the validation scores (``best_loss_`` is None), without it the
        training loss (``validation_scores_`` is None), and L-BFGS neither.
        A later call that follows the other rule -- ``early_stopping``
        switched by ``set_params``, ``solver`` switched from lbfgs, a traced
        step (never validated), a model converted from scikit-learn -- starts
        the missing records here instead of comparing against None.
        """
        if not SOLVERS[self.solver].stochastic:
            return
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
        if not hasattr(self, "_history"):
            self._history = []
        if not hasattr(self, "_no_improvement_count"):
            self._no_improvement_count = 0
        if not hasattr(self, "validation_scores_"):
            self.validation_scores_ = None
            self.best_validation_score_ = None
        if not hasattr(self, "best_loss_"):
            self.best_loss_ = None
        if not hasattr(self, "validation_loss_curve_"):
            self.validation_loss_curve_ = None
        if (validation or scored) and self.validation_loss_curve_ is None:
            self.validation_loss_curve_ = []
        if scored and self.validation_scores_ is None and not validation:
            # Recorded only: without early stopping the rule stays the
            # training loss's.
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
        if validation:
            if self.validation_scores_ is None:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                # The count so far was of training-loss epochs.
                self._no_improvement_count = 0
        elif self.best_loss_ is None:
            # Lowest training loss seen so far, as without early stopping.
            self.best_loss_ = min(self.loss_curve_, default=np.inf)
            self._no_improvement_count = 0

    def _check_validation_split(self, y):
        """Refuse, in skbp's words, a split early stopping cannot make.

        Run by ``_prepare`` before any state changes, with the sizes
        ``train_test_split`` will compute (it rounds the validation part
        up), so that none of its own messages, which name neither early
        stopping nor ``validation_fraction``, reaches the user.
        """
        n = y.shape[0]
        fraction = self.validation_fraction
        n_val = math.ceil(fraction * n)
        n_train = n - n_val
        stratify = self._stratify_by(y)
        labels, counts = (
            np.unique(stratify, return_counts=True)
            if stratify is not None
            else ((), ())
        )
        n_classes = len(labels)
        need_val, need_train = max(2, n_classes), max(1, n_classes)
        per_class = (
            f", one of each of the {n_classes} classes (the split is stratified "
            "by class)"
        )
        held = (
            f"early_stopping=True holds out validation_fraction={fraction:g} of "
            f"the {n} samples"
        )
        more = "train on more data, or set early_stopping=False."
        alone = "Train on more data, or set early_stopping=False."
        if n_val < need_val:
            # The smallest fraction in hundredths that gives need_val.
            f = -(-100 * need_val // n) / 100
            fits = f < 1 and n - math.ceil(f * n) >= need_train
            fix = f"Increase validation_fraction to {f:g} or more, " if fits else ""
            samples = "sample" if n_val == 1 else "samples"
            why = per_class if n_classes > 2 else " to be scored"
            raise ValueError(
                f"The validation set is too small: {held}, {n_val} {samples}, and "
                f"it needs at least {need_val}{why}. " + (fix + more if fix else alone)
            )
        if n_train < need_train:
            f = 100 * (n - need_train) // n / 100
            fits = f > 0 and math.ceil(f * n) >= need_val
            fix = f"Decrease validation_fraction to {f:g} or less, " if fits else ""
            why = per_class if n_classes > 1 else ""
            raise ValueError(
                f"The training set is too small: {held} for validation, which "
                f"leaves {n_train} to train on, and training needs at least "
                f"{need_train}{why}. " + (fix + more if fix else alone)
            )
        if n_classes and counts.min() < 2:
            label = self.classes_[labels[np.argmin(counts)]]
            label = label.item() if isinstance(label, np.generic) else label
            raise ValueError(
                "The validation set cannot be drawn: early_stopping=True splits "
                f"the samples stratified by class, and class {label!r} has only "
                "1 sample, too few to be in both the training and the "
                "validation set. Train on more samples of it, or set "
                "early_stopping=False."
            )

    def _split_validation(self, X, y, sample_weight):
        stratify = self._stratify_by(y)
        arrays = [X, y] if sample_weight is None else [X, y, sample_weight]
        parts = train_test_split(
            *arrays,
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, y_train, y_val = parts[:4]
        sw_train, sw_val = parts[4:] if sample_weight is not None else (None, None)
        # The sizes were checked by _check_validation_split.
        return X_train, y_train, sw_train, (X_val, y_val, sw_val)

    def _end_epoch(
        self, loss, n_samples, validation, grad_norms, seconds, clipped=None
    ):
        """Book-keeping after an epoch; returns True when training should stop.

        ``clipped`` is the number of the epoch's batches whose gradient was
        clipped, None when ``clip_grad_norm`` is None (no column then).
        """
        self.n_iter_ += 1
        self.loss_ = loss
        self.t_ += n_samples
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")

        learning_rate = self._optimizer.learning_rate
        self._update_no_improvement_count(validation)
        self._history.append(
            {
                "epoch": len(self._history) + 1,
                "loss": loss,
                "validation_score": (
                    self.validation_scores_[-1] if validation is not None else np.nan
                ),
                "validation_loss": (
                    self.validation_loss_curve_[-1]
                    if validation is not None
                    else np.nan
                ),
                "learning_rate": learning_rate,
                "seconds": seconds,
                **{
                    f"grad_norm_{i}": norm for i, norm in enumerate(grad_norms, start=1)
                },
                **({} if clipped is None else {"clipped": clipped}),
            }
        )
        self._optimizer.iteration_ends(self.t_)

        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if self._by_score(validation) else "Training loss"
            msg = (
                f"{what} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self._optimizer.trigger_stopping(msg, self.verbose):
                return True
            self._no_improvement_count = 0
        return False

    def _by_score(self, validation):
        """Whether the stopping rule compares validation scores this epoch."""
        return validation is not None and self.early_stopping

    def _update_no_improvement_count(self, validation):
        if validation is not None:
            score, loss = self._validation_score(validation)
            self.validation_scores_.append(score)
            self.validation_loss_curve_.append(loss)
            if self.verbose:
                # scikit-learn's line, word for word.
                print(f"Validation score: {score:f}")
        if self._by_score(validation):
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            best = score > self.best_validation_score_
            if best:
                self.best_validation_score_ = score
            if self.restore_best == "loss":
                loss = self.validation_loss_curve_[-1]
                best = loss < getattr(self, "_best_validation_loss", np.inf)
                if best:
                    self._best_validation_loss = loss
            if best:
                # The weights the end of the fit restores (restore_best).
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
        else:
            if validation is not None:
                # Recorded only: the rule below is the training loss's.
                self.best_validation_score_ = max(self.best_validation_score_, score)
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _validation_score(self, validation):
        """The validation score and loss of the weights as they are now.

        The loss is the training loss's data term on the validation set,
        without the L2 penalty (see ``validation_loss_curve_``).

        With early stopping the validation pass is the first to see the
        epoch's last update, so outputs that are infinite or NaN there, or a
        score whose arithmetic overflows (r2_score squares the residuals),
        are divergence: raises ``_training.Diverged`` for the epoch loop to
        roll back, as a non-finite training loss does. A validation set
        given without early stopping is only recorded, NaN then, so that it
        never changes the weights training arrives at.
        """
        X_val, y_val, sw_val = validation
        with quiet_overflow():
            out = self._forward_unchecked(X_val)
            if np.isfinite(out).all():
                score = self._score_outputs(out, y_val, sw_val)
                # The training loss's targets (label_smoothing's), so that
                # the two loss curves compare; the score is on the labels.
                loss = get_loss(self.loss, self.out_activation_).value(
                    self._training_targets(y_val), out, sw_val
                )
            else:
                score = loss = math.nan
        if not (math.isfinite(score) and math.isfinite(loss)):
            if self.early_stopping:
                raise _training.Diverged()
            return math.nan, math.nan
        return float(score), float(loss)

    @property
    def history_(self):
        r"""Per-epoch training record as a pandas DataFrame (stochastic solvers).

        One row per epoch run so far (``fit`` epochs, ``partial_fit`` calls
        and ``trace_step`` steps accumulate), with columns ``epoch``,
        ``loss`` (as in ``loss_curve_``), ``validation_score`` and
        ``validation_loss`` (as in ``validation_loss_curve_``; NaN without
        early stopping or ``X_val``), ``learning_rate`` (the optimizer's
        step size during the epoch), ``seconds`` and ``grad_norm_1`` ...
        ``grad_norm_L``: for each layer of weights ``coefs_[l - 1]``, the
        root mean square over the epoch's batches of the Frobenius norm of
        :math:`\partial E / \partial W^{(l)}`. With logistic units
        :math:`\sigma' \le 1/4`, so these norms shrink toward the input
        layer: the vanishing gradient, made visible. They are the norms
        before any clipping. With ``clip_grad_norm`` set, a column ``clipped`` counts
        the epoch's batches whose gradient was clipped (absent otherwise).
        """
        check_fitted(self)
        if not hasattr(self, "_history"):
            raise AttributeError(
                "history_ is only recorded by the stochastic solvers "
                f"({either(stochastic_solvers())}); this model was fitted with "
                f"solver={self.solver!r}."
            )
        import pandas as pd

        return pd.DataFrame(self._history)
