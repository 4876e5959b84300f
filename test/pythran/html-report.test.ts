/**
 * `--report FILE.html` on the seed with Pythran 0.15.0, opened in a real
 * headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * the charts are drawn, the leak card names python-objects, and the page
 * fetches nothing. Saves a screenshot to test-artifacts/html-report.png and
 * docs/html-report.png (the README's picture). Also: config files and the
 * table's colour switches, through the real CLI.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT, type CliResult } from '../support/cli.js';

const SEED = 'repros/seed/view_leak.py';
const CHROMIUM = process.env.PYTHRAN_LEAKCHECK_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
const SCREENSHOT = path.join(ROOT, 'test-artifacts', 'html-report.png');
const README_PICTURE = path.join(ROOT, 'docs', 'html-report.png');

let dir: string;
let reportFile: string;
let run: CliResult;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leakcheck-html-'));
  reportFile = path.join(dir, 'report.html');
  run = await cli(['run', SEED, '--pythran', '0.15.0', '--report', reportFile]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run --report FILE.html', () => {
  it('writes the page and still prints the table and exits 1 for the leak', async () => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/simpler_leak\s*\|.*leak \(python-objects\)/);
    const page = await readFile(reportFile, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('Pythran');
    expect(page).not.toMatch(/<script|<link /i);
  });

  it('renders real charts in Chromium, fetches nothing, and is screenshotted', async () => {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1.5, offline: true });
      const requested: string[] = [];
      const blocked: string[] = [];
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (/^(file|data):/.test(url)) await route.continue();
        else {
          blocked.push(url);
          await route.abort();
        }
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('request', (req) => requested.push(req.url()));
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
      await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });

      // The leak card names its kind; the clean one says ok.
      const leak = page.locator('article[data-function="simpler_leak"]');
      await expect(leak.getAttribute('data-verdict')).resolves.toBe('leak');
      await expect(leak.getAttribute('data-kind')).resolves.toBe('python-objects');
      expect(await leak.locator('.card-head').innerText()).toContain('python-objects');
      expect(await leak.locator('.headline').innerText()).toMatch(/Leaks python-objects/);
      const ok = page.locator('article[data-function="simpler_no_leak"]');
      await expect(ok.getAttribute('data-verdict')).resolves.toBe('ok');

      // Four charts per function, each with a drawn line of readings and a fitted line.
      for (const card of [leak, ok]) {
        for (const signal of ['python', 'blocks', 'native', 'rss']) {
          const chart = card.locator(`figure[data-signal="${signal}"] svg.chart`);
          const svgBox = await chart.boundingBox();
          expect(svgBox?.width ?? 0, signal).toBeGreaterThan(150);
          expect(svgBox?.height ?? 0, signal).toBeGreaterThan(80);
          const readings = await chart.locator('polyline.readings').boundingBox();
          expect(readings?.width ?? 0, `${signal} readings`).toBeGreaterThan(50);
          const fit = await chart.locator('polyline.fit').boundingBox();
          expect(fit?.width ?? 0, `${signal} fit`).toBeGreaterThan(50);
        }
      }
      // Where it leaks, the readings and the fit climb across the chart.
      for (const signal of ['python', 'blocks']) {
        const chart = leak.locator(`figure[data-signal="${signal}"] svg.chart`);
        const plot = await chart.locator('rect.plot').boundingBox();
        const readings = await chart.locator('polyline.readings').boundingBox();
        const fit = await chart.locator('polyline.fit').boundingBox();
        expect(readings?.height ?? 0, `${signal} readings rise`).toBeGreaterThan((plot?.height ?? Infinity) * 0.5);
        expect(fit?.height ?? 0, `${signal} fit rises`).toBeGreaterThan((plot?.height ?? Infinity) * 0.5);
      }
      // Where it does not, the readings stay low: flat beside the threshold line.
      const flat = await ok.locator('figure[data-signal="blocks"] svg.chart polyline.readings').boundingBox();
      const plotOk = await ok.locator('figure[data-signal="blocks"] svg.chart rect.plot').boundingBox();
      expect(flat?.height ?? Infinity).toBeLessThan((plotOk?.height ?? 0) * 0.1);

      expect(blocked).toEqual([]);
      expect(requested.filter((u) => !/^(file|data):/.test(u))).toEqual([]);
      expect(problems).toEqual([]);

      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      await mkdir(path.dirname(README_PICTURE), { recursive: true });
      await copyFile(SCREENSHOT, README_PICTURE);
      expect((await stat(SCREENSHOT)).size).toBeGreaterThan(50_000);
    } finally {
      await browser?.close();
    }
  });

  it('refuses a report path it cannot write before measuring anything: exit 3', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    const res = await cli(['run', SEED, '--pythran', '0.15.0', '--report', path.join(file, 'report.html')]);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`cannot write the HTML report to ${path.join(file, 'report.html')}: ${file} is a file, not a folder`);
    expect(res.stdout).toBe('');
  });

  it('refuses a report name that is not .html: exit 2', async () => {
    const res = await cli(['run', SEED, '--pythran', '0.15.0', '--report', path.join(dir, 'report.json')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`--report: expected a file name ending in .html, got "${path.join(dir, 'report.json')}"`);
  });
});

describe('configuration file', () => {
  const seed = path.join(ROOT, SEED);

  it('takes run defaults from pyproject.toml, and the command line wins', async () => {
    const project = await mkdtemp(path.join(dir, 'project-'));
    await writeFile(path.join(project, 'pyproject.toml'), '[tool.pythran-leakcheck]\npythran = "0.15.0"\nbudget = 5\nreport = "out/leaks.html"\n');
    const res = await cli(['run', `${seed}::simpler_leak`], { cwd: project });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toContain('Pythran 0.15.0');
    expect((await readFile(path.join(project, 'out', 'leaks.html'), 'utf8')).startsWith('<!DOCTYPE html>')).toBe(true);
    // --pythran on the command line beats the file's pythran
    const over = await cli(['run', `${seed}::simpler_leak`, '--pythran', '0.16.1', '--json'], { cwd: project });
    expect((JSON.parse(over.stdout) as { environment: { pythran: { version: string } } }).environment.pythran.version).toBe('0.16.1');
  });

  it('names the key of a bad value: exit 2', async () => {
    const project = await mkdtemp(path.join(dir, 'bad-'));
    await writeFile(path.join(project, 'pyproject.toml'), '[tool.pythran-leakcheck]\nbudget = "soon"\n');
    const res = await cli(['run', seed], { cwd: project });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('error: pyproject.toml [tool.pythran-leakcheck] budget: expected a number, got "soon"');
    // a value the file gives that only the run options refuse is still blamed on the file
    await writeFile(path.join(project, 'pyproject.toml'), '[tool.pythran-leakcheck]\nbudget = 99999\n');
    const big = await cli(['run', seed], { cwd: project });
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/error: pyproject\.toml \[tool\.pythran-leakcheck\] budget: expected a number of at most 3600, got 99999/);
  });
});

describe('table colours', () => {
  it('colours the table and its sparklines with FORCE_COLOR, and not with NO_COLOR', async () => {
    const coloured = await cli(['run', `${SEED}::simpler_leak`, '--pythran', '0.15.0'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(coloured.code).toBe(1);
    expect(coloured.stdout).toContain('\u001b[');
    // eslint-disable-next-line no-control-regex -- ANSI colour codes
    expect(coloured.stdout).toMatch(/\u001b\[31m[▁▂▃▄▅▆▇█]{10}\u001b\[39m/);
    const plain = await cli(['run', `${SEED}::simpler_leak`, '--pythran', '0.15.0'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stdout).toMatch(/::simpler_leak\s*\| ▁[▁▂▃▄▅▆▇█]{8}█ \w+\s*\|/);
  });
});
