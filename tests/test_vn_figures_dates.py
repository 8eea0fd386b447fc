"""Figures in text (nd30 §6) and the place-and-date line (nd30 §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from service import vn


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (999, "999"), (1082, "1.082"), (15_972, "15.972"), (1_234_567, "1.234.567"),
     (-15_972, "-15.972")],
)  # fmt: skip
def test_format_int(n: int, text: str) -> None:
    assert vn.format_int(n) == text


def test_format_int_is_babels_vietnamese_grouping() -> None:
    """format_int groups digits itself; babel's vi_VN "#,##0" is the reference."""
    from babel.numbers import format_decimal

    values = [*range(-1100, 1100), 10**6 - 1, 10**6, -(10**9), 10**18 + 7]
    values += [int("9" * k) for k in range(1, 28)] + [-int("1" * k) for k in range(1, 28)]
    for n in values:
        assert vn.format_int(n) == format_decimal(n, format="#,##0", locale="vi_VN"), n
    # Past babel's 28 significant digits (where it raised InvalidOperation), still grouped.
    assert vn.format_int(10**30) == "1" + ".000" * 10


@pytest.mark.parametrize(
    ("x", "places", "text"),
    [
        (95.38, None, "95,38"),
        (67.01, None, "67,01"),
        (Decimal("67.005"), 2, "67,01"),
        ("95.375", 2, "95,38"),
        (1234.5, None, "1.234,5"),
        (1234.5, 2, "1.234,50"),
        (3, None, "3"),
        (2.5, 0, "3"),
        ("0.125", None, "0,125"),
        (1.5e28, None, "15" + ".000" * 9),
        (Decimal("1E+30"), 2, "1" + ".000" * 10 + ",00"),
        ("9" * 40 + ".995", 2, "10" + ".000" * 13 + ",00"),
    ],
)
def test_format_decimal(x: float | Decimal | str, places: int | None, text: str) -> None:
    assert vn.format_decimal(x, places) == text


@pytest.mark.parametrize(
    ("x", "kwargs", "text"),
    [(95.38, {}, "95,38%"), (67.006, {}, "67,01%"), (100, {"places": 0}, "100%"),
     ("12.5", {"places": 1}, "12,5%")],
)  # fmt: skip
def test_format_percent(x: object, kwargs: dict[str, int], text: str) -> None:
    assert vn.format_percent(x, **kwargs) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "nan", float("inf")])
def test_format_decimal_rejects_garbage(bad: object) -> None:
    with pytest.raises(ValueError, match="không hợp lệ"):
        vn.format_decimal(bad)  # type: ignore[arg-type]


DATE_LINES = [
    ("Bỉm Sơn", date(2018, 7, 27), "Bỉm Sơn, ngày 27 tháng 7 năm 2018"),
    ("Kim Liên", date(2021, 2, 5), "Kim Liên, ngày 05 tháng 02 năm 2021"),
    ("Bỉm Sơn", date(2020, 3, 9), "Bỉm Sơn, ngày 09 tháng 3 năm 2020"),
    ("Quận 1", date(2024, 1, 1), "Quận 1, ngày 01 tháng 01 năm 2024"),
    (
        "Thành phố Hồ Chí Minh",
        date(2023, 12, 31),
        "Thành phố Hồ Chí Minh, ngày 31 tháng 12 năm 2023",
    ),
    ("  Bỉm   Sơn ", date(2019, 10, 10), "Bỉm Sơn, ngày 10 tháng 10 năm 2019"),
]


@pytest.mark.parametrize(("place", "d", "line"), DATE_LINES)
def test_date_line(place: str, d: date, line: str) -> None:
    assert vn.date_line(place, d) == line
    assert "tháng 03" not in line


def test_date_line_blank_draft_form() -> None:
    assert vn.date_line("Bỉm Sơn", None, year=2024) == "Bỉm Sơn, ngày      tháng      năm 2024"
    assert vn.date_line("Bỉm Sơn", None, year=2024, blank_width=3) == (
        "Bỉm Sơn, ngày   tháng   năm 2024"
    )


def test_date_line_blank_defaults_to_current_vietnam_year() -> None:
    assert vn.date_line("Bỉm Sơn", None).endswith(f"năm {vn.today().year}")


def test_date_line_decomposed_place_is_nfc() -> None:
    assert vn.date_line("Bi\u0309m So\u031bn", date(2018, 7, 27)).startswith("Bỉm Sơn,")


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("", date(2020, 1, 1)), {}), (("Bỉm Sơn", date(2020, 1, 1)), {"year": 2021}),
     (("Bỉm Sơn", None), {"blank_width": 0})],
)  # fmt: skip
def test_date_line_rejects(args: tuple[object, ...], kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        vn.date_line(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("d", "text"),
    [(date(2018, 7, 27), "27/7/2018"), (date(2018, 5, 3), "03/5/2018"),
     (date(2014, 2, 28), "28/02/2014"), (date(2008, 4, 4), "04/4/2008"),
     (date(2024, 1, 1), "01/01/2024"), (date(2020, 11, 16), "16/11/2020")],
)  # fmt: skip
def test_short_date(d: date, text: str) -> None:
    assert vn.short_date(d) == text


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 27, 20, 5, tzinfo=UTC), "28/11/2026 03:05"),  # next day
        (datetime(2026, 1, 2, 9, 30), "02/01/2026 16:30"),  # naive: taken as UTC (SQLite)
        (datetime(2026, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=7))), "02/01/2026 09:30"),
    ],
)
def test_local_time_is_vietnam_time(moment: datetime, text: str) -> None:
    assert vn.local_time(moment) == text


def test_today_is_vietnam_date() -> None:
    now_vn = datetime.now(timezone(timedelta(hours=7))).date()
    assert vn.today() in (now_vn, now_vn - timedelta(days=1), now_vn + timedelta(days=1))
    assert isinstance(vn.today(), date)
