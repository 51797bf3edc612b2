// The Herald dashboard: plain JavaScript, no build step. Reads, same origin with the session cookie:
//   api/apps, api/apps/{id}/summary, api/apps/{id}/console (server-sent events) and /usage/apps/{id}.
// Every number shown is also plain text with a data-testid, so tests read exactly what is drawn.
(function () {
  'use strict';

  const RANGES = {
    hour: { step: 'minute', ms: 60 * 60 * 1000 },
    day: { step: 'hour', ms: 24 * 60 * 60 * 1000 },
    month: { step: 'day', ms: 30 * 24 * 60 * 60 * 1000 },
  };
  const SERIES = ['published', 'delivered', 'connections', 'peak_connections'];
  const COLOURS = { published: '#2563eb', delivered: '#0d9488', connections: '#7c3aed', peak_connections: '#ea580c' };
  const CONSOLE_TYPES = ['connection_opened', 'connection_closed', 'subscribed', 'unsubscribed', 'api_message',
    'client_event', 'webhook_attempt', 'dropped'];
  const CONSOLE_KEPT = 500;
  const SUMMARY_EVERY_MS = 5000;
  const USAGE_EVERY_MS = 15000;

  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat('en-US');
  const state = { app: null, range: 'hour', charts: {}, source: null, paused: false, held: [], timers: [] };

  function showMessage(text) {
    const box = $('message');
    box.textContent = text || '';
    box.hidden = !text;
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.status === 401) {
      // The session ended: sign in again, then come back here.
      window.location.assign('login');
      throw new Error('Signed out');
    }
    let body = null;
    try { body = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      throw new Error((body && body.error) || ('HTTP ' + response.status));
    }
    return body;
  }

  function limitText(limit, unit) {
    return limit > 0 ? 'of ' + fmt.format(limit) + unit : 'no limit';
  }

  function setBar(bar, used, limit) {
    const share = limit > 0 ? Math.min(1, used / limit) : 0;
    bar.style.width = (share * 100).toFixed(1) + '%';
    bar.className = share >= 1 ? 'full' : share >= 0.8 ? 'high' : '';
  }

  function row(cells, className) {
    const tr = document.createElement('tr');
    if (className) tr.className = className;
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.appendChild(td);
    }
    return tr;
  }

  function time(iso) {
    const d = new Date(iso);
    return isNaN(d) ? String(iso || '') : d.toLocaleTimeString('en-GB');
  }

  // ---- apps ---------------------------------------------------------------------------------

  async function loadApps() {
    const body = await getJson('api/apps');
    const picker = $('app');
    picker.textContent = '';
    for (const app of body.apps) {
      const option = document.createElement('option');
      option.value = app.id;
      option.textContent = app.name && app.name !== app.id ? app.name + ' (' + app.id + ')' : app.id;
      picker.appendChild(option);
    }
    const wanted = new URLSearchParams(window.location.search).get('app');
    if (wanted) {
      // An app asked for by URL is shown only if the server says the caller may read it.
      if (!body.apps.some((a) => a.id === wanted)) {
        const option = document.createElement('option');
        option.value = wanted;
        option.textContent = wanted;
        picker.appendChild(option);
      }
      picker.value = wanted;
    }
    if (!picker.value && body.apps.length) picker.value = body.apps[0].id;
    if (!body.apps.length && !wanted) showMessage('You have no apps yet.');
    select(picker.value || null);
  }

  function select(appId) {
    state.app = appId;
    state.timers.forEach(clearInterval);
    state.timers = [];
    clearView();
    closeConsole();
    if (!appId) return;
    const url = new URL(window.location.href);
    url.searchParams.set('app', appId);
    window.history.replaceState(null, '', url);
    refreshAll();
    state.timers.push(setInterval(loadSummary, SUMMARY_EVERY_MS));
    state.timers.push(setInterval(loadUsage, USAGE_EVERY_MS));
    openConsole();
  }

  function clearView() {
    showMessage('');
    for (const id of ['current-connections', 'occupied-channels', 'messages-today', 'publish-rate', 'api-rate']) {
      $(id).textContent = '–';
    }
    for (const name of SERIES) $('total-' + name).textContent = '–';
    $('channel-list').textContent = '';
    $('webhook-failures').textContent = '';
    $('console-events').textContent = '';
    state.held = [];
    for (const name of SERIES) {
      if (state.charts[name]) {
        state.charts[name].data.labels = [];
        state.charts[name].data.datasets[0].data = [];
        state.charts[name].update('none');
      }
    }
  }

  function refreshAll() {
    return Promise.all([loadSummary(), loadUsage()]);
  }

  // ---- summary ------------------------------------------------------------------------------

  async function loadSummary() {
    const appId = state.app;
    let s;
    try {
      s = await getJson('api/apps/' + encodeURIComponent(appId) + '/summary');
    } catch (e) {
      if (appId === state.app) showMessage(e.message);
      return;
    }
    if (appId !== state.app) return;
    $('current-connections').textContent = fmt.format(s.connections.current);
    $('connections-limit').textContent = limitText(s.quotas.connections.limit, '');
    setBar($('connections-bar'), s.quotas.connections.used, s.quotas.connections.limit);

    if (s.channels.occupied === null) {
      $('occupied-channels').textContent = '?';
      $('channel-list').textContent = s.channels.error;
    } else {
      $('occupied-channels').textContent = fmt.format(s.channels.occupied);
      $('channel-list').textContent = s.channels.list.slice(0, 6)
        .map((c) => c.channel + ' (' + c.subscription_count + ')').join(', ')
        + (s.channels.occupied > 6 ? ', …' : '');
    }

    const daily = s.quotas.messages_per_day;
    $('messages-today').textContent = fmt.format(daily.used);
    $('daily-limit').textContent = limitText(daily.limit, '');
    $('day-zone').textContent = '(' + daily.time_zone + ')';
    setBar($('daily-bar'), daily.used, daily.limit);

    const publish = s.quotas.publish_per_second;
    $('publish-rate').textContent = (publish.last_minute / 60).toFixed(1) + '/s';
    $('publish-limit').textContent = publish.limit > 0 ? 'limit ' + fmt.format(publish.limit) + '/s' : 'no limit';
    const api = s.quotas.api_requests_per_second;
    $('api-rate').textContent = (api.last_minute / 60).toFixed(1) + '/s';
    $('api-limit').textContent = api.limit > 0 ? 'limit ' + fmt.format(api.limit) + '/s' : 'no limit';

    const failures = $('webhook-failures');
    failures.textContent = '';
    for (const f of s.webhook_failures) {
      failures.appendChild(row([time(f.at), f.url, f.status || '—',
        'attempt ' + f.attempt + (f.gave_up ? ', gave up' : '') + ': ' + f.reason]));
    }
    if (!s.webhook_failures.length) failures.appendChild(row(['', 'No failed webhook calls.', '', ''], 'empty'));
    $('failure-count').textContent = s.webhook_failures.length ? s.webhook_failures.length + ' most recent' : '';
    $('status').textContent = 'updated ' + time(s.time);
  }

  // ---- usage charts -------------------------------------------------------------------------

  function label(iso, step) {
    const d = new Date(iso);
    if (step === 'day') return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
    return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  }

  function chart(name) {
    if (!state.charts[name] && window.Chart) {
      state.charts[name] = new window.Chart($('chart-' + name), {
        type: name === 'peak_connections' ? 'line' : 'bar',
        data: { labels: [], datasets: [{ label: name, data: [], backgroundColor: COLOURS[name],
          borderColor: COLOURS[name], borderWidth: name === 'peak_connections' ? 2 : 0, pointRadius: 0,
          stepped: name === 'peak_connections' }] },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: { ticks: { maxTicksLimit: 6, maxRotation: 0 }, grid: { display: false } },
            y: { beginAtZero: true, ticks: { precision: 0, maxTicksLimit: 5 } } } },
      });
    }
    return state.charts[name];
  }

  async function loadUsage() {
    const appId = state.app;
    // Only the latest request draws: an older one (another range or app) may answer after it.
    const seq = state.usageSeq = (state.usageSeq || 0) + 1;
    const range = RANGES[state.range];
    const to = new Date();
    const from = new Date(to.getTime() - range.ms);
    let usage;
    try {
      usage = await getJson('/usage/apps/' + encodeURIComponent(appId) + '?step=' + range.step
        + '&from=' + encodeURIComponent(from.toISOString()) + '&to=' + encodeURIComponent(to.toISOString()));
    } catch (e) {
      if (seq === state.usageSeq) showMessage(e.message);
      return;
    }
    if (seq !== state.usageSeq) return;
    const labels = usage.buckets.map((b) => label(b, range.step));
    for (const name of SERIES) {
      // Sums over the range; peak connections: the highest bucket.
      $('total-' + name).textContent = fmt.format(usage.totals.range[name]);
      const c = chart(name);
      if (c) {
        c.data.labels = labels;
        c.data.datasets[0].data = usage.series[name];
        c.update('none');
      }
    }
  }

  // ---- debug console ------------------------------------------------------------------------

  function consoleUrl() {
    const params = new URLSearchParams();
    const type = $('console-type').value;
    const channel = $('console-channel').value.trim();
    if (type) params.set('types', type);
    if (channel) params.set('channel', channel);
    const query = params.toString();
    return 'api/apps/' + encodeURIComponent(state.app) + '/console' + (query ? '?' + query : '');
  }

  function consoleState(text, className) {
    const pill = $('console-state');
    pill.textContent = text;
    pill.className = 'pill ' + (className || '');
  }

  function openConsole() {
    closeConsole();
    if (!state.app || !window.EventSource) return;
    const source = new EventSource(consoleUrl(), { withCredentials: true });
    state.source = source;
    source.onopen = () => consoleState(state.paused ? 'paused' : 'live', state.paused ? 'paused' : 'open');
    source.onerror = () => consoleState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting…');
    for (const type of CONSOLE_TYPES) {
      source.addEventListener(type, (e) => {
        let event;
        try { event = JSON.parse(e.data); } catch (ex) { return; }
        if (state.paused) {
          state.held.push(event);
          consoleState('paused (' + state.held.length + ' waiting)', 'paused');
        } else {
          showEvent(event);
        }
      });
    }
  }

  function closeConsole() {
    if (state.source) {
      state.source.close();
      state.source = null;
    }
    consoleState('closed');
  }

  function details(e) {
    const parts = [];
    if (e.type === 'dropped') return e.count + ' events dropped: this page did not keep up';
    if (e.event) parts.push(e.event);
    if (e.socket_id) parts.push('socket ' + e.socket_id);
    if (e.data !== undefined) parts.push(typeof e.data === 'string' ? e.data : JSON.stringify(e.data));
    if (e.truncated) parts.push('(truncated)');
    if (e.code !== undefined) parts.push('code ' + e.code);
    if (e.reason) parts.push(e.reason);
    if (e.url) parts.push(e.url);
    if (e.status !== undefined) parts.push('status ' + e.status);
    if (e.outcome) parts.push(e.outcome);
    return parts.join(' · ');
  }

  function showEvent(e) {
    const body = $('console-events');
    const tr = row([time(e.time), e.type, e.channel || '', details(e)]);
    tr.dataset.type = e.type;
    if (e.channel) tr.dataset.channel = e.channel;
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > CONSOLE_KEPT) body.removeChild(body.lastChild);
  }

  // ---- wiring -------------------------------------------------------------------------------

  function csrfFromCookie() {
    const match = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('app').addEventListener('change', (e) => select(e.target.value));
    document.querySelectorAll('.ranges button').forEach((button) => button.addEventListener('click', () => {
      document.querySelectorAll('.ranges button').forEach((b) => b.classList.toggle('active', b === button));
      state.range = button.dataset.range;
      // Until the new range's numbers are in, show none rather than the old range's.
      for (const name of SERIES) $('total-' + name).textContent = '…';
      loadUsage();
    }));
    $('refresh').addEventListener('click', () => refreshAll());
    $('console-type').addEventListener('change', openConsole);
    let typing;
    $('console-channel').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(openConsole, 400);
    });
    $('console-pause').addEventListener('click', () => {
      state.paused = !state.paused;
      $('console-pause').textContent = state.paused ? 'Resume' : 'Pause';
      if (!state.paused) {
        state.held.forEach(showEvent);
        state.held = [];
      }
      if (state.source) consoleState(state.paused ? 'paused' : 'live', state.paused ? 'paused' : 'open');
    });
    $('console-clear').addEventListener('click', () => {
      $('console-events').textContent = '';
      state.held = [];
    });
    $('logout').addEventListener('submit', () => {
      if (!$('logout-csrf').value) $('logout-csrf').value = csrfFromCookie();
    });
    loadApps().catch((e) => showMessage(e.message));
  });
}());
