/** Checks shared by every dialect: each file path unique, and none both a file and a directory. */
import { findDirectoryConflict } from '../output/path-rules.ts';
import type { IssueList } from './fields.ts';
import type { ObjectSpec } from './types.ts';

/**
 * Reports duplicate paths and file/directory conflicts across a plan's objects. `pathField` names
 * the field an object's path came from, so the message points at what the user wrote.
 */
export function checkPathSet(objects: readonly ObjectSpec[], issues: IssueList, pathField: (object: ObjectSpec) => string): void {
  const paths = objects.map((object) => object.path);
  const firstUse = new Map<string, ObjectSpec>();
  objects.forEach((object, index) => {
    const earlier = firstUse.get(object.path);
    if (earlier) {
      issues.add(pathField(object), `"${object.path}" is also the path of ${earlier.id}`);
      return;
    }
    firstUse.set(object.path, object);
    const conflict = findDirectoryConflict(paths, index);
    const other = objects[conflict];
    if (other) {
      issues.add(pathField(object), `"${object.path}" and "${other.path}" (${other.id}) would need one name to be both a file and a directory`);
    }
  });
}
