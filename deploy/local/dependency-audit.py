#!/usr/bin/env python3
"""The dependency vulnerability check of `./spasm test`, counted as one test result.

Usage: dependency-audit.py BUILD_LOG RESULT_JSON [REPO_DIR]

NuGet audit runs in every restore (Directory.Build.props: NuGetAudit, mode all, level low) and, with warnings as
errors, fails the build on a known vulnerability (NU1901-NU1904). This script turns that into a named result:

  failed       the build log holds NU1901-NU1904: each package, version, severity and advisory is listed
  passed       no such line, and at least one enabled package source publishes vulnerability data
               (a VulnerabilityInfo resource in its service index), so the absence means something
  not-checked  no enabled source publishes vulnerability data: NuGet audits against nothing and finds nothing,
               which proves nothing; reported, but counted neither way

`dotnet list package --vulnerable` is not used: it reads advisories from the registration pages, which a mirror
may serve without them, and then reports "no vulnerable packages" for any package.

Writes RESULT_JSON ({"name", "outcome", "details"}), which test-summary.py counts, and prints the details.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request

NAME = "dependency vulnerabilities (NuGet audit)"
AUDIT_LINE = re.compile(r"\b(NU190[1-4])\b:?\s*(?:Warning As Error:\s*)?(?P<text>Package '[^']+' \S+ has a known .*)$")


def audit_findings(build_log: str) -> list[str]:
    findings: list[str] = []
    with open(build_log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = AUDIT_LINE.search(line.rstrip())
            if match and match.group("text") not in findings:
                findings.append(match.group("text"))
    return findings


def enabled_sources(repo: str) -> list[str]:
    done = subprocess.run(["dotnet", "nuget", "list", "source", "--format", "short"], cwd=repo,
                          capture_output=True, text=True, check=False, timeout=120)
    return [line.split(None, 1)[1].strip() for line in done.stdout.splitlines()
            if line.startswith("E") and len(line.split(None, 1)) == 2]


def publishes_vulnerability_data(source: str) -> bool:
    if not source.startswith(("http://", "https://")):
        return False  # local folders carry no vulnerability data
    try:
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - the configured NuGet source
            index = json.load(response)
    except (OSError, ValueError):
        return False
    return any(str(resource.get("@type", "")).startswith("VulnerabilityInfo") for resource in index.get("resources", []))


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__)
        return 2
    build_log, result_path = argv[1], argv[2]
    repo = argv[3] if len(argv) == 4 else os.getcwd()
    findings = audit_findings(build_log) if os.path.isfile(build_log) else []
    sources = enabled_sources(repo)
    with_data = [s for s in sources if publishes_vulnerability_data(s)]
    if findings:
        outcome = "failed"
        details = ["known vulnerabilities in the dependencies (update the package, or suppress one advisory with "
                   "<NuGetAuditSuppress> and a reason):"] + findings
    elif with_data:
        outcome = "passed"
        details = ["no known vulnerability; vulnerability data from " + ", ".join(with_data)]
    else:
        outcome = "not-checked"
        details = ["NOT CHECKED: no package source publishes vulnerability data (" + (", ".join(sources) or "no sources")
                   + " has no VulnerabilityInfo resource), so NuGet audit has nothing to compare against"]
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump({"name": NAME, "outcome": outcome, "details": details}, handle, indent=2)
    for line in details:
        print("  " + line)
    return 1 if outcome == "failed" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
