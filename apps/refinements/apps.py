from django.apps import AppConfig


class RefinementsConfig(AppConfig):
    name = "apps.refinements"
