import Button from '@material-ui/core/Button';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import AddIcon from '@material-ui/icons/Add';
import { SettingKeyDefinition } from '@elixeum/plugin-mailer-common';
import { useState } from 'react';

/** The card's Add button: a menu of the keys that are not in the form yet. */
export function AddSettingButton(props: {
  definitions: SettingKeyDefinition[];
  onAdd: (key: string) => void;
}) {
  const { definitions, onAdd } = props;
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);

  return (
    <>
      <Button
        aria-controls="mailer-add-setting-menu"
        aria-haspopup="true"
        startIcon={<AddIcon />}
        disabled={definitions.length === 0}
        onClick={event => setAnchor(event.currentTarget)}
      >
        Add
      </Button>
      <Menu
        id="mailer-add-setting-menu"
        anchorEl={anchor}
        open={Boolean(anchor)}
        onClose={() => setAnchor(null)}
        keepMounted={false}
      >
        {definitions.map(definition => (
          <MenuItem
            key={definition.key}
            onClick={() => {
              setAnchor(null);
              onAdd(definition.key);
            }}
          >
            {definition.label}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
