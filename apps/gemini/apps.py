from django.apps import AppConfig


class GeminiConfig(AppConfig):
    name = "apps.gemini"
