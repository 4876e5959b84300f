"""pytest-memray: limit_leaks over 2,000 calls per function.

Run as: PYTHONMALLOC=malloc python -m pytest --memray bench/peers/test_memray.py
The limit, 32 KB over 2,000 calls, is 16 B/call: the tool's own threshold.
"""

import pytest
from seedmod import args, view_leak

CALLS = 2000


@pytest.mark.limit_leaks("32 KB")
def test_simpler_leak():
    a = args()
    for _ in range(CALLS):
        view_leak.simpler_leak(*a)


@pytest.mark.limit_leaks("32 KB")
def test_simpler_no_leak():
    a = args()
    for _ in range(CALLS):
        view_leak.simpler_no_leak(*a)
