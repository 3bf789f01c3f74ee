"""Accessibility and keyboard checks for browser tests: axe-core (WCAG 2.2 A/AA) and focus.

Every page state a test checks is checked with the full rule set at its own width (1280 px by
default) and again at 320 px in the same page (resized, not reloaded; WCAG 1.4.10: nothing
scrolls sideways there either), in the page's language.
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],  # target-size too
    },
    "resultTypes": ["violations"],  # passes are not reported: a third faster
}
_axe = Axe()
#: check every page state, even one whose shape was checked already (slow; for a full audit)
EVERY_STATE = os.environ.get("VERBINDING_AXE_EVERY_STATE") == "1"
#: note violations and go on, instead of failing at the first page state that has one (for an
#: audit: the summary at the end lists them all, and the session still fails)
KEEP_GOING = os.environ.get("VERBINDING_AXE_KEEP_GOING") == "1"

#: what axe looked at in this run, and how long it took (for the summary at the end)
CHECKED: list[str] = []
SKIPPED: list[str] = []
SECONDS: list[float] = []
#: the violations found, one text per page state (see ``_describe``)
VIOLATIONS: list[str] = []
_SHAPES: set[tuple[str, str]] = set()

# The page's shape: every distinct kind of element (tag, classes, role, type, state
# attributes) under its parent's kind. A page that only adds one more row of a kind already
# checked — a step, a history entry — has the same shape; a new form, alert, error state or
# panel changes it. Texts are left out; the language is part of the key.
_SHAPE = r"""() => {
  const attr = (el, name) => el.getAttribute(name) || '';
  const kind = el => [el.tagName, attr(el, 'class'), attr(el, 'role'), attr(el, 'type'),
    attr(el, 'aria-invalid'), attr(el, 'aria-current'), el.open ? 'open' : ''].join('|');
  const seen = new Set();
  for (const el of document.querySelectorAll('*')) {
    seen.add((el.parentElement ? kind(el.parentElement) : '') + '>' + kind(el));
  }
  return document.documentElement.lang + '\n' + [...seen].sort().join('\n');
}"""


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"]
    for node in violation.get("nodes", []):
        target = " ".join(str(t) for t in node.get("target", []))
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"    at {target}: {summary}")
        lines.append(f"       {node.get('html', '')[:200]}")
    return "\n".join(lines)


#: the narrowest width a page must work at without scrolling sideways (WCAG 1.4.10)
NARROW = 320
_OVERFLOW = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= doc.clientWidth) return null;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.right > doc.clientWidth + 1 && !el.closest('.vb-table-wrap')
      && getComputedStyle(el).position !== 'fixed';
  }).slice(0, 5).map(el => el.outerHTML.slice(0, 120));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()) && wide.length < 8;) {
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getBoundingClientRect().right > doc.clientWidth + 1
        && !node.parentElement.closest('.vb-table-wrap')) wide.push(node.data.slice(0, 80));
  }
  return {width: doc.scrollWidth, wide};
}"""


def assert_accessible(page: Page, label: str = "") -> None:
    """Run axe on the page as it is now, at its width and at 320 px; fail with every violation.

    A page state with exactly the shape of one checked before (see ``_SHAPE``) is skipped,
    unless ``VERBINDING_AXE_EVERY_STATE=1``.
    """
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    _check(page, label, viewport["width"])
    if viewport["width"] != NARROW:
        page.set_viewport_size({"width": NARROW, "height": viewport["height"]})
        try:
            overflow = page.evaluate(_OVERFLOW)
            if overflow:
                pytest.fail(
                    f"{label or page.title()} ({page.url}) scrolls sideways at {NARROW} px: "
                    f"{overflow['width']} px wide, because of {overflow['wide']}",
                    pytrace=False,
                )
            _check(page, label, NARROW)
        finally:
            page.set_viewport_size(viewport)


def _check(page: Page, label: str, width: int) -> None:
    shape = f"{width}\n" + page.evaluate(_SHAPE)
    key = (shape.split("\n", 2)[1], hashlib.sha256(shape.encode()).hexdigest())
    if key in _SHAPES and not EVERY_STATE:
        SKIPPED.append(label)
        return
    started = time.monotonic()
    result = _axe.run(page, options=AXE_OPTIONS)
    SECONDS.append(time.monotonic() - started)
    violations = result.response["violations"]
    where = (
        f"{label or page.title()} ({page.url}, lang={page.locator('html').get_attribute('lang')}"
        f", {width} px)"
    )
    CHECKED.append(where)
    _SHAPES.add(key)
    if violations:
        listed = "\n".join(_describe(v) for v in violations)
        found = f"axe found {len(violations)} accessibility violation(s) on {where}:\n{listed}"
        VIOLATIONS.append(found)
        if not KEEP_GOING:
            pytest.fail(found, pytrace=False)


_FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id,
    text: (el.innerText || el.value || '').trim().slice(0, 60),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
    shadow: s.boxShadow !== 'none',
  };
}"""


def focused(page: Page) -> dict | None:
    """What has the keyboard focus, and whether it shows an outline or a box shadow."""
    return page.evaluate(_FOCUS_STYLE)


def assert_focus_visible(page: Page) -> dict:
    info = focused(page)
    assert info is not None, f"nothing has focus on {page.url}"
    assert info["outline"] or info["shadow"], f"focus is not visible on {info} at {page.url}"
    return info


def tab_to(page: Page, selector: str, limit: int = 60, backwards: bool = False) -> dict:
    """Press Tab until the element matching ``selector`` has focus; check each stop shows it."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        info = assert_focus_visible(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return info
    raise AssertionError(f"{selector} not reached with {limit} presses of {key} on {page.url}")


def failed() -> bool:
    """Whether the run must fail for what the audit found past its first violation (an audit
    that went on, ``KEEP_GOING``, still fails: tests/conftest.py sets the exit status)."""
    return KEEP_GOING and bool(VIOLATIONS)


def lines() -> list[str]:
    """What axe checked, printed at the end of the run (tests/conftest.py)."""
    if not CHECKED:
        return []
    out = [
        f"axe (WCAG 2.2 A/AA, at each page's width and at 320 px) checked "
        f"{len(CHECKED)} page states in {sum(SECONDS):.1f}s and found "
        f"{len(VIOLATIONS)} with violations; {len(SKIPPED)} more had the shape "
        "of a page checked already (VERBINDING_AXE_EVERY_STATE=1 checks them too)"
    ]
    return out + (list(VIOLATIONS) if KEEP_GOING else [])
