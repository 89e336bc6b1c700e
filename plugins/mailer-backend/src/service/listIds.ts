/** The list of a mailing whose caller is not known. */
const FALLBACK_LIST = 'bulk';

/**
 * The list a mailing goes to when its caller names none: the calling
 * plugin's id (`plugin:notifications` → `notifications`), or the name after
 * any other prefix, in lower case with anything a list id cannot hold made
 * a hyphen. The migration that introduced lists names older mailings so.
 */
export function defaultListOf(createdBy: string | undefined): string {
  const name = (createdBy ?? '').slice((createdBy ?? '').indexOf(':') + 1);
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || FALLBACK_LIST;
}
