"""The quote the Generate form asks for: the server's price and guidance, from the same intake
checks as creating a job, with nothing made."""

from decimal import Decimal

import pytest

from apps.gemini import catalogue
from apps.generations.models import Generation
from tests.generations.test_kinds import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(api, editor, project, upstream):
    return Team(api(editor), project)


def quote(team, **body):
    return team.client.post(f"/api/v1/projects/{team.project.id}/generations/quote/", body, format="json")


def test_a_quote_prices_each_delivery_and_makes_nothing(team):
    response = quote(team, model="nano-banana-2", image_size="512", count=2, delivery="batch")

    model = catalogue.get_model("nano-banana-2")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert Decimal(body["estimate_usd"]) == model.price("512", "batch") * 2 == Decimal(body["estimates_usd"]["batch"])
    assert Decimal(body["estimates_usd"]["interactive"]) == model.price("512") * 2
    assert body["warnings"] == [] and not Generation.objects.exists()


def test_a_quote_warns_as_creating_would_and_needs_no_prompt_yet(team, run_tasks_inline):
    characters = [team.entry("character", f"C{i}")["id"] for i in range(5)]

    quoted = quote(team, model="nano-banana-2", characters=characters)
    made = team.post(prompt="five friends", model="nano-banana-2", characters=characters)

    assert quoted.status_code == 200 and made.status_code == 201
    assert quoted.json()["warnings"] == made.json()["warnings"]
    assert "Nano Banana 2 keeps subjects best with up to 4 character images" in quoted.json()["warnings"][0]["message"]


def test_a_quote_refuses_what_creating_refuses_with_the_same_error(team):
    quoted = quote(team, prompt="a kite", model="nano-banana", aspect_ratio="1:8")
    made = team.post(prompt="a kite", model="nano-banana", aspect_ratio="1:8")

    assert quoted.status_code == made.status_code == 400
    assert quoted.json() == made.json() and quoted.json()["error"]["field"] == "aspect_ratio"
    assert not Generation.objects.exists()
