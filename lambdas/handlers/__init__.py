"""Lambda entry points: parse the event, call the domain package (``vpr``), shape the response."""
