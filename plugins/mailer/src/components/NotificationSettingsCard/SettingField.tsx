import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import DeleteIcon from '@material-ui/icons/Delete';
import { settingInputKind } from '@elixeum/plugin-mailer-common';
import { SettingHelp, storedSecretHint } from './SettingHelp';
import { SettingField as Field } from './settingsForm';

/**
 * One setting as a form field, with a button to remove it. PEM keys get a
 * text area: an `<input>` drops the line breaks PEM cannot do without.
 */
export function SettingField(props: {
  field: Field;
  /** Whether the field's problem is shown yet (see useProblemVisibility). */
  showProblem: boolean;
  /** What the server said when it refused this key's value, shown until it changes. */
  refusal?: string;
  onChange: (value: string) => void;
  onBlur: () => void;
  /** Without it the field cannot be removed (e.g. a question of a provider). */
  onRemove?: () => void;
  /** The field's label, where it is not the catalog's (e.g. "AWS region"). */
  label?: string;
  /** What to enter here in particular (e.g. for one provider), above the key's help. */
  hint?: string;
  /** The input's id; the card's own by default. */
  id?: string;
}) {
  const { field, showProblem, refusal, onChange, onBlur, onRemove } = props;
  const { definition, value, mustReenter, problem } = field;
  const kind = settingInputKind(definition);
  // The user must act on a stored secret that no longer fits, whether typed in or not.
  const shownProblem =
    refusal ?? (showProblem || mustReenter ? problem : undefined);
  const choices = definition.choices ?? [];

  return (
    <Box display="flex" alignItems="flex-start">
      <TextField
        id={props.id ?? `mailer-setting-${definition.key}`}
        label={props.label ?? definition.label}
        value={value}
        onChange={event => onChange(event.target.value)}
        onBlur={onBlur}
        // A text area cannot hide what is typed; a stored secret is never put in it either way.
        type={definition.secret && kind === 'line' ? 'password' : 'text'}
        // Keeps browsers from filling in the user's own portal password.
        autoComplete={definition.secret ? 'new-password' : 'off'}
        required={mustReenter}
        error={Boolean(shownProblem)}
        helperText={
          <SettingHelp
            definition={definition}
            problem={shownProblem}
            storedSecret={storedSecretHint(field)}
            hint={props.hint}
          />
        }
        // The help text keeps its own colour next to an error.
        FormHelperTextProps={{ error: false }}
        inputProps={{
          // Spell checkers may send what is typed to a cloud service.
          spellCheck:
            definition.secret || kind === 'multiline' ? false : undefined,
          style: kind === 'multiline' ? { fontFamily: 'monospace' } : undefined,
        }}
        multiline={kind === 'multiline'}
        minRows={kind === 'multiline' ? 4 : undefined}
        maxRows={kind === 'multiline' ? 14 : undefined}
        select={kind === 'choice'}
        SelectProps={kind === 'choice' ? { native: true } : undefined}
        InputLabelProps={kind === 'choice' ? { shrink: true } : undefined}
        variant="outlined"
        margin="normal"
        fullWidth
      >
        {kind === 'choice' && !choices.includes(value) && (
          <option value="">Choose…</option>
        )}
        {choices.map(choice => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </TextField>
      {onRemove && (
        <Box mt={3} ml={1}>
          <IconButton
            aria-label={`Remove ${definition.label}`}
            onClick={onRemove}
          >
            <DeleteIcon />
          </IconButton>
        </Box>
      )}
    </Box>
  );
}
