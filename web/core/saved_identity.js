// The name and age last connected with, so a reload only needs Connect (localStorage).

const KEY = 'parley.identity';

export function loadIdentity(storage) {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? 'null');
    if (saved && typeof saved.name === 'string' && typeof saved.age === 'string') return saved;
  } catch {
    // unreadable: as if nothing was saved
  }
  return { name: '', age: '' };
}

export function saveIdentity(storage, { name, age }) {
  try {
    storage?.setItem(KEY, JSON.stringify({ name, age }));
  } catch {
    // storage full or disabled: not remembered
  }
}
