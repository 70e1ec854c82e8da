"""scikit-learn's callback hooks (``sklearn.callback``, experimental in 1.9).

A fit is one task; each epoch (stochastic solvers) or L-BFGS iteration is a
subtask. Callbacks set with ``est.set_callbacks(...)`` -- a ProgressBar, a
ScoringMonitor -- see the user's X and y and, at each task's end, a copy of
the estimator with the weights of that moment. Without callbacks, or with a
scikit-learn that has no callback API, every hook here does nothing.
"""

import functools


class FitTasks:
    """Calls the callback hooks of one fit.

    Parameters
    ----------
    estimator : BaseBackprop
        The estimator being fitted.
    max_subtasks : int or None
        Epochs or iterations the fit may run (None: not known in advance).
    """

    def __init__(self, estimator, max_subtasks):
        self.estimator = estimator
        self.root = None
        if hasattr(estimator, "_init_callback_context"):
            self.root = estimator._init_callback_context(max_subtasks=max_subtasks)

    def set_data(self, X, y, sample_weight):
        """The training data the hooks are shown.

        Parameters
        ----------
        X : {ndarray, sparse matrix}
            Training data, as the network sees it.
        y : ndarray of shape (n_samples, n_outputs)
            The network's targets; hooks get them back in the user's form
            (class labels for a classifier), computed only if asked for.
        sample_weight : ndarray or None
            Sample weights, passed as metadata.
        """
        self.X = X
        self.y = functools.cache(functools.partial(self.estimator._targets, y))
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )

    def begin(self, context=None):
        """Call ``on_fit_task_begin`` for a task (the whole fit by default).

        Parameters
        ----------
        context : CallbackContext, default=None
            The task; None is the root task.
        """
        context = context or self.root
        if context is not None:
            context.call_on_fit_task_begin(
                estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
            )

    def end(self, context=None):
        """Call ``on_fit_task_end``; returns True when a callback asks to stop.

        Parameters
        ----------
        context : CallbackContext, default=None
            The task; None is the root task.

        Returns
        -------
        stop : bool
        """
        context = context or self.root
        if context is None:
            return False
        return context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self.estimator._reconstruction_attributes,
        )

    def subtask(self, name):
        """Begin a subtask (an epoch, an iteration) and return its context.

        Parameters
        ----------
        name : str
            The task name, e.g. ``"epoch"``.

        Returns
        -------
        context : CallbackContext or None
        """
        if self.root is None:
            return None
        context = self.root.subcontext(task_name=name)
        self.begin(context)
        return context

    def end_subtask(self, context):
        """End a subtask begun by :meth:`subtask`; True when asked to stop.

        Parameters
        ----------
        context : CallbackContext or None
            As returned by :meth:`subtask`.

        Returns
        -------
        stop : bool
        """
        return False if context is None else self.end(context)
