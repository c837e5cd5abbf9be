from django.conf import settings
from django.db import models


class SsoIdentity(models.Model):
    """A person at an OpenID Connect provider (issuer + subject) and the account they sign in to.
    The subject, not the email, identifies them on later sign-ins: an address that changes at the
    provider still reaches the same account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    email = models.EmailField(help_text="The verified email of the latest sign-in.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_sso_subject")]
        verbose_name_plural = "SSO identities"

    def __str__(self):
        return f"{self.email} at {self.issuer}"
