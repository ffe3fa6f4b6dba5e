"""How a report's table cell reads as text, on a page and on the command line."""

from __future__ import annotations


def cell_text(value: object, float_format: str = ".3g", blank: str = "-") -> str:
    """``value`` as a table shows it: ``blank`` for None (a setting that does not
    apply), yes/no for a bool (a checkbox reads as "editable" from the back row),
    ``float_format`` for a float, else ``str``."""
    if value is None:
        return blank
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(value, float_format) if isinstance(value, float) else str(value)
