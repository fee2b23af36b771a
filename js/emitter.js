// A small Node-style event emitter. The lists are copied when listeners change, not when an event
// is emitted (a listener may remove itself; `message` is emitted per message), and a throwing
// listener is reported through `onListenerError` instead of breaking the caller.
export class Emitter {
  #listeners = new Map();

  on(name, listener) {
    if (typeof listener !== 'function') throw new TypeError(`on('${name}'): listener must be a function`);
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener]);
    this.listenersChanged(name);
    return this;
  }

  once(name, listener) {
    if (typeof listener !== 'function') throw new TypeError(`once('${name}'): listener must be a function`);
    const wrapped = (...args) => {
      this.off(name, wrapped);
      return listener.apply(this, args);
    };
    wrapped.listener = listener;
    return this.on(name, wrapped);
  }

  off(name, listener) {
    const list = this.#listeners.get(name);
    if (!list) return this;
    const i = list.findIndex((l) => l === listener || l.listener === listener);
    if (i >= 0) {
      if (list.length === 1) this.#listeners.delete(name);
      else this.#listeners.set(name, list.filter((_, j) => j !== i));
    }
    this.listenersChanged(name);
    return this;
  }

  removeAllListeners(name) {
    const names = name === undefined ? [...this.#listeners.keys()] : [name];
    for (const n of names) this.#listeners.delete(n);
    for (const n of names) this.listenersChanged(n);
    return this;
  }

  listenerCount(name) {
    return this.#listeners.get(name)?.length ?? 0;
  }

  emit(name, payload) {
    const list = this.#listeners.get(name);
    if (!list) return false;
    for (const listener of list) {
      try {
        listener.call(this, payload);
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
    return true;
  }

  // Called after listeners for `name` were added or removed; subclasses may react (default: nothing).
  listenersChanged(_name) {}

  // Subclasses decide what a throwing listener means; the default is to log it.
  onListenerError(name, error) {
    console.error(`listener for '${name}' threw`, error);
  }
}
