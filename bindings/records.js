// The shims' records (a connection here, a detection in nat_shims.js), which the C++ driver holds:
// whether one may still reach the core, and the registry of connections by id that the
// per-message calls (hot_calls.js) look up. Ids of closed connections are reused.
//
// A record's `host` is the JS object that holds its core object (`host.core`, null once released)
// and whatever else the shims hand to JS: a peer's (js/peer.js makeHost) or a detection's
// (js/nat.js). The pool's timer bridge is not a host: it is the CorePool's `alarm`.

const conns = [];
const freeIds = [];

// An error's text, whatever was thrown.
export function message(error) {
  return String(error && error.message ? error.message : error);
}

// A record whose browser callbacks may still reach the core.
export function alive(record) {
  return !record.closed && record.host.core;
}

// Gives `conn` an id and registers it.
export function register(conn) {
  conn.id = freeIds.pop() ?? conns.length;
  conns[conn.id] = conn;
}

export function unregister(conn) {
  conns[conn.id] = undefined;
  freeIds.push(conn.id);
}

export function connection(id) {
  return conns[id];
}

export function liveConnections() {
  return conns.filter(Boolean);
}
