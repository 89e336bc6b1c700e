import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  key: {
    fontFamily: 'monospace',
    fontSize: '0.95em',
    padding: '0 4px',
    borderRadius: 3,
    backgroundColor: theme.palette.action.hover,
    color: theme.palette.text.primary,
    whiteSpace: 'nowrap',
  },
}));

/** A key's name as the README and the error messages write it, e.g. SMTP.Server. */
export function SettingKeyName(props: { name: string }) {
  const classes = useStyles();
  return <code className={classes.key}>{props.name}</code>;
}
