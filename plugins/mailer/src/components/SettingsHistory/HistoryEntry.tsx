import { SettingsHistoryEntry } from '@elixeum/plugin-mailer-common';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { Fragment } from 'react';
import { reasonText } from '../SuppressedAddresses/reasonText';
import { scopeText } from '../SuppressedAddresses/scopeText';
import { actorName, keyLabel, outcomeText, timeAgo } from './historyText';

// Backstage's theme cuts dense list text to one line; a change may name
// many keys, so its line wraps (inline: the theme's rule cannot outweigh it).
const WRAP = {
  whiteSpace: 'normal',
  overflow: 'visible',
  overflowWrap: 'anywhere',
} as const;

/** A key as its name, with the catalog's label beside it. */
function KeyName(props: { settingKey: string }) {
  const label = keyLabel(props.settingKey);
  return (
    <>
      <code>{props.settingKey}</code>
      {label && ` (${label})`}
    </>
  );
}

function KeyList(props: { verb: string; keys: string[] }) {
  if (props.keys.length === 0) return null;
  return (
    <div>
      {props.verb}{' '}
      {props.keys.map((key, index) => (
        <Fragment key={key}>
          {index > 0 && ', '}
          <KeyName settingKey={key} />
        </Fragment>
      ))}
    </div>
  );
}

/** What one line of history says: the keys, or the test's server and outcome. */
function What(props: { entry: SettingsHistoryEntry }) {
  const { entry } = props;
  if (entry.kind === 'suppression-removed') {
    return (
      <>
        Took {entry.address} off the suppression list ({scopeText(entry)},{' '}
        {reasonText(entry.reason)}): {scopeText(entry)} goes to it again
      </>
    );
  }
  if (entry.kind === 'connection-test') {
    const sent = entry.messageSent ? ', test message sent' : '';
    return (
      <>
        Tested the connection to {entry.host}:{entry.port}:{' '}
        {outcomeText(entry.outcome)}
        {sent}
      </>
    );
  }
  return (
    <>
      <KeyList verb="Added" keys={entry.added} />
      <KeyList verb="Changed" keys={entry.changed} />
      <KeyList verb="Removed" keys={entry.removed} />
    </>
  );
}

/** One change or connection test: what, who, and how long ago. */
export function HistoryEntry(props: { entry: SettingsHistoryEntry }) {
  const { entry } = props;
  return (
    <ListItem divider disableGutters>
      <ListItemText
        style={WRAP}
        primary={<What entry={entry} />}
        primaryTypographyProps={{ component: 'div' }}
        secondary={
          <>
            {entry.actor ? (
              <span title={entry.actor}>{actorName(entry.actor)}</span>
            ) : (
              'The portal'
            )}
            {' · '}
            <time dateTime={entry.at} title={entry.at}>
              {timeAgo(entry.at)}
            </time>
          </>
        }
      />
    </ListItem>
  );
}
