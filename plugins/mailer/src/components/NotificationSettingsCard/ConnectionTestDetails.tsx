import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { ConnectionTestResult, SmtpReply } from '@elixeum/plugin-mailer-common';
import { useState } from 'react';

/**
 * The codes behind a test result, for whoever reports a problem to an
 * administrator: the outcome, the TLS reason, the reply exactly as the
 * server sent it, and nodemailer's own code when the backend passes it on.
 */
export function ConnectionTestDetails(props: { result: ConnectionTestResult }) {
  const { outcome, tlsProblem } = props.result;
  // A backend that passes on nodemailer's code (EAUTH, ETLS) sends it with the reply.
  const reply = props.result.reply as SmtpReply | undefined;
  const [open, setOpen] = useState(false);
  const rows: Array<[string, string | number | undefined]> = [
    ['Outcome', outcome],
    ['TLS problem', tlsProblem],
    ['Error code', reply?.code],
    ['Reply code', reply?.responseCode],
    ['Reply', reply?.response],
  ];
  return (
    <Box mt={1}>
      <Button
        size="small"
        aria-expanded={open}
        aria-controls={open ? 'mailer-test-details' : undefined}
        onClick={() => setOpen(!open)}
      >
        Details
      </Button>
      {open && (
        <Box component="dl" id="mailer-test-details" m={0}>
          {rows
            .filter(([, value]) => value !== undefined && value !== '')
            .map(([name, value]) => (
              <Typography key={name} variant="body2" component="div">
                <Box
                  component="dt"
                  display="inline"
                  fontWeight="fontWeightBold"
                >
                  {name}:
                </Box>{' '}
                <Box
                  component="dd"
                  display="inline"
                  m={0}
                  fontFamily="monospace"
                  whiteSpace="pre-wrap"
                >
                  {value}
                </Box>
              </Typography>
            ))}
        </Box>
      )}
    </Box>
  );
}
