from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.gemini import catalogue
from apps.generations.api.serializers import GenerationOutputSerializer


class RefineInputSerializer(StrictInputSerializer):
    prompt = serializers.CharField(max_length=catalogue.MAX_PROMPT_CHARS, help_text="What to change, e.g. \"warmer light\".")
    model = serializers.CharField(
        max_length=80, required=False, allow_null=True, default=None,
        help_text="A model alias or full id; unset: the thread's. Another model starts a new thread.",
    )
    aspect_ratio = serializers.CharField(max_length=8, required=False, allow_null=True, default=None, help_text="Unset: as the turn refined.")
    image_size = serializers.CharField(max_length=8, required=False, allow_null=True, default=None, help_text="Unset: as the turn refined.")
    new_thread = serializers.BooleanField(
        default=False, help_text="Start a new thread from this image, leaving the turns before it behind (for a thread at the model's image limit).",
    )

    def to_input(self):
        from apps.refinements.services import RefineInput

        return RefineInput(**self.validated_data)


class RefineJobSerializer(GenerationOutputSerializer):
    """The refine job, with the thread and turn it belongs to."""

    thread = serializers.UUIDField(source="refinement_turn.thread_id", read_only=True)
    turn = serializers.UUIDField(source="refinement_turn.id", read_only=True)

    class Meta(GenerationOutputSerializer.Meta):
        fields = [*GenerationOutputSerializer.Meta.fields, "thread", "turn"]


class ThreadInfoSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    model = serializers.CharField()
    seeded_as = serializers.CharField()
    seed_asset = serializers.UUIDField(source="seed_asset_id")


class MessageSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["user", "model"])
    text = serializers.CharField()
    asset = serializers.UUIDField(source="asset.pk", default=None)
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField(allow_null=True)
    turn = serializers.UUIDField(source="turn.pk")
    depth = serializers.IntegerField(source="turn.depth")
    job = serializers.UUIDField(source="job.pk", default=None)
    status = serializers.CharField(source="job.status", default=None)
    error = serializers.SerializerMethodField()
    cost_usd = serializers.DecimalField(source="job.cost_usd", max_digits=10, decimal_places=4, default=None)
    usage = serializers.JSONField(source="job.usage", default=None)

    def get_error(self, message) -> dict | None:
        job = message.job
        if job is None or not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}


class BranchSerializer(serializers.Serializer):
    """A turn that splits off the path: made by refining `from_asset` again."""

    turn = serializers.UUIDField(source="pk")
    depth = serializers.IntegerField()
    from_asset = serializers.UUIDField(source="from_asset.pk")
    prompt = serializers.CharField(source="generation.prompt")
    asset = serializers.UUIDField(source="output.pk", default=None)
    status = serializers.CharField(source="generation.status")
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField()


class ThreadSerializer(serializers.Serializer):
    thread = ThreadInfoSerializer(allow_null=True)
    turns = MessageSerializer(many=True)
    branches = BranchSerializer(many=True)
