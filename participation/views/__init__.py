"""Views of participation, one module per area: proposals, events, content (news, library)."""
