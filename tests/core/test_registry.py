from core import registry


def test_slots_render_in_order_and_skip_none(rf):
    registry.add("test_slot", "b", 2, lambda request, x: ("b.html", {"x": x}))
    registry.add("test_slot", "a", 1, lambda request, x: ("a.html", {"x": x}))
    registry.add("test_slot", "c", 3, lambda request, x: None)
    assert registry.render("test_slot", rf.get("/"), 7) == [
        ("a.html", {"x": 7}),
        ("b.html", {"x": 7}),
    ]
