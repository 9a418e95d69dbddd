/** One `bulwark` sub-command. Exit codes: 0 ok, 1 failed check/threshold, 2 usage or config error. */
export interface Command {
  /** e.g. `serve`, or `chaos run` for a nested command. */
  name: string;
  summary: string;
  /** Full `--help` text. */
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
