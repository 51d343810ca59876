#!/usr/bin/env node
// The `kiln` command. npm links a package's bin only if its file exists when npm installs, and
// dist/ is compiled after that (by the root's `prepare` script, or `npm run build`), so this
// tracked file is the bin and hands over to the compiled entry.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (existsSync(entry)) {
  await import(entry.href);
} else {
  process.stderr.write(
    'kiln: the command line is not built yet; run `npm run build` in the Kiln checkout\n',
  );
  process.exitCode = 2;
}
