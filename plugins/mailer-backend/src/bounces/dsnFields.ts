/**
 * The fields of a `message/delivery-status` body (RFC 3464 §2.1): groups of
 * header-like fields separated by blank lines, the first about the message,
 * each other about one recipient. Names are in lower case; folded lines are
 * joined; a name seen twice in a group keeps its first value.
 */
export function readDsnFieldGroups(body: string): Array<Map<string, string>> {
  const groups: Array<Map<string, string>> = [];
  let group = new Map<string, string>();
  let last: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (group.size > 0) groups.push(group);
      group = new Map();
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && last !== undefined) {
      group.set(last, `${group.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (group.has(name)) {
      last = undefined;
      continue;
    }
    group.set(name, line.slice(colon + 1).trim());
    last = name;
  }
  if (group.size > 0) groups.push(group);
  return groups;
}

/**
 * The value of a typed field (`rfc822; ada@example.com`, `smtp; 550 …`,
 * `dns; mx.example.org`) without its type.
 */
export function typedValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  const bare = semicolon >= 0 ? value.slice(semicolon + 1) : value;
  return bare.trim() || undefined;
}
