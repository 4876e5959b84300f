import { describe, expect, it } from 'vitest';
import { UnsupportedArgument } from '../../src/core/calls.js';
import { SpecSyntaxError } from '../../src/core/signature.js';
import { categoryOfErrorType, ERROR_TYPES, InputError, isKnownError, OutputError } from '../../src/errors.js';

describe('the closed set of errors', () => {
  it("takes in the core's errors as InputErrors (exit 2), keeping their names", () => {
    const spec = new SpecSyntaxError('bad', 1, 2);
    const arg = new UnsupportedArgument('no value');
    for (const e of [spec, arg]) {
      expect(e).toBeInstanceOf(InputError);
      expect(isKnownError(e)).toBe(true);
      expect(e.category).toBe('usage');
    }
    expect(spec.name).toBe('SpecSyntaxError');
    expect(arg.name).toBe('UnsupportedArgument');
    expect([spec.line, spec.column]).toEqual([1, 2]);
  });

  it('lists OutputError among the error types, with its own category', () => {
    expect(ERROR_TYPES).toContain('OutputError');
    expect(categoryOfErrorType('OutputError')).toBe('output');
    expect(new OutputError('x').category).toBe('output');
  });
});
