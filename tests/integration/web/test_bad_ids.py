"""The dashboard's pages given ids that are no record id (past 2**63-1, other digits than ASCII) answer
a 404 or 422, never a 500; the ONU list's OLT filter ignores one."""

from __future__ import annotations

import pytest

from tests.integration.web.conftest import Dashboard
from tests.integration.web.seed import ADMIN

NOT_IDS = [str(2**63), "9" * 30, "%C2%B3", "%D9%A3", "0"]


@pytest.mark.parametrize("page", ["/devices/{}", "/onus/{}", "/customers/{}"])
def test_a_page_for_no_such_id_is_not_a_server_error(dash: Dashboard, page: str) -> None:
    dash.login(ADMIN)
    for value in NOT_IDS:
        r = dash.http.get(page.format(value))
        assert r.status_code in (404, 422), (value, r.status_code, r.text[:200])


def test_the_olt_filter_ignores_what_is_no_id(dash: Dashboard) -> None:
    dash.login(ADMIN)
    every = dash.http.get("/onus")
    assert every.status_code == 200
    for value in ("³", "٣", "9" * 30, str(2**63)):
        r = dash.http.get("/onus", params={"olt": value})
        assert r.status_code == 200, (value, r.text[:200])
    assert dash.http.get("/onus", params={"olt": str(dash.ids.olt_id)}).status_code == 200
