"""Every kind of job against the emulator through the real SDK, with its lineage relation."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.gemini import catalogue
from apps.generations.models import Generation
from tests.images import image_bytes

pytestmark = pytest.mark.django_db


class Team:
    """A brand team working over REST."""

    def __init__(self, client, project):
        self.client = client
        self.project = project

    def entry(self, kind, name, images=1, description=""):
        entry = self.client.post(f"/api/v1/projects/{self.project.id}/{kind}s/", {"name": name, "description": description}, format="json").json()
        for i in range(images):
            data = image_bytes(80, 80, colour=(hash(name) % 255, i * 40, 90))
            response = self.client.post(f"/api/v1/{kind}s/{entry['id']}/images/", {"image": SimpleUploadedFile("r.png", data)}, format="multipart")
            assert response.status_code == 201, response.json()
        return self.client.get(f"/api/v1/{kind}s/{entry['id']}/").json()

    def post(self, **body):
        return self.client.post(f"/api/v1/projects/{self.project.id}/generations/", body, format="json")

    def run(self, **body) -> dict:
        response = self.post(**body)
        assert response.status_code == 201, response.json()
        job = self.client.get(f"/api/v1/generations/{response.json()['id']}/").json()
        assert job["status"] == "succeeded", job["error"]
        return job


@pytest.fixture
def team(api, editor, project, upstream, run_tasks_inline):
    return Team(api(editor), project)


def test_generate_with_two_characters_and_three_objects_sends_exactly_their_images(team, upstream):
    characters = [team.entry("character", name, images=2, description=f"{name} the mascot") for name in ("Mia", "Leo")]
    objects = [team.entry("object", name) for name in ("Bottle", "Cap", "Box")]

    job = team.run(prompt="the team having a picnic", characters=[c["id"] for c in characters], objects=[o["id"] for o in objects])

    expected = [image["sha256"] for entry in characters + objects for image in entry["images"]]
    [call] = upstream.state.log
    assert call["input_sha256"] == expected
    assert [ref["sha256"] for ref in job["references"]] == expected
    labels = [t for t in call["texts"] if t.startswith("Reference image")]
    assert len(labels) == 7
    assert 'character "Mia" (Mia the mascot)' in labels[0] and 'object "Box"' in labels[-1]
    assert call["texts"][-1] == "the team having a picnic"
    assert call["system_instruction"] == team.project.brief


@pytest.mark.parametrize(
    ("kind", "relation", "extra"),
    [
        ("edit", "edited_from", {"prompt": "replace the table with a marble one"}),
        ("translate", "translated_from", {"target_language": "de"}),
        ("upscale", "upscaled_from", {"image_size": "4K"}),
    ],
)
def test_each_single_source_kind_links_its_asset_with_its_relation(team, kind, relation, extra):
    draft = team.run(prompt="a poster that says SALE", image_size="512", aspect_ratio="3:4")["assets"][0]
    job = team.run(kind=kind, source_assets=[draft["id"]], **extra)

    child = job["assets"][0]
    lineage = team.client.get(f"/api/v1/assets/{child['id']}/lineage/").json()
    assert {"from": child["id"], "to": draft["id"], "relation": relation} in lineage["edges"]


def test_upscale_of_a_512_draft_renders_at_the_tier_asked_from_the_drafts_prompt(team, upstream):
    draft_job = team.run(prompt="a fox in the snow", image_size="512", aspect_ratio="16:9")
    draft = draft_job["assets"][0]
    assert (draft["width"], draft["height"]) == catalogue.pixel_size("16:9", "512")

    job = team.run(kind="upscale", source_assets=[draft["id"]], image_size="2K")

    asset = job["assets"][0]
    assert (asset["width"], asset["height"]) == catalogue.pixel_size("16:9", "2K")
    assert job["aspect_ratio"] == "16:9"
    assert "a fox in the snow" in upstream.state.log[-1]["texts"][-1]


def test_upscale_sends_the_drafts_prompt_and_the_users_addition_once_each(team, upstream):
    draft = team.run(prompt="a fox in the snow", image_size="512")["assets"][0]

    job = team.run(kind="upscale", source_assets=[draft["id"]], image_size="2K", prompt="sharper fur on the tail")

    instruction = upstream.state.log[-1]["texts"][-1]
    assert instruction.count("a fox in the snow") == 1 and instruction.count("sharper fur on the tail") == 1
    assert job["prompt"] == "sharper fur on the tail"  # the job records what this user asked


@pytest.mark.parametrize(("kind", "extra"), [("edit", {"prompt": "make the sky pink"}), ("translate", {"target_language": "fr"})])
def test_edit_and_translate_over_rest_keep_the_sources_format(team, kind, extra):
    draft = team.run(prompt="a poster that says SALE", aspect_ratio="4:5", image_size="2K", model="nano-banana-pro")["assets"][0]

    job = team.run(kind=kind, source_assets=[draft["id"]], **extra)

    assert (job["model_alias"], job["aspect_ratio"], job["image_size"]) == ("nano-banana-pro", "4:5", "2K")
    assert (job["assets"][0]["width"], job["assets"][0]["height"]) == catalogue.pixel_size("4:5", "2K")


def test_an_explicit_format_that_differs_from_the_source_is_allowed_and_recorded(team):
    draft = team.run(prompt="a banner", aspect_ratio="4:5", image_size="512")["assets"][0]

    job = team.run(kind="edit", prompt="widen it", source_assets=[draft["id"]], aspect_ratio="16:9", image_size="1K")

    assert (job["aspect_ratio"], job["image_size"]) == ("16:9", "1K")
    assert (job["assets"][0]["width"], job["assets"][0]["height"]) == catalogue.pixel_size("16:9", "1K")


def test_an_uploaded_source_keeps_its_nearest_ratio(team):
    upload = team.client.post(
        f"/api/v1/projects/{team.project.id}/assets/", {"image": SimpleUploadedFile("tall.png", image_bytes(400, 710))}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()

    job = team.run(kind="translate", target_language="de", source_assets=[upload.json()["id"]])

    assert job["aspect_ratio"] == "9:16"


def test_upscale_of_a_draft_whose_model_lacks_the_size_falls_back_over_rest_as_on_the_page(team):
    draft = team.run(prompt="a lemon", model="nano-banana")["assets"][0]  # Nano Banana renders 1K only

    job = team.run(kind="upscale", source_assets=[draft["id"]], image_size="4K")

    assert (job["model_alias"], job["image_size"]) == (catalogue.DEFAULT_MODEL, "4K")


def test_compose_takes_several_sources(team):
    a = team.run(prompt="a product shot of a bottle")["assets"][0]
    b = team.run(prompt="a sunny kitchen")["assets"][0]
    job = team.run(kind="compose", prompt="place the bottle on the kitchen counter", source_assets=[a["id"], b["id"]])
    edges = team.client.get(f"/api/v1/assets/{job['assets'][0]['id']}/lineage/").json()["edges"]
    assert {e["to"] for e in edges if e["relation"] == "composed_from"} == {a["id"], b["id"]}


def test_variations_are_linked_to_the_first_output(team, upstream):
    job = team.run(prompt="three takes on a logo", count=3)
    first, *others = job["assets"]
    edges = team.client.get(f"/api/v1/assets/{first['id']}/lineage/").json()["edges"]
    assert sorted(e["from"] for e in edges if e["relation"] == "variation_of") == sorted(o["id"] for o in others)
    assert len(upstream.state.log) == 3


def test_grounding_sources_are_stored_and_returned(team):
    job = team.run(prompt="today's weather in Paris as an infographic", grounding={"web": True, "image": True})
    assert job["grounding_settings"] == {"web": True, "image": True}
    assert job["grounding"]["web_search_queries"] and job["grounding"]["grounding_chunks"]


def test_requests_the_catalogue_refuses_never_reach_upstream(team, upstream):
    source = team.run(prompt="a menu board")["assets"][0]
    upstream.state.reset()
    many_objects = [team.entry("object", f"O{i}")["id"] for i in range(14)]

    cases = {
        "target_language": team.post(kind="translate", source_assets=[source["id"]], target_language="xx"),
        "source_assets": team.post(prompt="too many", objects=many_objects, source_assets=[source["id"]], kind="generate"),
        "image_size": team.post(prompt="x", model="nano-banana-pro", image_size="512"),
        "thinking_level": team.post(prompt="x", model="nano-banana", thinking_level="high"),
    }
    for field, response in cases.items():
        assert response.status_code == 400, (field, response.json())
        assert response.json()["error"]["field"] == field
    assert "de" in cases["target_language"].json()["error"]["details"]["allowed"]
    assert "at most 14" in cases["source_assets"].json()["error"]["message"]
    assert upstream.state.log == []


def test_a_removed_reference_image_stays_in_the_lineage(team):
    mia = team.entry("character", "Mia")
    image = mia["images"][0]
    asset = team.run(prompt="Mia waving", characters=[mia["id"]])["assets"][0]

    assert team.client.delete(f"/api/v1/characters/{mia['id']}/images/{image['id']}/").status_code == 204

    lineage = team.client.get(f"/api/v1/assets/{asset['id']}/lineage/").json()
    [node] = [n for n in lineage["nodes"] if n["type"] == "reference_image"]
    assert node["id"] == image["id"] and node["archived"] is True and node["sha256"] == image["sha256"]
    assert {"from": asset["id"], "to": image["id"], "relation": "references"} in lineage["edges"]
    data = b"".join(team.client.get(f"/api/v1/reference-images/{image['id']}/file/").streaming_content)
    assert hashlib.sha256(data).hexdigest() == image["sha256"]


def test_brand_team_flow_draft_edit_translate_upscale_and_trace_back(team, api, project):
    from tests.factories import member

    mia = team.entry("character", "Mia", images=2)
    bottle = team.entry("object", "Bottle", images=1)
    draft = team.run(prompt="Mia holding the bottle under a sign that says FRESH", characters=[mia["id"]], objects=[bottle["id"]], image_size="512")["assets"][0]
    edited = team.run(kind="edit", prompt="make the sky pink", source_assets=[draft["id"]])["assets"][0]
    german = team.run(kind="translate", target_language="de", source_assets=[edited["id"]])["assets"][0]
    japanese = team.run(kind="translate", target_language="ja", source_assets=[edited["id"]])["assets"][0]
    reviewer = api(member(project, "reviewer"))
    assert reviewer.post(f"/api/v1/assets/{draft['id']}/reviews/", {"decision": "approve"}, format="json").status_code == 201
    final = team.run(kind="upscale", image_size="4K", source_assets=[draft["id"]])["assets"][0]
    assert (final["width"], final["height"]) == catalogue.pixel_size("1:1", "4K")

    lineage = team.client.get(f"/api/v1/assets/{final['id']}/lineage/").json()
    ids = {n["id"] for n in lineage["nodes"]}
    reference_ids = {i["id"] for i in mia["images"] + bottle["images"]}
    assert ids == {draft["id"], final["id"]} | reference_ids  # the 4K asset's ancestry, back to the references
    family = {n["id"] for n in team.client.get(f"/api/v1/assets/{draft['id']}/lineage/").json()["nodes"]}
    assert {edited["id"], german["id"], japanese["id"], final["id"]} <= family  # every descendant of the draft
    assert {"from": final["id"], "to": draft["id"], "relation": "upscaled_from"} in lineage["edges"]
    assert {(e["to"]) for e in lineage["edges"] if e["from"] == final["id"] and e["relation"] == "references"} == reference_ids
    assert Generation.objects.filter(kind="translate").count() == 2


def test_reference_guidance_per_model_warns_and_only_the_api_limit_refuses(team, upstream):
    characters = [team.entry("character", f"C{i}")["id"] for i in range(5)]
    objects = [team.entry("object", f"O{i}")["id"] for i in range(7)]

    nb2 = team.post(prompt="five friends", model="nano-banana-2", characters=characters)
    pro = team.post(prompt="seven products", model="nano-banana-pro", objects=objects)
    nb = team.post(prompt="four things", model="nano-banana", objects=objects[:4])
    fine = team.post(prompt="four friends", model="nano-banana-2", characters=characters[:4])

    assert [w["field"], w["limit"], w["value"]] == ["characters", 4, 5] if (w := nb2.json()["warnings"][0]) else False
    assert [(w["field"], w["limit"], w["value"]) for w in pro.json()["warnings"]] == [("objects", 6, 7)]
    assert [(w["field"], w["limit"], w["value"]) for w in nb.json()["warnings"]] == [("source_assets", 3, 4)]
    assert {nb2.status_code, pro.status_code, nb.status_code, fine.status_code} == {201} and fine.json()["warnings"] == []
    assert "Nano Banana 2 keeps subjects best with up to 4 character images" in nb2.json()["warnings"][0]["message"]
    assert len([c for c in upstream.state.log if c["status"] == 200]) == 4  # warned jobs are sent all the same

    fifteen = [team.entry("object", f"P{i}", images=1)["id"] for i in range(8)]
    refused = team.post(prompt="too many", model="nano-banana-2", objects=objects + fifteen)
    assert refused.status_code == 400 and refused.json()["error"]["details"] == {"limit": 14, "value": 15}


def test_the_table_of_kinds_is_what_the_api_accepts_and_links_with_known_relations():
    from apps.assets.models import Relation
    from apps.gemini import kinds
    from apps.generations.models import Kind

    assert [value for value, _ in Kind.choices] == [kind.name for kind in kinds.KINDS]
    assert {kind.relation for kind in kinds.KINDS} <= set(Relation.values)
