import {
  hasLineBreak,
  MAX_SUBJECT_LENGTH,
} from '@elixeum/plugin-mailer-common';
import {
  escapeHtml,
  FIELD,
  MAX_PERSONALISED_LENGTH,
  valueOf,
} from '../delivery/personalise';

interface TemplateText {
  subject: string;
  text?: string;
  html?: string;
}

/** One part of a template: its length and, per field, how often and in how many characters it appears. */
interface PartFields {
  length: number;
  fields: Map<string, { count: number; characters: number }>;
}

function partFields(text: string | undefined): PartFields {
  const fields = new Map<string, { count: number; characters: number }>();
  for (const match of (text ?? '').matchAll(FIELD)) {
    const seen = fields.get(match[1]) ?? { count: 0, characters: 0 };
    seen.count += 1;
    seen.characters += match[0].length;
    fields.set(match[1], seen);
  }
  return { length: text?.length ?? 0, fields };
}

/** The length of a part once filled with these values, computed without filling it. */
function filledLength(
  part: PartFields,
  variables: Record<string, string>,
  escape: boolean,
): number {
  let length = part.length;
  for (const [name, { count, characters }] of part.fields) {
    const value = valueOf(variables, name);
    if (value === undefined) continue;
    length += count * (escape ? escapeHtml(value) : value).length - characters;
  }
  return length;
}

/**
 * How a bulk mailing's template uses its `{{fields}}`: enough to check a
 * recipient's values before they are queued, by the rules a message must
 * keep once personalised (a one-line subject of at most 998 characters, a
 * bounded size), without building the message.
 */
export class TemplateFields {
  private constructor(
    private readonly subject: PartFields,
    private readonly text: PartFields,
    private readonly html: PartFields,
  ) {}

  static of(template: TemplateText): TemplateFields {
    return new TemplateFields(
      partFields(template.subject),
      partFields(template.text),
      partFields(template.html),
    );
  }

  /** What is wrong with these values for this template; `field` names the recipient. */
  problemsOf(
    variables: Record<string, string> | undefined,
    field: string,
  ): string[] {
    if (!variables) return [];
    const problems: string[] = [];
    for (const name of this.subject.fields.keys()) {
      const value = valueOf(variables, name);
      if (value !== undefined && hasLineBreak(value)) {
        problems.push(
          `${field}.variables.${name} is used in the subject, which must be a single line`,
        );
      }
    }
    if (filledLength(this.subject, variables, false) > MAX_SUBJECT_LENGTH) {
      problems.push(
        `${field}.variables make the subject longer than ${MAX_SUBJECT_LENGTH} characters`,
      );
    }
    if (
      filledLength(this.text, variables, false) > MAX_PERSONALISED_LENGTH ||
      filledLength(this.html, variables, true) > MAX_PERSONALISED_LENGTH
    ) {
      problems.push(
        `${field}.variables make the message longer than ${MAX_PERSONALISED_LENGTH} characters`,
      );
    }
    return problems;
  }
}
