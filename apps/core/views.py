from django.shortcuts import render

from apps.gemini import catalogue


def home(request):
    return render(request, "home.html", {"models": catalogue.MODELS})
