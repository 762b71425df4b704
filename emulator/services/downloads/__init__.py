"""The emulated downloads service (backend.py: state and rules; routes.py: HTTP)."""
