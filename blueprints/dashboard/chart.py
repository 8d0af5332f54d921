"""A bar chart of one figure per day, as geometry for an inline SVG (the template
draws it): no script, no asset, nothing from outside the page."""
WIDTH, HEIGHT = 420, 200
LEFT, RIGHT, TOP, BOTTOM = 50, 10, 12, 26  # room for the axis labels


def bar_chart(daily: list[dict], field: str, label) -> dict:
    """Bars of `field` for each day of `daily`; `label` turns a value into text."""
    values = [day[field] for day in daily]
    peak = max(values, default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(values), 1)
    bars = []
    for index, (day, value) in enumerate(zip(daily, values)):
        height = plot_height * value / peak
        bars.append({"x": round(LEFT + index * slot + slot * 0.15, 2), "width": round(max(slot * 0.7, 1), 2),
                     "y": round(TOP + plot_height - height, 2), "height": round(height, 2),
                     "date": day["date"], "value": value, "text": label(value)})
    top = max(values, default=0)
    shares = (0, 0.5, 1) if top and top % 2 == 0 else (0, 1) if top else (0,)
    ticks = [{"y": round(TOP + plot_height * (1 - share), 2), "text": label(int(top * share))} for share in shares]
    marked = sorted({0, len(daily) // 2, len(daily) - 1}) if daily else []
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "ticks": ticks, "left": LEFT, "right": WIDTH - RIGHT,
            "base": TOP + plot_height,
            "dates": [_date_label(daily, index, slot) for index in marked],
            "total": label(sum(values))}


def _date_label(daily: list[dict], index: int, slot: float) -> dict:
    """MM-DD under day `index`; the first and last are anchored inside the chart."""
    anchor = "start" if index == 0 else "end" if index == len(daily) - 1 else "middle"
    x = {"start": LEFT + index * slot, "middle": LEFT + (index + 0.5) * slot, "end": LEFT + (index + 1) * slot}[anchor]
    return {"x": round(x, 2), "anchor": anchor, "text": daily[index]["date"][5:]}
