"""The HTML pages of the debug view: one per run, and the top-level index.

Self-contained (inline CSS, relative links, no script); built from the JSON summaries
that :mod:`omo_selenium.debug` writes.
"""

from __future__ import annotations

import html
from typing import Any

from .draw import _num

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f3f3f3;color:#222}
header{padding:14px 20px;background:#222;color:#eee}
header h1{margin:0 0 4px;font-size:22px}
header a{color:#9cf}
td.ok{color:#2e9e3e}td.bad{color:#d8433a}td.none{color:#888}
header .ok{color:#6d6}header .bad{color:#f77}header .none{color:#bbb}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:16px;
padding:16px 20px}
.card{background:#fff;border-radius:6px;padding:12px;border-top:6px solid #999;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
.card.ok{border-top-color:#2e9e3e}.card.bad{border-top-color:#d8433a}
.card.none{border-top-color:#999}
.card h2{margin:0 0 6px;font-size:17px;color:#222}
.badge{display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;font-size:13px;
vertical-align:middle;background:#999}
.ok .badge{background:#2e9e3e}.bad .badge{background:#d8433a}
.card img{display:block;max-width:100%;height:auto;margin:6px 0;border:1px solid #ddd}
.note{margin:4px 0;color:#555}
.numbers{display:flex;flex-wrap:wrap;gap:4px 28px;align-items:flex-start}
.facts{display:grid;grid-template-columns:auto auto;gap:1px 12px;margin:6px 0}
.facts dt{color:#666}.facts dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
td.s{text-align:right}tr.total td{font-weight:600;border-top:1px solid #bbb}
.files a{margin-right:10px}
.runs{background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.15)}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width">\n<title>{_h(title)}</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _h(value: object) -> str:
    return html.escape(str(value), quote=True)


def _outcome(success: bool | None) -> tuple[str, str]:
    if success is None:
        return "result unknown", "none"
    return ("solved", "ok") if success else ("not solved", "bad")


def _run_page(summary: dict[str, Any], attempts: list[dict[str, Any]]) -> str:
    label, kind = _outcome(summary["success"])
    header = (
        f'<header><h1>Slider solve: <span class="{kind}">{_h(label)}</span></h1>'
        f"<div>{summary['attempts']} attempt(s), total {summary['elapsed']:.2f} s | "
        f"run {_h(summary['run'])} | finished {_h(summary['finished'])} | "
        '<a href="../index.html">all runs</a></div></header>'
    )
    cards = "\n".join(_card(a) for a in attempts) or '<p class="note">No attempt recorded.</p>'
    return _page(f"{summary['run']}: {label}", f"{header}\n<main>\n{cards}\n</main>")


def _card(a: dict[str, Any]) -> str:
    n = a["number"]
    folder = f"attempt-{n}"
    label, kind = _verdict_from_summary(a)
    parts = [
        f'<section class="card {kind}" id="{folder}">',
        f'<h2>Attempt {n} <span class="badge">{_h(label)}</span></h2>',
    ]
    for note in (a.get("verdict_note"), a.get("error")):
        if note:
            parts.append(f'<p class="note">{_h(note)}</p>')
    if a.get("verdict_reason"):
        parts.append(f'<p class="note">verdict read from: {_h(a["verdict_reason"])}</p>')
    files = a.get("files", {})
    if "look" in files:
        src = f"{folder}/{files['look']}"
        parts.append(
            f'<p class="note">the piece as seen moving on the page (answered by '
            f"{_h(a.get('answered_by') or '-')}):</p>"
            f'<img class="look" src="{_h(src)}" alt="attempt {n}: the piece seen moving">'
        )
    if "landing" in files:
        src = f"{folder}/{files['landing']}"
        parts.append(
            '<p class="note">the last look before release: the piece followed by its own '
            "pixels (left), where it was (cyan) and the gap (magenta):</p>"
            f'<img class="look" src="{_h(src)}" alt="attempt {n}: the piece before release">'
        )
    if "annotated" in files:
        src = f"{folder}/{files['annotated']}"
        parts.append(
            f'<a href="{_h(src)}"><img class="annotated" src="{_h(src)}" '
            f'alt="attempt {n}: capture with piece and gap"></a>'
        )
    if "path" in files:
        src = f"{folder}/{files['path']}"
        parts.append(f'<img class="path" src="{_h(src)}" alt="attempt {n}: pointer path">')
    match = a.get("match") or {}
    facts = [
        (
            "offset",
            "no answer"
            if a["distance_css"] is None
            else f"{_num(a['distance_css'])} css px = {_num(a['distance_px'])} image px",
        ),
        ("confidence", _num(match.get("confidence"), 2) if match else "- (no boxes)"),
        ("handle ratio", f"{_num(a['ratio'], 3)} ({a['ratio_source'] or 'not used'})"),
        (
            "handle travel",
            f"{_num(a['handle_css'], 0)} css px (aimed {_num(a['target_handle_css'])})",
        ),
        ("landing", f"{_num(a['landed_css'])} css px"),
        ("correction", f"{a['correction_css']:+d} css px"),
        ("answered by", a.get("answered_by") or "-"),
        ("verdict from", a.get("verdict_reason") or "-"),
        ("presses", f"{a.get('presses', 0)} (jump {_num(a.get('jump_css'))} css px)"),
    ]
    parts.append(
        '<div class="numbers"><dl class="facts">'
        + "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in facts)
        + "</dl>"
    )
    rows = "".join(
        f'<tr><td>{_h(step)}</td><td class="s">{seconds:.3f} s</td></tr>'
        for step, seconds in a["timings"].items()
        if seconds is not None
    )
    parts.append(
        f'<table class="timings"><tr><th>step</th><th>time</th></tr>{rows}'
        f'<tr class="total"><td>total</td><td class="s">{a["timings_total"]:.3f} s</td></tr>'
        "</table></div>"
    )
    links = [f'<a href="{_h(folder)}/{_h(name)}">{_h(name)}</a>' for name in files.values()]
    parts.append(f'<p class="files">{"".join(links)}</p></section>')
    return "\n".join(parts)


def _verdict_from_summary(a: dict[str, Any]) -> tuple[str, str]:
    kind = {"accepted": "ok", "rejected": "bad", "error": "bad"}.get(a["verdict_label"], "none")
    return a["verdict_label"], kind


def _top_page(runs: list[dict[str, Any]]) -> str:
    rows = []
    for info in runs:
        label, kind = _outcome(info.get("success"))
        name = str(info["run"])
        elapsed = info.get("elapsed")
        rows.append(
            f'<tr><td><a href="{_h(name)}/index.html">{_h(name)}</a></td>'
            f'<td class="{kind}">{_h(label)}</td><td class="s">{_h(info.get("attempts", "-"))}'
            f'</td><td class="s">{_num(elapsed, 2) if isinstance(elapsed, (int, float)) else "-"}'
            f" s</td><td>{_h(info.get('finished', ''))}</td></tr>"
        )
    table = (
        '<table class="runs"><tr><th>run</th><th>result</th><th>attempts</th><th>time</th>'
        f"<th>finished</th></tr>{''.join(rows)}</table>"
    )
    body = (
        f"<header><h1>Slider solves</h1><div>{len(runs)} run(s), newest first</div></header>"
        f'<main style="display:block">{table}</main>'
    )
    return _page("Slider solves", body)
