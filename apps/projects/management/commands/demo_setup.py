import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.projects.models import Membership, Project, Role
from apps.projects.services import project_create


class Command(BaseCommand):
    help = "Create (once) a demo login and project for the embedded platform, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        password_file = settings.VAR_DIR / "demo_password"
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()

        user, _ = get_user_model().objects.get_or_create(username="demo", defaults={"is_staff": True, "is_superuser": True})
        user.set_password(password)
        user.save()
        project = Project.objects.filter(memberships__user=user).first() or project_create(
            user=user, name="Demo brand", brief="Clean, bright product photography; brand colours teal and white."
        )
        # A second person, because under the four-eyes rule nobody approves their own work.
        reviewer, _ = get_user_model().objects.get_or_create(username="demo-reviewer")
        reviewer.set_password(password)
        reviewer.save()
        Membership.objects.get_or_create(project=project, user=reviewer, defaults={"role": Role.REVIEWER})

        self.stdout.write(
            f"\nPlatform running at {url}/\n"
            f"  log in as: demo / {password}   (owner; admin: {url}/admin/, API docs: {url}/api/docs/)\n"
            f"  reviewer:  demo-reviewer / {password}\n"
            f"  API token: curl -s -X POST {url}/api/v1/auth/token/ -d username=demo -d password={password}\n"
        )
