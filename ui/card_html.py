"""An audit card as one self-contained HTML page: the depth map and the cells, no network.

Written by ``eqgnn audit … --report card.html`` and offered for download on the
"Audit a model" page; every style is inline, nothing is fetched.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

COLOURS = {"blind": "#e8e8e8", "sighted, not learned": "#f6c667", "distinguished": "#5fb36a"}
SYMMETRIES = ("translation", "rotation", "reflection", "permutation")


def card_html(card: dict) -> str:
    """The page of ``card`` (the JSON of ``eqgnn audit --json``)."""
    s = card["summary"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Audit card: {escape(card['model'])}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:2px 6px;font-size:13px;text-align:center}th{background:#f4f4f4}"
        ".below{outline:3px solid #c0392b;outline-offset:-3px}</style></head><body>",
        f"<h1>Audit card: {escape(card['model'])}</h1>",
        f"<p>options: {escape(str(card['options'] or 'defaults'))}"
        + (f"; package {escape(card['package']['name'])} {escape(card['package']['version'])}"
           if card.get("package") else "") + "</p>",
    ]
    if card.get("stated_reach"):
        parts.append(f"<p>stated reach: {escape(card['stated_reach'])}</p>")
    sym = card["symmetry"]
    parts.append("<h2>Symmetry</h2><table><tr><th>symmetry</th><th>invariant</th>"
                 "<th>max deviation</th></tr>")
    for name in SYMMETRIES:
        parts.append(f"<tr><td>{name}</td><td>{'yes' if sym[name] else '<b>no</b>'}</td>"
                     f"<td>{sym['max_deviation'][name]:.1e}</td></tr>")
    parts.append(f"</table><p>{escape(card['meaning'])}</p>")
    parts.append(depth_map(card))
    parts.append("<h2>Summary</h2><ul>")
    for label, value in (
        ("body order", s["body_order_text"]),
        ("hops per layer", s["hops_per_layer"]),
        ("1-hop invariant (blind on every bond-graph torsion)", s["local_invariant"]),
        ("reaches the GWL bound on k-chains", s["reaches_gwl_bound"]),
        ("sees chirality", s["sees_chirality"]),
        ("smallest fold not oriented", s["smallest_fold_not_oriented"]),
        ("accuracy on the published trap (50 % is right)", _percent(s["trap_accuracy"])),
        ("cells below theory (headline)", len(s["headline"])),
    ):
        parts.append(f"<li>{escape(label)}: <b>{escape(str(value))}</b></li>")
    parts.append("</ul>")
    if s["claims"]:
        parts.append("<h2>Claims</h2><table><tr><th>claim</th><th>expected</th>"
                     "<th>measured</th><th>holds</th></tr>")
        for c in s["claims"]:
            parts.append(f"<tr><td>{escape(c['claim'])}</td><td>{escape(str(c['expected']))}"
                         f"</td><td>{escape(str(c['measured']))}</td>"
                         f"<td>{escape(str(c['holds']))}</td></tr>")
        parts.append("</table>")
    parts.append(cell_table(card))
    parts.append("</body></html>")
    return "\n".join(parts)


def depth_map(card: dict) -> str:
    """Cases by depth, coloured by verdict, outlined red where theory allows more."""
    depths = card["layers"]
    rows: dict[str, dict] = {}
    for cell in card["cells"]:
        rows.setdefault(cell["case"], {})[cell["layers"]] = cell
    out = ["<h2>Depth map</h2><p>grey: blind; amber: sighted, not learned; green: "
           "distinguished; red outline: theory allows more.</p><table><tr><th>case</th>"]
    out += [f"<th>{'?' if d is None else d}</th>" for d in depths]
    out.append("</tr>")
    for case, row in rows.items():
        out.append(f"<tr><td style='text-align:left'>{escape(case)}</td>")
        for d in depths:
            cell = row.get(d)
            if cell is None:
                out.append("<td></td>")
                continue
            below = cell["theory_allows"] is True and cell["verdict"] != "distinguished"
            out.append(f"<td style='background:{COLOURS[cell['verdict']]}'"
                       f"{' class=below' if below else ''} title='gap {cell['gap']:.1e}, "
                       f"floor {cell['noise_floor']:.1e}'>{_allows(cell['theory_allows'])}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def cell_table(card: dict) -> str:
    head = ("case", "layers", "theory allows", "verdict", "gap", "noise floor", "accuracy",
            "agrees")
    out = ["<h2>Cells</h2><table><tr>", *(f"<th>{h}</th>" for h in head), "</tr>"]
    for c in card["cells"]:
        values = (c["case"], c["layers"], c["theory_allows"], c["verdict"], f"{c['gap']:.1e}",
                  f"{c['noise_floor']:.1e}", _percent(c["accuracy"]), c["agrees_with_theory"])
        out.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in values) + "</tr>")
    out.append("</table>")
    return "".join(out)


def write_card(card: dict, path: str) -> None:
    Path(path).write_text(card_html(card), encoding="utf-8")


def _allows(value) -> str:
    return {True: "✓", False: "✗", None: "?"}[value]


def _percent(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"
