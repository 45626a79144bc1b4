// The live dashboard: polls /v1/cluster with an admin token and renders shards, nodes and traffic figures.
// Plain JavaScript, no build step. The token comes from the URL fragment (#token=...; never sent to the server
// as part of the URL) or the form, and is kept in sessionStorage for this tab only.
(function () {
  "use strict";
  var POLL_MS = 3000;
  var previous = null;

  function token() {
    var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (match) {
      sessionStorage.setItem("switchboard-token", decodeURIComponent(match[1]));
      history.replaceState(null, "", window.location.pathname); // out of the address bar and history
    }
    return sessionStorage.getItem("switchboard-token");
  }

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function cell(row, value, className) {
    var td = document.createElement("td");
    td.textContent = value === undefined || value === null ? "-" : String(value);
    if (className) td.className = className;
    row.appendChild(td);
  }

  function render(view) {
    text("api-node", view.api.node);
    text("api-version", view.api.version);
    text("updated", new Date().toLocaleTimeString());
    var body = document.querySelector("#nodes tbody");
    body.replaceChildren();
    var serving = 0, sessions = 0, healthy = view.shards.length > 0;
    view.shards.forEach(function (shard) {
      healthy = healthy && shard.serving;
      var broker = shard.connected ? "connected" : "unreachable";
      if (shard.nodes.length === 0) {
        var empty = document.createElement("tr");
        empty.dataset.shard = shard.shard;
        cell(empty, shard.shard); cell(empty, broker, shard.connected ? "" : "down");
        cell(empty, "-"); cell(empty, "no node", "down");
        cell(empty, "-"); cell(empty, "-"); cell(empty, "-"); cell(empty, "-");
        body.appendChild(empty);
      }
      shard.nodes.forEach(function (node) {
        var row = document.createElement("tr");
        row.dataset.shard = shard.shard;
        row.dataset.node = node.node;
        cell(row, shard.shard); cell(row, broker, shard.connected ? "" : "down");
        cell(row, node.node); cell(row, node.state, node.state);
        cell(row, node.sessions); cell(row, node.inflight); cell(row, node.version);
        cell(row, new Date(node["last-seen"]).toLocaleTimeString());
        body.appendChild(row);
        if (node.state === "serving") serving++;
        sessions += node.sessions || 0;
      });
    });
    text("health", healthy ? "healthy" : "NOT healthy");
    document.getElementById("health").className = "value " + (healthy ? "serving" : "down");
    text("serving-nodes", serving);
    text("sessions", sessions);
    var traffic = view.traffic, now = Date.now();
    text("events-in-total", traffic["events-in"]);
    text("events-out-total", traffic["events-out"]);
    text("commits", traffic.commits);
    if (previous) {
      var seconds = Math.max((now - previous.at) / 1000, 0.001);
      text("events-in-rate", Math.round((traffic["events-in"] - previous.traffic["events-in"]) / seconds));
      text("events-out-rate", Math.round((traffic["events-out"] - previous.traffic["events-out"]) / seconds));
      var commits = traffic.commits - previous.traffic.commits;
      var mean = commits > 0 ? (traffic["commit-seconds-sum"] - previous.traffic["commit-seconds-sum"]) / commits : 0;
      text("commit-latency", (mean * 1000).toFixed(1) + " ms, " + (traffic["commit-seconds-max"] * 1000).toFixed(1) + " ms");
    }
    previous = { at: now, traffic: traffic };
  }

  function poll() {
    var current = token();
    if (!current) {
      document.getElementById("login").hidden = false;
      return;
    }
    fetch("/v1/cluster", { headers: { Authorization: "Bearer " + current }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          sessionStorage.removeItem("switchboard-token");
          return response.text().then(function (why) { throw new Error(why); });
        }
        if (!response.ok) throw new Error("HTTP " + response.status + " from /v1/cluster");
        return response.json();
      })
      .then(function (view) {
        text("error", "");
        document.getElementById("login").hidden = true;
        render(view);
      })
      .catch(function (failure) { text("error", failure.message); })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }

  document.getElementById("login").addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem("switchboard-token", document.getElementById("token-input").value.trim());
    poll();
  });
  poll();
})();
