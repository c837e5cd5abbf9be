from rest_framework.throttling import UserRateThrottle


class JobCreationThrottle(UserRateThrottle):
    """Per-user limit on creating jobs (GET is never throttled). Rate: settings REST_FRAMEWORK
    DEFAULT_THROTTLE_RATES["job_creation"]; a refusal is a 429 with Retry-After."""

    scope = "job_creation"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)
