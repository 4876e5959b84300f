import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { includedHeaders } from '../../src/io/tree-compile.js';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'headers-'));
  const pythran = path.join(root, 'pythran');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(pythran, name)), { recursive: true });
    await writeFile(path.join(pythran, name), text);
  }
  return pythran;
}

const CPP = '#include <pythonic/include/types/ndarray.hpp>\n#include <pythonic/types/ndarray.hpp>\n#include <Python.h>\nint main() {}\n';

describe('includedHeaders', () => {
  it('follows #include lines through pythonic, in <> and "" forms, under #if too', async () => {
    const pythran = await tree({
      'pythonic/include/types/ndarray.hpp': '#include "pythonic/include/utils/shared_ref.hpp"\n#ifdef X\n#include "tuple.hpp"\n#endif\n#include <boost/config.hpp>\n',
      'pythonic/include/types/tuple.hpp': '// tuple\n',
      'pythonic/include/utils/shared_ref.hpp': '// ref\n',
      'pythonic/types/ndarray.hpp': '#include <pythonic/include/types/ndarray.hpp>\n',
      'pythonic/include/builtins/abs.hpp': '// not included\n',
      'boost/config.hpp': '// vendored: covered by the boost tree id\n',
    });
    const headers = await includedHeaders(CPP, path.join(pythran, '..', 'm.cpp'), pythran);
    expect(headers?.map(([f]) => f)).toEqual([
      'pythonic/include/types/ndarray.hpp',
      'pythonic/include/types/tuple.hpp',
      'pythonic/include/utils/shared_ref.hpp',
      'pythonic/types/ndarray.hpp',
    ]);
  });

  it('changes when an included header changes, not when another one does', async () => {
    const files = {
      'pythonic/include/types/ndarray.hpp': '// a\n',
      'pythonic/types/ndarray.hpp': '// b\n',
      'pythonic/include/builtins/abs.hpp': '// c\n',
    };
    const cpp = (p: string) => path.join(p, '..', 'm.cpp');
    const a = await tree(files);
    const b = await tree({ ...files, 'pythonic/include/builtins/abs.hpp': '// c, edited\n' });
    const c = await tree({ ...files, 'pythonic/types/ndarray.hpp': '// b\n  Py_DECREF(slices);\n' });
    expect(await includedHeaders(CPP, cpp(b), b)).toEqual(await includedHeaders(CPP, cpp(a), a));
    expect(await includedHeaders(CPP, cpp(c), c)).not.toEqual(await includedHeaders(CPP, cpp(a), a));
  });

  it('gives up (null) on an #include of a macro, which cannot be followed', async () => {
    const pythran = await tree({
      'pythonic/include/types/ndarray.hpp': '#include INCLUDE_FILE(pythonic/operator_, add)\n',
      'pythonic/types/ndarray.hpp': '',
    });
    expect(await includedHeaders(CPP, path.join(pythran, '..', 'm.cpp'), pythran)).toBeNull();
  });
});
