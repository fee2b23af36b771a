// The DOM side of one peer: a panel cloned from <template id="peer-panel"> with chat, file
// transfer, live numbers + charts and an event log. It knows nothing about WebRTC; app.js feeds it.
import { LineChart } from './chart.js';

const EVENT_LOG_LIMIT = 200;
const CHAT_LOG_LIMIT = 500;
const TRANSFER_ROWS_LIMIT = 5; // per direction; older finished rows (and their Blob URLs) go

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

  /** Whether the user asked to save incoming files to a file they pick. */
  get saveToPickedFile() {
    const box = this.$('file-save-pick');
    return box.checked && !box.disabled;
  }

  /** Turns the "save to a file I pick" option off for good, saying why. */
  disableSaveOption(note) {
    this.$('file-save-pick').disabled = true;
    this.$('file-save-note').textContent = note;
  }

  /** A row for a new transfer, newest first: 'out' (sending) or 'in' (receiving). */
  addTransfer(direction, { name, size }) {
    const list = this.$(`transfers-${direction}`);
    const row = new TransferRow(direction, name, size);
    list.prepend(row.root);
    // Only finished rows go: a running one may still need its buttons (Cancel, Save as…).
    const finished = [...list.children].filter((li) => li.dataset.phase === 'done' || li.dataset.phase === 'failed');
    while (list.children.length > TRANSFER_ROWS_LIMIT && finished.length) {
      const old = finished.pop(); // the oldest
      const link = old.querySelector('a[href^="blob:"]');
      if (link) URL.revokeObjectURL(link.href);
      old.remove();
    }
    return row;
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

/**
 * One transfer in the Files card: name, size, progress bar, status line, buttons while it runs,
 * and at the end the verified SHA-256 (plus a download link for a file received into memory).
 */
class TransferRow {
  root;

  constructor(direction, name, size) {
    this.root = document.createElement('li');
    this.root.className = 'transfer';
    this.root.dataset.testid = `transfer-${direction}`;
    this.root.innerHTML = '<div class="head"><span class="name"></span><span class="size"></span>' +
      '<span class="buttons"></span></div><progress data-testid="file-progress" value="0" max="1"></progress>' +
      '<span class="note" data-testid="file-status"></span>';
    this.root.querySelector('.name').textContent = name || 'unnamed';
    this.root.querySelector('.size').textContent = size === null ? 'size unknown' : formatBytes(size);
  }

  /** Bytes so far of `total` (null: unknown size). */
  progress(bytes, total, what) {
    const bar = this.root.querySelector('progress');
    if (total === null) {
      bar.removeAttribute('value'); // an indeterminate bar
    } else {
      bar.max = Math.max(1, total);
      bar.value = bytes;
    }
    const pct = total ? ` (${Math.floor((100 * bytes) / total)}%)` : '';
    this.status(`${formatBytes(bytes)}${total === null ? '' : ` of ${formatBytes(total)}`}${pct} ${what}`, 'running');
  }

  /** The status line; `phase` ('waiting', 'running', 'done', 'failed') is for the stylesheet. */
  status(text, phase) {
    const note = this.root.querySelector('[data-testid="file-status"]');
    note.textContent = text;
    this.root.dataset.phase = phase;
  }

  /** A button shown while the transfer runs. */
  button(label, testid, onClick) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.dataset.testid = testid;
    button.addEventListener('click', onClick);
    this.root.querySelector('.buttons').append(button);
    return button;
  }

  clearButtons() {
    this.root.querySelector('.buttons').replaceChildren();
  }

  /** The end: the SHA-256 both sides agreed on; for a Blob, a link that downloads it. */
  verified({ sha256, bytes, seconds }, { blob, name, savedTo } = {}) {
    this.clearButtons();
    this.status(`${formatBytes(bytes)} in ${seconds.toFixed(2)} s · SHA-256 verified on both sides ✓` +
      (savedTo ? ` · saved to ${savedTo}` : ''), 'done');
    if (blob) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.textContent = `⬇ ${name}`;
      link.dataset.testid = 'file-done';
      this.root.append(link);
    }
    const sum = document.createElement('code');
    sum.dataset.testid = 'file-checksum';
    sum.title = 'SHA-256, verified by the receiver';
    sum.textContent = sha256;
    this.root.append(sum);
  }

  failed(text) {
    this.clearButtons();
    this.status(text, 'failed');
  }
}
