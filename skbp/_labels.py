"""The classifier's labels: classes, 0/1 targets, class weights, smoothing.

``LabelsMixin`` holds what BackpropClassifier does with labels before the
network sees them and after it answers: learn or check the classes, turn
labels into the network's 0/1 targets (smoothed with ``label_smoothing``),
weigh samples by ``class_weight``, stratify early stopping's split, and map
outputs back to labels.
"""

from contextlib import contextmanager

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_array, column_or_1d

from . import _messages


def _balanced(index, sample_weight):
    """Each row's "balanced" class weight, the classes counted by their weight.

    Σw / (n_classes · Σw of the row's class), as scikit-learn's
    ``compute_class_weight`` counts them from 1.7 on: a row of weight 2 then
    counts as two rows, so weighting rows stays the same as repeating them.
    Classes of no weight are left out of n_classes, as removing their rows
    would leave them out (their rows keep weight 0).
    """
    counts = np.bincount(index, weights=sample_weight)
    present = counts > 0
    per_class = np.zeros_like(counts)
    np.divide(counts.sum(), present.sum() * counts, out=per_class, where=present)
    return per_class[index]


class LabelsMixin:
    """Label handling of BackpropClassifier (a base listed before BaseBackprop)."""

    def _sample_weight_hook(self, y, sample_weight, incremental):
        if self.class_weight is None:
            return sample_weight
        if self.class_weight == "balanced" and incremental:
            # Multilabel targets too: each label column's counts in one batch
            # are not the data's either.
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit or "
                "trace_step: "
                "the class frequencies of one batch are not those of the "
                "data. Compute them once with "
                "sklearn.utils.class_weight.compute_class_weight and pass "
                "them as a dict."
            )
        weighted_balance = self.class_weight == "balanced" and sample_weight is not None
        if self._label_binarizer.y_type_.startswith("multilabel"):
            # One output per label, each with classes {0, 1}.
            if weighted_balance:
                weights = np.prod(
                    [_balanced(column, sample_weight) for column in y.T.astype(int)],
                    axis=0,
                )
            else:
                weights = compute_sample_weight(self.class_weight, y.astype(int))
        else:
            index = self._class_index(y)
            if weighted_balance:
                weights = _balanced(index, sample_weight)
            else:
                per_class = compute_class_weight(
                    self.class_weight, classes=self.classes_, y=self.classes_[index]
                )
                weights = per_class[index]
        if np.any(weights < 0):
            # Refused as a negative sample_weight is: the loss would be
            # climbed on those samples.
            raise ValueError(
                f"class_weight must be non-negative; got {self.class_weight!r}."
            )
        if not np.isfinite(weights).all():
            # Refused as a NaN or infinite sample_weight is: the loss and the
            # weights would come out NaN.
            raise ValueError(f"class_weight must be finite; got {self.class_weight!r}.")
        with np.errstate(over="ignore"):
            weights = weights.astype(y.dtype)
            if sample_weight is not None:
                weights *= sample_weight
        if not np.isfinite(weights).all():
            raise ValueError(
                f"class_weight={self.class_weight!r}"
                + ("" if sample_weight is None else " times sample_weight")
                + f" gives sample weights too large for {y.dtype}, the dtype "
                "the network computes in: scale them down."
            )
        if not weights.any():
            raise ValueError(
                f"class_weight={self.class_weight!r} gives every sample weight 0"
                + ("" if sample_weight is None else " with sample_weight")
                + ": there is nothing to train on (an all-zero sample_weight is "
                "refused alike)."
            )
        return weights

    def _label_smoothing(self, n_outputs):
        if not self.label_smoothing:
            # The indicator itself, so that 0 keeps scikit-learn's numbers.
            return None
        # A softmax output shares ε among its K classes; any other output
        # unit is a two-class problem of its own.
        n_classes = n_outputs if self.out_activation_ == "softmax" else 2
        return float(self.label_smoothing), n_classes

    def _class_index(self, y):
        """Index into classes_ of each row of a binarised single-label target."""
        return y[:, 0].astype(int) if y.shape[1] == 1 else y.argmax(axis=1)

    def _stratify_by(self, y):
        # Every class, not only the binary case as in scikit-learn's MLP
        # (which stratifies by the binarised target only when it has one
        # column); multilabel targets are not stratified.
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return self._class_index(y)

    def _indicator(self, y, dtype):
        """The network's targets: a 0/1 matrix in the network's dtype."""
        if self._label_binarizer.y_type_ != "multiclass":
            return self._label_binarizer.transform(y).astype(dtype)
        # Written directly in the network's dtype: LabelBinarizer's int64
        # matrix would first take twice the memory (80 MB for 1M rows and
        # 10 classes) and then be copied.
        indicator = np.zeros((len(y), len(self.classes_)), dtype=dtype)
        indicator[np.arange(len(y)), np.searchsorted(self.classes_, y)] = 1
        return indicator

    def _learn_classes(self, y, classes):
        """Set up the labels from ``classes`` on a first incremental call.

        As scikit-learn's partial_fit: ``classes`` is required unless the
        model has classes already, and must then equal them; multilabel
        targets take their labels from the indicator's columns.
        """
        if classes is not None:
            error = _messages.missing_classes_error(classes)
            if error is not None:
                raise error
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            with _labels_checked(y):
                multilabel = type_of_target(y).startswith("multilabel")
            if multilabel:
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)

    def _targets(self, out):
        """Class labels of network outputs or of binarised targets."""
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    def _validation_targets(self, y_val, dtype):
        y_val = check_array(y_val, ensure_2d=False, dtype=None, input_name="y_val")
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = column_or_1d(y_val, warn=True)
        with _labels_checked(y_val):
            check_classification_targets(y_val)
        multilabel = self._label_binarizer.y_type_.startswith("multilabel")
        if multilabel != (y_val.ndim == 2):
            raise ValueError(
                f"y_val must be {'a label indicator matrix' if multilabel else '1-D'}"
                f", as y is; got shape {y_val.shape}."
            )
        if multilabel:
            if y_val.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y_val has {y_val.shape[1]} labels, y has {len(self.classes_)}."
                )
        else:
            unseen = np.setdiff1d(unique_labels(y_val), self.classes_)
            if len(unseen):
                raise ValueError(
                    f"y_val has classes not in `self.classes_`: {unseen}. "
                    f"`self.classes_` has {self.classes_}."
                )
        return self._indicator(y_val, dtype)


@contextmanager
def _labels_checked(y):
    """Say that y has missing labels when sorting them fails because of it."""
    try:
        yield
    except (TypeError, ValueError) as error:
        explained = _messages.missing_labels_error(error, y)
        if explained is None:
            raise
        raise explained from error


def _check_batch_defines_classes(y):
    """Refuse a batch whose labels cannot be all the classes of the problem."""
    if type_of_target(y) in ("binary", "multiclass"):
        labels = unique_labels(y).tolist()
        if len(labels) == 1:
            raise ValueError(
                "trace_step on an unfitted classifier takes the classes from "
                f"the batch, and this batch holds only the class {labels[0]!r}. "
                "Pass classes=, all the classes of the problem, as to "
                "partial_fit."
            )
