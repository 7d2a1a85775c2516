/** Checks shared by every dialect: each file path unique, and none both a file and a directory; linear in the number of files. */
import { directoryConflicts } from '../output/path-rules.ts';
import type { IssueList } from './fields.ts';

/** A planned file: an object or a template, as far as path checks care. */
export interface PlannedPath {
  readonly id: string;
  readonly path: string;
}

/**
 * Reports duplicate paths and file/directory conflicts across a plan's files. `pathField` names the
 * field a file's path came from, so the message points at what the user wrote.
 */
export function checkPathSet<T extends PlannedPath>(files: readonly T[], issues: IssueList, pathField: (file: T) => string): void {
  const conflicts = directoryConflicts(files.map((file) => file.path));
  const firstUse = new Map<string, T>();
  files.forEach((file, index) => {
    const earlier = firstUse.get(file.path);
    if (earlier) {
      issues.add(pathField(file), `"${file.path}" is also the path of ${earlier.id}`);
      return;
    }
    firstUse.set(file.path, file);
    const other = files[conflicts.get(index) ?? -1];
    if (other) issues.add(pathField(file), `"${file.path}" and "${other.path}" (${other.id}) would need one name to be both a file and a directory`);
  });
}
