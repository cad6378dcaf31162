"""The bare reference view: the base template, no database queries of its own."""

from django.shortcuts import render


def bare(request):
    return render(request, "bench/bare.html")
