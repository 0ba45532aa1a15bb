#!/usr/bin/env python3
"""Reads a JUnit XML report with junitparser (a real JUnit parser, as CI systems use) and checks
that it is well formed and consistent: a <testsuites> root of <testsuite>s, each testcase named,
the declared test and failure counts equal to the cases and failures present.

    .venv/bin/python scripts/check-junit.py REPORT.xml [--expect-tests N] [--expect-failures N]

Prints one JSON line (suites, tests, failures, names of failed cases) and exits 0; a malformed or
inconsistent file prints the reason and exits 1. Installed by scripts/install-deps (.venv/).
"""
import argparse
import json
import sys

from junitparser import Failure, JUnitXml, JUnitXmlError, TestSuite


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--expect-tests", type=int)
    ap.add_argument("--expect-failures", type=int)
    a = ap.parse_args()
    try:
        xml = JUnitXml.fromfile(a.report)
    except (JUnitXmlError, Exception) as e:  # the XML parser's own errors vary by backend
        print(f"{a.report}: not a JUnit report: {e}", file=sys.stderr)
        return 1
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    if not suites:
        print(f"{a.report}: no <testsuite>", file=sys.stderr)
        return 1
    tests = failures = 0
    failed = []
    for s in suites:
        cases = list(s)
        bad = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
        if s.tests != len(cases) or s.failures != len(bad):
            print(
                f"{a.report}: suite {s.name!r} declares {s.tests} tests / {s.failures} failures "
                f"but holds {len(cases)} / {len(bad)}",
                file=sys.stderr,
            )
            return 1
        for c in cases:
            if not c.name:
                print(f"{a.report}: a testcase without a name", file=sys.stderr)
                return 1
        for c in bad:
            msg = next(r.message for r in c.result if isinstance(r, Failure))
            if not msg:
                print(f"{a.report}: failure of {c.name!r} has no message", file=sys.stderr)
                return 1
        tests += len(cases)
        failures += len(bad)
        failed += [c.name for c in bad]
    for want, got, what in ((a.expect_tests, tests, "tests"), (a.expect_failures, failures, "failures")):
        if want is not None and want != got:
            print(f"{a.report}: {got} {what}, expected {want}", file=sys.stderr)
            return 1
    print(json.dumps({"suites": len(suites), "tests": tests, "failures": failures, "failed": failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
