// Ids that make a send safe to repeat (`client_id`). crypto.randomUUID exists only in secure
// contexts (https or localhost); getRandomValues works on a plain-http LAN address too.

export function newClientId(crypto = globalThis.crypto) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'c-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
