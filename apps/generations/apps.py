from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "apps.generations"

    def ready(self):
        """Interactive delivery is one backend of the delivery table, like any other."""
        from apps.generations.dispatch import register_interactive

        register_interactive()
