/** The converted tarsnapper config as YAML: its notes atop the file, each profile marked with its job. */
import { Document, isMap, type YAMLMap } from 'yaml';
import { profileFieldsSchema } from '../config/schema.js';
import { descriptionOf } from './schema-docs.js';
import { commentTarsnapSection, type TarsnapSection } from './tarsnap-section.js';
import type { TarsnapperConversion } from './tarsnapper-convert.js';
import { asComment, commentKey, flowArgvLists, wrapComment } from './yaml-comments.js';

/** Given notes, returns them as a comment list: "- " then the note, wrapped with a hanging indent. */
function bulletLines(notes: readonly string[]): string[] {
  return notes.flatMap((note) => wrapComment(note, 86).map((line, index) => `${index === 0 ? '  - ' : '    '}${line}`));
}

/**
 * Given a conversion, the tarsnapper file it came from and the tarsnap section, returns the YAML:
 * the notes as comments at the top, each profile marked with its job. It passes parseConfig.
 * Example: `renderTarsnapperConfig(conversion, '/etc/tarsnapper.yml', section)` →
 * "# hotsnap configuration converted from …".
 */
export function renderTarsnapperConfig(
  conversion: TarsnapperConversion,
  source: string,
  tarsnap: TarsnapSection,
): string {
  const doc = new Document(conversion.config);
  doc.commentBefore = asComment([
    `hotsnap configuration converted from the tarsnapper config ${source}`,
    'by "hotsnap init --from-tarsnapper".',
    '',
    ...wrapComment(
      "Archive names stay tarsnapper's (target → archive_name, dateformat → date_format), so each profile " +
        "prunes the archives its job made, with the job's deltas; archives made under a job's alias are adopted.",
    ),
    '',
    'Review before the first run (not converted, or changed):',
    ...bulletLines(conversion.unconverted),
    '',
    'Then: hotsnap check; hotsnap run --dry-run; hotsnap schedule. All keys: hotsnap config schema.',
  ]);
  commentTarsnapSection(doc, tarsnap);
  const root = doc.contents as YAMLMap;
  if (conversion.config.defaults) {
    commentKey(
      root,
      'defaults',
      wrapComment(
        'Merged under every profile (the same in every tarsnapper job, or the exclude lines of tarsnap.conf).',
      ),
      true,
    );
  }
  commentKey(root, 'profiles', ['One profile per tarsnapper job.'], true);
  const profiles = doc.getIn(['profiles'], true);
  if (isMap(profiles)) {
    for (const [name, job] of Object.entries(conversion.origins)) {
      commentKey(profiles, name, [`From tarsnapper job "${job}".`]);
      const profile = profiles.get(name, true);
      if (!isMap(profile)) continue;
      commentKey(profile, 'hooks', [
        'exec_before → before, exec_after → finally; tarsnapper ran them through a shell.',
      ]);
      commentKey(
        profile,
        'sqlite',
        wrapComment(
          'Was copied by an "sqlite3 … .backup" hook for tarsnap; hotsnap hot-copies the live database itself (see the notes at the top).',
        ),
      );
      commentKey(profile, 'deltas', wrapComment(descriptionOf(profileFieldsSchema.shape.deltas)));
      commentKey(profile, 'adopt', ["Archives tarsnapper made under the job's aliases."]);
    }
  }
  flowArgvLists(doc);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
