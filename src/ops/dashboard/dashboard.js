// Bulwark dashboard client: plain JS, no build step. Listens to /dashboard/events (Server-Sent
// Events) and renders each snapshot; uPlot draws the per-route charts.
/* global uPlot */
(function () {
  'use strict';

  var KINDS = ['primary', 'secondary', 'cache', 'default', 'failed'];
  var COLORS = { primary: '#3b6fd6', secondary: '#8e59d9', cache: '#17a2a2', default: '#d98a00', failed: '#d64545' };
  var MAX_TIMELINE = 200;
  var cards = new Map(); // route name → { el, charts }

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pct(x) { return x === null || x === undefined ? '–' : (x * 100).toFixed(1) + ' %'; }
  function ms(x) { return x === null || x === undefined ? '–' : Math.round(x) + ' ms'; }
  function rps(x) { return (x || 0).toFixed(2) + '/s'; }
  function clock(t) { return new Date(t).toLocaleTimeString([], { hour12: false }); }
  function ago(t, now) {
    if (!t) return '–';
    var s = Math.max(0, Math.round((now - t) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }
  function breakerClass(d) {
    if (d.breaker === 'open' || d.breaker === 'isolated') return 'pill-bad';
    if (d.breaker === 'half-open' || d.ejected || d.drained) return 'pill-warn';
    if (d.breaker === 'forced-closed') return 'pill-info';
    return 'pill-ok';
  }

  function chart(target, title, series, height) {
    var width = Math.max(300, target.clientWidth || 420);
    var opts = {
      width: width, height: height, legend: { show: false },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{ stroke: '#6b7385' }, { stroke: '#6b7385', size: 44 }],
      series: [{}].concat(series),
    };
    var box = el('div');
    box.appendChild(el('div', 'chart-title', title));
    target.appendChild(box);
    var empty = [[]].concat(series.map(function () { return []; }));
    return new uPlot(opts, empty, box);
  }

  function card(route) {
    var existing = cards.get(route.name);
    if (existing) return existing;
    var root = el('article', 'route');
    root.dataset.route = route.name;
    var head = el('div', 'route-head');
    var title = el('h3', null, route.name);
    var usable = el('span', 'pill');
    var figs = el('div', 'figs');
    head.append(title, usable, figs);
    var mix = el('div', 'mix');
    var legend = el('div', 'legend');
    var charts = el('div', 'charts');
    var table = el('table');
    table.innerHTML = '<thead><tr><th>group</th><th>deployment</th><th>breaker</th>' +
      '<th class="num" title="failed upstream attempts on this deployment over the last minute: retried or sent to the next step">deployment error rate (1m, absorbed by fallbacks)</th>' +
      '<th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">throughput</th>' +
      '<th class="num">in flight</th><th>last error</th><th>operator</th></tr></thead><tbody></tbody>';
    root.append(head, mix, legend, charts, table);
    $('routes').appendChild(root);
    var c = { root: root, usable: usable, figs: figs, mix: mix, legend: legend, tbody: table.tBodies[0], charts: charts, plots: null };
    var chartBox1 = el('div');
    var chartBox2 = el('div');
    var chartBox3 = el('div');
    var chartBox4 = el('div');
    charts.append(chartBox1, chartBox2, chartBox3, chartBox4);
    c.plots = [
      chart(chartBox1, 'requests per second, by who answered', KINDS.map(function (k) {
        return { label: k, stroke: COLORS[k], width: 1.5, fill: k === 'failed' ? 'rgba(214,69,69,0.08)' : undefined };
      }), 150),
      chart(chartBox2, 'mean latency per second (ms)', [{ label: 'latency', stroke: '#1d2330', width: 1.5, spanGaps: true }], 150),
      chart(chartBox3, 'tokens per second (input + output)', [{ label: 'tokens/s', stroke: '#2f8f4e', width: 1.5 }], 150),
      chart(chartBox4, 'last hour, per minute: requests by who answered', KINDS.map(function (k) {
        return { label: k, stroke: COLORS[k], width: 1.5 };
      }), 150),
    ];
    cards.set(route.name, c);
    return c;
  }

  function renderRoute(route, now) {
    var c = card(route);
    var total = 0;
    for (var d = 0; d < route.chain.length; d++) total += route.chain[d].deployments.length;
    c.usable.textContent = route.usable + ' of ' + total + ' usable';
    c.usable.className = 'pill ' + (route.usable === 0 ? 'pill-bad' : route.usable < total ? 'pill-warn' : 'pill-ok');
    var f = route.figures;
    c.figs.innerHTML = '';
    c.figs.appendChild(el('span', null, 'last minute:'));
    [['throughput', rps(f.throughputRps), 'throughput'], ['route error rate (what users see)', pct(f.errorRate), 'route-error-rate'],
      ['tokens', (route.tokensPerSecond || 0).toFixed(1) + '/s', 'tokens'], ['p50', ms(f.p50Ms), 'p50'], ['p95', ms(f.p95Ms), 'p95'], ['p99', ms(f.p99Ms), 'p99']]
      .forEach(function (p) { var s = el('span', null, p[0] + ' '); s.dataset.fig = p[2]; s.appendChild(el('b', null, p[1])); c.figs.appendChild(s); });

    var sum = 0;
    KINDS.forEach(function (k) { sum += route.mix[k]; });
    c.mix.innerHTML = '';
    c.legend.innerHTML = '';
    KINDS.forEach(function (k) {
      c.root.dataset['mix' + k.charAt(0).toUpperCase() + k.slice(1)] = String(route.mix[k]);
      if (sum > 0 && route.mix[k] > 0) {
        var bar = el('span', 'k-' + k);
        bar.style.width = (100 * route.mix[k] / sum) + '%';
        bar.title = k + ': ' + route.mix[k];
        c.mix.appendChild(bar);
      }
      var item = el('span');
      item.appendChild(el('i', 'k-' + k));
      item.appendChild(document.createTextNode(k + ' ' + (sum > 0 ? Math.round(100 * route.mix[k] / sum) : 0) + ' % (' + route.mix[k] + ')'));
      c.legend.appendChild(item);
    });
    c.legend.appendChild(el('span', null, 'last 60 s'));

    var rows = document.createDocumentFragment();
    route.chain.forEach(function (g, depth) {
      g.deployments.forEach(function (d) {
        var tr = el('tr');
        tr.dataset.deployment = d.id;
        tr.dataset.breaker = d.breaker;
        tr.appendChild(el('td', null, g.group + (depth === 0 ? ' (primary)' : '')));
        tr.appendChild(el('td', null, d.id));
        var state = el('td');
        var label = d.breaker + (d.ejected ? ', ejected' : '') + (d.drained ? ', drained' : '');
        if (d.breaker === 'open' && d.breakerRetryAfterMs > 0) label += ' (' + Math.ceil(d.breakerRetryAfterMs / 1000) + ' s)';
        state.appendChild(el('span', 'pill breaker ' + breakerClass(d), label));
        tr.appendChild(state);
        [pct(d.figures.errorRate), ms(d.figures.p50Ms), ms(d.figures.p95Ms), ms(d.figures.p99Ms), rps(d.figures.throughputRps), String(d.outstanding)]
          .forEach(function (v) { tr.appendChild(el('td', 'num', v)); });
        tr.appendChild(el('td', null, d.lastErrorKind ? d.lastErrorKind + ' · ' + ago(d.lastErrorAt, now) : '–'));
        tr.appendChild(actionsCell(d));
        rows.appendChild(tr);
      });
    });
    c.tbody.replaceChildren(rows);

    var s = route.series;
    var t = s.t;
    c.plots[0].setData([t].concat(KINDS.map(function (k) { return s[k]; })));
    c.plots[1].setData([t, s.avgMs]);
    c.plots[2].setData([t, s.tokens]);
    var h = route.history;
    c.plots[3].setData([h.t].concat(KINDS.map(function (k) { return h[k]; })));
  }

  // Operator actions (admin key): isolate = hold the breaker open, release = back to automatic,
  // drain / undrain = no new traffic while requests in flight finish.
  var ACTIONS = [['isolate', 'open'], ['release', 'release'], ['drain', 'drain'], ['undrain', 'undrain']];
  function actionsCell(d) {
    var td = el('td', 'actions');
    ACTIONS.forEach(function (a) {
      if (a[0] === 'isolate' && d.breaker === 'isolated') return;
      if (a[0] === 'release' && d.breaker !== 'isolated' && d.breaker !== 'forced-closed') return;
      if (a[0] === 'drain' && d.drained) return;
      if (a[0] === 'undrain' && !d.drained) return;
      var b = el('button', 'act', a[0]);
      b.type = 'button';
      b.dataset.action = a[0];
      b.addEventListener('click', function () { act(d.id, a[1], a[0]); });
      td.appendChild(b);
    });
    return td;
  }
  function act(id, action, label) {
    var key = $('admin-key').value;
    var headers = {};
    if (key) headers.authorization = 'Bearer ' + key;
    var status = $('action-status');
    status.textContent = label + ' ' + id + '…';
    fetch('/admin/deployments/' + encodeURIComponent(id) + '/' + action, { method: 'POST', headers: headers })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          status.dataset.result = res.ok ? 'ok' : 'error';
          status.textContent = res.ok ? label + ' ' + id + ': done' : label + ' ' + id + ' refused (' + res.status + '): ' + ((body.error && body.error.message) || 'error');
        });
      }, function (error) {
        status.dataset.result = 'error';
        status.textContent = label + ' ' + id + ' failed: ' + error;
      });
  }

  function renderAlerts(alerts) {
    $('alert-count').textContent = String(alerts.length);
    var list = $('alerts');
    list.innerHTML = '';
    if (alerts.length === 0) { list.appendChild(el('li', 'muted', 'none')); return; }
    alerts.forEach(function (a) {
      var li = el('li', a.severity);
      li.dataset.alert = a.id;
      li.appendChild(el('span', 'pill ' + (a.severity === 'critical' ? 'pill-bad' : 'pill-warn'), a.severity));
      var seenBy = a.labels && a.labels.seen_by;
      if (seenBy) li.appendChild(el('span', 'pill pill-info seen-by', seenBy === 'users' ? 'users see this' : 'absorbed by fallbacks'));
      li.appendChild(document.createTextNode(' ' + a.summary + ' '));
      li.appendChild(el('span', 'muted', 'since ' + clock(Date.parse(a.startsAt))));
      list.appendChild(li);
    });
  }

  function addTimeline(entry) {
    var list = $('timeline');
    var li = el('li', entry.severity);
    li.dataset.kind = entry.kind;
    li.append(el('span', 't', clock(entry.at)), el('span', null, entry.kind), el('span', null, entry.subject), el('span', null, entry.text));
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_TIMELINE) list.removeChild(list.lastChild);
  }

  function renderTenants(tenants) {
    var rows = document.createDocumentFragment();
    (tenants || []).forEach(function (t) {
      var tr = el('tr');
      tr.dataset.tenant = t.tenant;
      tr.dataset.requests = String(t.requests);
      [t.tenant, String(t.requests), String(t.failed), t.requests > 0 ? pct(t.failed / t.requests) : '–', String(t.degraded), t.tokensPerSecond.toFixed(1)]
        .forEach(function (v, i) { tr.appendChild(el('td', i === 0 ? null : 'num', v)); });
      rows.appendChild(tr);
    });
    $('tenants').tBodies[0].replaceChildren(rows);
  }

  function render(snap) {
    var g = snap.gateway;
    $('gw').textContent = 'in flight ' + g.inFlight + ' · config #' + g.generation + (g.draining ? ' · draining' : '');
    $('updated').textContent = 'updated ' + clock(snap.at);
    renderAlerts(snap.alerts);
    renderTenants(snap.tenants);
    if (window.BulwarkReplicas) window.BulwarkReplicas.render(snap.cluster, { el: el, pct: pct, ms: ms });
    var seen = new Set();
    snap.routes.forEach(function (r) { seen.add(r.name); renderRoute(r, snap.at); });
    cards.forEach(function (c, name) {
      if (!seen.has(name)) { c.plots.forEach(function (p) { p.destroy(); }); c.root.remove(); cards.delete(name); }
    });
  }

  function connState(state, text, cls) {
    var c = $('conn');
    c.dataset.state = state;
    c.textContent = text;
    c.className = 'pill ' + cls;
  }

  var source = new EventSource('/dashboard/events');
  source.addEventListener('open', function () { connState('live', 'live', 'pill-ok'); });
  source.addEventListener('error', function () { connState('reconnecting', 'reconnecting…', 'pill-warn'); });
  source.addEventListener('hello', function (e) {
    $('timeline').innerHTML = '';
    JSON.parse(e.data).timeline.forEach(addTimeline);
  });
  source.addEventListener('snapshot', function (e) { render(JSON.parse(e.data)); });
  source.addEventListener('timeline', function (e) { addTimeline(JSON.parse(e.data)); });

  window.addEventListener('resize', function () {
    cards.forEach(function (c) {
      c.plots.forEach(function (p) { p.setSize({ width: Math.max(300, p.root.parentNode.clientWidth), height: 150 }); });
    });
  });
})();
