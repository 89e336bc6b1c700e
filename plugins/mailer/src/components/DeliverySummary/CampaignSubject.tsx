import { CampaignKind } from '@elixeum/plugin-mailer-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

// `{{ name }}` as the personalisation writes it.
const FIELD = /(\{\{\s*[^{}\s]+\s*\}\})/;

const useStyles = makeStyles(theme => ({
  field: {
    fontFamily: 'monospace',
    color: theme.palette.text.secondary,
  },
  chip: { marginLeft: theme.spacing(1), verticalAlign: 'middle' },
}));

/** Whether a subject has personalised fields: each recipient got their own. */
export function isTemplate(subject: string): boolean {
  return FIELD.test(subject);
}

/**
 * A campaign's subject as its recipients' subjects came from it: a bulk
 * subject with `{{name}}` fields is a template (its fields set apart and a
 * "template" chip), a test email from the settings card says so.
 */
export function CampaignSubject(props: {
  subject: string;
  kind: CampaignKind;
}) {
  const classes = useStyles();
  const { subject, kind } = props;
  const template = kind === 'bulk' && isTemplate(subject);
  return (
    <>
      {subject === ''
        ? '(no subject)'
        : subject.split(FIELD).map((part, i) =>
            // split() with a group puts the fields at the odd places.
            template && i % 2 === 1 ? (
              <span key={i} className={classes.field}>
                {part}
              </span>
            ) : (
              part
            ),
          )}
      {template && (
        <Chip
          size="small"
          variant="outlined"
          label="template"
          title="Each recipient got this subject with their own values for the fields"
          className={classes.chip}
        />
      )}
      {kind === 'test' && (
        <Chip
          size="small"
          variant="outlined"
          label="test email"
          title="Sent from the notification settings, to check the connection"
          className={classes.chip}
        />
      )}
    </>
  );
}
