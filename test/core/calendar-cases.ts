/**
 * OnCalendar expressions with systemd 252's normalised form and first elapses after
 * 2024-03-01T00:00:00Z in UTC (taken from `systemd-analyze calendar --base-time`; the oracle
 * test re-checks them against systemd-analyze where it exists).
 */
export const BASE = '2024-03-01T00:00:00Z';

export interface ValidCase {
  text: string;
  normalised: string;
  /** The first elapses after BASE (ISO, UTC); [] for never. */
  elapses: string[];
}

/** Given '2024-03-01T00:01' (or with seconds), returns its ISO form in UTC. */
const at = (...times: string[]) =>
  times.map((time) => new Date(`${time}${time.length === 16 ? ':00' : ''}Z`).toISOString());

export const VALID: ValidCase[] = [
  {
    text: 'minutely',
    normalised: '*-*-* *:*:00',
    elapses: at('2024-03-01T00:01', '2024-03-01T00:02', '2024-03-01T00:03'),
  },
  {
    text: 'hourly',
    normalised: '*-*-* *:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-01T02:00', '2024-03-01T03:00'),
  },
  {
    text: 'daily',
    normalised: '*-*-* 00:00:00',
    elapses: at('2024-03-02T00:00', '2024-03-03T00:00', '2024-03-04T00:00'),
  },
  {
    text: 'Daily',
    normalised: '*-*-* 00:00:00',
    elapses: at('2024-03-02T00:00', '2024-03-03T00:00', '2024-03-04T00:00'),
  },
  {
    text: 'weekly',
    normalised: 'Mon *-*-* 00:00:00',
    elapses: at('2024-03-04T00:00', '2024-03-11T00:00', '2024-03-18T00:00'),
  },
  {
    text: 'monthly',
    normalised: '*-*-01 00:00:00',
    elapses: at('2024-04-01T00:00', '2024-05-01T00:00', '2024-06-01T00:00'),
  },
  {
    text: 'quarterly',
    normalised: '*-01,04,07,10-01 00:00:00',
    elapses: at('2024-04-01T00:00', '2024-07-01T00:00', '2024-10-01T00:00'),
  },
  {
    text: 'semiannually',
    normalised: '*-01,07-01 00:00:00',
    elapses: at('2024-07-01T00:00', '2025-01-01T00:00', '2025-07-01T00:00'),
  },
  {
    text: 'yearly',
    normalised: '*-01-01 00:00:00',
    elapses: at('2025-01-01T00:00', '2026-01-01T00:00', '2027-01-01T00:00'),
  },
  {
    text: 'annually',
    normalised: '*-01-01 00:00:00',
    elapses: at('2025-01-01T00:00', '2026-01-01T00:00', '2027-01-01T00:00'),
  },
  {
    text: 'Mon..Fri *-*-* 02:30',
    normalised: 'Mon..Fri *-*-* 02:30:00',
    elapses: at('2024-03-01T02:30', '2024-03-04T02:30', '2024-03-05T02:30'),
  },
  {
    text: 'Mon,Thu 04:00',
    normalised: 'Mon,Thu *-*-* 04:00:00',
    elapses: at('2024-03-04T04:00', '2024-03-07T04:00', '2024-03-11T04:00'),
  },
  {
    text: 'Mon *-*-* 03:00',
    normalised: 'Mon *-*-* 03:00:00',
    elapses: at('2024-03-04T03:00', '2024-03-11T03:00', '2024-03-18T03:00'),
  },
  {
    text: '*-*-* 02:30',
    normalised: '*-*-* 02:30:00',
    elapses: at('2024-03-01T02:30', '2024-03-02T02:30', '2024-03-03T02:30'),
  },
  {
    text: '*-*-1/10 4:0',
    normalised: '*-*-01/10 04:00:00',
    elapses: at('2024-03-01T04:00', '2024-03-11T04:00', '2024-03-21T04:00'),
  },
  {
    text: '*:0/15',
    normalised: '*-*-* *:00/15:00',
    elapses: at('2024-03-01T00:15', '2024-03-01T00:30', '2024-03-01T00:45'),
  },
  { text: '*:*', normalised: '*-*-* *:*:00', elapses: at('2024-03-01T00:01', '2024-03-01T00:02', '2024-03-01T00:03') },
  {
    text: 'Sat,Sun 9:00 Europe/Berlin',
    normalised: 'Sat,Sun *-*-* 09:00:00 Europe/Berlin',
    elapses: at('2024-03-02T08:00', '2024-03-03T08:00', '2024-03-09T08:00'),
  },
  {
    text: 'daily Europe/Berlin',
    normalised: '*-*-* 00:00:00 Europe/Berlin',
    elapses: at('2024-03-01T23:00', '2024-03-02T23:00', '2024-03-03T23:00'),
  },
  {
    text: 'Mon 3:00 UTC',
    normalised: 'Mon *-*-* 03:00:00 UTC',
    elapses: at('2024-03-04T03:00', '2024-03-11T03:00', '2024-03-18T03:00'),
  },
  {
    text: 'Mon,Tue,Wed 1:00',
    normalised: 'Mon..Wed *-*-* 01:00:00',
    elapses: at('2024-03-04T01:00', '2024-03-05T01:00', '2024-03-06T01:00'),
  },
  {
    text: 'Mon,Wed 1:00',
    normalised: 'Mon,Wed *-*-* 01:00:00',
    elapses: at('2024-03-04T01:00', '2024-03-06T01:00', '2024-03-11T01:00'),
  },
  {
    text: 'Sun,Mon 1:00',
    normalised: 'Mon,Sun *-*-* 01:00:00',
    elapses: at('2024-03-03T01:00', '2024-03-04T01:00', '2024-03-10T01:00'),
  },
  {
    text: 'Mon-Fri 1:00',
    normalised: 'Mon..Fri *-*-* 01:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-04T01:00', '2024-03-05T01:00'),
  },
  {
    text: 'Mon..Wed,Fri 1:00',
    normalised: 'Mon..Wed,Fri *-*-* 01:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-04T01:00', '2024-03-05T01:00'),
  },
  {
    text: 'Mon..Sun 1:00',
    normalised: '*-*-* 01:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-02T01:00', '2024-03-03T01:00'),
  },
  {
    text: 'Sat..Sun',
    normalised: 'Sat,Sun *-*-* 00:00:00',
    elapses: at('2024-03-02T00:00', '2024-03-03T00:00', '2024-03-09T00:00'),
  },
  {
    text: 'sunday 1:0',
    normalised: 'Sun *-*-* 01:00:00',
    elapses: at('2024-03-03T01:00', '2024-03-10T01:00', '2024-03-17T01:00'),
  },
  {
    text: 'MON  1:00',
    normalised: 'Mon *-*-* 01:00:00',
    elapses: at('2024-03-04T01:00', '2024-03-11T01:00', '2024-03-18T01:00'),
  },
  {
    text: '*-*-* 1,3,2:00',
    normalised: '*-*-* 01,02,03:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-01T02:00', '2024-03-01T03:00'),
  },
  {
    text: '1..3,5:00',
    normalised: '*-*-* 01..03,05:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-01T02:00', '2024-03-01T03:00'),
  },
  {
    text: '0/2:00',
    normalised: '*-*-* 00/2:00:00',
    elapses: at('2024-03-01T02:00', '2024-03-01T04:00', '2024-03-01T06:00'),
  },
  {
    text: '0..23/2:00',
    normalised: '*-*-* 00..22/2:00:00',
    elapses: at('2024-03-01T02:00', '2024-03-01T04:00', '2024-03-01T06:00'),
  },
  {
    text: '20/3:00',
    normalised: '*-*-* 20/3:00:00',
    elapses: at('2024-03-01T20:00', '2024-03-01T23:00', '2024-03-02T20:00'),
  },
  {
    text: '1..3/5:00',
    normalised: '*-*-* 01:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-02T01:00', '2024-03-03T01:00'),
  },
  {
    text: '2100..2199/50-1-1',
    normalised: '2100..2150/50-01-01 00:00:00',
    elapses: at('2100-01-01T00:00', '2150-01-01T00:00'),
  },
  {
    text: '*:*:5,0/1',
    normalised: '*-*-* *:*:*',
    elapses: at('2024-03-01T00:00:01', '2024-03-01T00:00:02', '2024-03-01T00:00:03'),
  },
  {
    text: '*-*-* 0..5/1,7:00',
    normalised: '*-*-* 00..05,07:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-01T02:00', '2024-03-01T03:00'),
  },
  {
    text: '*-*-* 1..5/2:00',
    normalised: '*-*-* 01..05/2:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-01T03:00', '2024-03-01T05:00'),
  },
  {
    text: '00..05/2,09:00',
    normalised: '*-*-* 00..04/2,09:00:00',
    elapses: at('2024-03-01T02:00', '2024-03-01T04:00', '2024-03-01T09:00'),
  },
  {
    text: '1..1:00',
    normalised: '*-*-* 01:00:00',
    elapses: at('2024-03-01T01:00', '2024-03-02T01:00', '2024-03-03T01:00'),
  },
  {
    text: '5:7',
    normalised: '*-*-* 05:07:00',
    elapses: at('2024-03-01T05:07', '2024-03-02T05:07', '2024-03-03T05:07'),
  },
  {
    text: '*-*-* 02:30:15',
    normalised: '*-*-* 02:30:15',
    elapses: at('2024-03-01T02:30:15', '2024-03-02T02:30:15', '2024-03-03T02:30:15'),
  },
  {
    text: '*-*-31 00:00',
    normalised: '*-*-31 00:00:00',
    elapses: at('2024-03-31T00:00', '2024-05-31T00:00', '2024-07-31T00:00'),
  },
  {
    text: '*-*-1,15 0:0',
    normalised: '*-*-01,15 00:00:00',
    elapses: at('2024-03-15T00:00', '2024-04-01T00:00', '2024-04-15T00:00'),
  },
  {
    text: '*-2-29',
    normalised: '*-02-29 00:00:00',
    elapses: at('2028-02-29T00:00', '2032-02-29T00:00', '2036-02-29T00:00'),
  },
  {
    text: 'Mon *-02-29',
    normalised: 'Mon *-02-29 00:00:00',
    elapses: at('2044-02-29T00:00', '2072-02-29T00:00', '2112-02-29T00:00'),
  },
  {
    text: 'Mon *-*-1 0:0',
    normalised: 'Mon *-*-01 00:00:00',
    elapses: at('2024-04-01T00:00', '2024-07-01T00:00', '2025-09-01T00:00'),
  },
  {
    text: '*-1..3-1',
    normalised: '*-01..03-01 00:00:00',
    elapses: at('2025-01-01T00:00', '2025-02-01T00:00', '2025-03-01T00:00'),
  },
  {
    text: '03-01',
    normalised: '*-03-01 00:00:00',
    elapses: at('2025-03-01T00:00', '2026-03-01T00:00', '2027-03-01T00:00'),
  },
  {
    text: '2024-*-*',
    normalised: '2024-*-* 00:00:00',
    elapses: at('2024-03-02T00:00', '2024-03-03T00:00', '2024-03-04T00:00'),
  },
  {
    text: '2024-*-01/2',
    normalised: '2024-*-01/2 00:00:00',
    elapses: at('2024-03-03T00:00', '2024-03-05T00:00', '2024-03-07T00:00'),
  },
  { text: '*-2-30', normalised: '*-02-30 00:00:00', elapses: [] },
  { text: '2024-03-01', normalised: '2024-03-01 00:00:00', elapses: [] },
  { text: '24-1-1', normalised: '2024-01-01 00:00:00', elapses: [] },
];

/** Expressions systemd also refuses, and those only hotsnap refuses (`hotsnapOnly`). */
export const INVALID: { text: string; message: RegExp; hotsnapOnly?: boolean }[] = [
  { text: '*/2:00', message: /^hour "\*\/2": use a number, a list a,b, a range a\.\.b or a repetition a\/n$/ },
  { text: '*:*/15', message: /^minute "\*\/15"/ },
  { text: 'Fri..Mon 1:00', message: /^weekday range Fri\.\.Mon runs backwards: weeks start on Monday/ },
  { text: 'Wed..Mon', message: /runs backwards/ },
  { text: '*-*-* 25:00', message: /^hour 25 is out of range 0\.\.23$/ },
  { text: '*-13-* 0:0', message: /^month 13 is out of range 1\.\.12$/ },
  { text: '*-*-0', message: /^day 0 is out of range 1\.\.31$/ },
  { text: '*-*-* 00:60', message: /^minute 60 is out of range 0\.\.59$/ },
  { text: '*-*-* 00:00:60', message: /^second 60 is out of range 0\.\.59$/ },
  { text: '3..1:00', message: /^hour range 3\.\.1 runs backwards$/ },
  { text: '*-*-* 1/0:00', message: /a repetition needs a step of at least 1/ },
  { text: '20/4:00', message: /^hour "20\/4" never repeats: 20\+4 is past 23/ },
  { text: '*-*-31/1', message: /^day "31\/1" never repeats/ },
  { text: '*:0:24..24', message: /^second range 24\.\.24: write 24 alone$/ },
  { text: '  daily ', message: /no leading or trailing spaces/ },
  { text: '', message: /is not a calendar expression/ },
  { text: '2 3', message: /^date "2": write YYYY-MM-DD or MM-DD/ },
  { text: 'Mon, Tue 1:00', message: /unknown time zone "Tue"|weekdays "Mon,"/ },
  { text: '1969-1-1', message: /^year 1969 is out of range 1970\.\.2199$/ },
  { text: '2200-1-1', message: /^year 2200 is out of range 1970\.\.2199$/ },
  { text: '1:00 Europe/Nowhere', message: /unknown time zone "Europe\/Nowhere"/ },
  { text: 'Someday 1:00', message: /unknown weekday "Someday"/ },
  { text: '*-*-* 1 :00', message: /cannot read/ },
  {
    text: '*-*~1',
    message: /"~" \(days counted from the end of the month\) is not supported by hotsnap/,
    hotsnapOnly: true,
  },
  { text: '*-*-* 02:30:15.5', message: /fractions of a second are not supported by hotsnap/, hotsnapOnly: true },
  { text: '@1234', message: /@timestamps run once/, hotsnapOnly: true },
];
