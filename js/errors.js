// Errors thrown or emitted by the library carry the guide's error `type`.
export class WebRTCEnhancedError extends Error {
  constructor(type, message) {
    super(message);
    this.name = 'WebRTCEnhancedError';
    this.type = type;
  }
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
