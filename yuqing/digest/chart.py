"""The digest's 8-week trend chart as PNG bytes (matplotlib, Agg, no pyplot state).

Chinese labels need a CJK font. ``make run`` / ``make test`` install WenQuanYi Micro Hei
(Debian ``fonts-wqy-microhei``); any of the families below will do. matplotlib's font cache
may predate the font's installation, so the system font folders are searched as well. Without
any CJK font the chart is still drawn (the labels show as boxes) and a warning says what to
install.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from yuqing.digest.figures import Rate, TrendPoint

log = logging.getLogger(__name__)

CJK_FAMILIES: tuple[str, ...] = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
# file names of those fonts, for fonts installed after matplotlib built its cache
CJK_FILES: tuple[str, ...] = (
    "wqy-microhei",
    "wqy-zenhei",
    "notosanscjk",
    "notosanssc",
    "sourcehansans",
    "droidsansfallback",
    "uming",
    "simhei",
    "msyh",
    "pingfang",
)
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 3.6, 110
COLOURS = {"ack": "#4c78a8", "respond": "#e45756", "close": "#54a24b", "bar": "#888888"}


class NoCjkFontWarning(UserWarning):
    """No CJK font is installed: Chinese labels in the chart will not render."""


def _installed() -> dict[str, str]:
    return {f.name: f.fname for f in font_manager.fontManager.ttflist}


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None (with a warning)."""
    names = _installed()
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        stem = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(key.replace("-", "") in stem for key in CJK_FILES):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError) as exc:
                log.debug("cannot load font %s: %s", path, exc)
    names = _installed()
    for family in CJK_FAMILIES:
        if family in names:
            return family
    warnings.warn(
        "no CJK font found: Chinese labels in the digest chart will not render; "
        "install one, e.g. `apt-get install fonts-wqy-microhei`",
        NoCjkFontWarning,
        stacklevel=2,
    )
    return None


def cjk_font_file() -> str | None:
    family = cjk_font()
    return _installed().get(family) if family else None


def _pct(rates: Sequence[Rate]) -> list[float]:
    return [r.value if r.value is not None else float("nan") for r in rates]


def trend_png(points: Sequence[TrendPoint], bar: float, title: str = "近8周处置时效趋势") -> bytes:
    """Three rates per week (lines, left axis, with the bar) and the week's breaches (bars,
    right axis)."""
    family = cjk_font()
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    font = {"family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"]}
    x = list(range(len(points)))
    labels = [p.label.split("-")[1] if "-" in p.label else p.label for p in points]

    ax = fig.add_subplot(1, 1, 1)
    counts = ax.twinx()
    counts.bar(
        x, [p.breaches for p in points], width=0.5, color="#f2cf5b", alpha=0.6, label="超期件数"
    )
    counts.set_ylabel("超期件数", fontdict=font)
    counts.set_ylim(0, max([p.breaches for p in points] + [4]) * 1.4)
    ax.set_zorder(counts.get_zorder() + 1)
    ax.patch.set_visible(False)

    series = (
        ("ack", "签收率", [p.ack for p in points]),
        ("respond", "按时回应率", [p.respond for p in points]),
        ("close", "按时办结率", [p.close for p in points]),
    )
    for key, name, rates in series:
        ax.plot(x, _pct(rates), marker="o", linewidth=2, color=COLOURS[key], label=name)
    ax.axhline(bar, color=COLOURS["bar"], linestyle="--", linewidth=1, label=f"达标线 {bar:.0%}")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontdict=font)
    ax.set_title(title, fontdict={**font, "size": 13})
    ax.grid(axis="y", alpha=0.3)
    handles, names = ax.get_legend_handles_labels()
    more, more_names = counts.get_legend_handles_labels()
    ax.legend(
        handles + more,
        names + more_names,
        loc="lower left",
        ncol=5,
        prop={"family": font["family"], "size": 8},
        frameon=False,
        bbox_to_anchor=(0, -0.2),
    )
    fig.subplots_adjust(left=0.08, right=0.92, top=0.88, bottom=0.2)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
