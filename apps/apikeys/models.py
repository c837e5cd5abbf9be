import uuid

from django.conf import settings
from django.db import models
from rest_framework.authtoken.models import Token

from apps.projects.models import Project, Role


class KeyRole(models.TextChoices):
    """Roles a key may hold. Never owner: a machine must not manage members or outlive the last human owner."""

    EDITOR = Role.EDITOR.value, Role.EDITOR.label
    REVIEWER = Role.REVIEWER.value, Role.REVIEWER.label
    VIEWER = Role.VIEWER.value, Role.VIEWER.label


class ApiKey(models.Model):
    """A named credential for one project and one role. Its principal is a user of its own whose only
    membership is that project with that role, so every policy check applies to it unchanged.
    Only the SHA-256 of the key is kept: the key itself is shown once, when it is made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=KeyRole.choices)
    principal = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_key")
    prefix = models.CharField(max_length=16, help_text="The key's first characters, to recognise it in lists.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class TokenPasswordStamp(models.Model):
    """Binds a personal token to the password it was issued under (Django's session auth hash),
    so changing the password ends the token as it ends sessions."""

    token = models.OneToOneField(Token, on_delete=models.CASCADE, primary_key=True, related_name="password_stamp")
    password_hash = models.CharField(max_length=128)
