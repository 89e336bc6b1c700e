import {
  hasLineBreak,
  MAX_SUBJECT_LENGTH,
} from '@elixeum/plugin-mailer-common';
import {
  encodedAttachmentBytes,
  escapeHtml,
  FIELD,
  MAX_PERSONALISED_BYTES,
  valueOf,
} from '../delivery/personalise';

interface TemplateText {
  subject: string;
  text?: string;
  html?: string;
  attachments?: Array<{ content: unknown; encoding?: string }>;
}

/**
 * One part of a template: its size in characters and in UTF-8 bytes and,
 * per field, how often it appears and in how many characters and bytes.
 */
interface PartFields {
  characters: number;
  bytes: number;
  fields: Map<string, { count: number; characters: number; bytes: number }>;
}

function partFields(text: string | undefined): PartFields {
  const fields: PartFields['fields'] = new Map();
  for (const match of (text ?? '').matchAll(FIELD)) {
    const seen = fields.get(match[1]) ?? { count: 0, characters: 0, bytes: 0 };
    seen.count += 1;
    seen.characters += match[0].length;
    seen.bytes += Buffer.byteLength(match[0]);
    fields.set(match[1], seen);
  }
  return {
    characters: text?.length ?? 0,
    bytes: text ? Buffer.byteLength(text) : 0,
    fields,
  };
}

/** The size of a part once filled with these values (characters or UTF-8 bytes), computed without filling it. */
function filledSize(
  part: PartFields,
  variables: Record<string, string>,
  escape: boolean,
  unit: 'characters' | 'bytes',
): number {
  const sizeOf = (text: string) =>
    unit === 'bytes' ? Buffer.byteLength(text) : text.length;
  let size = part[unit];
  for (const [name, field] of part.fields) {
    const value = valueOf(variables, name);
    if (value === undefined) continue;
    size += field.count * sizeOf(escape ? escapeHtml(value) : value);
    size -= field[unit];
  }
  return size;
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
    /** The attachments' size in base64: the same for every recipient. */
    private readonly attachmentBytes: number,
  ) {}

  static of(template: TemplateText): TemplateFields {
    return new TemplateFields(
      partFields(template.subject),
      partFields(template.text),
      partFields(template.html),
      encodedAttachmentBytes(template.attachments),
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
    if (
      filledSize(this.subject, variables, false, 'characters') >
      MAX_SUBJECT_LENGTH
    ) {
      problems.push(
        `${field}.variables make the subject longer than ${MAX_SUBJECT_LENGTH} characters`,
      );
    }
    // The whole message in bytes, as delivery checks it once personalised.
    const bytes =
      filledSize(this.subject, variables, false, 'bytes') +
      filledSize(this.text, variables, false, 'bytes') +
      filledSize(this.html, variables, true, 'bytes') +
      this.attachmentBytes;
    if (bytes > MAX_PERSONALISED_BYTES) {
      problems.push(
        `${field}.variables make the message longer than ${MAX_PERSONALISED_BYTES} bytes (25 MB, attachments in base64 included)`,
      );
    }
    return problems;
  }
}
