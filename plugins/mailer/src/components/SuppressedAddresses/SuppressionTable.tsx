import { SuppressedAddress } from '@elixeum/plugin-mailer-common';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { When } from '../DeliverySummary/When';
import { reasonText } from './reasonText';
import { scopeText } from './scopeText';

const useStyles = makeStyles({
  // A long address may break anywhere; words and dates stay whole.
  address: { overflowWrap: 'anywhere' },
  whole: { whiteSpace: 'nowrap' },
});

/**
 * One page of suppressed addresses: the address, what it no longer gets,
 * why, and since when; with a Remove button for who may manage them.
 */
export function SuppressionTable(props: {
  items: SuppressedAddress[];
  /** Set when the reader may remove addresses (and sees them whole). */
  onRemove?: (item: SuppressedAddress) => void;
}) {
  const { items, onRemove } = props;
  const classes = useStyles();
  return (
    <Table size="small" aria-label="Suppressed addresses">
      <TableHead>
        <TableRow>
          <TableCell>Address</TableCell>
          <TableCell>No more</TableCell>
          <TableCell>Why</TableCell>
          <TableCell>Since</TableCell>
          {onRemove && <TableCell aria-label="Actions" />}
        </TableRow>
      </TableHead>
      <TableBody>
        {items.map(item => (
          <TableRow key={`${item.address}\n${item.list ?? ''}`}>
            <TableCell className={classes.address}>{item.address}</TableCell>
            <TableCell>{scopeText(item)}</TableCell>
            <TableCell className={classes.whole}>
              {reasonText(item.reason)}
              {item.expiresAt && (
                <>
                  {' '}
                  (until <When iso={item.expiresAt} />)
                </>
              )}
            </TableCell>
            <TableCell className={classes.whole}>
              <When iso={item.since} />
            </TableCell>
            {onRemove && (
              <TableCell align="right" className={classes.whole}>
                <Button
                  size="small"
                  aria-label={`Remove ${item.address} (${scopeText(item)})`}
                  onClick={() => onRemove(item)}
                >
                  Remove
                </Button>
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
