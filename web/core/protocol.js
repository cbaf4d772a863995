// The parley.v1 wire format (docs/protocol.md): the chat URL, the requests a client sends and a
// first check of the events it receives. No sockets, no DOM.

export const SUBPROTOCOL = 'parley.v1';

/** ws(s)://host/chat/{name}?room=R[&age=N][&since=ID] for the page's own origin. */
export function chatUrl(location, { name, age = '', room, since = null }) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams({ room });
  if (age !== '') query.set('age', String(Number(age)));
  if (since !== null) query.set('since', String(since));
  return `${scheme}//${location.host}/chat/${encodeURIComponent(name)}?${query}`;
}

export const request = {
  send: (room, text, clientId) => JSON.stringify({ type: 'send', room, text, client_id: clientId }),
  join: (room, since = null) => JSON.stringify(since === null ? { type: 'join', room } : { type: 'join', room, since }),
  leave: (room) => JSON.stringify({ type: 'leave', room }),
  history: (room, before, limit) => JSON.stringify({ type: 'history', room, before, limit }),
  typing: (room) => JSON.stringify({ type: 'typing', room }),
  refresh: (token) => JSON.stringify({ type: 'refresh', token }),
};

/** The event in a text frame, or null when it is not a JSON object with a string `type`. */
export function parseEvent(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return typeof value.type === 'string' ? value : null;
}

/** The tutorial's wording of room events, which the client keeps. */
export const wording = {
  greeting: (name) => `Hi ${name}! You have successfully connected to the chat`,
  join: (user, age) => (age === undefined || age === null
    ? `${user} connected to chat` : `${user} with age ${age} connected to chat`),
  leave: (user) => `${user} left the chat`,
};
