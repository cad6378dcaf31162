from django.urls import reverse

from ambito import routing
from ambito.selectors import current_ambito


def header(request):
    """The ambito shown in the page header (None on a regional portal's own pages), and whether
    the portal holds several (the header then links the region's home)."""
    regional = routing.is_regional()
    return {
        "header_ambito": current_ambito(request),
        "regional_portal": regional,
        "region_home_url": routing.outside(reverse("core:home")) if regional else "",
    }
