import uuid

from django.db import models

from apps.projects.models import Project


class EntryKind(models.TextChoices):
    CHARACTER = "character", "Character"
    OBJECT = "object", "Object"
    LOGO = "logo", "Logo"  # reference images of the brand's mark, for the logo check


NAME_MAX_CHARS = 120
DESCRIPTION_MAX_CHARS = 2000


class LibraryEntry(models.Model):
    """A character or an object (product, prop) whose look must stay the same in every asset, or the
    brand's logo (its pictures are what the logo check looks for)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="library_entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    name = models.CharField(max_length=NAME_MAX_CHARS)
    description = models.TextField(blank=True, help_text="Used in the prompt to describe this entry.")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "library entries"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "name"], condition=models.Q(archived_at__isnull=True), name="unique_live_entry_name"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class ReferenceImage(models.Model):
    """Immutable: replacing a picture archives this row and adds a new one, so lineage never
    points at changed bytes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entry = models.ForeignKey(LibraryEntry, on_delete=models.PROTECT, related_name="images")
    file = models.FileField(max_length=300)
    thumbnail = models.FileField(max_length=300, blank=True)
    mime_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.entry.name} reference {self.sha256[:10]}"
