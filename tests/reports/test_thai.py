"""Thai formatting used by the reports."""
from __future__ import annotations

import datetime as dt

import pytest

from reports import thai


def test_fiscal_year_runs_october_to_september_in_buddhist_era():
    assert thai.fiscal_year_days(2569) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    assert thai.fiscal_year_text(2569) == "ปีงบประมาณ พ.ศ. 2569 (1 ตุลาคม 2568 – 30 กันยายน 2569)"
    assert thai.fiscal_months(2569)[0] == "ต.ค. 68" and thai.fiscal_months(2569)[-1] == "ก.ย. 69"
    assert thai.quarter_text(2569, 1) == "ไตรมาส 1 (ต.ค.–ธ.ค. 2568)"
    assert thai.quarter_text(2569, 2) == "ไตรมาส 2 (ม.ค.–มี.ค. 2569)"
    with pytest.raises(ValueError, match="ไตรมาส"):
        thai.quarter_text(2569, 5)


def test_dates_and_moments_in_thai():
    assert thai.thai_date("2026-02-15") == "15 ก.พ. 2569"
    assert thai.thai_date(dt.date(2025, 12, 31), short=False) == "31 ธันวาคม 2568"
    # 30 Sep 2026 18:00 UTC is already 1 Oct in Bangkok: the next fiscal year
    assert thai.thai_moment("2026-09-30T18:00:00+00:00") == "1 ตุลาคม 2569 เวลา 01.00 น."
    with pytest.raises(ValueError, match="ปปปป-ดด-วว"):
        thai.thai_date("15/02/2569")


def test_numbers_shares_days_and_digits():
    assert thai.count_text(3912) == "3,912"
    assert thai.share_text(571 / 712) == "80.2%"
    assert thai.share_text(None) == thai.days_text(None) == "–"
    assert thai.days_text(17.5) == "17.5"
    assert thai.thai_digits("หน้า 12 / 19") == "หน้า ๑๒ / ๑๙"
    assert thai.display_width("ผู้สูงอายุ") == 6
