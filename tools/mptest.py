"""Run the core test suite on MicroPython (or CPython): module-level test_* functions.

Usage: micropython -X heapsize=256K tools/mptest.py [-x] [-k SUBSTR] [--path DIR]... TESTDIR|TESTFILE

Each tests/test_*.py module is imported and every function whose name starts with test_ is
called (awaited when it returns a coroutine). A test that calls support.skip() is counted as
skipped. Ends with the plain line 'N passed, N failed, N skipped' and exits 1 on any failure.
Pytest runs the same files on CPython; this runner exists because MicroPython has no pytest.
"""

import gc
import os
import sys


def _print_exception(exc):
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)


def _is_skip(exc):
    return type(exc).__name__ in ("SkipTest", "Skipped")


def _run_coroutine(res):
    import asyncio

    async def wrap():
        return await res

    return asyncio.run(wrap())


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def run_all(testdir, pattern=None, stop_first=False, only=None):
    passed = failed = skipped = 0
    sys.path.insert(0, testdir)
    for name in _listdir(testdir):
        if not (name.startswith("test_") and name.endswith(".py")) or (only and name != only):
            continue
        modname = name[:-3]
        before = list(sys.modules)
        try:
            mod = __import__(modname)
        except Exception as exc:
            if _is_skip(exc):
                print("skip", modname, "-", exc)
                skipped += 1
                continue
            print("FAIL", modname, "(import)")
            _print_exception(exc)
            failed += 1
            if stop_first:
                break
            continue
        names = sorted(n for n in dir(mod) if n.startswith("test_"))
        for fname in names:
            label = modname + "::" + fname
            if pattern and pattern not in label:
                continue
            fn = getattr(mod, fname)
            if not callable(fn):
                continue
            try:
                res = fn()
                if res is not None and hasattr(res, "send"):
                    _run_coroutine(res)
                print("ok  ", label)
                passed += 1
            except Exception as exc:
                if _is_skip(exc):
                    print("skip", label, "-", exc)
                    skipped += 1
                else:
                    print("FAIL", label)
                    _print_exception(exc)
                    failed += 1
                    if stop_first:
                        break
            gc.collect()
        # Drop the file and the test modules it imported (helpers of other files), so that what
        # stays on the heap does not depend on which file happened to import them first.
        for m in list(sys.modules):
            if m not in before and m.startswith("test_"):
                del sys.modules[m]
        mod = None
        gc.collect()
        if failed and stop_first:
            break
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return failed


def main(argv):
    pattern = None
    stop_first = False
    testdir = "tests"
    only = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "-x":
            stop_first = True
        elif a == "-k":
            i += 1
            pattern = argv[i]
        elif a == "--path":
            i += 1
            sys.path.insert(0, argv[i])
        elif a.endswith(".py"):  # one test file: run just that module
            cut = a.rfind("/")
            testdir, only = (a[:cut], a[cut + 1 :]) if cut >= 0 else (".", a)
        else:
            testdir = a
        i += 1
    failed = run_all(testdir, pattern, stop_first, only)
    sys.exit(1 if failed else 0)


main(sys.argv[1:])
