import type { DownloadProgress } from '@kiln/client';
import { Command } from 'commander';
import { basename } from 'node:path';
import { cliContext, openContainer } from '../cli-context.js';
import type { CliEnvironment } from '../cli-environment.js';
import { formatBytes } from '../output/format.js';
import { transferProgress, type TransferProgress } from '../progress/transfer-progress.js';

/** `kiln download <container> <artifact> [dest]`: the data, checked against its digest. */
export function createDownloadCommand(env: CliEnvironment): Command {
  return new Command('download')
    .description(
      "download an artifact's data: one file, or several unpacked into a folder; checks the digest",
    )
    .argument('<container>', 'container name (through the gateway) or URL')
    .argument('<artifact>', 'artifact (or run) name')
    .argument(
      '[dest]',
      "file or folder to write (default: the file's name, or a folder named after the artifact)",
    )
    .action(
      async (
        container: string,
        artifact: string,
        dest: string | undefined,
        _options: unknown,
        command: Command,
      ) => {
        const context = cliContext(command, env);
        const { client, label } = await openContainer(context, container);
        const record = await client.get(artifact);
        const only = record.files.length === 1 ? record.files[0] : undefined;
        const target = dest ?? (only ? basename(only.path) : artifact);
        const phases = new Map<string, TransferProgress>();
        const onProgress = (p: DownloadProgress): void => {
          let bar = phases.get(p.phase);
          if (!bar) {
            for (const other of phases.values()) other.stop();
            bar = transferProgress(context.out, `${label}/${artifact}: ${p.phase}`);
            phases.set(p.phase, bar);
          }
          bar.update(p.transferred, p.total);
        };
        let result;
        try {
          result = await client.download(artifact, target, { onProgress });
        } catch (error) {
          [...phases.values()].at(-1)?.stop(true);
          throw error;
        }
        [...phases.values()].at(-1)?.stop();
        if (context.out.json) {
          context.out.result(result);
          return;
        }
        const bytes = result.files.reduce((sum, file) => sum + file.size, 0);
        const what =
          result.kind === 'file'
            ? formatBytes(bytes)
            : `${result.files.length} files, ${formatBytes(bytes)}`;
        context.out.line(`${result.path} (${what}, digest ${result.digest.slice(0, 12)} verified)`);
      },
    );
}
