/** The shapes of a Mount's output: its files and their object versions. */

/** One file of the mount. */
export interface MountFile {
  readonly path: string;
  readonly mode: number;
  readonly contents: Uint8Array;
}

/** One entry of the driver's object versions. */
export interface ObjectVersion {
  readonly id: string;
  readonly version: string;
}

/** The files of a Mount and their versions. */
export interface MountOutput {
  readonly files: readonly MountFile[];
  readonly versions: readonly ObjectVersion[];
  /** Optional objects that were missing and skipped, by id. */
  readonly skipped: readonly string[];
}
