import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import ListItemText from '@material-ui/core/ListItemText';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import { makeStyles } from '@material-ui/core/styles';
import SettingsInputComponentIcon from '@material-ui/icons/SettingsInputComponent';
import { NotificationSettingsResponse } from '@elixeum/plugin-mailer-common';
import { useMemo, useState } from 'react';
import { offeredPresets, OfferedPreset } from './configuredPresets';
import { ProviderPresetDialog } from './ProviderPresetDialog';

const useStyles = makeStyles({
  item: { maxWidth: 480, whiteSpace: 'normal' },
});

/**
 * "Set up a server": a menu of providers; choosing one opens a form with
 * what the provider needs that only the tenant knows, and saves all of it
 * at once. Waits while the card has unsaved edits, which a save would lose.
 */
export function SetUpServerButton(props: {
  saved: NotificationSettingsResponse;
  /** The card has unsaved edits. */
  dirty: boolean;
  onSaved: (next: NotificationSettingsResponse, preset: string) => void;
}) {
  const { saved, dirty, onSaved } = props;
  const classes = useStyles();
  const config = useApi(configApiRef);
  const presets = useMemo(() => offeredPresets(config), [config]);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [chosen, setChosen] = useState<OfferedPreset>();

  return (
    <>
      {/* A disabled button shows no title; its wrapper does. */}
      <span title={dirty ? 'Save or undo your edits first' : undefined}>
        <Button
          aria-controls="mailer-set-up-server-menu"
          aria-haspopup="true"
          startIcon={<SettingsInputComponentIcon />}
          disabled={dirty}
          onClick={event => setAnchor(event.currentTarget)}
        >
          Set up a server
        </Button>
      </span>
      <Menu
        id="mailer-set-up-server-menu"
        anchorEl={anchor}
        open={Boolean(anchor)}
        onClose={() => setAnchor(null)}
      >
        {presets.map(offered => (
          <MenuItem
            key={offered.preset.id}
            className={classes.item}
            disabled={Boolean(offered.problem)}
            onClick={() => {
              setAnchor(null);
              setChosen(offered);
            }}
          >
            <ListItemText
              primary={offered.preset.title}
              secondary={
                offered.problem
                  ? `Not offered: ${offered.problem} (mailer.presets in app-config)`
                  : offered.preset.description
              }
            />
          </MenuItem>
        ))}
      </Menu>
      {chosen && (
        <ProviderPresetDialog
          offered={chosen}
          saved={saved}
          onClose={() => setChosen(undefined)}
          onSaved={next => {
            setChosen(undefined);
            onSaved(next, chosen.preset.title);
          }}
        />
      )}
    </>
  );
}
