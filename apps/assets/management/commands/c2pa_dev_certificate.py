from django.conf import settings
from django.core.management.base import BaseCommand

from apps.assets.signing import development_certificate_make


class Command(BaseCommand):
    help = "Make the development CA and Content Credentials signer under var/c2pa/ once (used when C2PA_SIGNING_CERT is unset)."

    def handle(self, *args, **options):
        made = development_certificate_make(settings.C2PA_DEV_DIR)
        if made:
            self.stdout.write(f"Made a development C2PA signer in {settings.C2PA_DEV_DIR} (readers show it as untrusted).")
