from django.shortcuts import render

from apps.audit.selectors import audit_list
from apps.audit.sentences import describe, values_beyond_the_sentence
from apps.core.pages import page
from apps.projects.pages import project_page
from apps.projects.policy import Action


@page
def audit_log(request, project_id):
    """The owners' page of who changed the project's rules, members, budget, keys and webhooks."""
    project, rights = project_page(request, project_id, Action.VIEW_AUDIT)
    events = list(audit_list(project=project)[:500])
    for event in events:
        event.sentence, event.values = describe(event), values_beyond_the_sentence(event)
    return render(request, "audit/log.html", {"project": project, "rights": rights, "events": events, "section": "settings", "settings_tab": "audit"})
