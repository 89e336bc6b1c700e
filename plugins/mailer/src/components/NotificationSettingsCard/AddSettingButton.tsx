import Button from '@material-ui/core/Button';
import ListItemText from '@material-ui/core/ListItemText';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import { makeStyles } from '@material-ui/core/styles';
import AddIcon from '@material-ui/icons/Add';
import { SettingKeyDefinition } from '@elixeum/plugin-mailer-common';
import { useState } from 'react';
import { SettingKeyName } from './SettingKeyName';

const useStyles = makeStyles({
  item: { maxWidth: 520, whiteSpace: 'normal', alignItems: 'flex-start' },
  // Two lines of help are enough to choose; the field shows all of it.
  help: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
});

/**
 * The card's Add button: a menu of the keys that are not in the form yet,
 * each with its label, its name (as the docs write it) and its help text.
 */
export function AddSettingButton(props: {
  definitions: SettingKeyDefinition[];
  onAdd: (key: string) => void;
}) {
  const { definitions, onAdd } = props;
  const classes = useStyles();
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
        {definitions.map(definition => {
          const id = `mailer-add-${definition.key}`;
          return (
            <MenuItem
              key={definition.key}
              className={classes.item}
              // The item is named by its label alone; name and help describe it.
              aria-labelledby={`${id}-label`}
              aria-describedby={`${id}-help`}
              onClick={() => {
                setAnchor(null);
                onAdd(definition.key);
              }}
            >
              <ListItemText
                primary={
                  <>
                    <span id={`${id}-label`}>{definition.label}</span>{' '}
                    <SettingKeyName name={definition.key} />
                  </>
                }
                secondary={definition.description}
                secondaryTypographyProps={{
                  id: `${id}-help`,
                  className: classes.help,
                }}
              />
            </MenuItem>
          );
        })}
      </Menu>
    </>
  );
}
