// Finds web links in message text so the page can make them clickable. Only http and https:
// anything else (javascript:, data:) stays plain text.

const CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/giu;
// Punctuation that ends a sentence rather than a link: "see https://x.org/a."
const TRAILING = /[.,;:!?'"\])}]+$/u;

/** Splits text into parts: { text } or { text, href } for a link. Concatenated, the texts give back the input. */
export function splitLinks(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = match[0].replace(TRAILING, '');
    const href = safeHref(candidate);
    if (!href) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: candidate, href });
    last = match.index + candidate.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function safeHref(candidate) {
  let url;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.href;
}
