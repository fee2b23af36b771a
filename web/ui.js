// The DOM side of one peer: a panel cloned from <template id="peer-panel"> with chat, file
// transfer, live numbers + charts and an event log. It knows nothing about WebRTC; app.js feeds it.
import { LineChart } from './chart.js';

const EVENT_LOG_LIMIT = 200;
const CHAT_LOG_LIMIT = 500;
const RECEIVED_FILES_LIMIT = 5;

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const formatRate = (bytesPerSecond) => `${formatBytes(Math.round(bytesPerSecond))}/s`;
const clock = () => new Date().toLocaleTimeString([], { hour12: false });

export class PeerPanel {
  root;
  #charts;
  #handlers = { chat: null, file: null };

  constructor({ name, testid }) {
    const template = document.getElementById('peer-panel');
    this.root = template.content.firstElementChild.cloneNode(true);
    this.root.dataset.testid = testid;
    this.setName(name);

    this.$('chat-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = this.$('chat-input');
      const text = input.value.trim();
      if (!text || !this.#handlers.chat) return;
      if (this.#handlers.chat(text) !== false) input.value = '';
      input.focus();
    });
    this.$('file-input').addEventListener('change', (e) => {
      for (const file of e.target.files) this.#handlers.file?.(file);
      e.target.value = ''; // picking the same file again fires 'change' again
    });

    this.#charts = {
      throughput: new LineChart(this.$('chart-throughput'), {
        series: [{ label: '↑ up', color: '#2563eb' }, { label: '↓ down', color: '#16a34a' }],
        format: (v) => formatRate(v),
      }),
      rtt: new LineChart(this.$('chart-rtt'), {
        series: [{ label: 'RTT', color: '#9333ea' }],
        format: (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`,
        emptyText: 'no RTT measurements (needs library metrics)',
      }),
      queue: new LineChart(this.$('chart-queue'), {
        series: [{ label: 'queued messages', color: '#ea580c' }],
      }),
    };
    new ResizeObserver(() => Object.values(this.#charts).forEach((c) => c.draw())).observe(this.root);
  }

  /** The element with data-testid=`id` inside this panel. */
  $(id) {
    return this.root.querySelector(`[data-testid="${id}"]`);
  }

  onChat(handler) {
    this.#handlers.chat = handler;
  }

  onFile(handler) {
    this.#handlers.file = handler;
  }

  setName(text) {
    this.$('peer-name').textContent = text;
  }

  setSubtitle(text) {
    this.$('peer-detail').textContent = text;
  }

  setStatus(text) {
    this.$('status').textContent = text;
  }

  setState(state) {
    for (const el of [this.$('state'), this.$('live-state')]) {
      el.textContent = state;
      el.dataset.state = state;
    }
    const connected = state === 'connected';
    this.$('chat-input').disabled = !connected;
    this.$('chat-send').disabled = !connected;
    this.$('file-input').disabled = !connected;
  }

  // ---- chat ----

  addChat(text, who) {
    const li = document.createElement('li');
    li.className = who;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${who === 'sent' ? 'you' : who === 'received' ? 'peer' : '·'} ${clock()}`;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.dataset.testid = `chat-${who}`;
    li.append(meta, body);
    const log = this.$('chat-log');
    log.append(li);
    while (log.children.length > CHAT_LOG_LIMIT) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  }

  // ---- files ----

  showSendProgress(job, phase) {
    const bar = this.$('file-progress-send');
    bar.max = Math.max(1, job.size);
    bar.value = job.acked;
    const pct = job.size ? Math.floor((100 * job.acked) / job.size) : 100;
    const parts = [`${job.name}: ${formatBytes(job.acked)} of ${formatBytes(job.size)} confirmed (${pct}%)`];
    if (phase === 'sending' && job.handed > job.acked) parts.push(`${formatBytes(job.handed)} handed to the library`);
    if (job.waits || job.retries) parts.push(`paused ${job.waits}× for the queue, ${job.retries} retries`);
    if (phase === 'done') parts.push('delivered ✓');
    if (phase === 'failed') parts.push(`failed: ${job.error?.message ?? job.error}`);
    this.$('file-send-status').textContent = parts.join(' · ');
    this.$('file-send-status').dataset.phase = phase;
    if (job.sha256) this.$('file-send-checksum').textContent = job.sha256;
  }

  showRecvProgress(rx) {
    const bar = this.$('file-progress-recv');
    bar.max = Math.max(1, rx.size);
    bar.value = rx.received;
    const pct = rx.size ? Math.floor((100 * rx.received) / rx.size) : 100;
    this.$('file-recv-status').textContent = `${rx.name}: ${formatBytes(rx.received)} of ${formatBytes(rx.size)} (${pct}%)`;
  }

  /** A finished download: link + size + checksum, newest first; only the newest keeps the test ids. */
  addReceivedFile(rx) {
    const list = this.$('file-list');
    for (const old of list.querySelectorAll('[data-testid]:not([data-testid$="-previous"])')) {
      old.dataset.testid = `${old.dataset.testid}-previous`;
    }
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(rx.blob);
    link.download = rx.name;
    link.textContent = `⬇ ${rx.name}`;
    link.dataset.testid = 'file-done';
    const size = document.createElement('span');
    size.className = 'size';
    size.dataset.testid = 'file-size';
    size.dataset.bytes = String(rx.blob.size);
    size.textContent = `${formatBytes(rx.blob.size)} in ${(rx.elapsedMs / 1000).toFixed(2)} s`;
    const verdict = document.createElement('span');
    verdict.dataset.testid = 'file-verified';
    verdict.className = `verdict ${rx.verified === false ? 'bad' : 'good'}`;
    verdict.textContent = rx.verified === null ? '' : rx.verified ? '✓ matches sender' : '✗ differs from sender';
    const sum = document.createElement('code');
    sum.dataset.testid = 'file-checksum';
    sum.title = 'SHA-256';
    sum.textContent = rx.sha256;
    li.append(link, size, verdict, sum);
    list.prepend(li);
    while (list.children.length > RECEIVED_FILES_LIMIT) {
      URL.revokeObjectURL(list.lastElementChild.querySelector('a').href);
      list.lastElementChild.remove();
    }
  }

  // ---- live numbers ----

  /** One sample per second: {state, queue, queuedBytes, up, down, rttMs, quality, source}. */
  updateLive(s) {
    this.$('live-queue').textContent = Number.isFinite(s.queuedBytes) ? `${s.queue} (${formatBytes(s.queuedBytes)})` : String(s.queue);
    this.$('live-up').textContent = formatRate(s.up);
    this.$('live-down').textContent = formatRate(s.down);
    this.$('live-rtt').textContent = Number.isFinite(s.rttMs) ? `${s.rttMs.toFixed(1)} ms` : 'n/a';
    const quality = this.$('live-quality');
    quality.textContent = s.quality ?? 'n/a';
    quality.dataset.quality = s.quality ?? 'unknown';
    this.$('live-source').textContent = s.source;
    this.#charts.throughput.push(s.up, s.down);
    this.#charts.rtt.push(s.rttMs);
    this.#charts.queue.push(s.queue);
  }

  // ---- event log ----

  /** Adds an event, newest first; a repeat of the newest one (same key) bumps a counter instead. */
  logEvent(name, detail = '', key = `${name}|${detail}`) {
    const log = this.$('event-log');
    const top = log.firstElementChild;
    if (top && top.dataset.key === key) {
      const count = Number(top.dataset.count) + 1;
      top.dataset.count = String(count);
      top.querySelector('.count').textContent = `×${count}`;
      top.querySelector('.time').textContent = clock();
      top.querySelector('.detail').textContent = detail;
      return;
    }
    const li = document.createElement('li');
    li.dataset.key = key;
    li.dataset.count = '1';
    li.dataset.event = name;
    li.innerHTML = '<span class="time"></span><span class="name"></span><span class="detail"></span><span class="count"></span>';
    li.querySelector('.time').textContent = clock();
    li.querySelector('.name').textContent = name;
    li.querySelector('.detail').textContent = detail;
    log.prepend(li);
    while (log.children.length > EVENT_LOG_LIMIT) log.lastElementChild.remove();
  }
}
