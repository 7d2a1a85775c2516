/** Reads the Dockerfile into stages and instructions, so tests can replay and check what the image does. */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** One instruction, continuation lines joined, with COPY's `--from` split off. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** A `FROM ... AS name` stage and what it runs. */
export interface Stage {
  readonly name: string;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

/** A COPY as the image build sees it: sources from the context or from another stage's filesystem. */
export interface CopyStep {
  readonly stage: string;
  readonly from?: string;
  readonly sources: readonly string[];
  readonly destination: string;
}

/** Parses Dockerfile text; ARG defaults declared before the first FROM are substituted into FROM lines. */
export function parseDockerfile(text: string): Stage[] {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: Array<{ name: string; image: string; instructions: Instruction[] }> = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [image = '', , name] = args.replace(/\$\{(\w+)\}/g, (_, key: string) => globalArgs.get(key) ?? '').split(/\s+/);
      stages.push({ name: name ?? String(stages.length), image, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [key = '', value = ''] = args.split('=');
      globalArgs.set(key, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

/** Reads and parses the Dockerfile at `path`. */
export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** Every COPY of every stage. */
export function copySteps(stages: readonly Stage[]): CopyStep[] {
  return stages.flatMap((stage) =>
    stage.instructions
      .filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => {
        const words = instruction.args.split(/\s+/);
        const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((word) => !word.startsWith('--'));
        return { stage: stage.name, ...(from === undefined ? {} : { from }), sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
      }),
  );
}

/** The stage's working directory (last WORKDIR), '/' if none. */
export function workdirOf(stage: Stage): string {
  return stage.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args ?? '/';
}

/** The stage's RUN commands, in order. */
export function runCommands(stage: Stage): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args);
}

/** The last value of an instruction in a stage (USER, ENTRYPOINT). */
export function lastOf(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;
}

/**
 * Where a `COPY --from=<stage>` source lives in the repository after a local build: its path
 * relative to the stage's WORKDIR (the build stage compiles /src/dist, the repository's dist/).
 */
export function repositoryPathOf(stage: Stage, source: string): string {
  return posix.relative(workdirOf(stage), posix.resolve(workdirOf(stage), source));
}

/** True when `.dockerignore` patterns (the simple forms Courier uses) keep `path` out of the context. */
export function isIgnored(path: string, patterns: readonly string[]): boolean {
  const segments = path.split('/');
  return patterns.some((pattern) => {
    if (pattern.startsWith('**/')) return segments.includes(pattern.slice(3));
    if (pattern.startsWith('*.')) return path.endsWith(pattern.slice(1)) && !path.includes('/');
    return path === pattern || path.startsWith(`${pattern}/`);
  });
}

/** The patterns of a `.dockerignore` file. */
export function readDockerignore(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** Where a stage's WORKDIR lives when a build is replayed without Docker. */
export type StageDirs = ReadonlyMap<string, string>;

/**
 * The files a COPY step puts where, as [from, to] pairs of real paths: context sources come from
 * `root`, `--from` sources from that stage's replay directory; `./` destinations are the stage's own.
 */
export function copyPairs(step: CopyStep, stages: readonly Stage[], root: string, dirs: StageDirs): Array<[string, string]> {
  const into = dirs.get(step.stage) ?? '';
  const source = (path: string): string => {
    if (step.from === undefined) return posix.join(root, path);
    const from = stages.find((stage) => stage.name === step.from);
    return posix.join(dirs.get(step.from) ?? '', from ? repositoryPathOf(from, path) : path);
  };
  const toDir = step.destination.endsWith('/') || step.sources.length > 1;
  return step.sources.map((path) => [source(path), toDir ? posix.join(into, step.destination, posix.basename(path)) : posix.join(into, step.destination)]);
}
