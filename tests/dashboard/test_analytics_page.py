"""The Analytics page (AppTest) on SQLite and PostgreSQL: figures of the hand-computed dataset of
tests/core/test_analytics.py as the filters change, the charts, and the CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from perfile_core.db.engine import make_engine
from tests.core.test_analytics import WEEK_1, WEEK_2, seed_hand_computed

ROOT = Path(__file__).resolve().parents[2]
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def analytics_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    engine = make_engine(db_url)
    seed_hand_computed(engine)
    monkeypatch.setenv("PERFILE_DATABASE_URL", db_url)
    from ui.analytics_view import regions
    from ui.context import perfile
    from ui.filters import store_options

    perfile.clear()
    regions.clear()
    store_options.clear()
    yield engine
    perfile().close()
    perfile.clear()
    engine.dispose()


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "2_Analytics.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    at.date_input(key="a_period").set_value(MARCH).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_figures_follow_the_filters(analytics_db: Engine) -> None:
    at = _page()
    assert _metrics(at) == {
        "Orders": "6",
        "Delivered": "4",
        "On time": "75.0 %",
        "Median delivery time": "32.0 h",
        "p90 delivery time": "75.6 h",
        "Exception rate": "40.0 %",
    }
    per_courier = at.dataframe[0].value.set_index("Courier")
    assert per_courier.loc["Bring", ["Orders", "Delivered", "On time", "Median"]].tolist() == [3, 2, "50.0 %", "26.0 h"]
    assert per_courier.loc["PostNord", ["On time", "Exception rate", "Average"]].tolist() == [
        "100.0 %",
        "50.0 %",
        "35.0 h",
    ]
    assert per_courier.loc["No courier yet", ["Orders", "On time", "Median"]].tolist() == [1, "—", "—"]
    per_week = at.dataframe[1].value.set_index("Week")
    assert per_week.loc[WEEK_1, ["Orders", "Delivered", "On time"]].tolist() == [3, 1, "100.0 %"]
    assert per_week.loc[WEEK_2, ["Orders", "Delivered", "On time"]].tolist() == [3, 3, "66.7 %"]
    assert len(at.get("vega_lite_chart")) == 4

    at.multiselect(key="a_courier").select("postnord").run()
    assert _metrics(at)["Orders"] == "2" and _metrics(at)["On time"] == "100.0 %"
    at.multiselect(key="a_courier").unselect("postnord").run()
    at.multiselect(key="a_store").select("other").run()
    assert (_metrics(at)["Orders"], _metrics(at)["Delivered"], _metrics(at)["On time"]) == ("1", "0", "—")
    at.multiselect(key="a_store").unselect("other").run()
    at.multiselect(key="a_region").select("SE-4").run()
    assert (_metrics(at)["Orders"], _metrics(at)["Median delivery time"]) == ("2", "42.0 h")  # 40 h and 72 h
    at.date_input(key="a_period").set_value((date(2026, 3, 9), date(2026, 3, 31))).run()
    assert _metrics(at)["Orders"] == "1"
    at.date_input(key="a_period").set_value((date(2026, 4, 1), date(2026, 4, 30))).run()
    assert not at.metric and any("No orders match" in info.value for info in at.info)


def test_csv_download_has_the_figures_on_screen(analytics_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    offered: dict[str, bytes | str] = {}  # what each run put behind a download button, by file name
    keep = MemoryMediaFileStorage.load_and_get_id

    def recording(self, data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        offered[filename] = data
        return keep(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    at = _page()
    at.multiselect(key="a_courier").select("bring").run()
    assert [button.proto.label for button in at.get("download_button")] == ["Download CSV"]
    data = offered["analytics.csv"]
    rows = list(csv.DictReader(io.StringIO(data.decode() if isinstance(data, bytes) else data)))
    assert rows[0]["breakdown"] == "total" and rows[0]["orders"] == "3" and rows[0]["on_time_rate"] == "0.5"
    assert [(row["breakdown"], row["courier"], row["week"]) for row in rows[1:]] == [
        ("courier", "bring", ""),
        ("week", "", WEEK_1),
        ("week", "", WEEK_2),
        ("courier and week", "bring", WEEK_1),
        ("courier and week", "bring", WEEK_2),
    ]
