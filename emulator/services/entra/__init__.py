"""The emulated entra service (backend.py: state and rules; routes.py: HTTP)."""
