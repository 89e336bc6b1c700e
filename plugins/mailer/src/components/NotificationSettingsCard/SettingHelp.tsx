import Typography from '@material-ui/core/Typography';
import { SettingKeyDefinition } from '@elixeum/plugin-mailer-common';
import { SettingKeyName } from './SettingKeyName';

/** The helper text shown when a secret is stored but, by design, never shown. */
export const STORED_SECRET_HINT = 'Stored — leave blank to keep';

/**
 * What is said under a field: what is wrong with it (when shown), whether a
 * secret is stored, and always the key's name and help text, so the fix a
 * message asks for can be found next to the field it names.
 */
export function SettingHelp(props: {
  definition: SettingKeyDefinition;
  problem?: string;
  storedSecret: boolean;
}) {
  const { definition, problem, storedSecret } = props;
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
      {storedSecret && (
        <Typography component="span" variant="inherit" display="block">
          {STORED_SECRET_HINT}
        </Typography>
      )}
      <Typography component="span" variant="inherit" display="block">
        <SettingKeyName name={definition.key} /> {definition.description}
      </Typography>
    </>
  );
}
