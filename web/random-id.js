// Random hex ids for tabs, peers and room names. crypto.getRandomValues works in insecure contexts
// too (plain http from another machine), unlike crypto.randomUUID.
export const randomId = (bytes = 8) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
