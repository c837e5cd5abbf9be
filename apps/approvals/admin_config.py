from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """Django's admin, with the site that lets deciding project members in (apps.approvals.admin_site)."""

    default_site = "apps.approvals.admin_site.PlatformAdminSite"
