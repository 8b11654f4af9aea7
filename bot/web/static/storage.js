// What the chat keeps in the browser across reloads: the chosen language, unsent messages.

export const storage = {
  // Storage can be missing or refused (third-party iframes, privacy modes): the chat still works.
  get(area, key) {
    try {
      return window[area].getItem(key);
    } catch {
      return null;
    }
  },
  set(area, key, value) {
    try {
      window[area].setItem(key, value);
    } catch {
      /* kept in memory only */
    }
  },
};
