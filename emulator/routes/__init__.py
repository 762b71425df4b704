"""Blueprints of the emulated services; each reaches the shared state through ``current_emulator()``."""

from flask import current_app


def current_emulator():
    return current_app.extensions["emulator"]
