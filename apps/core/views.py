from django.shortcuts import redirect, render

from apps.gemini import catalogue


def home(request):
    """Signed-in users go to their projects; others see what the platform is and where to log in."""
    if request.user.is_authenticated:
        return redirect("projects")
    return render(request, "home.html", {"models": catalogue.MODELS})
