"""The web console for ward staff and officials (issue 12): pages, charts, printable posters."""
