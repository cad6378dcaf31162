from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from core.notifications import unread_count

        unread = unread_count(user)
    return {
        "portal_name": settings.PORTAL_NAME,
        "site_url": settings.SITE_URL,
        "unread_notifications": unread,
    }
