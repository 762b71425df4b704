"""F&O databases: no routes of its own; LCS (and later Power Platform) operations change data through it."""
