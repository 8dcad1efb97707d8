"""Axes a board can read: round ticks, hours as durations with the deadlines marked, short
month labels in the reader's language."""

import datetime as dt

from django.utils import translation

from salesopt.core.charts import hour_axis, month_label, round_axis


def test_a_secondary_axis_gets_round_ticks_from_zero():
    assert round_axis([1.9, 12, 22, 32.1]) == {"range": [0, 40], "dtick": 10, "tick0": 0}
    assert round_axis([0.37, 0.81]) == {"range": [0, 1.0], "dtick": 0.2, "tick0": 0}
    assert round_axis([None, 0]) == {"rangemode": "tozero"}


def test_hours_read_as_durations_and_name_the_deadlines():
    axis = hour_axis([1.2, 5.3, 34.1], {"A": 2.0, "B": 24.0, "C": 72.0})

    labels = dict(zip(axis["tickvals"], axis["ticktext"], strict=True))
    assert axis["type"] == "log"
    assert labels[2.0] == "2 h · A"
    assert labels[24.0] == "1 d · B"
    assert labels[72.0] == "3 d · C"
    assert labels[1] == "1 h" and labels[4] == "4 h" and labels[12] == "12 h"
    # Never the log axis's own "1, 2, 5, 10, 2, 5".
    assert all(label[0].isdigit() and " " in label for label in labels.values())


def test_month_labels_are_short_in_both_languages():
    november = dt.date(2025, 11, 1)
    with translation.override("en"):
        assert month_label(november) == "Nov 2025"
    with translation.override("zh-hans"):
        assert month_label(november) == "2025年11月"
