"""Issue 29 on PostgreSQL: what concurrency could break. An acceptance racing a removal never
brings the member back; a colleague signs in while someone else's script is locked out at the
same address (gunicorn); parallel stage runs by one person never draw more than their job
allowance (Redis cache)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from apps.campaigns import services as campaign_services
from apps.campaigns.services import CampaignInput
from apps.core.exceptions import ApplicationError
from apps.core.throttling import JobCreationThrottle
from apps.generations.models import Generation
from apps.projects import invitations, services
from apps.projects.models import Invitation, Membership
from tests.campaigns.helpers import library
from tests.factories import ProjectFactory, UserFactory, member

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


def together(*calls):
    """Run the calls at once, each in its own thread and database connection; their outcomes."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as exc:  # an outcome like any other
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_an_acceptance_racing_a_removal_never_brings_the_member_back():
    owner = UserFactory(username="owner")
    for round_ in range(12):
        project = ProjectFactory()
        Membership.objects.create(project=project, user=owner, role="owner")
        carla = UserFactory(username=f"carla{round_}", email=f"carla{round_}@example.com")
        membership = Membership.objects.create(project=project, user=carla, role="viewer")
        token = f"older-owner-invitation-{round_}"
        Invitation.objects.create(
            project=project, email=carla.email, role="owner", token_sha256=invitations._digest(token), invited_by=owner,
            expires_at=timezone.now() + timedelta(days=7),
        )
        outcomes = together(
            lambda: services.member_remove(membership=Membership.objects.select_related("project", "user").get(pk=membership.pk), actor=owner),
            lambda: invitations.invitation_accept(token=token, user=carla),
        )
        assert not isinstance(outcomes[0], Exception), outcomes
        assert not Membership.objects.filter(project=project, user=carla).exists(), (round_, outcomes)
        assert not invitations.open_invitations(project).exists()


def test_a_colleague_signs_in_while_someones_script_is_locked_out_at_the_same_address(web_url, settings):
    for username in ("script", "colleague"):
        user = UserFactory(username=username)
        user.password = PBKDF2PasswordHasher().encode("the-right-password", "saltsalt", iterations=1000)
        user.save(update_fields=["password"])
    url = web_url + "/api/v1/auth/token/"

    def guess(n):
        return requests.post(url, data={"username": "script", "password": f"typo-{n}"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(guess, range(3 * settings.AXES_FAILURE_LIMIT)))
    assert codes.count(400) <= settings.AXES_FAILURE_LIMIT and 429 in codes, codes
    assert requests.post(url, data={"username": "script", "password": "the-right-password"}, timeout=60).status_code == 429
    colleague = requests.post(url, data={"username": "colleague", "password": "the-right-password"}, timeout=60)
    assert colleague.status_code == 200 and colleague.json()["token"]


def test_parallel_stage_runs_by_one_person_never_draw_more_than_the_allowance(settings):
    JobCreationThrottle.THROTTLE_RATES = {"job_creation": "10/min"}
    try:
        project = ProjectFactory()
        editor = member(project, "editor")
        character, products = library(project, products=2)
        campaigns = []
        for n in range(6):  # 2 products x 2 formats: 4 drafts jobs each; creating draws 1 each
            data = CampaignInput(
                name=f"race {n}", products=[p.pk for p in products], characters=[character.pk], scenes=["a park"], formats=["4:5", "9:16"],
                languages=[], copy="", copy_by_language={}, variations=1,
                draft={"model": "nano-banana-2", "image_size": "512"}, final={"model": "nano-banana-2", "image_size": "2K"},
            )
            campaigns.append(campaign_services.campaign_create(project=project, user=editor, data=data))
        from django.core.cache import cache

        cache.delete(f"job-allowance:{editor.pk}")  # a minute later: a full allowance of 10
        outcomes = together(*[
            (lambda c=c: campaign_services.campaign_run(campaign=c, user=editor, stage="drafts")) for c in campaigns
        ])
        made = [o for o in outcomes if not isinstance(o, Exception)]
        refused = [o for o in outcomes if isinstance(o, ApplicationError)]
        assert len(made) + len(refused) == 6, outcomes
        assert sum(o.jobs_created for o in made) == 8 and len(made) == 2  # 4 + 4 of 10; the rest would pass it
        assert all(o.code == "throttled" for o in refused)
        assert Generation.objects.filter(project=project).count() == 8
    finally:
        JobCreationThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
