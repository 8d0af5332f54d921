"""The sales chart's geometry: bars in proportion to the peak, an empty period drawn flat."""
from blueprints.dashboard import chart
from services.money import to_text


def days(*values):
    return [{"date": f"2026-11-{n + 1:02d}", "orders": value} for n, value in enumerate(values)]


def test_bars_are_in_proportion_and_the_peak_fills_the_plot():
    drawn = chart.bar_chart(days(0, 2, 4), "orders", str)
    heights = [bar["height"] for bar in drawn["bars"]]
    full = drawn["base"] - chart.TOP
    assert heights == [0, full / 2, full]
    assert all(bar["y"] + bar["height"] == drawn["base"] for bar in drawn["bars"])
    assert [tick["text"] for tick in drawn["ticks"]] == ["0", "2", "4"]
    assert drawn["total"] == "6"


def test_an_odd_peak_gets_no_half_tick_and_money_labels_are_exact():
    drawn = chart.bar_chart([{"date": "2026-11-01", "revenue": 1999}], "revenue", to_text)
    assert [tick["text"] for tick in drawn["ticks"]] == ["0.00", "19.99"]


def test_a_period_without_sales_is_flat_with_one_tick():
    drawn = chart.bar_chart(days(0, 0, 0), "orders", str)
    assert {bar["height"] for bar in drawn["bars"]} == {0} and len(drawn["ticks"]) == 1


def test_date_labels_stay_inside_the_chart():
    drawn = chart.bar_chart(days(*range(30)), "orders", str)
    first, middle, last = drawn["dates"]
    assert (first["anchor"], middle["anchor"], last["anchor"]) == ("start", "middle", "end")
    assert first["x"] == drawn["left"] and last["x"] == drawn["right"]
    assert [d["text"] for d in drawn["dates"]] == ["11-01", "11-16", "11-30"]
