"""CLI output that fits where it goes: width-aware tables on a terminal, plain TSV when piped or redirected.

On a terminal a table takes the terminal's width and cuts what does not fit with an ellipsis ("…"), one line per row.
Anywhere else (a file, a pipe, `| cut -f2`) the same table is printed as tab-separated values with nothing cut:
a `# title` line, a header row, one line per row, and `# caption` when there is one. Commands that print data also
take `--json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_TABS = re.compile(r"\t+")


def cli_console(stderr: bool = False) -> Console:
    """A console that never hard-wraps printed lines at 80 columns when the output is not a terminal."""
    return Console(stderr=stderr, soft_wrap=True)


def plain(value: object) -> str:
    """One TSV cell: the text without styles, line breaks joined by ' | ', tabs as spaces."""
    text = value.plain if isinstance(value, Text) else str(value)
    return _TABS.sub(" ", _BREAKS.sub(" | ", text.strip()))


def tsv(table: Table) -> str:
    """A rich table as TSV (title and caption as `#` lines); cells are never cut."""
    lines = []
    if table.title:
        lines.append(f"# {plain(table.title)}")
    columns = table.columns
    if table.show_header:
        lines.append("\t".join(plain(c.header) for c in columns))
    for cells in zip(*(c.cells for c in columns), strict=True):
        lines.append("\t".join(plain(cell) for cell in cells))
    if table.caption:
        lines.append(f"# {plain(table.caption)}")
    return "\n".join(lines)


def print_table(console: Console, table: Table) -> None:
    """The table as the terminal can show it, or TSV when the console is not a terminal."""
    if console.is_terminal:
        console.print(table)
    else:
        _write(console, tsv(table))


def print_parts(console: Console, parts: Iterable[RenderableType], title: str | Text | None = None) -> None:
    """Several blocks (text lines and tables): in one panel on a terminal; as lines and TSV blocks elsewhere."""
    parts = list(parts)
    if console.is_terminal:
        if title is None:
            for part in parts:
                console.print(part)
        else:
            console.print(Panel(Group(*parts), title=title))
        return
    blocks = [f"# {plain(title)}"] if title else []
    for part in parts:
        if isinstance(part, Table):
            blocks.append(tsv(part))
        elif isinstance(part, Text | str):
            blocks.append(part.plain if isinstance(part, Text) else part)
        else:  # any other renderable is printed as rich would, without colour
            with console.capture() as captured:
                console.print(part)
            blocks.append(captured.get().rstrip("\n"))
    _write(console, "\n\n".join(blocks))


def _write(console: Console, text: str) -> None:
    """Straight to the console's stream: rich would expand the tabs into spaces and read lead text as markup."""
    console.file.write(text + "\n")
    console.file.flush()


def fitted(table: Table, *, fixed: dict[str, int] | None = None) -> Table:
    """Make every column of `table` one line per row, cut with an ellipsis when the terminal is too narrow;
    `fixed` columns keep their width (short codes and numbers would otherwise be squeezed to nothing first)."""
    for column in table.columns:
        column.no_wrap = True
        column.overflow = "ellipsis"
        column.width = (fixed or {}).get(plain(column.header), column.width)
    return table
