"""The performance benchmark (issue 7): bench/run.py is the entry point; see README "Performance"."""
