#!/usr/bin/env python3
# Prints every failed test of the TRX files in a folder, with its message and the head of its
# stack trace, so that the last lines of a long test log (all a CI page may keep) name what failed.
# Also what a run-level message says (a test host that crashed aborts the run and records no
# failed test, only "The active test run was aborted..."), and any TRX file it could not read,
# going on with the others. With the run's exit code as a second argument, a failed run in which
# none of that was found says so. Its own exit code is 0: `./cms test` exits with dotnet test's.
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
MAX_LINES = 40


def clipped(text):
    lines = text.strip().splitlines()
    shown = ["  " + line for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"  ... {len(lines) - MAX_LINES} more lines")
    return "\n".join(shown)


folder = Path(sys.argv[1])
run_failed = len(sys.argv) > 2 and sys.argv[2] != "0"
failed = []
aborted = []
warnings = []
unreadable = []
files = sorted(folder.rglob("*.trx")) if folder.is_dir() else []
FAIL_ECHO = re.compile(r"^\s*\[xUnit\.net [0-9:.]+\]\s+.*\[FAIL\]\s*$")

for trx in files:
    try:
        root = ET.parse(trx).getroot()
    except (ET.ParseError, OSError) as e:
        unreadable.append((trx, str(e)))
        continue
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", NS).strip()
        stack = result.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", NS).strip()
        failed.append((result.get("testName"), result.get("duration"), message, stack))
    # Run-level messages: an aborted run (a crashed or hung test host) is an Error here.
    for info in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo", NS):
        text = info.findtext("t:Text", "", NS)
        # xUnit echoes each failed test's name as a run-level error ("[xUnit.net 00:02:05] X [FAIL]"):
        # those are the failed tests listed below, not a run that stopped.
        if all(FAIL_ECHO.search(line) for line in text.splitlines() if line.strip()):
            continue
        if info.get("outcome") in ("Error", "Failed"):
            aborted.append((root.get("name") or trx.name, trx.name, info.get("outcome"), text))
        elif info.get("outcome") == "Warning":
            # e.g. a filter that leaves a project without tests: worth a line, not a crashed run.
            warnings.append((root.get("name") or trx.name, trx.name, text))

for trx, error in unreadable:
    print(f"\nUNREADABLE {trx}: {error}")

# Warnings only beside a failure, to explain it; a passing run prints nothing.
for run, name, text in warnings if (run_failed or failed or aborted) else []:
    print(f"\nRUN WARNING in {run} ({name}):")
    print(clipped(text))

for run, name, outcome, text in aborted:
    print(f"\nRUN {outcome.upper()} in {run} ({name}):")
    print(clipped(text))

if failed:
    print(f"\n==== {len(failed)} failed test(s) ====")
    for name, duration, message, stack in failed:
        print(f"\nFAILED {name} [{duration}]")
        print(clipped(message + "\n" + stack))
    # The names last: a tail of a few lines still says which tests failed.
    print(f"\n==== {len(failed)} failed test(s): ====")
    for name, duration, _, _ in failed[:50]:
        print(f"FAILED {name} [{duration}]")

if aborted:
    print(f"\n==== {len(aborted)} test run(s) reported an error (a test host crash aborts a run without a failed test): see RUN above ====")
elif run_failed and not failed:
    found = f"{len(files)} TRX file(s), {len(unreadable)} unreadable" if files else "no TRX file was written"
    print(f"\n==== dotnet test failed, but no failed test was recorded ({found}): see the log above ====")
