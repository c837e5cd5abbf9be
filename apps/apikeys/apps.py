from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apps.apikeys"
    verbose_name = "API keys"

    def ready(self):
        from apps.apikeys import schema  # noqa: F401  registers the OpenAPI descriptions of our credentials
