import { describe, expect, it } from 'vitest';
import { resultFromMeasurement } from '../../src/core/results.js';

const ctx = { file: 'f.py', function: 'segfault', call: null, build: null };

const FAULTHANDLER = `some output of the user's code
Fatal Python error: Segmentation fault

Current thread 0x00007f3eff7c7b80 (most recent call first):
  File "/site/user_helpers.py", line 12 in helper
  File "/opt/tool/python/harness.py", line 332 in run
  File "/opt/tool/python/harness.py", line 386 in serve
  File "/opt/tool/python/zygote.py", line 142 in child
  File "/opt/tool/python/zygote.py", line 101 in handle

Extension modules: numpy._core._multiarray_umath, faults (total: 2)
`;

describe('the message of a crash', () => {
  it("keeps faulthandler's report from its first line, with the user's frames and without the harness's", () => {
    const r = resultFromMeasurement(ctx, { status: 'crash', signal: 'SIGSEGV', exitCode: null, stderrTail: FAULTHANDLER, calls: 3 }, 120);
    expect(r.verdict).toBe('crash');
    expect(r.message).toContain('crashed with SIGSEGV');
    expect(r.message).toContain('Fatal Python error: Segmentation fault');
    expect(r.message).toContain('user_helpers.py", line 12');
    expect(r.message).toContain('Extension modules');
    expect(r.message).not.toContain('harness.py');
    expect(r.message).not.toContain('zygote.py');
    expect(r.message).not.toContain("user's code");
  });

  it('keeps the last lines of other output', () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const r = resultFromMeasurement(ctx, { status: 'crash', signal: null, exitCode: 70, stderrTail: text, calls: 0 }, 120);
    expect(r.message).toBe(`exited with code 70:\n${Array.from({ length: 6 }, (_, i) => `line ${i + 14}`).join('\n')}`);
  });
});
