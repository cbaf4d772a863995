import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLinks } from '../../../web/core/links.js';

test('http and https links are found, the rest stays text', () => {
  assert.deepEqual(splitLinks('see https://example.org/a?b=1 and http://x.test'), [
    { text: 'see ' },
    { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
    { text: ' and ' },
    { text: 'http://x.test', href: 'http://x.test/' },
  ]);
});

test('other schemes are never links', () => {
  for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.org/', 'JAVASCRIPT://x%0aalert(1)']) {
    assert.deepEqual(splitLinks(text), [{ text }]);
  }
});

test('sentence punctuation after a link is not part of it', () => {
  assert.deepEqual(splitLinks('(https://example.org/x).'), [
    { text: '(' }, { text: 'https://example.org/x', href: 'https://example.org/x' }, { text: ').' },
  ]);
});

test('the parts give back the text', () => {
  const text = 'a https://a.b/c, b "http://d.e/" <https://f.g>';
  assert.equal(splitLinks(text).map((p) => p.text).join(''), text);
});
