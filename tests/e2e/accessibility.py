"""axe-core in the browser tests: a page at phone and desktop width has no violations.

axe-core is an npm package (`package.json` at the project's root); `make test` installs it
into `node_modules/` with `npm ci`. Its script is injected into the page under test and run
there; every violation is reported with its rule, impact and the elements it found, so a
failing test says what to fix.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

#: A phone held upright (the patient's usual screen) and a desktop browser.
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

#: WCAG 2.1 A and AA, and axe's best practices.
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `make test` (it runs `npm ci`)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core on the page as it is now; its violations, as axe reports them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        RULE_TAGS,
    )
    return list(result)


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}" for v in violations
    )


def assert_accessible(page: Page, *, widths: tuple[dict[str, int], ...] = (PHONE, DESKTOP)) -> None:
    """No axe-core violation at each width; the viewport is left at the last one."""
    for viewport in widths:
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        assert not violations, f"at {viewport['width']} px:\n{describe(violations)}"
