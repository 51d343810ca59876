// A tool for the download benchmark: its one artifact is a single file of the requested size.
import { defineTool } from '@kiln/core';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

const CHUNK = 8 * 1024 * 1024;

export default defineTool({
  name: 'big-file',
  version: '1.0.0',
  description: 'One file of `bytes` bytes, for download benchmarks',
  artifactType: 'bench',
  parameters: {
    type: 'object',
    properties: { bytes: { type: 'integer', minimum: 1 } },
    required: ['bytes'],
  },
  async build(ctx) {
    const block = Buffer.alloc(CHUNK);
    for (let i = 0; i < CHUNK; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    const out = createWriteStream(join(ctx.outputDir, 'blob.bin'));
    for (let left = ctx.parameters.bytes; left > 0; left -= CHUNK) {
      if (!out.write(left >= CHUNK ? block : block.subarray(0, left))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  },
});
