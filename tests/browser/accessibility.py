"""axe-core over a page, in the page as a person's browser shows it.

axe-core comes from the pinned `axe-playwright-python` package (it ships
`axe.min.js`); nothing of it is served by the app. The package injects axe
with `page.evaluate`, which runs through the DevTools protocol and is not an
inline script, so the app's `script-src 'self'` stays as it is and the
browser fixtures' CSP watch still holds.
"""
from axe_playwright_python.sync_playwright import Axe

# WCAG 2.1 A and AA, and Deque's best practices (landmarks, headings, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# What fails a test; "moderate" and "minor" findings are printed only.
FAILING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def violations(page, *, label, skip_rules=()):
    """Run axe on the page as it is now; each violation tagged with `label` (which page, which mode).

    `skip_rules` names rules not to run, for markup that is not ours (Django's admin templates).
    """
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    if skip_rules:
        options["rules"] = {rule: {"enabled": False} for rule in skip_rules}
    results = _axe.run(page, options=options)
    return [dict(violation, page=label) for violation in results.response["violations"]]


def failing(found):
    return [violation for violation in found if violation["impact"] in FAILING_IMPACTS]


def report(found):
    """One block per violation: page, rule, impact, help link, and each node with axe's own reason."""
    if not found:
        return "no accessibility violations"
    nodes = sum(len(violation["nodes"]) for violation in found)
    pages = sorted({violation["page"] for violation in found})
    lines = [f"{nodes} nodes in {len(found)} violations on {len(pages)} pages ({', '.join(pages)}):"]
    for violation in found:
        lines.append(
            f"\n[{violation['page']}] {violation['id']} ({violation['impact']}): {violation['help']}"
            f" - {len(violation['nodes'])} nodes - {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"  {' '.join(str(part) for part in node['target'])}")
            lines.append(f"    {node['html'][:160]}")
            summary = node.get("failureSummary") or ""
            for line in summary.splitlines()[1:]:
                lines.append(f"    {line.strip()}")
    return "\n".join(lines)
