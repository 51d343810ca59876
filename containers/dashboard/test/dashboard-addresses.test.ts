import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { href, parseRoute } from '../src/web/router/route.js';

// docs/dashboard.md, "Addresses": the table lists exactly the pages the UI links to, and each
// documented address opens its page.
const DOC = new URL('../../../docs/dashboard.md', import.meta.url);
const SAMPLE: Record<string, string> = {
  pipeline: 'fashion-mnist',
  run: 'fashion-mnist-r1',
  container: 'train',
  artifact: 'fashion-mnist-r1-train',
  model: 'fashion-mnist',
};

async function documentedAddresses(): Promise<string[]> {
  const text = await readFile(DOC, 'utf8');
  const section = text.split('\n## Addresses\n')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `\/#(\/[^`]*)`/gm)].map(([, address = '']) =>
    address.replace(/\{(\w+)\}/g, (_all, name: string) => SAMPLE[name]!),
  );
}

describe('the addresses in docs/dashboard.md', () => {
  it('are the pages the UI links to', async () => {
    const linked = [
      href.home(),
      href.pipeline(SAMPLE['pipeline']!),
      href.startRun(SAMPLE['pipeline']!),
      href.run(SAMPLE['pipeline']!, SAMPLE['run']!),
      href.create(SAMPLE['container']!),
      href.artifact(SAMPLE['container']!, SAMPLE['artifact']!),
      href.serving(),
      href.serving(SAMPLE['model']!),
    ].map((link) => link.replace(/^#/, ''));
    expect(await documentedAddresses()).toEqual(linked);
  });

  it('each open a page, not the "not found" one', async () => {
    for (const address of await documentedAddresses()) {
      expect(parseRoute(`#${address}`).view, address).not.toBe('not-found');
    }
    expect(parseRoute('#/containers/train/new?pipeline=fashion-mnist')).toMatchObject({
      view: 'create',
      pipeline: 'fashion-mnist',
    });
    expect(parseRoute('#/serving/fashion-mnist?container=serving')).toEqual({
      view: 'serving',
      model: 'fashion-mnist',
      container: 'serving',
    });
    expect(parseRoute('#/nowhere').view).toBe('not-found');
  });
});
