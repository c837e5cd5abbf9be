from django.shortcuts import render

from apps.core.pages import page
from apps.projects import selectors


@page
def project_list(request):
    return render(request, "projects/list.html", {"projects": selectors.project_list(user=request.user)})
