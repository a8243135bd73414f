"""Statistics of a budget year: tables and server-rendered SVG charts."""
