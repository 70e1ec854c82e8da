"""A traced step's tables as the arrays a network drawing reads."""

import numpy as np


class _TraceNumbers:
    """The arrays of a StepTrace: old, gradient and new weights, unit values."""

    def __init__(self, trace):
        updates = trace.updates
        self.old, self.gradient, self.new = [], [], []
        coef = updates[updates["kind"] == "coef"]
        layers = sorted(int(layer) for layer in coef["layer"].unique())
        if not layers or layers != list(range(1, len(layers) + 1)):
            raise ValueError(
                "trace.updates has no weights of layers 1, 2, ...; pass the "
                "StepTrace returned by trace_step."
            )
        for layer in layers:
            rows = coef[coef["layer"] == layer]
            j = rows["from_unit"].to_numpy(dtype=int)
            k = rows["to_unit"].to_numpy(dtype=int)
            shape = (j.max() + 1, k.max() + 1)
            if len(rows) != shape[0] * shape[1]:
                raise ValueError(
                    f"trace.updates has {len(rows)} weights in layer {layer}, "
                    f"not the {shape[0]} x {shape[1]} of a full layer."
                )
            for column, arrays in (
                ("old_weight", self.old),
                ("gradient", self.gradient),
                ("new_weight", self.new),
            ):
                a = np.empty(shape)
                a[j, k] = rows[column].to_numpy(dtype=float)
                arrays.append(a)

        # Intercept rows exist only when the intercepts were trained.
        bias = updates[updates["kind"] == "intercept"]
        self.has_intercepts = len(bias) > 0
        self.old_b, self.gradient_b, self.new_b = [], [], []
        if self.has_intercepts:
            for layer, W in enumerate(self.old, start=1):
                rows = bias[bias["layer"] == layer]
                k = rows["to_unit"].to_numpy(dtype=int)
                if len(rows) != W.shape[1]:
                    raise ValueError(
                        f"trace.updates has {len(rows)} intercepts in layer "
                        f"{layer}, not {W.shape[1]}."
                    )
                for column, arrays in (
                    ("old_weight", self.old_b),
                    ("gradient", self.gradient_b),
                    ("new_weight", self.new_b),
                ):
                    a = np.empty(W.shape[1])
                    a[k] = rows[column].to_numpy(dtype=float)
                    arrays.append(a)

        self.forward = trace.forward
        self.backward = trace.backward
        # A step with dropout records each unit's mask factor.
        self.has_masks = "mask" in trace.forward.columns
        self.n_samples = int(trace.forward["sample"].nunique())
        self.learning_rate = trace.learning_rate
        self.layer_units = [self.old[0].shape[0]] + [W.shape[1] for W in self.old]
        for layer, n in enumerate(self.layer_units[1:], start=1):
            for table in (self.forward, self.backward):
                units = table.loc[table["layer"] == layer, "unit"].nunique()
                if units != n:
                    raise ValueError(
                        f"The trace's weights give layer {layer} {n} units, but "
                        f"its unit tables have {units}."
                    )

    def check_shapes(self, coefs):
        shapes = [W.shape for W in coefs]
        traced = [W.shape for W in self.old]
        if shapes != traced:
            raise ValueError(
                f"The trace does not match the network: its weights have shapes "
                f"{traced}, the network's coefs {shapes}."
            )

    def unit_values(self, sample):
        """``{(layer, unit): (net, out, delta, mask)}`` of one sample.

        ``mask`` is the dropout factor of the unit's output, None when the
        step had no dropout.
        """
        if not 0 <= sample < self.n_samples:
            raise ValueError(
                f"sample={sample} is not in the trace's {self.n_samples} samples."
            )
        fwd = self.forward[self.forward["sample"] == sample]
        bwd = self.backward[self.backward["sample"] == sample]
        deltas = {
            (int(r.layer), int(r.unit)): float(r.delta)
            for r in bwd.itertuples(index=False)
        }
        return {
            (int(r.layer), int(r.unit)): (
                float(r.net_input),
                float(r.output),
                deltas[int(r.layer), int(r.unit)],
                float(r.mask) if self.has_masks else None,
            )
            for r in fwd.itertuples(index=False)
        }
