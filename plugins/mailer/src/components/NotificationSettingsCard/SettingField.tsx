import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import DeleteIcon from '@material-ui/icons/Delete';
import { SettingField as Field } from './settingsForm';

/** The helper text shown when a secret is stored but, by design, never shown. */
export const STORED_SECRET_HINT = 'Stored — leave blank to keep';

/** One setting as a form field, with a button to remove it. */
export function SettingField(props: {
  field: Field;
  readOnly: boolean;
  onChange: (value: string) => void;
  onRemove: () => void;
}) {
  const { field, readOnly, onChange, onRemove } = props;
  const { definition, value, stored, mustReenter, problem } = field;
  const hint =
    definition.secret && stored ? STORED_SECRET_HINT : definition.description;
  const isChoice = definition.type === 'choice';

  return (
    <Box display="flex" alignItems="flex-start">
      <TextField
        id={`mailer-setting-${definition.key}`}
        label={definition.label}
        value={value}
        onChange={event => onChange(event.target.value)}
        type={definition.secret ? 'password' : 'text'}
        // Keeps browsers from filling in the user's own portal password.
        autoComplete={definition.secret ? 'new-password' : 'off'}
        disabled={readOnly}
        required={mustReenter}
        error={Boolean(problem)}
        helperText={problem ?? hint}
        select={isChoice}
        SelectProps={isChoice ? { native: true } : undefined}
        InputLabelProps={isChoice ? { shrink: true } : undefined}
        variant="outlined"
        margin="normal"
        fullWidth
      >
        {isChoice && <option value="" />}
        {definition.choices?.map(choice => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </TextField>
      {!readOnly && (
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
