// Called from C++ as direct WASM imports (bindings/shim_calls.cpp) with numbers only: these run
// once per message, or per page timer. Nothing may throw into C++.
import { connection, message } from './records.js';

let lastRefusal = '';
let pageTimer = 0;

export const hot = {
  // 0: sent; 1: refused (`refusal()` says why).
  send(connId, channel, data) {
    try {
      connection(connId).channels[channel].send(data);
      return 0;
    } catch (error) {
      lastRefusal = connection(connId) ? message(error) : 'the connection is closed';
      return 1;
    }
  },

  refusal() {
    return lastRefusal;
  },

  // The page's one timer for every standalone peer (bindings/page_timers.hpp); `pageAlarm` is
  // set by js/core.js once the core is loaded.
  armPage(delayMs) {
    clearTimeout(pageTimer);
    pageTimer = setTimeout(() => {
      pageTimer = 0;
      hot.pageAlarm?.();
    }, Math.ceil(delayMs));
  },

  disarmPage() {
    clearTimeout(pageTimer);
    pageTimer = 0;
  },
};
