"""What every blueprint uses to reach the emulator serving the request."""

from flask import current_app


def current_emulator():
    return current_app.extensions["emulator"]
