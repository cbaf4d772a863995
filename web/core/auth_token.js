// The sign-in token (a JWT, docs/protocol.md "Authentication") as the client handles it: read
// from the page's address, offered to the server as a subprotocol entry (a browser cannot set an
// Authorization header on a WebSocket), and its claims read, unverified, only to know when it
// runs out and whose it is. The server alone decides whether a token is valid.

import { SUBPROTOCOL } from './protocol.js';

const BEARER_PREFIX = 'bearer.';
// A JWT's three base64url parts; anything else would not be a valid Sec-WebSocket-Protocol entry
// (and the browser would throw rather than connect).
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** What the person typed or pasted, without the spaces and "Bearer " they may have copied too. */
export function cleanToken(text) {
  return String(text ?? '').trim().replace(/^bearer\s+/i, '').trim();
}

/** '' when `token` can be offered to the server, else what is wrong with it. */
export function tokenProblem(token) {
  if (token === '') return 'Please enter a token.';
  if (!JWT_SHAPE.test(token)) return 'That is not a token: a token is three parts separated by dots.';
  return '';
}

/** The Sec-WebSocket-Protocol entries to offer: parley.v1, and the token beside it when there is one. */
export function subprotocolsFor(token) {
  return token ? [SUBPROTOCOL, `${BEARER_PREFIX}${token}`] : [SUBPROTOCOL];
}

/** The token's claims (its middle part), or null when it cannot be read. */
export function tokenClaims(token) {
  const part = String(token ?? '').split('.')[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

/** When the token runs out (ms since the epoch, from its `exp`), or null when it never does. */
export function tokenExpiry(token) {
  const exp = tokenClaims(token)?.exp;
  return Number.isFinite(exp) ? exp * 1000 : null;
}

/** The name the token is for (its `sub`), or ''. */
export function tokenSubject(token) {
  const sub = tokenClaims(token)?.sub;
  return typeof sub === 'string' ? sub : '';
}

/**
 * The token in a page address's query (`?token=...`) and the address without it, so it can be
 * taken out of the address bar, the history and any link copied from it: { token, rest }.
 */
export function takeTokenFromUrl(href) {
  const url = new URL(href);
  const token = cleanToken(url.searchParams.get('token'));
  if (!url.searchParams.has('token')) return { token: '', rest: href };
  url.searchParams.delete('token');
  return { token, rest: url.href };
}

/** Refusals of the server that are about the token (close 1008 reasons), not the name. */
export function isTokenRefusal(reason) {
  return /^(Invalid token|Authentication required)\b/.test(reason ?? '');
}
