from django.conf import settings
from django.core.management.base import BaseCommand

from apps.assets.signing import development_certificate_make


class Command(BaseCommand):
    help = (
        "Make the development CA and Content Credentials signer under var/c2pa/ once, when C2PA_SIGNING_CERT is unset; "
        "say which signer downloads and exports use."
    )

    def handle(self, *args, **options):
        if settings.C2PA_SIGNING_CERT:
            self.stdout.write("Content Credentials are signed with the certificate in C2PA_SIGNING_CERT.")
            return
        made = development_certificate_make(settings.C2PA_DEV_DIR)
        self.stderr.write(self.style.WARNING(
            f"C2PA_SIGNING_CERT is not set: Content Credentials are signed with a development certificate "
            f"{'made now' if made else 'kept'} in {settings.C2PA_DEV_DIR}; readers show it as untrusted. "
            "Set C2PA_SIGNING_CERT and C2PA_SIGNING_KEY for files others should trust."
        ))
