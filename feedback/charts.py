"""Bar charts as plain geometry, drawn as SVG by ``feedback/partials/chart.html``: no JavaScript,
no chart library. Whole pixels only, so the numbers never meet a locale's decimal comma."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 24, 48
GROUP_FILL = 0.8  # the share of a group's width its bars take


@dataclass(frozen=True)
class Group:
    """One category on the x axis: a short ``label`` under it, a ``name`` for screen readers,
    and one (series key, series label, value) per bar."""

    label: str
    name: str
    values: Sequence[tuple[str, str, int]]


@dataclass(frozen=True)
class Bar:
    series: str
    value: int
    description: str
    x: int
    y: int
    width: int
    height: int

    @property
    def text_x(self) -> int:
        return self.x + self.width // 2

    @property
    def text_y(self) -> int:
        return self.y - 4


@dataclass(frozen=True)
class Tick:
    text: str
    x: int
    y: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    axis: str
    bars: list[Bar]
    ticks: list[Tick]
    legend: list[tuple[str, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT

    @property
    def axis_x(self) -> int:
        return self.width // 2

    @property
    def axis_y(self) -> int:
        return self.height - 8

    @property
    def summary(self) -> str:
        return "; ".join(bar.description for bar in self.bars)


def describe(group: Group, series_label: str, value: int) -> str:
    return f"{group.name}, {series_label}: {value}" if series_label else f"{group.name}: {value}"


def bar_chart(
    chart_id: str,
    *,
    title: str,
    axis: str,
    groups: Sequence[Group],
    legend: Sequence[tuple[str, str]] = (),
) -> Chart:
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = HEIGHT - BOTTOM
    highest = max((value for group in groups for _, _, value in group.values), default=0)
    group_width = plot_width / len(groups) if groups else plot_width
    bars, ticks = [], []
    for index, group in enumerate(groups):
        start = LEFT + index * group_width
        bar_width = group_width * GROUP_FILL / max(len(group.values), 1)
        offset = start + group_width * (1 - GROUP_FILL) / 2
        for position, (series, series_label, value) in enumerate(group.values):
            height = round(value / highest * plot_height) if highest else 0
            bars.append(
                Bar(
                    series=series,
                    value=value,
                    description=describe(group, series_label, value),
                    x=round(offset + position * bar_width),
                    y=baseline - height,
                    width=max(round(bar_width) - 2, 1),
                    height=height,
                )
            )
        ticks.append(Tick(text=group.label, x=round(start + group_width / 2), y=baseline + 18))
    return Chart(id=chart_id, title=title, axis=axis, bars=bars, ticks=ticks, legend=list(legend))
