import Typography from '@material-ui/core/Typography';
import { SettingKeyDefinition } from '@elixeum/plugin-mailer-common';
import { SettingKeyName } from './SettingKeyName';

/** The helper text shown when a secret is stored but, by design, never shown. */
const STORED_SECRET_HINT = 'Stored — leave blank to keep';

/** What is said about a stored secret under its field, or undefined when none is stored. */
export function storedSecretHint(field: {
  definition: SettingKeyDefinition;
  stored: boolean;
  removedOnSave: boolean;
  missingKeyId?: string;
}): string | undefined {
  if (!field.definition.secret || !field.stored) return undefined;
  // Leaving it blank keeps nothing here: the save removes it.
  if (field.removedOnSave) {
    return 'Stored — removed when you save: the new login method does not use it';
  }
  // Keeping it would keep a secret the portal cannot read.
  if (field.missingKeyId !== undefined) {
    return `Stored, but unreadable: encryption key "${field.missingKeyId}" is missing — enter it again`;
  }
  return STORED_SECRET_HINT;
}

/**
 * What is said under a field: what is wrong with it (when shown), what
 * becomes of a stored secret, and always the key's name and help text, so
 * the fix a message asks for can be found next to the field it names.
 */
export function SettingHelp(props: {
  definition: SettingKeyDefinition;
  problem?: string;
  /** What becomes of a stored secret (see storedSecretHint). */
  storedSecret?: string;
  /** What to enter here in particular, e.g. for one provider. */
  hint?: string;
}) {
  const { definition, problem, storedSecret, hint } = props;
  return (
    <>
      {problem && (
        <Typography
          component="span"
          variant="inherit"
          color="error"
          display="block"
        >
          {problem}
        </Typography>
      )}
      {hint && (
        <Typography component="span" variant="inherit" display="block">
          {hint}
        </Typography>
      )}
      {storedSecret && (
        <Typography component="span" variant="inherit" display="block">
          {storedSecret}
        </Typography>
      )}
      <Typography component="span" variant="inherit" display="block">
        <SettingKeyName name={definition.key} /> {definition.description}
      </Typography>
    </>
  );
}
