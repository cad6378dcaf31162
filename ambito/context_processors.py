from ambito.selectors import default_ambito


def header(request):
    """The ambito shown in the page header."""
    return {"header_ambito": default_ambito(request)}
