import TextField from '@material-ui/core/TextField';
import { useState } from 'react';

/**
 * Where the test email goes. Wide enough for a normal address, and with a
 * line always kept for its error, so the buttons beside it never move.
 */
export function TestRecipientField(props: {
  value: string;
  /** What is wrong with the address, shown once the user has left the field. */
  problem?: string;
  onChange: (value: string) => void;
}) {
  const { value, problem, onChange } = props;
  const [left, setLeft] = useState(false);
  const shown = left ? problem : undefined;
  return (
    <TextField
      id="mailer-test-recipient"
      label="Test email address"
      type="email"
      value={value}
      onChange={event => onChange(event.target.value)}
      onBlur={() => setLeft(value !== '')}
      error={Boolean(shown)}
      // A blank line while there is no error keeps the height the same.
      helperText={shown ?? ' '}
      size="small"
      variant="outlined"
      margin="normal"
      style={{ width: '34ch', maxWidth: '100%' }}
    />
  );
}
