'use strict';
/*
 * dlr-hub console. Each page reads and acts through the operations API (/api) with the browser's
 * session cookie; requests that change something carry the session's CSRF token in a header.
 * Data from the API goes into the page as text (textContent), never as HTML.
 */
(function () {
  const page = document.body.dataset.page;
  const SVG = 'http://www.w3.org/2000/svg';
  let csrfToken = null;

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = await csrf();
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (response.status === 401) {
      location.assign('/console/sign-in?ended');
      throw new ApiError(401, 'unauthorized', 'Your session has ended.');
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (notJson) {
      json = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, json && json.error, (json && json.message) || 'HTTP ' + response.status);
    }
    return json;
  }

  async function csrf() {
    if (!csrfToken) {
      csrfToken = (await api('GET', '/console/session')).csrf_token;
    }
    return csrfToken;
  }

  // ---- small DOM helpers -------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attributes);
    appendAll(node, children);
    return node;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag);
    setAttributes(node, attributes);
    appendAll(node, children);
    return node;
  }

  function setAttributes(node, attributes) {
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (name === 'text') {
        node.textContent = value;
      } else if (name.startsWith('on')) {
        node.addEventListener(name.slice(2), value);
      } else {
        node.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
      }
    }
  }

  function appendAll(node, children) {
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
  }

  const $ = id => document.getElementById(id);

  function status(id, text, isError) {
    const node = $(id);
    node.textContent = text || '';
    node.classList.toggle('error', Boolean(isError));
  }

  function badge(value, label) {
    return el('span', { className: 'state state-' + value, text: label || value });
  }

  function none() {
    return el('span', { className: 'hint', text: '–' });
  }

  function time(iso) {
    if (!iso) {
      return none();
    }
    return el('time', { datetime: iso, title: iso, text: new Date(iso).toLocaleString() });
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    if (seconds < 60) {
      return seconds + ' s';
    }
    if (seconds < 3600) {
      return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
    }
    if (seconds < 86400) {
      return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
    }
    return Math.floor(seconds / 86400) + ' d ' + Math.floor((seconds % 86400) / 3600) + ' h';
  }

  function messageHref(provider, messageId, eventId) {
    const query = new URLSearchParams();
    if (provider && messageId) {
      query.set('provider', provider);
      query.set('message_id', messageId);
    }
    if (eventId) {
      query.set('event', eventId);
    }
    return '/console/message?' + query;
  }

  function cell(content, className) {
    return el('td', { className }, content === null || content === undefined || content === '' ? none() : content);
  }

  function fillForm(form, params) {
    for (const [name, value] of params) {
      const field = form.elements.namedItem(name);
      if (!field) {
        continue;
      }
      if (field.type === 'checkbox') {
        field.checked = value === '1';
      } else {
        field.value = value;
      }
    }
  }

  /** A datetime-local value (the browser's time zone) as ISO-8601 UTC, or null. */
  function isoFromLocal(value) {
    if (!value) {
      return null;
    }
    const date = new Date(value);
    return isNaN(date.getTime()) ? null : date.toISOString();
  }

  function enc(value) {
    return encodeURIComponent(value);
  }

  function failed(statusId, what) {
    return error => status(statusId, what + ': ' + error.message, true);
  }

  // ---- overview ------------------------------------------------------------------------------

  async function overview() {
    const load = async () => {
      try {
        const data = await api('GET', '/api/overview');
        const up = data.database === 'UP';
        $('webhooks-per-second').textContent = data.webhooks_per_second === null ? '–' : String(data.webhooks_per_second);
        $('database-status').replaceChildren(badge(up ? 'up' : 'down', data.database));
        $('overview-updated').replaceChildren(time(data.generated_at));
        chart(data.received_last_hour || []);
        $('sink-table').tBodies[0].replaceChildren(...(data.sinks || []).map(sink => el('tr', {},
          el('th', { scope: 'row' }, el('a', { href: '/console/sinks#sink-' + sink.name, text: sink.name })),
          cell(String(sink.pending), 'num'),
          cell(age(sink.oldest_pending_age_seconds)),
          cell(String(sink.delivered), 'num'),
          cell(String(sink.failed), 'num'),
          cell(sink.dead > 0
            ? el('a', { href: '/console/dead-letters?sink=' + enc(sink.name), text: String(sink.dead) })
            : '0', 'num'))));
        status('overview-status', up ? '' : 'The database does not answer: webhooks are refused (503) until it is back.', !up);
      } catch (error) {
        status('overview-status', 'Could not load the overview: ' + error.message, true);
      }
    };
    $('refresh').addEventListener('click', load);
    await load();
    setInterval(load, 15000);
  }

  function chart(minutes) {
    const width = 720;
    const height = 170;
    const left = 44;
    const bottom = 22;
    const top = 12;
    const counts = minutes.map(minute => minute.count);
    const peak = Math.max(0, ...counts);
    const scale = Math.max(1, peak);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const slot = (width - left) / Math.max(1, minutes.length);
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title' },
      svg('title', { id: 'chart-title' }, `${total} events received in the last hour; at most ${peak} in one minute`),
      svg('line', { className: 'axis', x1: left, y1: height - bottom, x2: width, y2: height - bottom }),
      svg('line', { className: 'axis', x1: left, y1: top, x2: left, y2: height - bottom }),
      svg('text', { x: left - 6, y: top + 8, 'text-anchor': 'end' }, String(scale)),
      svg('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end' }, '0'),
      svg('text', { x: left, y: height - 6 }, '60 min ago'),
      svg('text', { x: width, y: height - 6, 'text-anchor': 'end' }, 'now'));
    minutes.forEach((minute, index) => {
      const barHeight = (minute.count / scale) * (height - top - bottom);
      root.append(svg('rect', {
        className: 'bar', x: left + index * slot + 1, y: height - bottom - barHeight,
        width: Math.max(1, slot - 2), height: barHeight
      }, svg('title', {}, `${new Date(minute.minute).toLocaleTimeString()}: ${minute.count}`)));
    });
    $('received-chart').replaceChildren(root);
    $('received-table').tBodies[0].replaceChildren(...minutes.map(minute =>
      el('tr', {}, cell(time(minute.minute)), cell(String(minute.count), 'num'))));
  }

  // ---- search --------------------------------------------------------------------------------

  async function search() {
    const params = new URLSearchParams(location.search);
    fillForm($('search-form'), params);
    if (![...params.values()].some(value => value !== '')) {
      $('message-id').focus();
      return;
    }
    await searchEvents(params);
  }

  function deliveriesSummary(sinks) {
    const entries = Object.entries(sinks || {});
    if (!entries.length) {
      return none();
    }
    return el('span', {}, entries.map(([sink, state], index) =>
      el('span', {}, index ? ', ' : '', sink + ' ', badge(state))));
  }

  function resultRow(row) {
    return el('tr', {},
      cell(time(row.received_at)),
      cell(row.provider),
      cell(el('a', { href: messageHref(row.provider, row.message_id, row.event_id), text: row.message_id })),
      cell(row.channel),
      cell(badge(row.status)),
      cell(row.provider_status),
      cell(deliveriesSummary(row.sinks)));
  }

  async function searchEvents(params) {
    const query = new URLSearchParams();
    const copy = name => {
      if (params.get(name)) {
        query.set(name, params.get(name));
      }
    };
    copy('provider');
    if (params.get('message_id')) {
      query.set(params.get('prefix') === '1' ? 'message_id_prefix' : 'message_id', params.get('message_id'));
    }
    ['status', 'channel', 'sink', 'sink_state'].forEach(copy);
    for (const name of ['from', 'to']) {
      const iso = isoFromLocal(params.get(name));
      if (iso) {
        query.set(name, iso);
      }
    }
    query.set('limit', '50');
    const body = $('results').tBodies[0];
    body.replaceChildren();
    let shown = 0;
    const more = $('more');
    const fetchPage = async after => {
      if (after) {
        query.set('after', after);
      }
      try {
        const answer = await api('GET', '/api/events?' + query);
        body.append(...answer.events.map(resultRow));
        shown += answer.events.length;
        $('results').hidden = shown === 0;
        more.hidden = !answer.next;
        more.onclick = () => fetchPage(answer.next);
        status('search-status', shown === 0 ? 'No events match.' : `${shown} event(s)${answer.next ? ' so far' : ''}, newest first.`);
      } catch (error) {
        status('search-status', 'Search failed: ' + error.message, true);
      }
    };
    await fetchPage(null);
  }

  // ---- message -------------------------------------------------------------------------------

  async function message() {
    const params = new URLSearchParams(location.search);
    let provider = params.get('provider');
    let messageId = params.get('message_id');
    const asked = params.get('event');
    let detail = null;
    if (asked) {
      try {
        detail = await api('GET', '/api/events/' + enc(asked));
      } catch (error) {
        if (error.status !== 404 && error.status !== 400) {
          status('message-status', 'Could not load the event: ' + error.message, true);
          return;
        }
      }
      if (detail && !(provider && messageId)) {
        provider = detail.event.provider;
        messageId = detail.event.message_id;
      }
    }
    if (!provider || !messageId) {
      status('message-status', asked ? 'There is no event ' + asked + '.' : 'Open a message from Search, Dead letters or Sinks.', Boolean(asked));
      return;
    }
    $('message-heading').textContent = `Message ${messageId} (${provider})`;
    document.title = `Message ${messageId} · dlr-hub console`;
    let found;
    try {
      found = await api('GET', `/api/messages/${enc(provider)}/${enc(messageId)}`);
    } catch (error) {
      status('message-status', error.status === 404 ? `No events are stored for message ${messageId} of provider ${provider}.`
        : 'Could not load the message: ' + error.message, true);
      return;
    }
    $('summary-provider').textContent = found.provider;
    $('summary-message-id').textContent = found.message_id;
    $('summary-channel').textContent = found.channel;
    $('summary-status').replaceChildren(badge(found.status));
    $('summary-updated').replaceChildren(time(found.updated_at));
    $('summary').hidden = false;

    const events = found.events;
    const selected = events.some(event => event.event_id === asked) ? asked
      : (events.length ? events[events.length - 1].event_id : null);
    $('timeline').tBodies[0].replaceChildren(...events.map(event => {
      const current = event.event_id === selected;
      return el('tr', { className: current ? 'selected-event' : null, 'data-event-id': event.event_id },
        cell(time(event.received_at)),
        cell(badge(event.status)),
        cell(event.provider_status),
        cell(event.error_code),
        cell(event.channel),
        cell(deliveriesSummary(Object.fromEntries(event.deliveries.map(delivery => [delivery.sink, delivery.state])))),
        cell(current ? el('span', { text: 'shown below' })
          : el('a', { href: messageHref(provider, messageId, event.event_id), text: 'Show', 'aria-label': 'Show the event of ' + event.received_at })));
    }));
    $('timeline-section').hidden = false;
    if (!selected) {
      status('message-status', 'This message has no events.');
      return;
    }
    if (!detail || detail.event.event_id !== selected) {
      try {
        detail = await api('GET', '/api/events/' + enc(selected));
      } catch (error) {
        status('message-status', 'Could not load the event: ' + error.message, true);
      }
    }
    const event = events.find(candidate => candidate.event_id === selected);
    $('event-heading').replaceChildren('Event ', badge(event.status), ' ' + event.provider_status + ' · ', el('code', { text: selected }));
    if (detail) {
      $('deliveries').replaceChildren(...detail.deliveries.map(deliveryWithAttempts));
      if (!detail.deliveries.length) {
        $('deliveries').replaceChildren(el('p', { className: 'hint', text: 'No sink takes this event.' }));
      }
      $('canonical').textContent = JSON.stringify(detail.event, null, 2);
      $('canonical').hidden = false;
    }
    $('event-section').hidden = false;
    status('message-status', '');
  }

  function deliveryWithAttempts(delivery) {
    const section = el('section', { className: 'delivery', 'data-sink': delivery.sink, 'aria-label': 'Delivery to ' + delivery.sink });
    const note = el('span', { className: 'status', role: 'status' });
    // every recorded attempt counts (the delivery's own count starts again at a replay)
    const tried = Math.max(delivery.attempts, (delivery.attempt_history || []).length);
    const heading = el('h4', {}, delivery.sink + ' ', badge(delivery.state), ` after ${tried} attempt${tried === 1 ? '' : 's'}`);
    section.append(heading);
    const facts = [];
    if (delivery.state === 'pending' && delivery.next_attempt_at) {
      facts.push(el('p', {}, 'Next attempt: ', time(delivery.next_attempt_at)));
    }
    if (delivery.last_error) {
      facts.push(el('p', {}, 'Last error: ', el('span', { className: 'detail', text: delivery.last_error })));
    }
    section.append(...facts);
    if (delivery.state === 'dead') {
      const button = el('button', { type: 'button', text: 'Replay', 'aria-label': 'Replay the delivery to ' + delivery.sink });
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api('POST', `/api/outbox/${delivery.id}/replay`);
          note.textContent = ' Back in the queue.';
        } catch (error) {
          note.textContent = ' Replay failed: ' + error.message;
          button.disabled = false;
        }
      });
      section.append(el('p', {}, button, note));
    }
    // in the order they happened (a replay may number its attempts from 1 again)
    const attempts = (delivery.attempt_history || []).slice()
      .sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0));
    if (!attempts.length) {
      section.append(el('p', { className: 'hint', text: 'No attempt recorded yet.' }));
    } else {
      section.append(el('table', { className: 'attempts' },
        el('thead', {}, el('tr', {}, ['Attempt', 'Started', 'Duration', 'Outcome', 'HTTP status', 'Detail']
          .map(title => el('th', { scope: 'col', text: title })))),
        el('tbody', {}, attempts.map(attempt => el('tr', {},
          cell(String(attempt.attempt), 'num'),
          cell(time(attempt.started_at)),
          cell(attempt.duration_ms === null ? null : attempt.duration_ms + ' ms', 'num'),
          cell(badge(attempt.outcome)),
          cell(attempt.http_status === null ? null : String(attempt.http_status), 'num'),
          cell(attempt.detail, 'detail'))))));
    }
    return section;
  }

  // ---- dead letters --------------------------------------------------------------------------

  async function deadLetters() {
    const form = $('dead-filter');
    fillForm(form, new URLSearchParams(location.search));
    const body = $('dead-table').tBodies[0];
    const selectAll = $('select-all');
    const replaySelected = $('replay-selected');
    let listed = 0;

    const filter = () => {
      const values = {};
      for (const name of ['sink', 'provider', 'message_id']) {
        const value = form.elements.namedItem(name).value.trim();
        if (value) {
          values[name] = value;
        }
      }
      for (const name of ['from', 'to']) {
        const iso = isoFromLocal(form.elements.namedItem(name).value);
        if (iso) {
          values[name] = iso;
        }
      }
      return values;
    };
    const matches = (entry, wanted) => (!wanted.sink || entry.sink === wanted.sink)
      && (!wanted.provider || entry.provider === wanted.provider)
      && (!wanted.message_id || entry.message_id === wanted.message_id)
      && (!wanted.from || entry.created_at >= wanted.from)
      && (!wanted.to || entry.created_at < wanted.to);
    const checked = () => [...body.querySelectorAll('input[type=checkbox]:checked')].map(box => Number(box.value));
    const updateSelection = () => {
      replaySelected.disabled = checked().length === 0;
      replaySelected.textContent = checked().length ? `Replay selected (${checked().length})` : 'Replay selected';
    };

    const replayOne = async (entry, button, action) => {
      button.disabled = true;
      try {
        await api('POST', `/api/outbox/${entry.id}/replay`);
        action.replaceChildren(badge('pending', 'replayed'));
        const box = body.querySelector(`input[value="${entry.id}"]`);
        if (box) {
          box.checked = false;
          box.disabled = true;
        }
        updateSelection();
        status('action-status', `Delivery ${entry.id} (${entry.sink}, message ${entry.message_id}) is back in the queue.`);
      } catch (error) {
        button.disabled = false;
        status('action-status', `Replay of delivery ${entry.id} failed: ${error.message}`, true);
      }
    };

    const row = entry => {
      const action = el('td', {});
      const button = el('button', { type: 'button', text: 'Replay', 'aria-label': `Replay delivery ${entry.id}` });
      button.addEventListener('click', () => replayOne(entry, button, action));
      action.append(button);
      const box = el('input', { type: 'checkbox', value: entry.id, 'aria-label': `Select delivery ${entry.id}` });
      box.addEventListener('change', updateSelection);
      return el('tr', { 'data-outbox-id': entry.id },
        el('td', {}, box),
        cell(String(entry.id), 'num'),
        cell(entry.sink),
        cell(el('span', {}, el('a', { href: messageHref(entry.provider, entry.message_id, entry.event_id), text: entry.message_id }),
          ' ', el('span', { className: 'hint', text: entry.provider }))),
        cell(badge(entry.status)),
        cell(String(entry.attempts), 'num'),
        cell(entry.last_error || entry.note, 'detail'),
        cell(time(entry.updated_at)),
        action);
    };

    const load = async () => {
      try {
        const all = await api('GET', '/api/outbox?state=dead&limit=1000');
        const wanted = filter();
        const shown = all.filter(entry => matches(entry, wanted));
        listed = shown.length;
        body.replaceChildren(...shown.map(row));
        selectAll.checked = false;
        updateSelection();
        const filtered = Object.keys(wanted).length > 0;
        status('dead-status', shown.length === 0
          ? (filtered ? 'No dead delivery matches.' : 'No dead deliveries.')
          : `${shown.length} dead deliver${shown.length === 1 ? 'y' : 'ies'}${filtered ? ' matching' : ''}`
            + (all.length === 1000 ? ', among the newest 1000.' : '.'));
      } catch (error) {
        status('dead-status', 'Could not load the dead deliveries: ' + error.message, true);
      }
      await loadReplays();
    };

    form.addEventListener('submit', event => {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const field of form.elements) {
        if (field.name && field.value) {
          query.set(field.name, field.value);
        }
      }
      history.replaceState(null, '', '/console/dead-letters' + (query.toString() ? '?' + query : ''));
      load();
    });
    selectAll.addEventListener('change', () => {
      body.querySelectorAll('input[type=checkbox]:not(:disabled)').forEach(box => { box.checked = selectAll.checked; });
      updateSelection();
    });
    replaySelected.addEventListener('click', async () => {
      const ids = checked();
      replaySelected.disabled = true;
      try {
        const job = await api('POST', '/api/replays', { ids });
        status('action-status', `Replay ${job.id} started for ${job.matched} deliver${job.matched === 1 ? 'y' : 'ies'}.`);
        await load();
      } catch (error) {
        status('action-status', 'Replay failed: ' + error.message, true);
        updateSelection();
      }
    });

    const confirmBox = $('confirm-matching');
    $('replay-matching').addEventListener('click', () => {
      const wanted = filter();
      const described = Object.entries(wanted).map(([name, value]) => `${name} ${value}`).join(', ');
      $('confirm-matching-text').textContent = `Replay every dead delivery${described ? ' with ' + described : ''}? `
        + `This includes those not listed here${listed ? ` (${listed} listed)` : ''}; they are replayed in the background, a few at a time.`;
      confirmBox.hidden = false;
      $('confirm-matching-yes').focus();
    });
    $('confirm-matching-no').addEventListener('click', () => {
      confirmBox.hidden = true;
      $('replay-matching').focus();
    });
    $('confirm-matching-yes').addEventListener('click', async () => {
      confirmBox.hidden = true;
      try {
        const job = await api('POST', '/api/replays', { filter: filter() });
        status('action-status', `Replay ${job.id} started for ${job.matched} matching deliver${job.matched === 1 ? 'y' : 'ies'}.`);
        await load();
      } catch (error) {
        status('action-status', 'Replay failed: ' + error.message, true);
      }
      $('replay-matching').focus();
    });

    await load();
  }

  async function loadReplays() {
    try {
      const answer = await api('GET', '/api/replays');
      const jobs = Array.isArray(answer) ? answer : (answer.replays || []);
      $('replays').tBodies[0].replaceChildren(...jobs.slice(0, 20).map(job => {
        const action = el('td', {});
        if (job.state === 'running') {
          const cancel = el('button', { type: 'button', className: 'secondary', text: 'Cancel', 'aria-label': `Cancel replay ${job.id}` });
          cancel.addEventListener('click', async () => {
            cancel.disabled = true;
            try {
              await api('POST', `/api/replays/${job.id}/cancel`);
              await loadReplays();
            } catch (error) {
              cancel.disabled = false;
              status('action-status', `Could not cancel replay ${job.id}: ${error.message}`, true);
            }
          });
          action.append(cancel);
        }
        return el('tr', { 'data-replay-id': job.id },
          cell(String(job.id), 'num'), cell(badge(job.state)), cell(String(job.matched), 'num'),
          cell(String(job.replayed), 'num'), cell(job.requested_by), cell(time(job.created_at)), action);
      }));
      if (!jobs.length) {
        $('replays').tBodies[0].replaceChildren(el('tr', {}, el('td', { colspan: 7, className: 'hint', text: 'No bulk replay yet.' })));
      }
    } catch (error) {
      status('dead-status', 'Could not load the bulk replays: ' + error.message, true);
    }
  }

  // ---- sinks ---------------------------------------------------------------------------------

  async function sinks() {
    let list;
    try {
      list = await api('GET', '/api/sinks');
    } catch (error) {
      status('sinks-status', 'Could not load the sinks: ' + error.message, true);
      return;
    }
    $('sinks').replaceChildren(...list.map(sink => {
      const headingId = 'sink-heading-' + sink.name;
      const settings = Object.entries(sink.settings || {});
      return el('section', { className: 'sink', id: 'sink-' + sink.name, 'aria-labelledby': headingId },
        el('h2', { id: headingId }, sink.name, ' ', badge(sink.enabled ? 'on' : 'off', sink.enabled ? 'on' : 'off')),
        el('dl', { className: 'figures' },
          el('div', {}, el('dt', { text: 'Takes' }), el('dd', { text: (sink.statuses || []).join(', ') })),
          el('div', {}, el('dt', { text: 'Pending' }), el('dd', { text: String(sink.pending) })),
          el('div', {}, el('dt', { text: 'Oldest pending' }), el('dd', { text: age(sink.oldest_pending_age_seconds) })),
          el('div', {}, el('dt', { text: 'Dead' }), el('dd', {}, sink.dead > 0
            ? el('a', { href: '/console/dead-letters?sink=' + enc(sink.name), text: String(sink.dead) }) : '0'))),
        el('h3', { text: 'Settings' }),
        el('table', { className: 'compact settings' },
          el('tbody', {}, settings.map(([name, value]) => el('tr', {},
            el('th', { scope: 'row', text: name.replace(/_/g, ' ') }), cell(value === null ? null : String(value)))))),
        el('h3', { text: 'Failed attempts in the last 24 hours' }),
        failures(sink.recent_failures || []));
    }));
    status('sinks-status', list.length ? '' : 'No sink is configured.');
    if (location.hash) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) {
        target.scrollIntoView();
      }
    }
  }

  function failures(list) {
    if (!list.length) {
      return el('p', { className: 'hint', text: 'None.' });
    }
    return el('div', { className: 'scroll' }, el('table', { className: 'failures' },
      el('thead', {}, el('tr', {}, ['When', 'Outcome', 'HTTP status', 'Detail', 'Delivery', 'Event']
        .map(title => el('th', { scope: 'col', text: title })))),
      el('tbody', {}, list.map(failure => el('tr', {},
        cell(time(failure.at)),
        cell(badge(failure.outcome || 'failed')),
        cell(failure.http_status === null || failure.http_status === undefined ? null : String(failure.http_status), 'num'),
        cell(failure.detail, 'detail'),
        cell(String(failure.outbox_id), 'num'),
        cell(el('a', { href: messageHref(null, null, failure.event_id), text: failure.event_id })))))));
  }

  // ---- start ---------------------------------------------------------------------------------

  const pages = { overview, search, message, 'dead-letters': deadLetters, sinks };
  csrf().then(token => {
    document.querySelectorAll('[data-csrf]').forEach(field => { field.value = token; });
  }, () => { /* api() has sent the browser to the sign-in page */ });
  if (pages[page]) {
    pages[page]();
  }
}());
