// The event plumbing both signaling classes share (signaling.js, room-signaling.js): on() to
// listen, emit() to tell every listener of a name.
export class Listeners {
  #listeners = new Map();

  on(name, listener) {
    if (!this.#listeners.has(name)) this.#listeners.set(name, []);
    this.#listeners.get(name).push(listener);
  }

  emit(name, payload) {
    // Over a copy: a listener that adds another must not make this loop run it now.
    for (const listener of [...(this.#listeners.get(name) ?? [])]) listener(payload);
  }
}
