import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { remembered, which } from '../../src/io/probe-cache.js';

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'probe-cache-'));
  const cache = { root, envs: root, builds: root, tmp: root };
  const stamp = path.join(root, 'site-packages');
  await writeFile(stamp, 'x');
  let computed = 0;
  const ask = (deps: string[] = [stamp]) =>
    remembered(cache, 'probe', '/bin/sh', {}, z.number(), () => deps, () => Promise.resolve(++computed));
  return { cache, stamp, ask, computed: () => computed };
}

describe('probe cache', () => {
  it('answers from the cache while the files the answer depends on are unchanged', async () => {
    const { ask, computed } = await setup();
    expect(await ask()).toBe(1);
    expect(await ask()).toBe(1);
    expect(computed()).toBe(1);
  });

  it('asks again once one of them changed (a package installed)', async () => {
    const { ask, stamp } = await setup();
    await ask();
    await utimes(stamp, new Date(), new Date(Date.now() + 5000));
    expect(await ask()).toBe(2);
  });

  it('keeps nothing it could not check later (a compiler not found)', async () => {
    const { ask } = await setup();
    expect(await ask([])).toBe(1);
    expect(await ask([])).toBe(2);
  });

  it('is keyed on the environment variables that change the answer', async () => {
    const { ask } = await setup();
    await ask();
    const before = process.env.CXX;
    process.env.CXX = 'clang++-that-was-not-there';
    try {
      expect(await ask()).toBe(2);
    } finally {
      if (before === undefined) delete process.env.CXX;
      else process.env.CXX = before;
    }
  });

  it('finds commands on PATH as the shell does', async () => {
    expect(await which('sh')).toMatch(/\/sh$/);
    expect(await which('no-such-command-here')).toBeNull();
    expect(await which('./x')).toBe(path.resolve('x'));
  });
});
