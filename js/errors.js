// Errors thrown or emitted by the library carry the guide's error `type`.
export class WebRTCEnhancedError extends Error {
  constructor(type, message) {
    super(message);
    this.name = 'WebRTCEnhancedError';
    this.type = type;
  }
}

// A value as an error message shows it: a string quoted (cut at 40), an object by its class.
export function show(value) {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : `${typeof value} ${String(value)}`;
}

// What a throwing listener becomes: a `message-handling` error naming the event (`whose`: 'pool ').
export function listenerThrew(name, error, whose = '') {
  const why = error && error.message ? error.message : error;
  return new WebRTCEnhancedError('message-handling', `a ${whose}'${name}' listener threw: ${why}`);
}

// The core reports failures as { type, message }.
export function fromCore(failure) {
  return new WebRTCEnhancedError(failure.type, failure.message);
}

// Every call into the core answers with a value, or { error: { type, message, ... } }: the error,
// or undefined when the call succeeded.
export function failureOf(answer) {
  return answer !== null && typeof answer === 'object' && Object.hasOwn(answer, 'error') ? answer.error : undefined;
}
