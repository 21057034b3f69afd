#!/usr/bin/env python3
# Prints every failed test of the TRX files in a folder, with its message and the head of its
# stack trace, so that the last lines of a long test log (all a CI page may keep) name what failed.
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
MAX_LINES = 40

failed = []
for trx in sorted(Path(sys.argv[1]).rglob("*.trx")):
    for result in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", NS).strip()
        stack = result.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", NS).strip()
        failed.append((result.get("testName"), result.get("duration"), message, stack))

if failed:
    print(f"\n==== {len(failed)} failed test(s) ====")
    for name, duration, message, stack in failed:
        lines = (message + "\n" + stack).splitlines()
        print(f"\nFAILED {name} [{duration}]")
        print("\n".join("  " + line for line in lines[:MAX_LINES]))
        if len(lines) > MAX_LINES:
            print(f"  ... {len(lines) - MAX_LINES} more lines")
    # The names last: a tail of a few lines still says which tests failed.
    print(f"\n==== {len(failed)} failed test(s): ====")
    for name, duration, _, _ in failed[:50]:
        print(f"FAILED {name} [{duration}]")
