"""HTTP at the edge: Flask blueprints that turn requests into calls on the plain services."""
