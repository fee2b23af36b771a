// The Files card on top of the library's peer.sendFile(). The library does the work: it chunks the
// file onto the 'file' channel, paces the sender by the receiver's writes, and compares the SHA-256
// of both sides (in its core: no crypto.subtle, so no secure context needed). This module only
// starts, accepts and cancels transfers, and shows them in the panel.
import { formatBytes } from './ui.js';

// A save dialog that hands back a writable file: File System Access API, Chromium only, and only
// in secure contexts (https, localhost).
const canPickFile = typeof globalThis.showSaveFilePicker === 'function';
const NO_PICKER_NOTE = 'This browser cannot save into a file you pick (no showSaveFilePicker: ' +
  'Chromium over https or localhost has it). A received file is kept in memory and offered as a download link.';

export class FileTransfers {
  #peer;
  #panel;
  #running = new Map(); // `${direction}:${id}` → { row, name }, until the transfer ends

  /** `on(name, listener)` subscribes to the peer (the session unsubscribes on close). */
  constructor(peer, panel, on) {
    this.#peer = peer;
    this.#panel = panel;
    if (!canPickFile) panel.disableSaveOption(NO_PICKER_NOTE);
    on('transfer', (incoming) => this.#offered(incoming));
    on('transfer-progress', ({ id, direction, bytes, total }) => {
      const what = direction === 'send' ? 'handed to the browser' : 'written';
      this.#running.get(`${direction}:${id}`)?.row.progress(bytes, total, what);
    });
    on('transfer-failed', (failure) => this.#failed(failure));
  }

  /** Sends a picked file; several may run at once (the library shares 'file' between them). */
  send(file) {
    let t;
    try {
      t = this.#peer.sendFile(file, { name: file.name, type: file.type });
    } catch (error) {
      this.#panel.addChat(`could not send ${file.name}: ${error.message}`, 'system');
      return;
    }
    const row = this.#panel.addTransfer('out', { name: t.name, size: t.size });
    row.status('offered, waiting for the receiver to accept', 'waiting');
    row.button('Cancel', 'file-cancel', () => t.cancel()); // both sides: transfer-failed 'cancelled'
    this.#running.set(`send:${t.id}`, { row, name: t.name });
    // `done` resolves once the receiver found the same SHA-256 as this side.
    t.done.then((result) => {
      this.#running.delete(`send:${t.id}`);
      row.verified(result);
      this.#panel.addChat(`sent ${t.name} (${formatBytes(result.bytes)}), verified by the receiver`, 'system');
    }, (error) => this.#failed({ id: t.id, direction: 'send', reason: error.reason, error }));
  }

  #offered(incoming) {
    const row = this.#panel.addTransfer('in', incoming);
    this.#running.set(`receive:${incoming.id}`, { row, name: incoming.name });
    if (!this.#panel.saveToPickedFile) {
      this.#accept(incoming, row); // into memory: accept() resolves with a Blob
      return;
    }
    // The save dialog may only open on a user gesture, so the user clicks to pick the file.
    row.status('offered: pick where to save it', 'waiting');
    row.button('Save as…', 'file-save', () => this.#pickAndAccept(incoming, row));
    row.button('Decline', 'file-decline', () => this.#reject(incoming, 'declined'));
  }

  async #pickAndAccept(incoming, row) {
    row.clearButtons();
    let handle;
    let sink;
    try {
      handle = await globalThis.showSaveFilePicker({ suggestedName: incoming.name });
      // Written as it arrives; the library waits for each write, so a slow disk slows the sender.
      sink = await handle.createWritable();
    } catch (error) {
      // The dialog was closed (AbortError) or the file cannot be written: tell the sender no.
      this.#reject(incoming, `no file to save into (${error.message})`);
      return;
    }
    this.#accept(incoming, row, sink, handle.name);
  }

  #accept(incoming, row, sink, savedTo) {
    row.status('accepted, waiting for the first bytes', 'running');
    incoming.accept(sink).then((result) => {
      this.#running.delete(`receive:${incoming.id}`);
      row.verified(result, { blob: result.blob, name: incoming.name || 'unnamed', savedTo });
      this.#panel.addChat(`received ${incoming.name} (${formatBytes(result.bytes)}), SHA-256 verified`, 'system');
    }, (error) => this.#failed({ id: incoming.id, direction: 'receive', reason: error.reason, error }));
  }

  #reject(incoming, reason) {
    try {
      incoming.reject(reason); // both sides then get transfer-failed, reason 'rejected'
    } catch (error) {
      this.#failed({ id: incoming.id, direction: 'receive', reason: 'rejected', error });
    }
  }

  // From the transfer-failed event or a rejected promise, whichever comes first: shown once.
  #failed({ id, direction, reason, error }) {
    const entry = this.#running.get(`${direction}:${id}`);
    if (!entry) return;
    this.#running.delete(`${direction}:${id}`);
    const text = `${direction === 'send' ? 'sending' : 'receiving'} ${entry.name} failed (${reason ?? 'error'}): ${error?.message ?? error}`;
    entry.row.failed(text);
    this.#panel.addChat(text, 'system');
  }
}
