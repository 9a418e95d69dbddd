// Bulwark dashboard: the per-replica view (replicas sharing Redis). Plain JS, no build step;
// dashboard.js calls BulwarkReplicas.render(snapshot.cluster, helpers) with each snapshot, handing
// over its DOM and number-format helpers (el, pct, ms).
(function () {
  'use strict';

  var el, pct, ms;
  function seen(ageMs) { return ageMs < 1000 ? 'now' : Math.round(ageMs / 1000) + ' s ago'; }

  // Breakers that are not closed, as "id: state" (per replica) or "id: open on 1, half-open on 1" (total).
  function replicaBreakers(breakers) {
    var out = [];
    breakers.forEach(function (b) {
      if (b.state !== 'closed' || b.ejected || b.drained) out.push(b.id + ': ' + b.state + (b.ejected ? ', ejected' : '') + (b.drained ? ', drained' : ''));
    });
    return out.length ? out.join('; ') : 'all closed';
  }
  function totalBreakers(byId) {
    var out = [];
    Object.keys(byId).sort().forEach(function (id) {
      var states = byId[id];
      out.push(id + ': ' + Object.keys(states).sort().map(function (s) { return s + ' on ' + states[s]; }).join(', '));
    });
    return out.length ? out.join('; ') : 'all closed';
  }

  function row(name, cells, cls) {
    var tr = el('tr', cls);
    tr.dataset.replica = name;
    cells.forEach(function (c, i) {
      var td = el('td', i >= 2 && i <= 8 ? 'num' : null, c[0]);
      if (c[1]) td.dataset.col = c[1];
      tr.appendChild(td);
    });
    return tr;
  }

  function render(cluster, helpers) {
    el = helpers.el;
    pct = helpers.pct;
    ms = helpers.ms;
    var section = document.getElementById('replicas-section');
    if (!section) return;
    if (!cluster) { section.hidden = true; return; }
    section.hidden = false;
    document.getElementById('replica-count').textContent = String(cluster.replicas.length);
    document.getElementById('replicas-note').textContent = cluster.stale
      ? 'shared state unreachable: the last list read is shown'
      : cluster.readAt === null ? 'reading the other replicas…' : '';
    var rows = document.createDocumentFragment();
    cluster.replicas.forEach(function (r) {
      var tr = row(r.replica, [
        [r.replica + (r.self ? ' (this page)' : ''), 'replica'], [seen(r.ageMs), 'seen'], [String(r.requests), 'requests'], [String(r.failed), 'failed'],
        [pct(r.requests > 0 ? r.failed / r.requests : null), 'error-rate'], [(r.throughputRps || 0).toFixed(2) + '/s', 'throughput'],
        [ms(r.meanMs), 'mean'], [ms(r.p99Ms), 'p99'], [String(r.inFlight), 'in-flight'],
        [replicaBreakers(r.breakers) + (r.draining ? ' · draining' : ''), 'breakers'],
      ], r.self ? 'self' : null);
      tr.dataset.requests = String(r.requests);
      tr.dataset.self = String(r.self);
      rows.appendChild(tr);
    });
    var t = cluster.total;
    var total = row('total', [
      ['cluster total (' + t.replicas + ' replicas)', 'replica'], ['', 'seen'], [String(t.requests), 'requests'], [String(t.failed), 'failed'],
      [pct(t.errorRate), 'error-rate'], [t.throughputRps.toFixed(2) + '/s', 'throughput'], [ms(t.meanMs), 'mean'], [ms(t.p99Ms), 'p99'],
      [String(t.inFlight), 'in-flight'], [totalBreakers(t.breakers), 'breakers'],
    ], 'total');
    total.dataset.requests = String(t.requests);
    rows.appendChild(total);
    document.getElementById('replicas').tBodies[0].replaceChildren(rows);
  }

  window.BulwarkReplicas = { render: render };
})();
