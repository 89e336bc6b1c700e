import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  findSettingKey,
  settingInputKind,
  settingKeyCatalog,
  SettingView,
} from '@elixeum/plugin-mailer-common';
import { SettingKeyName } from './SettingKeyName';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'minmax(10rem, max-content) 1fr',
    columnGap: theme.spacing(3),
    rowGap: theme.spacing(1.5),
    margin: theme.spacing(2, 0, 0),
  },
  term: { margin: 0 },
  value: { margin: 0, overflowWrap: 'anywhere' },
}));

/** A stored value as a reader sees it: secrets only as "set", PEM as what it holds. */
function shownValue(setting: SettingView): string {
  if (setting.secret) return 'set';
  const value = setting.value ?? '';
  const definition = findSettingKey(setting.key);
  if (definition && settingInputKind(definition) === 'multiline') {
    const blocks = value.match(/-----BEGIN [A-Z0-9 ]+-----/g)?.length ?? 0;
    return blocks === 1
      ? '1 certificate (PEM)'
      : `${blocks} certificates (PEM)`;
  }
  return value;
}

/**
 * The stored settings for someone who may read but not change them: a list
 * in full contrast, not a form of greyed-out fields they cannot use.
 */
export function ReadOnlySettings(props: { settings: SettingView[] }) {
  const classes = useStyles();
  // In the catalog's order, as the form shows them; keys it does not know last.
  const order = (key: string) => {
    const index = settingKeyCatalog.findIndex(d => d.key === key);
    return index < 0 ? settingKeyCatalog.length : index;
  };
  const known = props.settings
    .map(setting => ({ setting, definition: findSettingKey(setting.key) }))
    .sort((a, b) => order(a.setting.key) - order(b.setting.key));
  return (
    <dl className={classes.list}>
      {known.map(({ setting, definition }) => (
        <div key={setting.key} style={{ display: 'contents' }}>
          <dt className={classes.term}>
            <Typography variant="body2" component="span">
              {definition?.label ?? setting.key}
            </Typography>{' '}
            <SettingKeyName name={setting.key} />
          </dt>
          <dd className={classes.value}>
            <Typography variant="body1" component="span">
              {shownValue(setting)}
            </Typography>
          </dd>
        </div>
      ))}
    </dl>
  );
}
