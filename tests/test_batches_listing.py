"""GET /api/v1/batches: a clerk finds the batches of its agencies, newest first, page by page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import db
from service.register import create_key
from tests.batch_helpers import certificate_common, post_certificates, unit_rows, wait_done, worker

PROBLEM = "application/problem+json"


def _ids(client: FlaskClient, query: str = "", **kwargs: Any) -> list[str]:
    response = client.get(f"/api/v1/batches{query}", **kwargs)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def _preview(client: FlaskClient, agencies: list[str], **kwargs: Any) -> dict[str, Any]:
    """A preview batch (nothing issued), one row in each of ``agencies``."""
    common = certificate_common()
    common.pop("agency", None)
    rows = [{**row, "agency": a} for row, a in zip(unit_rows(len(agencies)), agencies, strict=True)]
    body = {"template": "giay-cong-nhan", "common": common, "rows": rows}
    response = client.post("/api/v1/batches", json=body, **kwargs)
    assert response.status_code == 202, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def test_newest_first_with_the_counts_of_each_batch(app: Flask, client: FlaskClient) -> None:
    first = post_certificates(client, 2)
    with worker(app):
        wait_done(client, first["id"])
    second = post_certificates(client, 3)  # queued: no worker any more
    third = _preview(client, ["ubnd-bac-son"])
    page = client.get("/api/v1/batches").get_json()
    assert (page["page"], page["per_page"], page["total"]) == (1, 50, 3)
    assert [item["id"] for item in page["items"]] == [third["id"], second["id"], first["id"]]
    for item in page["items"]:
        # Each item is the batch object without its lists (its url has them).
        full = client.get(item["url"]).get_json()
        assert {k: v for k, v in full.items() if k not in ("documents", "errors")} == item
    done, queued = page["items"][2], page["items"][1]
    assert (done["status"], done["done"], done["failed"], done["pending"]) == ("done", 2, 0, 0)
    assert (queued["status"], queued["done"], queued["pending"]) == ("queued", 0, 3)
    assert (done["first_number"], done["last_number"], queued["first_number"]) == (1, 2, 3)


def test_pages_and_filters(client: FlaskClient) -> None:
    made = [post_certificates(client, 1)["id"] for _ in range(3)]
    other = _preview(client, ["ubnd-bimson"])["id"]
    newest = [other, *reversed(made)]
    assert _ids(client, "?per_page=3") == newest[:3]
    second = client.get("/api/v1/batches?per_page=3&page=2").get_json()
    assert [i["id"] for i in second["items"]] == newest[3:] and second["total"] == 4
    assert _ids(client, "?page=9") == []
    assert _ids(client, "?agency=ubnd-bac-son") == list(reversed(made))
    assert _ids(client, "?agency=ubnd-bimson") == [other]
    assert _ids(client, "?status=queued&agency=ubnd-bimson") == [other]
    assert _ids(client, "?status=done") == []


@pytest.mark.parametrize(
    ("query", "loc"),
    [("?per_page=0", "per_page"), ("?page=0", "page"), ("?status=xong", "status")],
)
def test_bad_query_is_422_in_vietnamese(client: FlaskClient, query: str, loc: str) -> None:
    response = client.get(f"/api/v1/batches{query}")
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert [e["loc"] for e in response.get_json()["errors"]] == [[loc]]


def test_unknown_agency_is_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/batches?agency=khong-co")
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert "Không có cơ quan" in response.get_json()["detail"]


def _key(app: Flask, role: str, agencies: list[str]) -> dict[str, str]:
    with app.app_context(), db.current().session() as session:
        _, plaintext = create_key(session, role, agencies)
    return {"Authorization": f"Bearer {plaintext}"}


def test_a_clerk_sees_its_agencies_batches_and_its_own(app: Flask) -> None:
    app.config["AUTH_REQUIRED"] = True
    client = app.test_client()
    bac_son = _key(app, "clerk", ["ubnd-bac-son"])
    both = _key(app, "clerk", ["ubnd-bac-son", "ubnd-bimson"])
    both_too = _key(app, "clerk", ["ubnd-bac-son", "ubnd-bimson"])
    admin = _key(app, "admin", [])
    response = client.post(
        "/api/v1/batches",
        json={"template": "giay-cong-nhan", "common": certificate_common(), "rows": unit_rows(1)},
        headers=bac_son,
    )
    assert response.status_code == 202
    mine = response.get_json()["id"]
    in_bimson = _preview(client, ["ubnd-bimson"], headers=admin)["id"]
    # Rows in two agencies: the batch belongs to no one agency, only its creator sees it.
    spanning = _preview(client, ["ubnd-bac-son", "ubnd-bimson"], headers=both)["id"]
    assert _ids(client, headers=bac_son) == [mine]
    assert _ids(client, headers=both) == [spanning, in_bimson, mine]
    assert _ids(client, headers=both_too) == [in_bimson, mine]
    assert _ids(client, headers=admin) == [spanning, in_bimson, mine]
    # The listing and a batch's own page apply one rule: listed exactly when readable.
    for headers in (bac_son, both, both_too, admin):
        listed = set(_ids(client, headers=headers))
        for batch_id in (mine, in_bimson, spanning):
            status = client.get(f"/api/v1/batches/{batch_id}", headers=headers).status_code
            assert (batch_id in listed) == (status == 200), (headers, batch_id, status)
    forbidden = client.get("/api/v1/batches?agency=ubnd-bimson", headers=bac_son)
    assert forbidden.status_code == 403 and forbidden.content_type == PROBLEM
    assert client.get("/api/v1/batches").status_code == 401
