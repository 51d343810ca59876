import { spawn } from 'node:child_process';
import { ErrorCode, KilnError } from '@kiln/api';

/**
 * Runs `command` in `cwd` with its output on `progress` (the terminal's stderr, for `kiln new`);
 * rejects with one line naming the command when it fails.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  progress: NodeJS.WritableStream,
): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(progress, { end: false });
    child.stderr.pipe(progress, { end: false });
    child.once('error', fail);
    child.once('close', (code) =>
      code === 0
        ? done()
        : fail(
            new KilnError(ErrorCode.Internal, `${command} ${args.join(' ')} exited with ${code}`),
          ),
    );
  });
}
