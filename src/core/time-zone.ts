/** Time zone names as hotsnap accepts them: in the config's `timezone` and in OnCalendar schedules. */

/**
 * Given a name, returns whether it is an IANA zone this Node knows; e.g. 'Europe/Berlin' → true,
 * 'Mars/Olympus' → false. Stricter than Intl alone: only systemd's zone characters
 * (letters first, then letters, digits, `_+-/`), because the zone also goes into OnCalendar
 * lines, and newer ICU accepts offsets such as "+01:00" that systemd and tzdata do not.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
