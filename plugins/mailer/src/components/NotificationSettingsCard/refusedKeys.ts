const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Which of `keys` a refusal from the server names, each with what it says
 * about it. The key the error body names (`namedKey`) gets the whole
 * message; otherwise the key names in the message count, as the server's
 * 400s name the keys they are about ("SMTP.Server must be …"). A message
 * naming several keys ("SMTP.Port …; SMTP.Server …") gives each key its own
 * part; a part that names no key belongs to the one before it.
 */
export function refusedKeys(
  message: string,
  keys: readonly string[],
  namedKey?: string,
): Record<string, string> {
  if (namedKey !== undefined && keys.includes(namedKey)) {
    return { [namedKey]: message };
  }
  const named = (part: string) =>
    keys.filter(key =>
      new RegExp(`(^|[^\\w.])${escape(key)}(?![\\w])`).test(part),
    );
  const groups: Array<{ keys: string[]; parts: string[] }> = [];
  for (const part of message.split('; ')) {
    const inPart = named(part);
    const last = groups[groups.length - 1];
    if (inPart.length === 0 && last) last.parts.push(part);
    else groups.push({ keys: inPart, parts: [part] });
  }
  const byKey: Record<string, string> = {};
  // One group for the whole message: every key it names gets all of it.
  for (const group of groups) {
    const text = groups.length === 1 ? message : group.parts.join('; ');
    for (const key of group.keys) byKey[key] ??= text;
  }
  return byKey;
}
