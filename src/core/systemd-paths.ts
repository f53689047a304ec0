/**
 * Where systemd looks for unit files (systemd.unit(5), "Unit File Load Path"), and the commands
 * that make units written elsewhere (`schedule systemd --dir`) known to it.
 */
import { shellQuote } from './shell-quote.js';

/** Given whether these are user units, the home and runtime directories, returns where systemd reads units. */
export function unitSearchPaths(user: boolean, home: string, runtimeDir?: string): string[] {
  if (!user) {
    return [
      '/etc/systemd/system',
      '/run/systemd/system',
      '/usr/local/lib/systemd/system',
      '/usr/lib/systemd/system',
      '/lib/systemd/system',
    ];
  }
  return [
    `${home}/.config/systemd/user`,
    '/etc/systemd/user',
    ...(runtimeDir ? [`${runtimeDir}/systemd/user`] : []),
    '/run/systemd/user',
    `${home}/.local/share/systemd/user`,
    '/usr/local/lib/systemd/user',
    '/usr/lib/systemd/user',
  ];
}

/** The directory `schedule systemd --install` writes into when no --dir is given. */
export function defaultUnitDir(user: boolean, home: string): string {
  return user ? `${home}/.config/systemd/user` : '/etc/systemd/system';
}

/**
 * Given written unit files outside systemd's unit path, returns the commands that enable them:
 * copy into the default unit directory, reload, enable the timers; `systemctl link` as the
 * alternative. Example: (['/tmp/u/hotsnap-db.service', '/tmp/u/hotsnap-db.timer'], …) → lines.
 */
export function enableElsewhereLines(
  dir: string,
  paths: readonly string[],
  timers: readonly string[],
  user: boolean,
  home: string,
): string[] {
  const systemctl = user ? 'systemctl --user' : 'systemctl';
  const files = paths.map(shellQuote).join(' ');
  const target = defaultUnitDir(user, home);
  return [
    `${dir} is not a directory systemd reads units from; to enable them${user ? '' : ' (as root)'}, copy them into ${target}:`,
    `  ${user ? `mkdir -p ${shellQuote(target)} && ` : ''}cp ${files} ${shellQuote(target)}/`,
    `  ${systemctl} daemon-reload`,
    `  ${systemctl} enable --now ${timers.join(' ')}`,
    `or keep them in ${dir} (it must then stay there and be mounted at boot) and run "${systemctl} link ${files}" instead of cp.`,
  ];
}
