import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { findSettingKey } from '@elixeum/plugin-mailer-common';
import { SettingKeyName } from '../NotificationSettingsCard/SettingKeyName';

/** The values a provider fills in, each with its label and key. */
export function PresetValues(props: { values: Array<[string, string]> }) {
  if (props.values.length === 0) return null;
  return (
    <>
      <Typography variant="subtitle2">Filled in for you</Typography>
      <Table size="small" aria-label="Filled in for you">
        <TableBody>
          {props.values.map(([key, value]) => (
            <TableRow key={key}>
              <TableCell component="th" scope="row">
                {findSettingKey(key)?.label ?? key}{' '}
                <SettingKeyName name={key} />
              </TableCell>
              <TableCell>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
