// The sign-in token, kept for this tab only (sessionStorage): a reload does not ask for it again,
// and it is gone with the tab. Not in localStorage, where it would outlive the person's session.

const KEY = 'parley.token';

export function loadToken(storage) {
  try {
    const token = storage?.getItem(KEY);
    return typeof token === 'string' ? token : '';
  } catch {
    return ''; // storage blocked: as if nothing was saved
  }
}

/** Saves `token`, or forgets the saved one when it is ''. */
export function saveToken(storage, token) {
  try {
    if (token) storage?.setItem(KEY, token);
    else storage?.removeItem(KEY);
  } catch {
    // storage full or disabled: not remembered
  }
}
