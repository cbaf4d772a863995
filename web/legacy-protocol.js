// The legacy text protocol (docs/protocol.md): building the chat URL, checking the inputs the
// server will check, and telling the kinds of incoming text frames apart. No DOM, no sockets.

const MAX_NAME_CODE_POINTS = 32;
const MAX_AGE = 150;
// C0 controls, DEL and C1 controls.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/u;

/** Returns an error message for a name the server would refuse, or '' if it is fine. */
export function nameProblem(name) {
  const length = [...name].length;
  if (length === 0) return 'Please enter a name.';
  if (length > MAX_NAME_CODE_POINTS) return `Names can be at most ${MAX_NAME_CODE_POINTS} characters.`;
  if (CONTROL_CHARS.test(name)) return 'Names cannot contain control characters.';
  return '';
}

/** Returns an error message for an age the server would refuse, or '' if it is fine (or empty). */
export function ageProblem(age) {
  if (age === '') return '';
  if (!/^\d+$/.test(age) || Number(age) > MAX_AGE) {
    return `Age must be a whole number from 0 to ${MAX_AGE}.`;
  }
  return '';
}

/** ws(s)://host/chat/{name}[?age=N] for the page's own origin. */
export function chatUrl(location, name, age) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let url = `${scheme}//${location.host}/chat/${encodeURIComponent(name)}`;
  if (age !== '') url += `?age=${encodeURIComponent(String(Number(age)))}`;
  return url;
}

/**
 * Interprets the text frames of one connection. The legacy protocol is plain text, so some
 * frames are ambiguous (a name may contain ": "); names learnt from join notices and the own
 * name are used to split "name: text" correctly where possible.
 */
export class LegacyParser {
  #ownName;
  #known = new Set();
  #greeted = false;

  constructor(ownName) {
    this.#ownName = ownName;
    this.#known.add(ownName);
  }

  /**
   * Returns one of
   *   { kind: 'greeting', text }
   *   { kind: 'join', name, age, text }
   *   { kind: 'leave', name, text }
   *   { kind: 'chat', name, body, own, text }
   *   { kind: 'notice', text }        (anything else)
   */
  parse(text) {
    if (!this.#greeted) {
      this.#greeted = true;
      if (/^Hi .+! You have successfully connected to the chat$/su.test(text)) {
        return { kind: 'greeting', text };
      }
    }

    const chat = this.#splitChat(text);
    // "known: ..." is a message from a user we know, even if it ends like a notice.
    if (chat && chat.known) return this.#chat(chat, text);
    const notice = matchNotice(text);
    if (notice && !notice.name.includes(': ')) return this.#notice(notice, text);
    if (chat) return this.#chat(chat, text);
    if (notice) return this.#notice(notice, text);
    // Not expected from the server; show it as a notice rather than drop it.
    return { kind: 'notice', text };
  }

  #notice(notice, text) {
    if (notice.kind === 'join') this.#known.add(notice.name);
    else if (notice.name !== this.#ownName) this.#known.delete(notice.name);
    return { ...notice, text };
  }

  #chat({ name, body }, text) {
    return { kind: 'chat', name, body, own: name === this.#ownName, text };
  }

  // Splits "name: body", preferring the longest known name that prefixes the text.
  #splitChat(text) {
    let best = null;
    for (const name of this.#known) {
      if (text.startsWith(`${name}: `) && (!best || name.length > best.length)) best = name;
    }
    if (best !== null) return { name: best, body: text.slice(best.length + 2), known: true };
    const i = text.indexOf(': ');
    if (i <= 0) return null;
    return { name: text.slice(0, i), body: text.slice(i + 2), known: false };
  }
}

function matchNotice(text) {
  let m = /^(.+) with age (\d+) connected to chat$/su.exec(text);
  if (m) return { kind: 'join', name: m[1], age: Number(m[2]) };
  m = /^(.+) connected to chat$/su.exec(text);
  if (m) return { kind: 'join', name: m[1], age: null };
  m = /^(.+) left the chat$/su.exec(text);
  if (m) return { kind: 'leave', name: m[1] };
  return null;
}
