// skbp's run report: steps through a recorded training run.
// Every number shown is one recorded by trace_step (embedded as float64);
// the script only formats them, except the sums it writes out in a formula
// and the surfaces over the input plane, which it computes from the weights,
// and the steps "train on" appends, which run_report_train.js computes.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("run-data").textContent);

  function f64(b64) {
    const s = atob(b64);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new Float64Array(bytes.buffer);
  }
  // Steps "train on" appends grow these; N counts the steps shown.
  let W = f64(D.W), G = f64(D.G), U = f64(D.U), XS = f64(D.x);
  let N = D.n_steps;
  const P = D.params.length, L = D.layers;
  // The first step computed in the page (Infinity: none), and their targets.
  let firstNew = Infinity;
  const newY = [];
  const nLayers = L.length, nIn = L[0];
  const offset = [0];
  for (let l = 1; l < nLayers; l++) offset.push(offset[l - 1] + (l > 1 ? L[l - 1] : 0));
  const nUnits = L.slice(1).reduce((a, b) => a + b, 0);
  const incoming = {};  // "layer,to" -> stored parameter indices, bias last
  D.params.forEach((p, i) => {
    const key = p[0] + "," + p[2];
    (incoming[key] = incoming[key] || []).push(i);
  });
  Object.values(incoming).forEach((list) =>
    list.sort((a, b) => (D.params[a][1] < 0) - (D.params[b][1] < 0) || D.params[a][1] - D.params[b][1]));
  const outgoing = {};  // "layer,from" -> stored parameter indices into layer + 1
  D.params.forEach((p, i) => {
    if (p[1] < 0) return;
    const key = p[0] - 1 + "," + p[1];
    (outgoing[key] = outgoing[key] || []).push(i);
  });

  let step = 0, selected = null, timer = null;

  // --- numbers --------------------------------------------------------------
  // As StepTrace prints them: 9 decimals; scientific below 1e-9 or above 1e6,
  // with Python's two-digit exponent.
  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    const a = Math.abs(v);
    if ((a > 0 && a < 1e-9) || a > 1e6) {
      return v.toExponential(9).replace(/e([+-])(\d)$/, "e$10$2");
    }
    return v.toFixed(9);
  }
  // A factor or term of a written formula: negative numbers in parentheses.
  const pf = (v) => (v < 0 ? "(" + fmt(v) + ")" : fmt(v));
  function short(v) {
    if (!Number.isFinite(v)) return fmt(v);
    return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(3);
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  const w = (k, i) => W[k * P + i];
  const g = (k, i) => G[k * P + i];
  const unit = (k, layer, u, which) => U[((k * nUnits) + offset[layer] + u) * 3 + which];
  const xval = (k, j) => XS[k * nIn + j];
  function out(k, layer, u) {
    return layer === 0 ? xval(k, u) : unit(k, layer, u, 1);
  }
  const name = (layer, u) => D.names[layer][u];

  // The target of output unit u for the shown sample, as the loss reads it.
  function target(k, u) {
    if (k >= firstNew) return newY[k][u];
    const y = D.y[k];
    if (D.classes) {
      const flat = Array.isArray(y) ? y : [y];
      if (L[nLayers - 1] === 1) return String(flat[0]) === String(D.classes[1]) ? 1 : 0;
      if (flat.length === 1) return String(flat[0]) === String(D.classes[u]) ? 1 : 0;
      return Number(flat[u]);
    }
    return Number(Array.isArray(y) ? y[u] : y);
  }

  // f'(net) written from the unit's output, as skbp's derivatives are.
  const DERIVATIVE = {
    logistic: ["out·(1 − out)", (o) => o * (1 - o)],
    tanh: ["1 − out²", (o) => 1 - o * o],
    relu: ["1 if out > 0 else 0", (o) => (o > 0 ? 1 : 0)],
    leaky_relu: ["1 if out > 0 else 0.01", (o) => (o > 0 ? 1 : 0.01)],
    softplus: ["1 − e^(−out)", (o) => 1 - Math.exp(-o)],
    identity: ["1", () => 1],
    exp: ["out", (o) => o],
  };
  const FUNCTION = {
    logistic: ["1 / (1 + e^(−net))", (z) => 1 / (1 + Math.exp(-z))],
    tanh: ["tanh(net)", Math.tanh],
    relu: ["max(net, 0)", (z) => Math.max(z, 0)],
    leaky_relu: ["max(net, 0.01·net)", (z) => Math.max(z, 0.01 * z)],
    softplus: ["ln(1 + e^net)", (z) => (z > 30 ? z : Math.log1p(Math.exp(z)))],
    identity: ["net", (z) => z],
    exp: ["e^net", Math.exp],
    softmax: ["e^net / Σ e^net′ over the layer's units", null],
  };

  // --- the network ----------------------------------------------------------
  const svg = document.getElementById("network");
  const maxUnits = Math.max(...L);
  const gap = Math.max(10, Math.min(60, 560 / maxUnits));
  const radius = Math.max(3, Math.min(17, gap * 0.36));
  const showValues = maxUnits <= 12;
  const hasBias = D.fit_intercept || (D.fixed_intercepts && D.fixed_intercepts.some((b) => b.some((v) => v !== 0)));
  const height = Math.max(220, maxUnits * gap + (hasBias ? gap + 40 : 40));
  const width = 660;
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  // Names beside the inputs and outputs (a DataFrame's columns, the classes)
  // get the room they need, up to 22 characters.
  const shown = (nm) => (nm.length > 22 ? nm.slice(0, 21) + "…" : nm);
  const room = (l) => Math.max(...D.names[l].map((nm) => (nm.length <= 3 && radius >= 10 ? 0 : shown(nm).length * 6.3 + 6)));
  const left = radius + 8 + room(0), right = radius + 8 + room(nLayers - 1);
  const pos = L.map((n, l) => {
    const x = left + (l * (width - left - right)) / (nLayers - 1);
    const top = (height - (hasBias ? gap : 0) - n * gap) / 2;
    return Array.from({ length: n }, (_, u) => [x, top + (u + 0.5) * gap]);
  });
  // A layer's bias unit sits under the layer that feeds it.
  const biasPos = L.map((n, l) => (l === 0 ? null : [pos[l - 1][0][0], pos[l - 1][L[l - 1] - 1][1] + gap + 6]));

  function edgeEnds(p) {
    const [layer, j, k] = p;
    const a = j < 0 ? biasPos[layer] : pos[layer - 1][j];
    return [a, pos[layer][k]];
  }

  function colour(v, scale) {
    const t = scale > 0 ? Math.min(Math.abs(v) / scale, 1) : 0;
    const end = v >= 0 ? [178, 24, 43] : [33, 102, 172];
    const s = 0.25 + 0.75 * t;
    const c = end.map((e) => Math.round(255 + s * (e - 255)));
    return "rgb(" + c.join(",") + ")";
  }

  function drawNetwork() {
    const k = step;
    const parts = [];
    let scale = 0;
    D.params.forEach((p, i) => { if (p[4]) scale = Math.max(scale, Math.abs(w(k, i)) || 0); });
    // Biases held fixed (Mazur's b1, b2) are drawn dashed: they are not trained.
    if (D.fixed_intercepts) {
      for (let l = 1; l < nLayers; l++) {
        const b = D.fixed_intercepts[l - 1];
        if (!b.some((v) => v !== 0)) continue;
        for (let u = 0; u < L[l]; u++) {
          const [a, c] = [biasPos[l], pos[l][u]];
          parts.push(`<line class="fixed" x1="${a[0]}" y1="${a[1]}" x2="${c[0]}" y2="${c[1]}"/>`);
        }
      }
    }
    D.params.forEach((p, i) => {
      if (!p[4]) return;
      const [a, c] = edgeEnds(p);
      const v = w(k, i);
      const width = Number.isFinite(v) && scale > 0 ? 0.6 + (5.4 * Math.abs(v)) / scale : 0.6;
      const cls = selected && selected.param === i ? "edge selected" : "edge";
      parts.push(`<line class="${cls}" x1="${a[0]}" y1="${a[1]}" x2="${c[0]}" y2="${c[1]}" stroke="${colour(v, scale)}" stroke-width="${width.toFixed(2)}"/>`);
    });
    D.params.forEach((p, i) => {
      if (!p[4]) return;
      const [a, c] = edgeEnds(p);
      parts.push(`<line class="edge-hit" data-param="${i}" stroke-width="9" x1="${a[0]}" y1="${a[1]}" x2="${c[0]}" y2="${c[1]}"><title>${esc(p[3])} = ${fmt(w(k, i))}</title></line>`);
    });
    for (let l = 1; l < nLayers; l++) {
      const fixed = D.fixed_intercepts ? D.fixed_intercepts[l - 1] : null;
      if (fixed && !fixed.some((v) => v !== 0)) continue;
      const [x, y] = biasPos[l];
      let label = "+1";
      if (fixed) label = fixed.every((v) => v === fixed[0]) ? "b" + l + " = " + fixed[0] : "b" + l;
      parts.push(`<g class="bias"><circle cx="${x}" cy="${y}" r="${Math.max(radius * 0.8, 3)}"/><text x="${x + radius + 3}" y="${y + 4}">${esc(label)}</text></g>`);
    }
    for (let l = 0; l < nLayers; l++) {
      for (let u = 0; u < L[l]; u++) {
        const [x, y] = pos[l][u];
        const sel = selected && selected.layer === l && selected.unit === u ? " selected" : "";
        const nm = name(l, u);
        const inside = nm.length <= 3 && radius >= 10;
        const tx = inside ? x : l === 0 ? x - radius - 4 : x + radius + 4;
        const anchor = inside ? "middle" : l === 0 ? "end" : "start";
        let text = radius >= 6 || l === 0 || l === nLayers - 1
          ? `<text x="${tx}" y="${y + 4}" text-anchor="${anchor}">${esc(shown(nm))}</text>` : "";
        if (showValues) {
          const v = out(k, l, u);
          text += `<text class="value" x="${x}" y="${y + radius + 11}" text-anchor="middle">${esc(short(v))}</text>`;
        }
        parts.push(`<g class="unit${sel}" data-layer="${l}" data-unit="${u}"><title>${esc(nm)}</title><circle cx="${x}" cy="${y}" r="${radius}"/>${text}</g>`);
      }
    }
    svg.innerHTML = parts.join("");
  }

  svg.addEventListener("click", (event) => {
    const hit = event.target.closest("[data-param], .unit");
    if (!hit) return;
    if (hit.dataset.param !== undefined) selected = { param: Number(hit.dataset.param) };
    else selected = { layer: Number(hit.dataset.layer), unit: Number(hit.dataset.unit) };
    render();
  });

  // --- details: a unit's or an edge's formulas with this step's numbers -----
  // A seam: StepTrace.explain() writes the same formulas for one step; the
  // page writes the generic ones from the recorded numbers.
  // StepTrace.explain's own text of a unit's path, recorded for a few steps
  // of a small network (the first, a middle and the last).
  function explained(l, u) {
    if (!D.explained) return "";
    if (step >= firstNew) return `<p class="note">A step computed in this page: StepTrace.explain's text is kept for recorded steps only.</p>`;
    const text = D.explained[step] && D.explained[step][l + "," + u];
    if (!text) {
      const steps = Object.keys(D.explained).join(", ");
      return `<p class="note">StepTrace.explain's text of this unit's path is kept for steps ${steps}.</p>`;
    }
    return `<details id="explained"><summary>${esc(name(l, u))}'s path written out by StepTrace.explain (Mazur's names)</summary><pre class="explained">${esc(text)}</pre></details>`;
  }
  function row(label, value, q) {
    return `<tr><th>${esc(label)}</th><td data-q="${q}">${fmt(value)}</td></tr>`;
  }
  function formula(text) {
    return `<div class="formula">${text}</div>`;
  }

  function unitDetails(l, u) {
    const k = step, nm = name(l, u);
    if (l === 0) {
      return `<p>Input ${esc(nm)} of the shown sample: the value the first layer reads.</p>
<table class="numbers">${row(nm, xval(k, u), "x")}</table>`;
    }
    const net = unit(k, l, u, 0), o = unit(k, l, u, 1), delta = unit(k, l, u, 2);
    const act = D.activations[l];
    const terms = [], numbers = [];
    let missing = 0;
    for (let j = 0; j < L[l - 1]; j++) {
      const i = (incoming[l + "," + u] || []).find((q) => D.params[q][1] === j);
      if (i === undefined) { missing++; continue; }
      if (terms.length < 8) {
        terms.push(`${D.params[i][3]}·${name(l - 1, j)}`);
        numbers.push(`${pf(w(k, i))}·${pf(out(k, l - 1, j))}`);
      } else missing++;
    }
    const bias = (incoming[l + "," + u] || []).find((q) => D.params[q][1] < 0);
    if (bias !== undefined) { terms.push(D.params[bias][3]); numbers.push(pf(w(k, bias))); }
    else if (D.fixed_intercepts && D.fixed_intercepts[l - 1][u] !== 0) {
      terms.push("b" + l); numbers.push(pf(D.fixed_intercepts[l - 1][u]));
    }
    const more = missing ? ` + … (${missing} more terms)` : "";
    let html = `<p>Unit ${esc(nm)} (layer ${l}, unit ${u}) for sample ${D.sample} of the batch.</p>`;
    html += formula(`<b>net</b><sub>${esc(nm)}</sub> = Σ<sub>j</sub> w<sub>j</sub>·out<sub>j</sub> + b\n = ${esc(terms.join(" + "))}${more}\n = ${esc(numbers.join(" + "))}${more}\n = ${fmt(net)}`);
    const fn = FUNCTION[act];
    html += formula(`<b>out</b><sub>${esc(nm)}</sub> = ${esc(act)}(net) = ${esc(fn ? fn[0] : act + "(net)")}\n = ${fmt(o)}`);
    const der = DERIVATIVE[act];
    if (l === nLayers - 1) {
      const y = target(k, u);
      if (D.canonical) {
        html += formula(`<b>δ</b><sub>${esc(nm)}</sub> = ∂E/∂net = out − y  (${esc(D.loss)} with ${esc(act)} units)\n = ${fmt(o)} − ${pf(y)}\n = ${fmt(delta)}`);
      } else if (D.loss === "squared_error" && der) {
        html += formula(`<b>δ</b><sub>${esc(nm)}</sub> = ∂E/∂out · ∂out/∂net = (out − y)·f′(net),  f′(net) = ${esc(der[0])}\n = (${fmt(o)} − ${pf(y)})·${fmt(der[1](o))}\n = ${fmt(delta)}`);
      } else {
        html += formula(`<b>δ</b><sub>${esc(nm)}</sub> = ∂E/∂out · ∂out/∂net  (${esc(D.loss)}, y = ${fmt(y)})\n = ${fmt(delta)}`);
      }
    } else {
      const outs = outgoing[l + "," + u] || [];
      const shown = outs.slice(0, 8);
      let sum = 0;
      outs.forEach((i) => { sum += w(k, i) * unit(k, l + 1, D.params[i][2], 2); });
      const rest = L[l + 1] - shown.length;
      const tail = rest > 0 ? ` + … (${rest} more terms)` : "";
      const names = shown.map((i) => `${D.params[i][3]}·δ${name(l + 1, D.params[i][2])}`);
      const nums = shown.map((i) => `${pf(w(k, i))}·${pf(unit(k, l + 1, D.params[i][2], 2))}`);
      let text = `<b>δ</b><sub>${esc(nm)}</sub> = (Σ<sub>k</sub> w<sub>k</sub>·δ<sub>k</sub>)·f′(net),  f′(net) = ${esc(der ? der[0] : "f′")}\n = (${esc(names.join(" + "))}${tail})·f′(net)\n = (${esc(nums.join(" + "))}${tail})`;
      if (der && rest <= 0) text += `·${fmt(der[1](o))}`;
      text += `\n = ${fmt(delta)}`;
      html += formula(text);
    }
    html += `<table class="numbers">${row("net", net, "net")}${row("out", o, "out")}${row("δ", delta, "delta")}</table>`;
    return html + explained(l, u);
  }

  function edgeDetails(i) {
    const k = step, p = D.params[i];
    const [layer, j, to, pname] = p;
    const v = w(k, i), grad = g(k, i), next = w(k + 1, i);
    const n = D.batch_sizes[k];
    const target = name(layer, to);
    const source = j < 0 ? "1" : name(layer - 1, j);
    const lr = D.learning_rates[k];
    let html = `<p>${j < 0 ? "Bias" : "Weight"} ${esc(pname)}: ${esc(j < 0 ? "+1" : source)} → ${esc(target)} (layer ${layer}${j < 0 ? "" : ", coefs_[" + (layer - 1) + "][" + j + ", " + to + "]"}).</p>`;
    const a = j < 0 ? 1 : out(k, layer - 1, j);
    const d = unit(k, layer, to, 2);
    const penalty = j >= 0 && D.alpha ? " + α·w/N" : "";
    html += formula(`<b>∂E/∂${esc(pname)}</b> = (1/N) Σ<sub>n</sub> out<sub>${esc(source)}</sub>·δ<sub>${esc(target)}</sub>${penalty},  N = ${n}\n sample ${D.sample}'s term: ${pf(a)}·${pf(d)} = ${fmt(a * d)}\n = ${fmt(grad)}`);
    if (D.plain_sgd || k >= firstNew) {
      html += formula(`<b>${esc(pname)}⁺</b> = w − η·∂E/∂w,  η = ${lr}\n = ${fmt(v)} − ${lr}·${pf(grad)}\n = ${fmt(next)}`);
    } else {
      html += formula(`<b>${esc(pname)}⁺</b> = w + Δw, Δw from ${esc(D.optimizer)} (step size ${lr})\n = ${fmt(v)} + ${pf(next - v)}\n = ${fmt(next)}`);
    }
    html += `<table class="numbers">${row("w", v, "w")}${row("∂E/∂w", grad, "grad")}${row("w⁺", next, "new")}</table>`;
    return html + explained(layer, to);
  }

  function stepDetails() {
    const k = step;
    let html = `<p>Click a unit for its net input, output and δ, or an edge for its gradient and update.</p>`;
    html += `<table class="numbers">${row("loss E", D.loss_values[k], "loss")}</table>`;
    if (P <= 80) {
      html += `<table class="numbers" id="weights"><tr><th>weight</th><th>w</th><th>∂E/∂w</th><th>w⁺</th></tr>`;
      // In Mazur's numbering: w1, w2, ... then the biases.
      const number = (p) => (p[1] < 0 ? Infinity : Number(p[3].slice(1)));
      const order = D.params.map((p, i) => i).sort((a, b) => number(D.params[a]) - number(D.params[b]) || a - b);
      order.forEach((i) => {
        const p = D.params[i];
        html += `<tr data-param="${i}"><th>${esc(p[3])}</th><td>${fmt(w(k, i))}</td><td>${fmt(g(k, i))}</td><td>${fmt(w(k + 1, i))}</td></tr>`;
      });
      html += "</table>";
    }
    return html;
  }

  function drawDetails() {
    const title = document.getElementById("details-title");
    const box = document.getElementById("details");
    if (selected && selected.param !== undefined) {
      title.textContent = "Edge " + D.params[selected.param][3] + " at step " + step;
      box.innerHTML = edgeDetails(selected.param);
    } else if (selected) {
      title.textContent = "Unit " + name(selected.layer, selected.unit) + " at step " + step;
      box.innerHTML = unitDetails(selected.layer, selected.unit);
    } else {
      title.textContent = "Step " + step;
      box.innerHTML = stepDetails();
    }
  }
  document.getElementById("details").addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-param]");
    if (tr) { selected = { param: Number(tr.dataset.param) }; render(); }
  });

  // --- the loss curve ---------------------------------------------------------
  const lossSvg = document.getElementById("loss");
  const LW = 660, LH = 200, LM = { left: 78, right: 14, top: 10, bottom: 30 };
  lossSvg.setAttribute("viewBox", `0 0 ${LW} ${LH}`);
  lossSvg.setAttribute("width", LW);
  lossSvg.setAttribute("height", LH);
  let lmin = 0, lmax = 0;
  const lx = (k) => LM.left + (N > 1 ? (k * (LW - LM.left - LM.right)) / (N - 1) : 0);
  const ly = (v) => LM.top + (lmax > lmin ? ((lmax - v) * (LH - LM.top - LM.bottom)) / (lmax - lmin) : (LH - LM.top - LM.bottom) / 2);
  // Beside the line that starts the computed steps, on the side with room.
  function newLabel(x) {
    const left = x > (LM.left + LW - LM.right) / 2;
    return `<text x="${left ? x - 3 : x + 3}" y="${LM.top + 10}" text-anchor="${left ? "end" : "start"}">computed in the page →</text>`;
  }
  function drawLoss() {
    const k = step, v = D.loss_values[k];
    const finite = D.loss_values.filter((e) => e !== null && Number.isFinite(e));
    lmin = Math.min(...finite);
    lmax = Math.max(...finite);
    const curve = D.loss_values.map((e, q) => (e === null ? null : `${lx(q).toFixed(1)},${ly(e).toFixed(1)}`)).filter(Boolean).join(" ");
    const y0 = LH - LM.bottom;
    lossSvg.innerHTML =
      `<line x1="${LM.left}" y1="${y0}" x2="${LW - LM.right}" y2="${y0}" stroke="#888"/>` +
      `<line x1="${LM.left}" y1="${LM.top}" x2="${LM.left}" y2="${y0}" stroke="#888"/>` +
      `<text x="${LM.left - 4}" y="${ly(lmax) + 4}" text-anchor="end">${esc(short(lmax))}</text>` +
      `<text x="${LM.left - 4}" y="${ly(lmin) + 4}" text-anchor="end">${esc(short(lmin))}</text>` +
      `<text x="${LM.left}" y="${LH - 10}" text-anchor="middle">0</text>` +
      `<text x="${LW - LM.right}" y="${LH - 10}" text-anchor="end">${N - 1}</text>` +
      `<text x="${(LM.left + LW) / 2}" y="${LH - 4}" text-anchor="middle">step</text>` +
      `<text x="12" y="${LM.top + 60}" transform="rotate(-90 12 ${LM.top + 60})" text-anchor="end">loss E</text>` +
      (firstNew < N ? `<line x1="${lx(firstNew - 0.5)}" y1="${LM.top}" x2="${lx(firstNew - 0.5)}" y2="${y0}" stroke="#999" stroke-dasharray="2 2"/>` +
        newLabel(lx(firstNew - 0.5)) : "") +
      `<polyline points="${curve}" fill="none" stroke="#1f5fa8" stroke-width="1.6"/>` +
      `<line x1="${lx(k)}" y1="${LM.top}" x2="${lx(k)}" y2="${y0}" stroke="#e08000" stroke-dasharray="4 3"/>` +
      (v === null ? "" : `<circle id="loss-marker" cx="${lx(k)}" cy="${ly(v)}" r="4.5" fill="#e08000"/>`);
  }
  lossSvg.addEventListener("click", (event) => {
    const box = lossSvg.getBoundingClientRect();
    const x = ((event.clientX - box.left) * LW) / box.width;
    const k = Math.round(((x - LM.left) * (N - 1)) / (LW - LM.left - LM.right));
    go(k);
  });

  // --- over the input plane (two features) --------------------------------
  const plane = D.plane;
  let planeViews = null;
  function forward(k, x0, x1) {
    let a = [x0, x1];
    const layerOuts = [];
    for (let l = 1; l < nLayers; l++) {
      const net = new Array(L[l]).fill(0);
      if (D.fixed_intercepts) for (let u = 0; u < L[l]; u++) net[u] = D.fixed_intercepts[l - 1][u];
      (D.params).forEach((p, i) => {
        if (p[0] !== l) return;
        net[p[2]] += p[1] < 0 ? w(k, i) : w(k, i) * a[p[1]];
      });
      const act = D.activations[l];
      if (act === "softmax") {
        const m = Math.max(...net);
        const e = net.map((z) => Math.exp(z - m));
        const s = e.reduce((p, q) => p + q, 0);
        a = e.map((z) => z / s);
      } else a = net.map(FUNCTION[act][1]);
      layerOuts.push(a);
    }
    return layerOuts;
  }
  const CLASS_RGB = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75]];
  function diverging(t) {  // t in [-1, 1]: blue - white - red
    const end = t >= 0 ? [178, 24, 43] : [33, 102, 172];
    const s = Math.min(Math.abs(t), 1);
    return end.map((e) => Math.round(255 + s * (e - 255)));
  }
  function setupPlane() {
    if (!plane) return;
    if (D.activations.some((act, l) => l > 0 && !FUNCTION[act])) return;
    document.getElementById("plane-panel").hidden = false;
    const box = document.getElementById("plane");
    const [lo0, lo1, hi0, hi1] = plane.range;
    document.getElementById("plane-note").textContent =
      `x₁ from ${short(lo0)} to ${short(hi0)} (right), x₂ from ${short(lo1)} to ${short(hi1)} (up); ` +
      "the points are the data. Hidden units: blue at their lowest output over the plane, red at their highest (given below); move over the large plot to read the outputs at a point.";
    let html = `<figure><canvas id="plane-out" width="240" height="240"></canvas><figcaption id="plane-out-caption"></figcaption><div id="readout"></div></figure>`;
    for (let l = 1; l < nLayers - 1; l++) {
      for (let u = 0; u < L[l]; u++) {
        html += `<figure><canvas class="plane-unit" data-layer="${l}" data-unit="${u}" width="96" height="96"></canvas><figcaption id="cap-${l}-${u}">${esc(name(l, u))}</figcaption></figure>`;
      }
    }
    box.innerHTML = html;
    planeViews = { points: f64(plane.X) };
    const big = document.getElementById("plane-out");
    big.addEventListener("mousemove", (event) => {
      const r = big.getBoundingClientRect();
      const x0 = lo0 + ((event.clientX - r.left) / r.width) * (hi0 - lo0);
      const x1 = hi1 - ((event.clientY - r.top) / r.height) * (hi1 - lo1);
      const outs = forward(step, x0, x1);
      const last = outs[outs.length - 1];
      document.getElementById("readout").textContent =
        `x₁ = ${fmt(x0)}\nx₂ = ${fmt(x1)}\n` +
        last.map((v, u) => `${name(nLayers - 1, u)} = ${fmt(v)}`).join("\n");
    });
  }
  function paint(canvas, valueAt, colourOf) {
    const ctx = canvas.getContext("2d");
    const n = canvas.width, img = ctx.createImageData(n, n);
    const [lo0, lo1, hi0, hi1] = plane.range;
    const res = n > 100 ? 3 : 2;
    for (let py = 0; py < n; py += res) {
      for (let px = 0; px < n; px += res) {
        const c = colourOf(valueAt(lo0 + ((px + res / 2) / n) * (hi0 - lo0), hi1 - ((py + res / 2) / n) * (hi1 - lo1)));
        for (let dy = 0; dy < res && py + dy < n; dy++) {
          for (let dx = 0; dx < res && px + dx < n; dx++) {
            const o = ((py + dy) * n + px + dx) * 4;
            img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    const pts = planeViews.points;
    for (let i = 0; i < pts.length / 2; i++) {
      const x = ((pts[2 * i] - lo0) / (hi0 - lo0)) * n, y = ((hi1 - pts[2 * i + 1]) / (hi1 - lo1)) * n;
      const label = plane.y[i];
      const ci = D.classes ? D.classes.findIndex((c) => String(c) === String(label)) : -1;
      const rgb = ci >= 0 ? CLASS_RGB[ci % CLASS_RGB.length] : [40, 40, 40];
      ctx.beginPath(); ctx.arc(x, y, n > 100 ? 3 : 1.8, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${rgb.join(",")})`; ctx.fill();
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 0.8; ctx.stroke();
    }
  }
  function drawPlane() {
    if (!planeViews) return;
    const k = step, nOut = L[nLayers - 1];
    const last = nLayers - 2;
    const cache = new Map();
    const at = (x0, x1) => {
      const key = x0 + "," + x1;
      if (!cache.has(key)) cache.set(key, forward(k, x0, x1));
      return cache.get(key);
    };
    const big = document.getElementById("plane-out");
    const caption = document.getElementById("plane-out-caption");
    if (D.classes && nOut > 1) {
      paint(big, (a, b) => at(a, b)[last], (o) => {
        let c = 0; o.forEach((v, i) => { if (v > o[c]) c = i; });
        const rgb = CLASS_RGB[c % CLASS_RGB.length], s = 0.25 + 0.5 * o[c];
        return rgb.map((e) => Math.round(255 + s * (e - 255)));
      });
      caption.textContent = "decision surface: the predicted class, deeper where its probability is higher";
    } else {
      let lo = Infinity, hi = -Infinity;
      if (!D.classes) {
        const [lo0, lo1, hi0, hi1] = plane.range;
        for (let i = 0; i <= 20; i++) for (let j = 0; j <= 20; j++) {
          const v = forward(k, lo0 + (i / 20) * (hi0 - lo0), lo1 + (j / 20) * (hi1 - lo1))[last][0];
          lo = Math.min(lo, v); hi = Math.max(hi, v);
        }
      }
      const mid = D.classes ? 0.5 : (lo + hi) / 2, half = D.classes ? 0.5 : Math.max((hi - lo) / 2, 1e-12);
      paint(big, (a, b) => at(a, b)[last][0], (v) => diverging((v - mid) / half));
      caption.textContent = D.classes
        ? `decision surface: P(${D.classes[1]}) from 0 (blue) to 1 (red), 0.5 white`
        : `output ${name(nLayers - 1, 0)} from ${short(lo)} (blue) to ${short(hi)} (red)`;
    }
    document.querySelectorAll("canvas.plane-unit").forEach((canvas) => {
      const l = Number(canvas.dataset.layer), u = Number(canvas.dataset.unit);
      // Each unit on its own range over the plane, which its caption gives.
      let lo = Infinity, hi = -Infinity;
      const [lo0, lo1, hi0, hi1] = plane.range;
      for (let i = 0; i <= 12; i++) for (let j = 0; j <= 12; j++) {
        const v = forward(k, lo0 + (i / 12) * (hi0 - lo0), lo1 + (j / 12) * (hi1 - lo1))[l - 1][u];
        lo = Math.min(lo, v); hi = Math.max(hi, v);
      }
      const mid = (lo + hi) / 2, half = Math.max((hi - lo) / 2, 1e-12);
      paint(canvas, (a, b) => at(a, b)[l - 1][u], (v) => diverging((v - mid) / half));
      document.getElementById(`cap-${l}-${u}`).textContent = `${name(l, u)}: ${short(lo)} … ${short(hi)}`;
    });
  }

  // --- the stepper ------------------------------------------------------------
  const slider = document.getElementById("slider");
  slider.max = String(N - 1);
  const label = document.getElementById("step-label");
  function render() {
    slider.max = String(N - 1);
    slider.value = String(step);
    document.body.dataset.step = String(step);
    const v = D.loss_values[step];
    label.textContent = `step ${step} of ${N - 1}` + (step === 0 ? " (the initial weights)" : "") +
      (step >= firstNew ? " (computed in this page)" : "") + `, loss E = ${fmt(v)}`;
    drawNetwork();
    drawDetails();
    drawLoss();
    drawPlane();
  }
  function go(k) {
    step = Math.max(0, Math.min(N - 1, k));
    render();
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "play";
  }
  document.getElementById("first").addEventListener("click", () => { stop(); go(0); });
  document.getElementById("prev").addEventListener("click", () => { stop(); go(step - 1); });
  document.getElementById("next").addEventListener("click", () => { stop(); go(step + 1); });
  document.getElementById("play").addEventListener("click", () => {
    if (timer !== null) { stop(); return; }
    if (step >= N - 1) go(0);
    document.getElementById("play").textContent = "pause";
    timer = setInterval(() => { if (step >= N - 1) stop(); else go(step + 1); }, Math.max(30, 3000 / N));
  });
  slider.addEventListener("input", () => { stop(); go(Number(slider.value)); });
  document.addEventListener("keydown", (event) => {
    if (event.target.tagName === "INPUT") return;
    if (event.key === "ArrowRight") go(step + 1);
    if (event.key === "ArrowLeft") go(step - 1);
    if (event.key === "Home") go(0);
  });

  // --- train on: steps computed in the page ------------------------------------
  // Plain gradient descent from w⁺ of the step shown, on the batch the run's
  // scheme gives the next step, with η from the field; run_report_train.js
  // does the arithmetic, this section files its numbers as a step's.
  const T = D.train;
  const trainNet = { layers: L, activations: D.activations, loss: D.loss, alpha: D.alpha, fitIntercept: D.fit_intercept };
  const TX = T && T.X ? f64(T.X) : null, TY = T && T.Y ? f64(T.Y) : null;
  const TW = T && T.weights ? f64(T.weights) : null;
  const recorded = { W, G, U, XS, n: N, lists: ["loss_values", "learning_rates", "batch_sizes", "y"].map((key) => [key, D[key].slice()]) };

  // The weights before step k, as layers: coefs[l][j][k], intercepts[l][k].
  function layersAt(k) {
    const coefs = [], intercepts = [];
    for (let l = 1; l < nLayers; l++) {
      coefs.push(Array.from({ length: L[l - 1] }, () => new Array(L[l]).fill(0)));
      intercepts.push(D.fixed_intercepts ? D.fixed_intercepts[l - 1].slice() : new Array(L[l]).fill(0));
    }
    D.params.forEach((p, i) => {
      if (p[1] < 0) intercepts[p[0] - 1][p[2]] = w(k, i);
      else coefs[p[0] - 1][p[1]][p[2]] = w(k, i);
    });
    return { coefs, intercepts };
  }
  // The first n numbers of a, with room for extra more.
  function kept(a, n, extra) {
    const b = new Float64Array(n + extra);
    b.set(a.subarray(0, n));
    return b;
  }

  // Step s = k + 1 from w⁺ of step k, after dropping every step after k.
  function trainStep(k, eta) {
    const s = k + 1, rows = T.batch_size, nOut = T.n_outputs, m = D.sample;
    const index = Array.from({ length: rows }, (_, r) => (s * rows + r) % D.n_samples);
    const X = index.map((r) => Array.from(TX.subarray(r * nIn, (r + 1) * nIn)));
    const Y = index.map((r) => Array.from(TY.subarray(r * nOut, (r + 1) * nOut)));
    const weights = TW ? index.map((r) => TW[r]) : null;
    const done = window.skbpTrain.step(Object.assign({}, trainNet, layersAt(s)), X, Y, eta, weights);
    W = kept(W, (s + 1) * P, P);
    G = kept(G, s * P, P);
    U = kept(U, s * nUnits * 3, nUnits * 3);
    XS = kept(XS, s * nIn, nIn);
    D.params.forEach((p, i) => {
      const [layer, j, to] = p;
      W[(s + 1) * P + i] = j < 0 ? done.intercepts[layer - 1][to] : done.coefs[layer - 1][j][to];
      G[s * P + i] = j < 0 ? done.interceptGrads[layer - 1][to] : done.coefGrads[layer - 1][j][to];
    });
    for (let l = 1; l < nLayers; l++) {
      for (let u = 0; u < L[l]; u++) {
        U.set([done.nets[l][m][u], done.outs[l][m][u], done.deltas[l][m][u]], (s * nUnits + offset[l] + u) * 3);
      }
    }
    XS.set(X[m], s * nIn);
    ["loss_values", "learning_rates", "batch_sizes", "y"].forEach((key) => { D[key].length = s; });
    D.loss_values.push(Number.isFinite(done.loss) ? done.loss : null);
    D.learning_rates.push(eta);
    D.batch_sizes.push(rows);
    D.y.push(null);
    newY[s] = Y[m];
    firstNew = Math.min(firstNew, s);
    N = s + 1;
  }
  function train(eta, times) {
    stop();
    for (let t = 0; t < times; t++) { trainStep(step, eta); step = N - 1; }
    document.getElementById("train-reset").hidden = false;
    render();
  }
  function setupTrain() {
    const note = document.getElementById("train-note");
    const why = !T ? "this page was written without its data" : T.absent || window.skbpTrain.unsupported(trainNet);
    if (why) {
      note.textContent = `No "train on" in this page: ${why}.`;
      return;
    }
    document.getElementById("train-controls").hidden = false;
    const field = document.getElementById("train-eta");
    field.value = String(T.eta);
    const rows = T.batch_size === D.n_samples ? "the whole data" : `the next ${T.batch_size} rows, wrapping`;
    let text = `Train on: "step" takes a plain gradient-descent step w ← w − η·∂E/∂w from w⁺ of the step shown, ` +
      `on the batch the run would take next (${rows}), computed in this page; its numbers show as a step's. ` +
      `Stepping from an earlier step discards the steps after it ("recorded steps" brings the recorded ones back).`;
    if (T.differs.length) {
      text += ` The run used ${T.differs.join(", ")}; the page's own steps are plain gradient descent from the current weights.`;
    }
    note.textContent = text;
    const click = (times) => () => {
      const eta = Number(field.value);
      if (field.value.trim() === "" || !Number.isFinite(eta) || eta < 0) {
        note.textContent = `η must be a number ≥ 0; got "${field.value}". ` + text;
        return;
      }
      train(eta, times);
    };
    document.getElementById("train-step").addEventListener("click", click(1));
    document.getElementById("train-10").addEventListener("click", click(10));
    document.getElementById("train-reset").addEventListener("click", () => {
      ({ W, G, U, XS, n: N } = recorded);
      recorded.lists.forEach(([key, list]) => { D[key] = list.slice(); });
      firstNew = Infinity;
      document.getElementById("train-reset").hidden = true;
      go(Math.min(step, N - 1));
    });
  }
  // For tests: the numbers of step k as the page holds them.
  window.skbpRun = {
    nSteps: () => N,
    weights: (k) => Array.from(W.subarray(k * P, (k + 1) * P)),
    gradients: (k) => Array.from(G.subarray(k * P, (k + 1) * P)),
    loss: (k) => D.loss_values[k],
  };

  // --- the summary ------------------------------------------------------------
  const n = D.batch_sizes[0];
  let summary = `${L.join("-")} network, ${D.activations.slice(1, -1).join("/") || "no hidden"} hidden units, ` +
    `${D.activations[nLayers - 1]} outputs, loss ${D.loss}; ${D.optimizer}; ${N} steps, each on ` +
    (n === D.n_samples ? `all ${n} rows (one epoch)` : `a batch of ${n} of the ${D.n_samples} rows`) +
    `. Units show sample ${D.sample} of each step's batch; the gradients are the batch's` +
    (D.weighted ? " weighted mean, with each sample's weight (δ shown: the sample's times its weight)." : ".");
  document.getElementById("summary").textContent = summary;
  const note = document.getElementById("network-note");
  if (D.top_edges) {
    note.textContent = `A large network: ${D.n_drawn} of its ${D.n_params} weights and biases are drawn, ` +
      `each unit's ${D.top_edges} strongest incoming edges by |w| after the last step.`;
  } else note.textContent = `Numbers under the units: their output for the shown sample (inputs: its values).`;
  if (!showValues && !D.top_edges) note.textContent = "";
  setupPlane();
  setupTrain();
  render();
})();
