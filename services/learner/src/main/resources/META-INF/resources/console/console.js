// The live console: one snapshot per server-sent event from /v1/console/events, drawn without a reload.
"use strict";

const charts = new Map(); // slot + chart name -> uPlot
let updates = 0;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function fmt(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function counterTable(title, values, field) {
  const rows = Object.entries(values).map(([name, count]) =>
    el("tr", {}, el("td", {}, name), el("td", { class: "num", "data-field": field + ":" + name }, fmt(count, 0))));
  if (rows.length === 0) rows.push(el("tr", {}, el("td", {}, "none"), el("td", { class: "num" }, "0")));
  return el("table", {}, el("thead", {}, el("tr", {}, el("th", { colspan: 2 }, title))), el("tbody", {}, ...rows));
}

function renderCounters(c) {
  const box = document.getElementById("counter-tables");
  box.replaceChildren(counterTable("Rewards by kind", c.rewards, "rewards"),
    counterTable("Events without a reward (late, duplicate, orphan, …)", c.dropped, "dropped"),
    counterTable("Rewards held back", c.heldBack, "held-back"),
    counterTable("Dead letters", c.deadLetters, "dead-letters"));
}

function chart(slotBox, slot, name, label, seconds, values) {
  const key = slot + "\u0000" + name;
  const data = [seconds, values];
  let plot = charts.get(key);
  if (plot && !slotBox.contains(plot.root)) { plot.destroy(); charts.delete(key); plot = undefined; }
  if (!plot) {
    plot = new uPlot({
      title: label, width: 460, height: 200,
      scales: { x: { time: true } },
      series: [{}, { label, stroke: name === "click-rate" ? "#e15759" : "#4e79a7", width: 2, points: { show: true } }],
    }, data, slotBox.querySelector(".charts"));
    charts.set(key, plot);
  } else {
    plot.setData(data);
  }
  plot.root.setAttribute("data-chart", name);
  plot.root.setAttribute("data-points", String(seconds.length));
}

function slotBox(slot) {
  const id = "slot-" + encodeURIComponent(slot.slot);
  let box = document.getElementById(id);
  if (!box) {
    box = el("section", { id, class: "slot", "data-slot": slot.slot },
      el("h2", {}, "Slot ", slot.slot), el("div", { class: "facts" }), el("div", { class: "apprentice" }),
      el("div", { class: "charts" }), el("div", { class: "candidates" }));
    document.getElementById("slots").append(box);
  }
  return box;
}

function renderSlot(slot) {
  const box = slotBox(slot);
  const p = slot.posterior;
  const fact = (label, field, value) => el("span", {}, label + ": ", el("b", { "data-field": field }, value));
  box.querySelector(".facts").replaceChildren(
    fact("encoder version", "encoder-version", slot.encoderVersion ?? "–"),
    fact("scope", "scope", slot.scope ?? "–"),
    fact("learning", "learning", slot.learning ? "on" : "paused"),
    fact("mode", "mode", slot.mode),
    fact("exploration share", "exploration", slot.exploration === null ? "selector default" : fmt(slot.exploration)),
    fact("posterior version", "posterior-version", p ? fmt(p.version) : "–"),
    fact("rewards learned (n)", "posterior-n", p ? fmt(p.n, 1) : "–"));
  renderApprentice(box.querySelector(".apprentice"), slot.apprentice);
  chart(box, slot.slot, "click-rate", "click rate per second of impression", slot.seconds, slot.clickRate);
  chart(box, slot.slot, "rewards", "rewards per second", slot.seconds, slot.rewardsPerSecond);
  const rows = slot.candidates.map(c => el("tr", { "data-candidate": c.id },
    el("td", {}, c.id),
    el("td", { class: "num", "data-field": "share" }, fmt(c.share)),
    el("td", {}, el("span", { class: "bar", style: "width:" + Math.round(c.share * 120) + "px" })),
    el("td", { class: "num", "data-field": "shown" }, c.shown),
    el("td", { class: "num", "data-field": "clicks" }, c.clicks),
    el("td", { class: "num", "data-field": "score" }, fmt(c.score)),
    el("td", { class: "num", "data-field": "uncertainty" }, c.uncertainty === null ? "–" : "± " + fmt(c.uncertainty))));
  box.querySelector(".candidates").replaceChildren(el("table", {},
    el("thead", {}, el("tr", {}, ...["candidate", "traffic share", "", "shown", "clicks", "posterior-mean score",
      "uncertainty (sd)"].map(h => el("th", {}, h)))),
    el("tbody", {}, ...rows)));
}

// An estimate as a bar from its low to its high end on a 0..max scale, with its value marked.
function intervalBar(e, max) {
  const scale = v => Math.max(0, Math.min(100, 100 * v / max));
  return el("span", { class: "interval" },
    el("span", { class: "range", style: `left:${scale(e.low)}%;width:${scale(e.high) - scale(e.low)}%` }),
    el("span", { class: "value", style: `left:${scale(e.value)}%` }));
}

// Vitrine beside the incumbent in a slot in apprentice mode (docs/evaluation.md, Apprentice mode).
function renderApprentice(box, a) {
  if (!a) { box.replaceChildren(); return; }
  const max = Math.max(a.incumbent.high, a.vitrine ? a.vitrine.high : 0, 1e-9);
  const row = (label, field, e, scaleMax) => el("tr", {},
    el("td", {}, label),
    el("td", { class: "num", "data-field": field }, e ? fmt(e.value, 4) : "not estimable"),
    el("td", { class: "num", "data-field": field + "-interval" }, e ? `[${fmt(e.low, 4)}, ${fmt(e.high, 4)}]` : ""),
    el("td", {}, e ? e.estimator : ""),
    el("td", {}, e ? intervalBar(e, scaleMax) : ""));
  box.replaceChildren(el("table", {},
    el("thead", {}, el("tr", {}, el("th", { colspan: 5 },
      "Apprentice mode: ", el("span", { "data-field": "apprentice-rounds" }, a.rounds), " rewarded rounds, agreed on ",
      el("span", { "data-field": "apprentice-agreed" }, a.agreed)))),
    el("tbody", {},
      row("incumbent click rate", "apprentice-incumbent", a.incumbent, max),
      row("Vitrine click rate" + (a.unbiased ? "" : " (biased)"), "apprentice-vitrine", a.vitrine, max),
      row("agreement", "apprentice-agreement", a.agreement, 1))),
    el("p", { class: "note", "data-field": "apprentice-note" }, a.note));
}

function chosenText(list) {
  return (list || []).map(c => `${c.candidateId} (propensity ${fmt(c.propensity, 4)})`).join(", ");
}

// One decision by request id, from GET /v1/console/decisions/{requestId}.
async function explain(requestId) {
  const box = document.getElementById("decision");
  box.setAttribute("data-state", "loading");
  const answer = await fetch("/v1/console/decisions/" + encodeURIComponent(requestId),
    { headers: { Accept: "application/json, application/problem+json" } });
  const body = await answer.json();
  if (!answer.ok) {
    box.replaceChildren(el("p", { class: "error", "data-field": "decision-error" }, body.detail || body.title));
    box.setAttribute("data-state", "missing");
    return;
  }
  const fact = (label, field, value) => el("tr", {}, el("td", {}, label), el("td", { "data-field": field }, value));
  const r = body.reward;
  box.replaceChildren(el("table", {}, el("tbody", {},
    fact("request id", "decision-request-id", body.requestId),
    fact("slot", "decision-slot", body.slot),
    fact("decided at", "decision-at", new Date(body.decidedAt).toISOString()),
    fact("mode", "decision-mode", body.mode),
    fact("candidates", "decision-candidates", body.candidates.join(", ")),
    fact("served", "decision-served", chosenText(body.served)),
    fact("Vitrine would have chosen", "decision-would", body.wouldChoose ? chosenText(body.wouldChoose) : "–"),
    fact("incumbent's propensity", "decision-incumbent-propensity",
      body.mode === "apprentice" ? (body.incumbentPropensity === null ? "none sent (deterministic)" : fmt(body.incumbentPropensity, 4)) : "–"),
    fact("encoder version", "decision-encoder-version", body.encoderVersion),
    fact("posterior version", "decision-posterior-version", fmt(body.posteriorVersion)),
    fact("seed", "decision-seed", body.seed),
    fact("reward", "decision-reward", r ? `${fmt(r.reward, 4)} (${r.kind}, ${r.candidateId})` : "not joined yet"),
    fact("found in", "decision-source", body.source))));
  box.setAttribute("data-state", "shown");
}

document.getElementById("explain-form").addEventListener("submit", event => {
  event.preventDefault();
  explain(document.getElementById("request-id").value.trim());
});

function render(snapshot) {
  renderCounters(snapshot.counters);
  const shown = new Set(snapshot.slots.map(s => "slot-" + encodeURIComponent(s.slot)));
  for (const box of document.querySelectorAll("#slots > .slot")) if (!shown.has(box.id)) box.remove();
  snapshot.slots.forEach(renderSlot);
  document.getElementById("at").textContent = "as of " + new Date(snapshot.at).toLocaleTimeString();
  updates++;
  document.body.setAttribute("data-updates", String(updates));
}

const source = new EventSource("/v1/console/events");
source.onopen = () => {
  document.getElementById("status").textContent = "live";
  document.getElementById("status").className = "live";
  document.body.setAttribute("data-state", "live");
};
source.onmessage = event => render(JSON.parse(event.data));
source.onerror = () => { // EventSource reconnects by itself
  document.getElementById("status").textContent = "connection lost, reconnecting…";
  document.getElementById("status").className = "lost";
  document.body.setAttribute("data-state", "lost");
};
