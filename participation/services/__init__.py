"""State changes of participation, one function per use case."""
