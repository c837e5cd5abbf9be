from django.db import models


class UpstreamSlot(models.Model):
    """The shared request schedule of one model, held in the database every worker shares, so a
    requests-per-minute limit holds across processes and machines (see ratelimit.py)."""

    model = models.CharField(max_length=80, primary_key=True)
    next_free_at = models.FloatField(default=0.0, help_text="Unix time of the next free request slot.")
    blocked_until = models.FloatField(default=0.0, help_text="Unix time before which nobody calls (after a 429).")

    def __str__(self):
        return self.model
