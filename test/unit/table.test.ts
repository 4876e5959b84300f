/** The terminal table: sparklines of the telling signal, colour on and off. */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/reporters/table.js';
import { minimumSpan, seriesPoints, sparkline, tellingSignal } from '../../src/reporters/series.js';
import { crashResult, leakResult, okResult, report } from '../support/reports.js';

const ESC = '\u001b[';
const BOX = /[┌┐└┘─│┼├┤┬┴]/;

function rowOf(text: string, fn: string): string {
  const row = text.split('\n').find((l) => l.includes(`::${fn} `));
  if (row === undefined) throw new Error(`no row for ${fn} in\n${text}`);
  return row;
}

describe('sparkline', () => {
  it('rises from the lowest to the highest bar for steady growth', () => {
    const points = Array.from({ length: 7 }, (_, i) => ({ x: (i + 1) * 100, y: 1000 + 50 * i }));
    expect(sparkline(points, 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('stays on the lowest bar for readings that do not move', () => {
    const points = Array.from({ length: 7 }, (_, i) => ({ x: (i + 1) * 100, y: 5000 }));
    expect(sparkline(points, 7)).toBe('▁▁▁▁▁▁▁');
    expect(sparkline(points.slice(0, 1), 7)).toBe('▁');
  });

  it('keeps growth far below the threshold low instead of filling the scale', () => {
    const r = okResult();
    const points = seriesPoints(r, 'python');
    // without a floor on the span, a few hundred bytes of early noise fills the whole height
    expect(sparkline(points, 10)).toContain('█');
    expect(sparkline(points, 10, minimumSpan(points, 16))).toBe('▁▁▁▁▁▁▁▁▁▁');
  });

  it('is as wide as asked, resampling many readings', () => {
    const points = Array.from({ length: 300 }, (_, i) => ({ x: i * 10, y: i * i }));
    const s = sparkline(points, 12);
    expect([...s]).toHaveLength(12);
    expect(s.startsWith('▁')).toBe(true);
    expect(s.endsWith('█')).toBe(true);
  });

  it('picks the leaking signal for a leak, the native heap for a native-heap leak, python for ok', () => {
    expect(tellingSignal(leakResult())).toBe('python');
    const native = leakResult({
      kind: 'native-heap',
      signals: { ...leakResult().signals, native: { unit: 'bytes', perCall: 4096, low: 4090, high: 4100, threshold: 16, state: 'leak', decisive: true, batches: 6 } },
    });
    expect(tellingSignal(native)).toBe('native');
    expect(tellingSignal(okResult())).toBe('python');
    expect(tellingSignal(crashResult())).toBeNull();
  });
});

describe('renderTable', () => {
  const doc = report([leakResult(), okResult(), crashResult()]);

  it('with colour off: plain ASCII borders, no escape codes, a sparkline beside each measured function', () => {
    const text = renderTable(doc, new Chalk({ level: 0 }));
    expect(text).not.toContain(ESC);
    expect(text).not.toMatch(BOX);
    expect(text).toMatch(/^\+-+\+/m);
    expect(rowOf(text, 'simpler_leak')).toMatch(/::simpler_leak\s*\| ▁▂▃▃▄▅▆▆▇█ python\s*\|/);
    expect(rowOf(text, 'simpler_leak')).toContain('leak (python-objects)');
    expect(rowOf(text, 'simpler_no_leak')).toMatch(/\| ▁{10} python\s*\|/);
    expect(rowOf(text, 'segfault')).toMatch(/::segfault\s*\| -\s*\|/);
    expect(text.split('\n')[0]).toBe('Pythran 0.15.0, Python 3.11.7, numpy 1.26.4, gcc (Debian 12.2.0-14+deb12u1) 12.2.0');
  });

  it('with colour on: box borders and the sparkline coloured like the verdict', () => {
    const text = renderTable(doc, new Chalk({ level: 1 }));
    expect(text).toContain(ESC);
    expect(text).toMatch(BOX);
    // red sparkline for the leak, green for ok (chalk level 1: 31 red, 32 green)
    /* eslint-disable no-control-regex -- ANSI colour codes */
    expect(rowOf(text, 'simpler_leak')).toMatch(/\u001b\[31m[▁-█]+\u001b\[39m/);
    expect(rowOf(text, 'simpler_no_leak')).toMatch(/\u001b\[32m▁+\u001b\[39m/);
    /* eslint-enable no-control-regex */
  });

  it('shows the same cells with colour on and off', () => {
    // eslint-disable-next-line no-control-regex -- ANSI colour codes
    const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
    const on = strip(renderTable(doc, new Chalk({ level: 1 })));
    const off = renderTable(doc, new Chalk({ level: 0 }));
    const cells = (s: string) =>
      s
        .split('\n')
        .filter((l) => l.includes('::'))
        .map((l) => l.split(/[|│]/).map((c) => c.trim()).filter((c) => c !== ''));
    expect(cells(on)).toEqual(cells(off));
  });
});

describe("a leak the uncompiled control shows too", () => {
  it("is labelled the code's own, not Pythran's, in its row and its lines", () => {
    const interpreted = { verdict: 'leak', kind: 'python-objects', message: 'blocks +1.0 blocks/call' };
    const diagnosis = { types: [], sites: [], sizes: [], buffer: null, scaling: null, interpreted, replicate: null, confirmation: null };
    const r = leakResult({ owner: 'code', diagnosis });
    const text = renderTable(report([r]), new Chalk({ level: 0 }));
    expect(rowOf(text, 'simpler_leak')).toContain("leak (python-objects, the code's own)");
    expect(text).toContain("it is not Pythran's");
  });
});
