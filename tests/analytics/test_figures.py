"""Every figure against pandas over all the rows of the same generated history, including
reopened tickets, tickets closed unresolved, times given in several zones, empty ranges and a
category with no open tickets. Runs on SQLite and PostgreSQL (the conftest's backends)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from tests.analytics.history import (
    QUIET,
    first_responses_frame,
    make_history,
    nearest_rank,
    tickets_frame,
)
from tests.factories import Actor
from ticketdesk.analytics.buckets import RELATIVE_PRECISION, bucket_of
from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.analytics.service import ticket_counts

ACTIVE = ["open", "in_progress", "waiting"]
# Odd instants in other zones: ranges must be exact to the instant, not to the day.
FROM = "2025-02-03T07:13:00+05:30"
TO = "2025-03-17T22:00:00-08:00"
FROM_UTC = pd.Timestamp(FROM).tz_convert("UTC")
TO_UTC = pd.Timestamp(TO).tz_convert("UTC")


@pytest.fixture
def history(session: Session, agent: Actor, requester: Actor) -> datetime:
    return make_history(session, agent_id=agent.user_id, requester_id=requester.user_id)


def get(actor: Actor, path: str, **params: Any) -> Any:
    response = actor.get(f"/api/analytics/{path}", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def close_to_bucket(estimate_hours: float, true_hours: float) -> bool:
    """A histogram percentile is the middle of the bucket holding the true value."""
    same_bucket = bucket_of(estimate_hours * 3600) == bucket_of(true_hours * 3600)
    return same_bucket and abs(estimate_hours / true_hours - 1) <= RELATIVE_PRECISION + 1e-12


def test_the_history_has_the_hard_cases(history: datetime, session: Session) -> None:
    truth = tickets_frame(session)
    assert (truth["status"] == "open").any() and (truth["status"] == "closed").any()
    unresolved_closes = truth[(truth["status"] == "closed") & truth["resolved_at"].isna()]
    assert len(unresolved_closes) > 3
    assert not truth[truth["category"] == QUIET]["status"].isin(ACTIVE).any()


def test_counts_by_category(history: datetime, session: Session, agent: Actor) -> None:
    truth = tickets_frame(session)
    assert get(agent, "counts_by_category") == truth["category"].value_counts().to_dict()
    for status in (["open"], ["resolved", "closed"], ACTIVE):
        expected = truth[truth["status"].isin(status)]["category"].value_counts().to_dict()
        got = get(agent, "counts_by_category", status=",".join(status))
        assert got == expected
    window = truth[(truth["opened_at"] >= FROM_UTC) & (truth["opened_at"] < TO_UTC)]
    got = get(agent, "counts_by_category", **{"from": FROM, "to": TO})
    assert got == window["category"].value_counts().to_dict()
    assert sum(got.values()) < len(truth)
    got = get(agent, "counts_by_category", **{"from": FROM, "to": TO, "category": "bug,login"})
    assert (
        got
        == window[window["category"].isin(["bug", "login"])]["category"].value_counts().to_dict()
    )
    assert get(agent, "counts_by_category", **{"from": FROM, "to": FROM}) == {}
    assert get(agent, "counts_by_category", **{"from": "2030-01-01"}) == {}


def test_active_by_category(history: datetime, session: Session, agent: Actor) -> None:
    truth = tickets_frame(session)
    active = truth[truth["status"].isin(ACTIVE)]["category"].value_counts()
    expected = {category: int(active.get(category, 0)) for category in truth["category"].unique()}
    got = get(agent, "active_by_category")
    assert {row["category"]: row["count"] for row in got} == expected
    assert {"category": QUIET, "count": 0} in got
    counts = [row["count"] for row in got]
    assert counts == sorted(counts, reverse=True)
    window = truth[(truth["opened_at"] >= FROM_UTC) & (truth["opened_at"] < TO_UTC)]
    got = get(agent, "active_by_category", **{"from": FROM, "to": TO})
    in_window = window[window["status"].isin(ACTIVE)]["category"].value_counts()
    assert {row["category"]: row["count"] for row in got} == {
        category: int(in_window.get(category, 0)) for category in window["category"].unique()
    }


def test_ticket_counts_per_calendar_period(history: datetime, session: Session) -> None:
    truth = tickets_frame(session)
    for now in (history, history - timedelta(days=40), history + timedelta(days=400)):
        for period in Period:
            start = pd.Timestamp(period_start(period, now))
            expected = ((truth["opened_at"] >= start) & truth["status"].isin(ACTIVE)).sum()
            assert ticket_counts(session, period=period, now=now) == expected, (now, period)


def test_resolution_times_list(history: datetime, session: Session, agent: Actor) -> None:
    truth = tickets_frame(session).dropna(subset=["done_at"])
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        response = agent.get(f"/api/analytics/resolution_times?per_page=50&page={page}")
        assert response.status_code == 200
        assert int(response.headers["X-Total-Count"]) == len(truth)
        rows += response.get_json()
        if 'rel="next"' not in response.headers["Link"]:
            break
        page += 1
    assert [row["ticket_id"] for row in rows] == list(
        truth.sort_values(["done_at", "id"], ascending=False)["id"]
    )
    by_id = truth.set_index("id")
    for row in rows:
        expected = by_id.loc[row["ticket_id"]]
        assert row["category"] == expected["category"]
        assert pd.Timestamp(row["resolved_at"]) == expected["done_at"]
        assert pd.Timestamp(row["opened_at"]) == expected["opened_at"]
        assert row["hours"] == pytest.approx(expected["hours"], rel=1e-12)
    window = truth[(truth["done_at"] >= FROM_UTC) & (truth["done_at"] < TO_UTC)]
    response = agent.get(
        "/api/analytics/resolution_times",
        query_string={"from": FROM, "to": TO, "per_page": 100, "category": "bug"},
    )
    expected_ids = set(window[window["category"] == "bug"]["id"])
    assert int(response.headers["X-Total-Count"]) == len(expected_ids)
    assert {row["ticket_id"] for row in response.get_json()} == expected_ids


def _check_summary(got: list[dict[str, Any]], truth: pd.DataFrame) -> None:
    assert [row["category"] for row in got] == sorted(truth["category"].unique())
    for row in got:
        hours = truth[truth["category"] == row["category"]]["hours"]
        assert row["count"] == len(hours)
        assert row["mean_hours"] == pytest.approx(hours.mean(), rel=1e-9)
        assert close_to_bucket(row["median_hours"], nearest_rank(hours, 1, 2)), row
        assert close_to_bucket(row["p90_hours"], nearest_rank(hours, 9, 10)), row


def test_resolution_summary(history: datetime, session: Session, agent: Actor) -> None:
    truth = tickets_frame(session).dropna(subset=["done_at"])
    _check_summary(get(agent, "resolution_times/summary"), truth)
    window = truth[(truth["done_at"] >= FROM_UTC) & (truth["done_at"] < TO_UTC)]
    _check_summary(get(agent, "resolution_times/summary", **{"from": FROM, "to": TO}), window)
    assert get(agent, "resolution_times/summary", **{"from": "2031-01-01"}) == []


def test_resolution_time_by_month(history: datetime, session: Session, agent: Actor) -> None:
    truth = tickets_frame(session).dropna(subset=["done_at"])
    month = truth["done_at"].dt.strftime("%Y-%m")
    expected = truth.groupby(month)["hours"].mean()
    got = get(agent, "resolution_time_by_month")
    assert list(got) == list(expected.index)
    for key, mean in expected.items():
        assert got[key] == pytest.approx(mean, rel=1e-9)
    # from/to pick whole months; categories narrow.
    got = get(agent, "resolution_time_by_month", **{"from": FROM, "to": TO, "category": "bug"})
    bugs = truth[(truth["category"] == "bug") & month.between("2025-02", "2025-03")]
    expected = bugs.groupby(bugs["done_at"].dt.strftime("%Y-%m"))["hours"].mean()
    assert got == pytest.approx(expected.to_dict(), rel=1e-9)


@pytest.mark.parametrize(("interval", "freq"), [("day", "D"), ("week", "W-SUN"), ("month", "M")])
def test_ticket_volume(
    history: datetime, session: Session, agent: Actor, interval: str, freq: str
) -> None:
    got = get(agent, "ticket_volume", interval=interval, **{"from": FROM, "to": TO})
    _check_volume(got, tickets_frame(session), freq)


# By month the monthly counters answer (the opened ones moved when a ticket's category is).
@pytest.mark.parametrize(("interval", "freq"), [("week", "W-SUN"), ("month", "M")])
def test_ticket_volume_of_some_categories(
    history: datetime, session: Session, agent: Actor, interval: str, freq: str
) -> None:
    truth = tickets_frame(session)
    got = get(
        agent, "ticket_volume", interval=interval, category="bug,login", **{"from": FROM, "to": TO}
    )
    _check_volume(got, truth[truth["category"].isin(["bug", "login"])], freq)


def _check_volume(got: list[dict[str, Any]], truth: pd.DataFrame, freq: str) -> None:
    periods = pd.period_range(
        FROM_UTC.tz_localize(None), (TO_UTC - pd.Timedelta(1, "us")).tz_localize(None), freq=freq
    )
    assert [row["period"] for row in got] == [str(p.start_time.date()) for p in periods]
    for row, period in zip(got, periods, strict=True):
        start = pd.Timestamp(period.start_time, tz="UTC")
        end = pd.Timestamp((period + 1).start_time, tz="UTC")
        opened = truth["opened_at"]
        done = truth["done_at"]
        assert row["opened"] == ((opened >= start) & (opened < end)).sum(), row
        assert row["closed"] == ((done >= start) & (done < end)).sum(), row
        assert row["backlog"] == ((opened < end) & ~(done < end)).sum(), row


def test_ticket_volume_defaults_and_empty_ranges(history: datetime, agent: Actor) -> None:
    assert len(get(agent, "ticket_volume")) == 12
    assert len(get(agent, "ticket_volume", interval="day")) == 30
    assert len(get(agent, "ticket_volume", interval="week")) == 12
    assert get(agent, "ticket_volume", **{"from": FROM, "to": FROM}) == []
    future = get(agent, "ticket_volume", **{"from": "2031-01-01", "to": "2031-03-01"})
    assert [row["opened"] for row in future] == [0, 0]
    assert future[0]["backlog"] == future[1]["backlog"] > 0


def test_first_response(history: datetime, session: Session, agent: Actor) -> None:
    truth = first_responses_frame(session)
    month = truth["created_at"].dt.strftime("%Y-%m")
    got = get(agent, "first_response")
    assert [row["month"] for row in got] == sorted(month.unique())
    for row in got:
        hours = truth[month == row["month"]]["hours"]
        assert row["count"] == len(hours)
        assert close_to_bucket(row["median_hours"], nearest_rank(hours, 1, 2)), row
        assert close_to_bucket(row["p90_hours"], nearest_rank(hours, 9, 10)), row
    bug = truth[(truth["category"] == "bug") & month.between("2025-02", "2025-03")]
    got = get(agent, "first_response", **{"from": FROM, "to": TO, "category": "bug"})
    assert {row["month"]: row["count"] for row in got} == bug.groupby(
        bug["created_at"].dt.strftime("%Y-%m")
    ).size().to_dict()
