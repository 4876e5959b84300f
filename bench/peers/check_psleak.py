"""psleak: MemoryLeakTestCase.execute on each function (needs PYTHONMALLOC=malloc).

Prints one line per function: VERDICT <function> leak|ok|<other>.
"""

import sys
import unittest

from psleak import MemoryLeakTestCase
from seedmod import args, view_leak


class TestSeed(MemoryLeakTestCase):
    def test_simpler_leak(self):
        self.execute(view_leak.simpler_leak, *args())

    def test_simpler_no_leak(self):
        self.execute(view_leak.simpler_no_leak, *args())


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TestSeed)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    outcome = {}
    for case, _ in result.failures:
        outcome[case._testMethodName] = "leak"
    for case, _ in result.errors:
        outcome[case._testMethodName] = "error"
    for case, _ in result.skipped:
        outcome[case._testMethodName] = "skipped"
    for name in ("simpler_leak", "simpler_no_leak"):
        print(f"VERDICT {name} {outcome.get('test_' + name, 'ok')}")
    sys.exit(0 if result.wasSuccessful() else 1)
