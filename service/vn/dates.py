"""Place-and-date line and short dates (nd30 §4), in Vietnam time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from service.vn.text import nfc

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    _TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except (ImportError, ZoneInfoNotFoundError):  # pragma: no cover - hosts without a tz database
    # Vietnam has used UTC+7 without daylight saving since 1975.
    _TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def today() -> date:
    """Return today's date in Asia/Ho_Chi_Minh."""
    return datetime.now(_TZ).date()


def _day(d: date) -> str:
    return f"{d.day:02d}"


def _month(d: date) -> str:
    # nd30 §4: leading zero for January and February only ("tháng 01", "tháng 02", "tháng 3").
    return f"{d.month:02d}" if d.month <= 2 else str(d.month)


def date_line(place: str, d: date | None, *, blank_width: int = 6, year: int | None = None) -> str:
    """Build "Bỉm Sơn, ngày 27 tháng 7 năm 2018"; d=None gives the blank draft form."""
    place = " ".join(nfc(place or "").split())
    if not place:
        raise ValueError("Địa danh (nơi ban hành) không được để trống")
    if d is not None:
        if isinstance(d, datetime):
            d = d.date()
        if year is not None and year != d.year:
            raise ValueError(f"Năm {year} không khớp với ngày {short_date(d)}")
        return f"{place}, ngày {_day(d)} tháng {_month(d)} năm {d.year}"
    if blank_width < 1:
        raise ValueError("Độ rộng chỗ trống phải từ 1 ký tự trở lên")
    if year is None:
        year = today().year
    if not 1 <= year <= 9999:
        raise ValueError(f"Năm không hợp lệ: {year}")
    blank = " " * blank_width
    return f"{place}, ngày{blank}tháng{blank}năm {year}"


def local_time(moment: datetime) -> str:
    """A moment as "27/11/2026 14:05" in Vietnam time (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_TZ).strftime("%d/%m/%Y %H:%M")


def short_date(d: date) -> str:
    """Write a date as in citations: "03/5/2018", "28/02/2014", "27/7/2018"."""
    if isinstance(d, datetime):
        d = d.date()
    return f"{_day(d)}/{_month(d)}/{d.year}"
