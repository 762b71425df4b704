"""The emulated lcs service (backend.py: state and rules; routes.py: HTTP)."""
