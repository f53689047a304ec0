/**
 * The optional failure mail of systemd timers: a template unit `hotsnap-failure@.service` that
 * mails the failed unit's status and last journal lines. A hotsnap service starts it once
 * `OnFailure=hotsnap-failure@%n.service` is added (a drop-in); on_error hooks are the other way.
 */

/** The template's unit name. */
export const FAILURE_UNIT = 'hotsnap-failure@.service';

/** Given whether these are user units, returns the lines saying how to turn the failure mail on. */
export function failureMailLines(user: boolean): string[] {
  const systemctl = user ? 'systemctl --user' : 'systemctl';
  return [
    `to get a mail when a run fails (needs a "mail" command, e.g. from bsd-mailx or mailutils): ${systemctl} edit hotsnap-<profile>.service`,
    `  and add: [Unit] OnFailure=hotsnap-failure@%n.service  (or set hooks.on_error in the config)`,
  ];
}

/** Given whether it is a user unit and the header comment, returns the text of hotsnap-failure@.service. */
export function renderFailureUnit(user: boolean, header: string): string {
  const systemctl = user ? 'systemctl --user' : 'systemctl';
  return [
    header,
    '# Mails the failed unit (%i) its status and last log lines, to the user running it (%u, root for',
    '# system units). Unused until a service names it: systemctl edit hotsnap-<profile>.service, then',
    '# add: [Unit] OnFailure=hotsnap-failure@%n.service . Needs a "mail" command (bsd-mailx, mailutils).',
    '[Unit]',
    'Description=hotsnap failure mail for %i',
    '',
    '[Service]',
    'Type=oneshot',
    // $$ is a literal $ for systemd; %i, %H and %u are its specifiers (instance, host name, user).
    `ExecStart=/bin/sh -c '${systemctl} status --full --no-pager --lines=200 -- "$$1" 2>&1 | mail -s "hotsnap: $$1 failed on %H" %u' sh %i`,
    '',
  ].join('\n');
}
