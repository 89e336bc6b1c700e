import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  // Lines break between addresses, never inside one; an address wider than
  // the cell is cut with an ellipsis and read in full from its tooltip.
  address: {
    display: 'inline-block',
    maxWidth: '100%',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    verticalAlign: 'bottom',
  },
});

/** Mail addresses, comma separated, none of them broken across lines. */
export function Addresses(props: { addresses: string[] }) {
  const classes = useStyles();
  return (
    <>
      {props.addresses.map((address, i) => (
        <span key={i}>
          <span className={classes.address} title={address}>
            {address}
          </span>
          {i < props.addresses.length - 1 && ', '}
        </span>
      ))}
    </>
  );
}
