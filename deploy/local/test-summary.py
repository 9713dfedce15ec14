#!/usr/bin/env python3
"""Sums the results of a `dotnet test` run over all test assemblies.

Usage: test-summary.py [--runner-failed REASON] RESULTS_DIR [CONSOLE_LOG]

RESULTS_DIR holds the TRX files written by `dotnet test --logger trx --results-directory
RESULTS_DIR` (one per test assembly). Each top-level UnitTestResult is counted by its
outcome: Passed; Failed, Error, Timeout or Aborted as failed; NotExecuted, Inconclusive
or NotRunnable as skipped (xunit reports a skipped test as NotExecuted, and the TRX
Counters element does not count those, hence counting results).

When no TRX file exists, the per-assembly console summaries of CONSOLE_LOG are summed
instead:
    Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, ...
    Failed!  - Failed:     1, Passed:    11, Skipped:     0, Total:    12, ...

A test run that was aborted (a crashed or hung test host, whose hanging test leaves no
result) counts as one failed test, as does --runner-failed (the build or `dotnet test`
itself failed) when no failure was counted otherwise, so the final line never claims
0 failed for a run that failed.

RESULTS_DIR may also hold checks that are not test assemblies, as NAME.check.json files
({"name", "outcome": "passed" | "failed" | "not-checked", "details": [...]}), such as the
dependency vulnerability check (dependency-audit.py): each counts as one passed or failed
result; a check that could not run is printed with its reason and not counted.

Prints one line per assembly and check, then, last, `N passed, N failed` (with `, N skipped` when
any test was skipped). Exit status: 0 when nothing failed, 1 when something failed, 2
when no results were found at all.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

TRX_NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"

PASSED = {"Passed", "PassedButRunAborted", "Warning"}
FAILED = {"Failed", "Error", "Timeout", "Aborted", "Disconnected"}
SKIPPED = {"NotExecuted", "Inconclusive", "NotRunnable", "Pending"}

CONSOLE_SUMMARY = re.compile(
    r"^\s*(?P<verdict>Passed|Failed)!\s*-\s*Failed:\s*(?P<failed>\d+),\s*"
    r"Passed:\s*(?P<passed>\d+),\s*Skipped:\s*(?P<skipped>\d+),\s*Total:\s*(?P<total>\d+)"
    r"(?:.*-\s*(?P<assembly>\S+))?"
)


@dataclass
class AssemblyResult:
    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_trx(path: str) -> AssemblyResult:
    root = ET.parse(path).getroot()
    # The assembly: the codeBase of the first test method, else the file name.
    name = os.path.basename(path)
    for method in root.iter(f"{TRX_NS}TestMethod"):
        code_base = method.get("codeBase")
        if code_base:
            name = os.path.basename(code_base)
            break
    result = AssemblyResult(name)
    results = root.find(f"{TRX_NS}Results")
    if results is not None:
        for child in results:
            # Only top-level results: data-driven rows nested as InnerResults belong to
            # their parent's outcome.
            if _local(child.tag) not in ("UnitTestResult", "TestResultAggregation"):
                continue
            outcome = child.get("outcome", "")
            if outcome in PASSED:
                result.passed += 1
            elif outcome in FAILED:
                result.failed += 1
            elif outcome in SKIPPED:
                result.skipped += 1
            else:
                result.problems.append(f"result with unknown outcome '{outcome}'")
                result.failed += 1
    summary = root.find(f"{TRX_NS}ResultSummary")
    if summary is not None:
        outcome = summary.get("outcome", "")
        if outcome in ("Error", "Aborted", "Timeout") or (
            outcome == "Failed" and result.failed == 0
        ):
            result.problems.append(f"test run outcome '{outcome}'; counted as 1 failed")
            for text in summary.iter(f"{TRX_NS}Text"):
                if text.text and text.text.strip():
                    result.problems.append(text.text.strip().splitlines()[0])
            if result.failed == 0:
                result.failed = 1
    return result


def read_console(path: str) -> list[AssemblyResult]:
    found: list[AssemblyResult] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = CONSOLE_SUMMARY.match(line)
            if not match:
                continue
            found.append(
                AssemblyResult(
                    match.group("assembly") or f"assembly {len(found) + 1}",
                    passed=int(match.group("passed")),
                    failed=int(match.group("failed")),
                    skipped=int(match.group("skipped")),
                )
            )
    return found


@dataclass
class CheckResult:
    name: str
    outcome: str
    details: list[str]


def read_checks(results_dir: str) -> tuple[list[CheckResult], list[str]]:
    checks: list[CheckResult] = []
    unreadable: list[str] = []
    if not os.path.isdir(results_dir):
        return checks, unreadable
    for entry in sorted(os.listdir(results_dir)):
        if not entry.endswith(".check.json"):
            continue
        try:
            with open(os.path.join(results_dir, entry), encoding="utf-8") as handle:
                data = json.load(handle)
            checks.append(CheckResult(str(data["name"]), str(data["outcome"]), [str(d) for d in data.get("details", [])]))
        except (OSError, ValueError, KeyError, TypeError) as error:
            unreadable.append(f"{entry}: {error}")
    return checks, unreadable


def summary_line(passed: int, failed: int, skipped: int) -> str:
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    return line


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Sum dotnet test results.")
    parser.add_argument("results_dir")
    parser.add_argument("console_log", nargs="?")
    parser.add_argument("--runner-failed", metavar="REASON")
    args = parser.parse_args(argv[1:])
    results_dir = args.results_dir
    console_log = args.console_log

    assemblies: list[AssemblyResult] = []
    unreadable: list[str] = []
    if os.path.isdir(results_dir):
        for entry in sorted(os.listdir(results_dir)):
            if not entry.endswith(".trx"):
                continue
            path = os.path.join(results_dir, entry)
            try:
                assemblies.append(read_trx(path))
            except (ET.ParseError, OSError) as error:
                unreadable.append(f"{entry}: {error}")
    source = "TRX"
    if not assemblies and console_log and os.path.isfile(console_log):
        assemblies = read_console(console_log)
        source = "console"

    for problem in unreadable:
        print(f"  unreadable TRX file {problem}")
    for assembly in assemblies:
        counts = summary_line(assembly.passed, assembly.failed, assembly.skipped)
        if assembly.passed + assembly.failed + assembly.skipped == 0:
            counts += " (no tests ran)"
        print(f"  {assembly.name}: {counts}")
        for problem in assembly.problems:
            print(f"    problem: {problem}")
    if not assemblies:
        print("  no test results found")
    elif source == "console":
        print("  (counted from the console summaries: no TRX file was written)")

    checks, unreadable_checks = read_checks(results_dir)
    for check in checks:
        counted = {"passed": "1 passed", "failed": "1 failed"}.get(check.outcome, "not counted")
        print(f"  {check.name}: {check.outcome} ({counted})")
        for detail in check.details:
            print(f"    {detail}")
    for problem in unreadable_checks:
        print(f"  unreadable check result {problem}")

    passed = sum(a.passed for a in assemblies) + sum(c.outcome == "passed" for c in checks)
    failed = (sum(a.failed for a in assemblies) + len(unreadable) + len(unreadable_checks)
              + sum(c.outcome not in ("passed", "not-checked") for c in checks))
    skipped = sum(a.skipped for a in assemblies)
    if args.runner_failed and failed == 0:
        print(f"  {args.runner_failed}; counted as 1 failed")
        failed = 1
    print(summary_line(passed, failed, skipped))
    if failed:
        return 1
    return 0 if assemblies else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
