import { describe, expect, it } from 'vitest';
import type { CliEnvironment } from '../cli-environment.js';
import { createCancelCommand } from './cancel.js';
import { createCreateCommand } from './create.js';
import { createDescribeCommand } from './describe.js';
import { createDownloadCommand } from './download.js';
import { createLogsCommand } from './logs.js';
import { createLsCommand } from './ls.js';
import { createModelsCommand } from './models.js';
import { createNewCommand } from './new.js';
import { createPredictCommand } from './predict.js';
import { createPromoteCommand } from './promote.js';
import { createRegisterCommand } from './register.js';
import { createRmCommand } from './rm.js';
import { createRunCommand } from './run.js';
import { createRunsCommand } from './runs.js';
import { createStatusCommand } from './status.js';
import { createVariantsCommand } from './variants.js';
import { createWaitCommand } from './wait.js';

const env: CliEnvironment = {
  url: undefined,
  token: undefined,
  stdout: process.stdout,
  stderr: process.stderr,
};
const FACTORIES = [
  createLsCommand,
  createDescribeCommand,
  createCreateCommand,
  createStatusCommand,
  createWaitCommand,
  createLogsCommand,
  createDownloadCommand,
  createCancelCommand,
  createRmCommand,
  createRunCommand,
  createRunsCommand,
  createVariantsCommand,
  createModelsCommand,
  createPredictCommand,
  createPromoteCommand,
  createRegisterCommand,
  // `kiln new tool` and `kiln new pipeline`, each a command of its own.
  ...createNewCommand(env).commands.map((command) => () => command),
];

describe('every subcommand', () => {
  it.each(FACTORIES.map((factory) => [factory(env).name(), factory] as const))(
    '%s has a description and documents its arguments',
    (name, factory) => {
      const command = factory(env);
      expect(command.description()).not.toBe('');
      const help = command.helpInformation();
      // A subcommand's usage names its parents too (`Usage: new tool …`).
      expect(help).toMatch(new RegExp(`^Usage: (\\S+ )*${name} `));
      for (const argument of command.registeredArguments)
        expect(help.replace(/\s+/g, ' ')).toContain(argument.description);
      for (const option of command.options) expect(option.description, option.flags).not.toBe('');
    },
  );
});
