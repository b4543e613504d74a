"""Tiny inline-SVG charts for the eval report: no JavaScript, no external assets, every label escaped."""

from __future__ import annotations

from html import escape

W, H, PAD = 370, 270, 50
COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#8250df")


def _x(v: float) -> float:
    return PAD + v * (W - 2 * PAD)


def _y(v: float) -> float:
    return H - PAD - v * (H - 2 * PAD)


def _frame(title: str, x_label: str, y_label: str, body: str, y_max: float = 1.0, x_ticks: bool = True) -> str:
    ticks = "".join(
        (
            f'<line x1="{_x(t):.1f}" y1="{_y(0):.1f}" x2="{_x(t):.1f}" y2="{_y(0) + 4:.1f}" stroke="#555"/>'
            f'<text x="{_x(t):.1f}" y="{_y(0) + 16:.1f}" font-size="10" text-anchor="middle">{t:g}</text>'
            if x_ticks
            else ""
        )
        + f'<text x="{PAD - 6}" y="{_y(t) + 3:.1f}" font-size="10" text-anchor="end">{t * y_max:.3g}</text>'
        for t in (0, 0.25, 0.5, 0.75, 1)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" fill="#fafafa" stroke="#999"/>'
        f'{ticks}<text x="{W / 2}" y="{H - 6}" font-size="11" text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="12" y="{H / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {H / 2})">'
        f'{escape(y_label)}</text><text x="{W / 2}" y="20" font-size="13" text-anchor="middle" font-weight="bold">'
        f"{escape(title)}</text>{body}</svg>"
    )


def line_chart(
    title: str, x_label: str, y_label: str, series: list[tuple[str, list[tuple[float, float]]]], diagonal: bool = True
) -> str:
    """Lines in the unit square (ROC curve, reliability diagram); `diagonal` draws the chance / perfect line."""
    body = (
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="#aaa" stroke-dasharray="4 3"/>'
        if diagonal
        else ""
    )
    for i, (name, points) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        if points:
            path = " ".join(f"{_x(a):.1f},{_y(b):.1f}" for a, b in points)
            body += f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            body += "".join(
                f'<circle cx="{_x(a):.1f}" cy="{_y(b):.1f}" r="2.5" fill="{color}"/>'
                for a, b in points
                if len(points) <= 20
            )
        body += f'<text x="{_x(0.55)}" y="{_y(0.12) + 14 * i:.1f}" font-size="11" fill="{color}">{escape(name)}</text>'
    return _frame(title, x_label, y_label, body)


def histogram(title: str, groups: dict[str, list[float]], bins: int = 20) -> str:
    """Overlaid histograms of probabilities in [0, 1], one colour per group, as shares of each group."""
    shares: dict[str, list[float]] = {}
    for name, values in groups.items():
        counts = [0] * bins
        for v in values:
            counts[min(int(v * bins), bins - 1)] += 1
        shares[name] = [c / len(values) if values else 0.0 for c in counts]
    top = max((s for row in shares.values() for s in row), default=0) or 1.0
    body, width = "", 1 / bins
    for i, (name, row) in enumerate(shares.items()):
        color = COLORS[i % len(COLORS)]
        for b, s in enumerate(row):
            if s:
                body += (
                    f'<rect x="{_x(b * width):.1f}" y="{_y(s / top):.1f}" width="{_x(width) - _x(0):.1f}" '
                    f'height="{_y(0) - _y(s / top):.1f}" fill="{color}" fill-opacity="0.45"/>'
                )
        body += (
            f'<text x="{_x(0.55)}" y="{_y(0.9) + 14 * i:.1f}" font-size="11" fill="{color}">'
            f"{escape(name)} (n={len(groups[name])})</text>"
        )
    return _frame(title, "predicted probability", "share of group", body, y_max=top)


def bar_chart(
    title: str, x_label: str, y_label: str, labels: list[str], values: list[float], reference: float | None = None
) -> str:
    """Vertical bars with an optional horizontal reference line (e.g. lift 1.0)."""
    top = max([*values, reference or 0, 1e-9])
    n = max(len(values), 1)
    width = (W - 2 * PAD) / n
    body = ""
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x, y = PAD + i * width, _y(v / top)
        body += (
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{width - 4:.1f}" height="{_y(0) - y:.1f}" fill="{COLORS[0]}"/>'
            f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">{v:.2f}</text>'
            f'<text x="{x + width / 2:.1f}" y="{_y(0) + 14:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    if reference is not None:
        body += (
            f'<line x1="{PAD}" y1="{_y(reference / top):.1f}" x2="{W - PAD}" y2="{_y(reference / top):.1f}" '
            f'stroke="{COLORS[1]}" stroke-dasharray="4 3"/>'
        )
    return _frame(title, x_label, y_label, body, y_max=top, x_ticks=False)
