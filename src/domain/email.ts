/**
 * An e-mail address as rtseq accepts one for a link's organiser (issue 21, item 8): shown on the
 * page as a `mailto:` link, so nothing that means something in a URL may be in it (`?`, `&`, `=`,
 * `#`, `%`, `/`, spaces, quotes, angle brackets, …), only what ordinary addresses use. A local
 * part of letters, digits and `. _ + -` (no leading, trailing or double dot) and a domain of at
 * least two labels of letters, digits and inner hyphens, the last one of letters: a subset of
 * RFC 5321 that every real mailbox the page needs to show fits.
 */
const LOCAL = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  return (
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    /^[A-Za-z]{2,63}$/.test(labels.at(-1)!)
  );
}
