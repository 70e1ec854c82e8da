// skbp's run report, "train on": one plain gradient-descent step in float64,
// w ← w − η·∂E/∂w, with the arithmetic of skbp/_network.py (forward,
// backward, the L2 term α·W/N on the weights only, N the batch's size or
// the sum of its sample weights), the units of
// skbp/_activations.py and the losses of skbp/_losses.py. A test in headless
// Chromium holds it to skbp's own trace_step to 1e-12.
window.skbpTrain = (function () {
  "use strict";
  const EPS = 2.220446049250313e-16, TINY = 2.2250738585072014e-308;
  const LOG_MAX = Math.log(Number.MAX_VALUE);
  // Each unit: its output from its net input, and f′(net) from its output.
  const UNITS = {
    logistic: [(z) => 1 / (1 + Math.exp(-z)), (o) => o * (1 - o)],
    tanh: [Math.tanh, (o) => 1 - o * o],
    relu: [(z) => Math.max(z, 0), (o) => (o > 0 ? 1 : 0)],
    leaky_relu: [(z) => Math.max(z, 0.01 * z), (o) => (o > 0 ? 1 : 0.01)],
    softplus: [(z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), (o) => -Math.expm1(-o)],
    identity: [(z) => z, () => 1],
    exp: [(z) => Math.exp(Math.min(z, LOG_MAX - 1)), (o) => o],
  };
  const xlogy = (x, y) => (x === 0 ? 0 : x * Math.log(y));
  // One sample's loss E_n, summed over its outputs; "log_loss" on logistic
  // outputs is the binary form, on a softmax output the categorical one.
  const LOSSES = {
    squared_error: (y, o) => y.reduce((s, t, k) => s + 0.5 * (t - o[k]) ** 2, 0),
    binary_log_loss: (y, o) => y.reduce((s, t, k) => {
      const p = Math.min(Math.max(o[k], EPS), 1 - EPS);
      return s - (xlogy(t, p) + xlogy(1 - t, 1 - p));
    }, 0),
    log_loss: (y, o) => y.reduce((s, t, k) => s - t * Math.log(Math.max(o[k], EPS)), 0),
    poisson: (y, o) => y.reduce((s, t, k) => {
      const mu = Math.max(o[k], TINY);
      return s + xlogy(t, t) - xlogy(t, mu) - t + mu;
    }, 0),
  };
  // Where δ = ∂E_n/∂net simplifies to out − y.
  const CANONICAL = { squared_error: ["identity"], binary_log_loss: ["logistic"], log_loss: ["softmax"], poisson: ["exp"] };
  const lossName = (net) => (net.loss === "log_loss" && net.activations.at(-1) === "logistic" ? "binary_log_loss" : net.loss);

  // Why the page cannot train this network, or null.
  function unsupported(net) {
    const units = net.activations.slice(1).filter((a) => !UNITS[a] && a !== "softmax");
    if (units.length) return `the page has no port of ${units[0]} units`;
    const loss = lossName(net);
    if (!LOSSES[loss]) return `the page has no port of the ${net.loss} loss`;
    if (!CANONICAL[loss].includes(net.activations.at(-1)) && loss !== "squared_error") {
      return `the page has no port of ${net.loss} on ${net.activations.at(-1)} outputs`;
    }
    return null;
  }

  // Softmax of each row; shifted by the row's maximum only when a net input
  // of the batch lies outside ±log(max)/4, as skbp's softmax.
  function softmax(nets) {
    const free = nets.every((row) => row.every((z) => z >= -LOG_MAX / 4 && z <= LOG_MAX / 4));
    return nets.map((row) => {
      const m = free ? 0 : Math.max(...row);
      const e = row.map((z) => Math.exp(z - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
  }

  // net: {layers, activations, loss, alpha, coefs, intercepts, fitIntercept}
  // with coefs[l][j][k] (layer l + 1's weight from unit j to unit k). X, Y:
  // the batch's rows; weights: theirs, or null. Returns every number of the
  // step, weights after it included.
  function step(net, X, Y, eta, weights) {
    const { layers, activations, coefs, intercepts } = net;
    const last = layers.length - 1;
    const sw = weights ? weights.reduce((a, b) => a + b, 0) : X.length;
    // A batch whose weights are all zero changes nothing (as in skbp's fit).
    const n = sw > 0 ? sw : Infinity;
    const wt = (i) => (weights ? weights[i] : 1);
    // Forward: net = a·W + b, out = f(net), one row per sample.
    const nets = [null], outs = [X];
    for (let l = 1; l <= last; l++) {
      const W = coefs[l - 1], b = intercepts[l - 1];
      const z = outs[l - 1].map((a) => b.map((bk, k) => a.reduce((s, aj, j) => s + aj * W[j][k], 0) + bk));
      nets.push(z);
      const act = activations[l];
      outs.push(act === "softmax" ? softmax(z) : z.map((row) => row.map(UNITS[act][0])));
    }
    const loss = lossName(net);
    const penalty = 0.5 * net.alpha * coefs.flat(2).reduce((s, v) => s + v * v, 0) / n;
    const E = sw > 0 ? outs[last].reduce((s, o, i) => s + wt(i) * LOSSES[loss](Y[i], o), 0) / n + penalty : 0;
    // Backward: each sample's own error term δ (the worked examples'; times
    // its weight when weighted), the gradients the batch mean of out_prev·δ.
    const deltas = new Array(last + 1);
    const outAct = activations[last];
    deltas[last] = outs[last].map((o, i) => {
      const d = o.map((v, k) => v - Y[i][k]);
      let delta = d;
      if (CANONICAL[loss].includes(outAct)) delta = d;
      else if (outAct === "softmax") {
        const s = d.reduce((acc, v, k) => acc + v * o[k], 0);
        delta = d.map((v, k) => (v - s) * o[k]);
      } else delta = d.map((v, k) => v * UNITS[outAct][1](o[k]));
      return weights ? delta.map((v) => v * weights[i]) : delta;
    });
    const coefGrads = [], interceptGrads = [];
    for (let l = last; l >= 1; l--) {
      const W = coefs[l - 1], a = outs[l - 1], d = deltas[l];
      coefGrads[l - 1] = W.map((row, j) => row.map((w, k) =>
        a.reduce((s, ai, i) => s + ai[j] * d[i][k], 0) / n + (net.alpha * w) / n));
      interceptGrads[l - 1] = net.fitIntercept ? W[0].map((_, k) => d.reduce((s, di) => s + di[k], 0) / n) : null;
      if (l > 1) {
        const f = UNITS[activations[l - 1]][1];
        deltas[l - 1] = d.map((di, i) => W.map((row, j) => row.reduce((s, w, k) => s + w * di[k], 0) * f(a[i][j])));
      }
    }
    return {
      loss: E, nets, outs, deltas, coefGrads, interceptGrads,
      coefs: coefs.map((W, l) => W.map((row, j) => row.map((w, k) => w - eta * coefGrads[l][j][k]))),
      intercepts: intercepts.map((b, l) => (net.fitIntercept ? b.map((v, k) => v - eta * interceptGrads[l][k]) : b)),
    };
  }

  return { step, unsupported };
})();
