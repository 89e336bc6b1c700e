import Alert from '@material-ui/lab/Alert';
import { SaveState } from './useSettingsEditor';

/**
 * The one place a refused save or connection test is shown. When the
 * refusal names fields of the form, it is shown under them and only pointed
 * at here, so the same words are not read twice.
 */
export function RefusalNotice(props: {
  save: SaveState;
  /** The fields the refusal names, which show it themselves. */
  refusedKeys: string[];
}) {
  const { save, refusedKeys } = props;
  if (save.status !== 'failed') return null;
  const what = save.during === 'save' ? 'Not saved' : 'Not tested';
  if (refusedKeys.length === 0) {
    return <Alert severity="error">{save.message}</Alert>;
  }
  return (
    <Alert severity="error">
      {what}: the server refused {refusedKeys.join(', ')}. See the marked{' '}
      {refusedKeys.length === 1 ? 'field' : 'fields'}.
    </Alert>
  );
}
