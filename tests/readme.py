"""The shell commands the README shows, so tests can run exactly what a reader types."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
COMMAND = re.compile(r"^(make|npx|aws|terraform|git|bash|(?:[A-Z][A-Za-z_]*=\S+ )+make)( |$)")
INLINE = re.compile(r"`((?:make|npx cdktf) [^`]+)`")


def commands(text: str | None = None) -> list[str]:
    """Every command of the README, in order, without duplicates: lines of code blocks
    (indented four or more spaces, or fenced) that start with a command, with their
    backslash continuations joined, and inline spans such as `make cost`."""
    text = README.read_text() if text is None else text
    found: list[str] = []
    lines = text.splitlines()
    fenced = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            fenced = not fenced
        stripped = line.strip()
        in_block = fenced or (len(line) - len(line.lstrip()) >= 4 and stripped)
        if in_block and COMMAND.match(stripped):
            while stripped.endswith("\\") and i + 1 < len(lines):
                i += 1
                stripped = stripped[:-1].rstrip() + " " + lines[i].strip()
            found.append(" ".join(stripped.split()))
        elif not fenced:
            found.extend(" ".join(m.split()) for m in INLINE.findall(line))
        i += 1
    return list(dict.fromkeys(found))


def cost_table() -> str:
    """The table between the README's cost-table markers (fails if the markers are gone)."""
    block = re.search(r"<!-- cost-table: begin -->\n(.*?)\n<!-- cost-table: end -->", README.read_text(), re.S)
    if block is None:
        raise LookupError("README.md lost its cost-table markers")
    return block.group(1).strip()


def command(prefix: str) -> str:
    """The one README command starting with ``prefix`` (fails if none or several)."""
    hits = [c for c in commands() if c.startswith(prefix)]
    if len(hits) != 1:
        raise LookupError(f"README has {len(hits)} commands starting with {prefix!r}: {hits}")
    return hits[0]
