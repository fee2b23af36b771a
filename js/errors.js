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
