"""Surveys (questionari): permissions, services, forms, results, exports and views. The models
live in participation/models/surveys.py."""
